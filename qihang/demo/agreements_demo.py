"""Demo data for tripartite agreements (issue 9): employers that made offers in the applications
step send agreements; some graduates accept and the school reviews and approves them (their
destination becomes code 10 with the agreement as evidence, as the dashboard then shows), one
is cancelled again with everyone's approval (the destination reverts), and a few wait for the
graduate, the department or the centre. Every change goes through the services, so the
destinations, their history, the signatures and the audit trail agree with the agreements.
Called by qihang/demo/channels.py after the applications step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from qihang.agreements import services
from qihang.applications.models import Application, ApplicationStatus
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
        agreement = services.agreement_offer(
            actor=employer,
            application=application,
            data={
                **TERMS,
                "position": application.job.title,
                "work_division": application.job.division or "310104",
            },
        )
        if path == "declined":
            services.agreement_act(
                actor=own, agreement=agreement, action="decline", reason="已决定报考研究生"
            )
        if path in ("accepted", "reviewed", "signed", "cancelled"):
            services.agreement_act(actor=own, agreement=agreement, action="accept")
        if path in ("reviewed", "signed", "cancelled"):
            services.agreement_act(actor=department, agreement=agreement, action="review")
        if path in ("signed", "cancelled"):
            services.agreement_act(actor=centre, agreement=agreement, action="approve")
        if path == "cancelled":
            cancellation = services.cancellation_request(
                actor=own, agreement=agreement, reason="单位岗位调整，双方协商一致解约"
            )
            for actor, action in (
                (employer, "employer_approve"),
                (department, "department_approve"),
                (centre, "centre_approve"),
            ):
                services.cancellation_act(actor=actor, cancellation=cancellation, action=action)
        made[path] = made.get(path, 0) + 1
        if step >= 16:
            break
    if log:
        log(
            "agreements: "
            + ", ".join(f"{n} {path}" for path, n in sorted(made.items()))
            + " (signed ones placed under code 10; the cancelled one reverted)"
        )
