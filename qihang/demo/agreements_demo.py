"""Demo data for tripartite agreements (issue 9): employers that made offers in the applications
step send agreements; some graduates accept and the school reviews and approves them (their
destination becomes code 10 with the agreement as evidence, as the dashboard then shows), one
is cancelled again with everyone's approval (the destination reverts), and a few wait for the
graduate, the department or the centre. Every change goes through the services, so the
destinations, their history, the signatures and the audit trail agree with the agreements.
Called by qihang/demo/channels.py after the applications step.

The demo tells a past season: each step runs at its own moment before the demo day (`_at`
sets the clock every write reads, django.utils.timezone.now), so the agreements, the
destination versions, their periods and the audit entries are written with those times in the
first place and nothing is re-dated afterwards."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from django.utils import timezone

from qihang.agreements import services
from qihang.applications.models import Application, ApplicationStatus
from qihang.demo import clock as demo_clock
from qihang.employers.models import EmployerMember, EmployerStanding, StandingStatus
from qihang.institutions.models import Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.jobs.models import JobKind

# What happens to each candidate, in order (the demo graduate 2016104001 is left an offer).
PATHS = ["signed", "signed", "cancelled", "signed", "offered", "accepted", "reviewed", "declined"]
TERMS = {
    "employer_nature": "31",
    "monthly_salary": 8000,
    "term": "三年",
    "terms": "试用期三个月，7月1日报到。",
}
DEMO_GRADUATE = "2016104001"


_at = demo_clock.at  # the demo clock (qihang/demo/clock.py)


def _employer_actor(employer_id: int):
    member = (
        EmployerMember.objects.filter(employer_id=employer_id, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return None if member is None else build_actor(member.user, None, employer_id=employer_id)


def _staff(institution_id: int, role: str, department_id: int | None = None):
    members = Membership.objects.filter(
        institution_id=institution_id, role=role, is_active=True, invitation=""
    ).select_related("user")
    if department_id is not None:
        members = members.filter(departments=department_id)
    member = members.order_by("pk").first()
    return None if member is None else build_actor(member.user, institution_id)


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    verified = EmployerStanding.objects.filter(status=StandingStatus.VERIFIED).values_list(
        "institution_id", "employer_id"
    )
    verified_pairs = set(verified)
    candidates = [
        a
        for a in Application.objects.filter(
            status__in=[ApplicationStatus.HIRED, ApplicationStatus.OFFER],
            graduate__user__isnull=False,
        )
        .exclude(job__kind=JobKind.INTERNSHIP)
        .select_related("job", "graduate", "employer")
        .order_by("pk")
        if (a.institution_id, a.employer_id) in verified_pairs
    ]
    seen: set[int] = set()
    made: dict[str, int] = {}
    step = 0
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(today - dt.timedelta(days=50), dt.time(9, 30), tzinfo=tz)
    for application in candidates:
        graduate = application.graduate
        if graduate.pk in seen:
            continue
        employer = _employer_actor(application.employer_id)
        centre = _staff(application.institution_id, Role.CAREER_CENTRE)
        if employer is None or centre is None:
            continue
        seen.add(graduate.pk)
        path = "offered" if graduate.student_no == DEMO_GRADUATE else PATHS[step % len(PATHS)]
        step += 1
        department = (
            _staff(application.institution_id, Role.DEPARTMENT_STAFF, graduate.department_id)
            or centre
        )
        own = build_actor(graduate.user, graduate.institution_id)
        day = start + dt.timedelta(days=2 * step)
        _walk(path, application, employer, own, department, centre, day)
        made[path] = made.get(path, 0) + 1
        if step >= 16:
            break
    if log:
        log(
            "agreements: "
            + ", ".join(f"{n} {path}" for path, n in sorted(made.items()))
            + " (signed ones placed under code 10; the cancelled one reverted)"
        )


def _walk(path, application, employer, own, department, centre, day: dt.datetime) -> None:
    """One agreement along `path`, each step a day after the one before, from `day` on."""
    moments = (day + dt.timedelta(days=n, hours=n) for n in itertools.count())
    with _at(next(moments)):
        agreement = services.agreement_offer(
            actor=employer,
            application=application,
            data={
                **TERMS,
                "position": application.job.title,
                "work_division": application.job.division or "310104",
            },
        )
    steps: list[tuple[object, str]] = []
    if path == "declined":
        steps.append((own, "decline"))
    if path in ("accepted", "reviewed", "signed", "cancelled"):
        steps.append((own, "accept"))
    if path in ("reviewed", "signed", "cancelled"):
        steps.append((department, "review"))
    if path in ("signed", "cancelled"):
        steps.append((centre, "approve"))
    for actor, action in steps:
        with _at(next(moments)):
            services.agreement_act(
                actor=actor,
                agreement=agreement,
                action=action,
                reason="已决定报考研究生" if action == "decline" else "",
            )
    if path != "cancelled":
        return
    with _at(next(moments) + dt.timedelta(days=5)):
        cancellation = services.cancellation_request(
            actor=own, agreement=agreement, reason="单位岗位调整，双方协商一致解约"
        )
    for actor, action in (
        (employer, "employer_approve"),
        (department, "department_approve"),
        (centre, "centre_approve"),
    ):
        with _at(next(moments) + dt.timedelta(days=5)):
            services.cancellation_act(actor=actor, cancellation=cancellation, action=action)
