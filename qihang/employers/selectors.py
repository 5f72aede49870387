"""Reads of the employers app, for staff (through the institution's holding of employers) and
for employer accounts (their own organisation). Every read goes through scoping."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from qihang.destinations.models import CodeSet, EmployerNature
from qihang.employers.models import (
    Alumnus,
    Channel,
    Contact,
    Employer,
    EmployerMember,
    EmployerStanding,
    Interaction,
    JoinRequest,
    StandingStatus,
)
from qihang.employers.reference import ALUMNI_ENTERPRISE_CHANNEL
from qihang.institutions.models import Cohort, Institution
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped


# --- Reference data -------------------------------------------------------------------------------
def current_code_set(today: dt.date | None = None) -> CodeSet | None:
    """The destination code set in force (its employer natures are the national list)."""
    day = today or timezone.localdate()
    return (
        CodeSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
        or CodeSet.objects.order_by("-effective_from").first()
    )


def employer_natures(today: dt.date | None = None) -> list[EmployerNature]:
    code_set = current_code_set(today)
    if code_set is None:
        return []
    return list(EmployerNature.objects.filter(code_set=code_set).order_by("code"))


def labels_of(employer: Employer) -> dict[str, str]:
    """Names of the employer's nature, industry and location codes, for display."""
    from qihang.employers.reference import INDUSTRY_NAMES
    from qihang.lib.validators import FieldError, division_name

    nature = next((n.name for n in employer_natures() if n.code == employer.nature_code), "")
    try:
        place = division_name(employer.division) if employer.division else ""
    except FieldError:
        place = ""
    return {
        "nature": nature or employer.nature_code,
        "industry": INDUSTRY_NAMES.get(employer.industry_code, employer.industry_code),
        "division": place or employer.division,
    }


def channels() -> list[Channel]:
    return list(Channel.objects.filter(is_active=True).order_by("sort_order", "code"))


def current_cohort_year(institution_id: int) -> int | None:
    """The institution's latest cohort: graduates of earlier ones are alumni."""
    return (
        Cohort.objects.filter(institution_id=institution_id)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


# --- Staff: the institution's employers -----------------------------------------------------------
def _my_standing(actor: Actor, column: str) -> Subquery:
    return Subquery(
        EmployerStanding.objects.filter(
            employer=OuterRef("pk"), institution_id=actor.institution_id
        ).values(column)[:1]
    )


def employer_list(*, actor: Actor, status: str = "", q: str = "") -> QuerySet[Employer]:
    """The employers the actor's institution holds (and partners share with it), with its own
    standing's status: one query."""
    qs = scoped(Employer, actor).annotate(
        my_status=_my_standing(actor, "status"),
        my_requested_at=_my_standing(actor, "requested_at"),
    )
    if status in StandingStatus.values:
        qs = qs.filter(my_status=status)
    elif status == "shared":
        qs = qs.filter(my_status__isnull=True)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q.upper()))
    return qs.order_by("name", "pk")


def employer_for(actor: Actor, employer_id: int) -> Employer:
    return get_scoped_or_404(Employer, actor, pk=employer_id)


def my_standing(actor: Actor, employer: Employer) -> EmployerStanding | None:
    return (
        EmployerStanding.objects.filter(institution_id=actor.institution_id, employer=employer)
        .select_related("channel", "credited_to", "credited_department", "decided_by")
        .first()
    )


def partner_decisions(actor: Actor, employer: Employer) -> list[EmployerStanding]:
    """The decisions paired institutions made on this employer, first first: the evidence a
    school sees before deciding itself (who decided, when, why)."""
    from qihang.institutions.selectors import partner_ids

    partners = partner_ids(actor.institution_id)
    if not partners:
        return []
    return list(
        EmployerStanding.objects.filter(
            employer=employer, institution_id__in=partners, decided_at__isnull=False
        )
        .select_related("institution", "decided_by")
        .order_by("decided_at", "pk")
    )


_DIGITS = re.compile(r"\D+")


def normalise_phone(value: str) -> str:
    """Digits only, without a +86/0086 prefix: how two spellings of a number compare."""
    digits = _DIGITS.sub("", value or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix) :]
    return digits


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def contact_conflicts(employer: Employer) -> list[Employer]:
    """Other organisations (another credit code) giving the same contact phone or e-mail: a
    sign of one party behind several codes, which the jobs guard flags. One query."""
    phone = normalise_phone(employer.contact_phone)
    email = normalise_email(employer.contact_email)
    match = Q(pk__in=[])
    if len(phone) >= 7:
        # Stored spellings may carry separators: narrow by the last four digits, compare after.
        match |= Q(contact_phone__endswith=phone[-4:])
    if email:
        match |= Q(contact_email__iexact=email)
    candidates = Employer.objects.filter(match).exclude(credit_code=employer.credit_code)
    return [
        other
        for other in candidates.order_by("name", "pk")
        if (len(phone) >= 7 and normalise_phone(other.contact_phone) == phone)
        or (email and normalise_email(other.contact_email) == email)
    ]


def contacts_of(actor: Actor, employer: Employer) -> list[Contact]:
    return list(
        scoped(Contact, actor)
        .filter(institution_id=actor.institution_id, employer=employer)
        .select_related("created_by")
    )


def interactions_of(actor: Actor, employer: Employer) -> list[Interaction]:
    return list(
        scoped(Interaction, actor)
        .filter(institution_id=actor.institution_id, employer=employer)
        .select_related("staff", "created_by")
    )


def alumni_of(actor: Actor, employer: Employer) -> list[Alumnus]:
    return list(
        scoped(Alumnus, actor)
        .filter(employer=employer)
        .select_related("graduate", "graduate__cohort")
    )


def staff_choices(actor: Actor) -> QuerySet[Any]:
    """People of the institution who may be credited with a lead (active staff members)."""
    from qihang.accounts.models import User
    from qihang.institutions.models import Membership
    from qihang.institutions.roles import Role

    members = Membership.objects.filter(
        institution_id=actor.institution_id, is_active=True
    ).exclude(role=Role.GRADUATE)
    return User.objects.filter(pk__in=members.values("user_id")).order_by("display_name", "pk")


# --- Alumni ---------------------------------------------------------------------------------------
def alumni_list(
    *, actor: Actor, q: str = "", year: str = "", mentor: bool = False, recruit: bool = False
) -> QuerySet[Alumnus]:
    qs = scoped(Alumnus, actor).select_related(
        "graduate", "graduate__cohort", "graduate__department", "employer"
    )
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(graduate__name__icontains=q)
            | Q(graduate__student_no=q)
            | Q(organisation__icontains=q)
            | Q(employer__name__icontains=q)
        )
    if year.isdigit():
        qs = qs.filter(graduate__cohort__year=int(year))
    if mentor:
        qs = qs.filter(willing_to_mentor=True)
    if recruit:
        qs = qs.filter(willing_to_recruit=True)
    return qs.order_by("-graduate__cohort__year", "graduate__student_no")


def alumnus_candidates(*, actor: Actor, q: str) -> list[Any]:
    """Graduates of earlier cohorts without an alumni record, found by name or 学号 (≤ 20)."""
    from qihang.graduates.models import Graduate

    latest = current_cohort_year(actor.institution_id)
    q = q.strip()
    if latest is None or not q:
        return []
    return list(
        scoped(Graduate, actor)
        .filter(cohort__year__lt=latest, alumnus__isnull=True)
        .filter(Q(name__icontains=q) | Q(student_no=q))
        .select_related("cohort", "department")
        .order_by("-cohort__year", "student_no")[:20]
    )


# --- Employer accounts: their own organisation ----------------------------------------------------
def portal_employer(actor: Actor) -> Employer:
    return get_scoped_or_404(Employer, actor, pk=actor.employer_id)


def portal_institution(actor: Actor, code: str) -> Institution:
    """The school with this code, if the employer has a standing there (any status): otherwise
    404, so that a school it has not asked for looks like a missing one."""
    institution = Institution.objects.filter(code=code.strip()).first()
    if (
        institution is None
        or not EmployerStanding.objects.filter(
            institution=institution, employer_id=actor.employer_id
        ).exists()
    ):
        raise Http404
    return institution


def portal_standings(actor: Actor) -> list[EmployerStanding]:
    return list(
        scoped(EmployerStanding, actor).select_related("institution").order_by("institution__code")
    )


def portal_members(actor: Actor) -> list[EmployerMember]:
    return list(
        scoped(EmployerMember, actor)
        .exclude(join_request=JoinRequest.DECLINED)
        .select_related("user")
        .order_by("-is_active", "created_at", "pk")
    )


def institutions_to_ask(actor: Actor, standings: list[EmployerStanding]) -> list[Institution]:
    asked = {s.institution_id for s in standings}
    return [i for i in Institution.objects.order_by("code") if i.pk not in asked]


def waiting_memberships(user: Any) -> list[EmployerMember]:
    """An account's requests to join that no administrator has answered (no names shown)."""
    return list(EmployerMember.objects.filter(user=user, join_request=JoinRequest.PENDING))


# --- Channel report -------------------------------------------------------------------------------
@dataclass
class ChannelRow:
    key: Any
    label: str
    jobs: int = 0
    hires: int = 0
    extra: str = ""


@dataclass
class ChannelReport:
    by_channel: list[ChannelRow] = field(default_factory=list)
    by_person: list[ChannelRow] = field(default_factory=list)
    by_department: list[ChannelRow] = field(default_factory=list)
    jobs: int = 0
    hires: int = 0


def _channel_key(channel_id: int | None, alumni_enterprise: bool, alumni_id: int | None) -> Any:
    """Uncredited work of an alumni enterprise counts under the 校友企业 channel."""
    if channel_id is None and alumni_enterprise and alumni_id is not None:
        return alumni_id
    return channel_id


def channel_report(*, actor: Actor) -> ChannelReport:
    """Jobs and hires by channel, by credited person and by credited department, for the
    actor's institution. Four queries: channels, jobs grouped by their credit, the credited
    standings, approved employment destinations grouped by credit code.

    Jobs: the institution's postings (any state) credited to it. Hires: the institution's
    approved destinations with an employment code whose employer credit code is that of an
    employer credited (its standing here) to the channel, person or department."""
    from qihang.destinations.models import DestinationCategory, ReviewStatus
    from qihang.graduates.models import Graduate  # noqa: F401 - destinations join through it
    from qihang.jobs.models import Job

    institution_id = actor.institution_id
    all_channels = list(Channel.objects.order_by("sort_order", "code"))
    alumni_id = next((c.pk for c in all_channels if c.code == ALUMNI_ENTERPRISE_CHANNEL), None)
    report = ChannelReport()
    by_channel: dict[Any, ChannelRow] = {
        c.pk: ChannelRow(c.pk, c.name) for c in all_channels if c.is_active
    }
    by_person: dict[Any, ChannelRow] = {}
    by_department: dict[Any, ChannelRow] = {}
    none_label = "—"

    def rows_for(
        channel_id: Any, person: tuple[Any, str], department: tuple[Any, str]
    ) -> list[ChannelRow]:
        channel_row = by_channel.get(channel_id)
        if channel_row is None:
            channel_row = by_channel.setdefault(channel_id, ChannelRow(channel_id, none_label))
        person_row = by_person.setdefault(person[0], ChannelRow(person[0], person[1]))
        department_row = by_department.setdefault(
            department[0], ChannelRow(department[0], department[1])
        )
        return [channel_row, person_row, department_row]

    jobs = (
        Job.objects.filter(institution_id=institution_id)
        .values(
            "channel_id",
            "employer__is_alumni_enterprise",
            "credited_to_id",
            "credited_to__display_name",
            "credited_to__username",
            "credited_department_id",
            "credited_department__name",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in jobs:
        key = _channel_key(row["channel_id"], row["employer__is_alumni_enterprise"], alumni_id)
        person = (
            row["credited_to_id"],
            row["credited_to__display_name"] or row["credited_to__username"] or none_label,
        )
        department = (row["credited_department_id"], row["credited_department__name"] or none_label)
        for target in rows_for(key, person, department):
            target.jobs += row["n"]
        report.jobs += row["n"]

    standings = list(
        EmployerStanding.objects.filter(institution_id=institution_id).values(
            "employer__credit_code",
            "employer__is_alumni_enterprise",
            "channel_id",
            "credited_to_id",
            "credited_to__display_name",
            "credited_to__username",
            "credited_department_id",
            "credited_department__name",
        )
    )
    from qihang.destinations.models import Destination

    hires = dict(
        Destination.objects.filter(
            institution_id=institution_id,
            status=ReviewStatus.APPROVED,
            code__category=DestinationCategory.EMPLOYED,
            employer_credit_code__in=[s["employer__credit_code"] for s in standings],
        )
        .values("employer_credit_code")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("employer_credit_code", "n")
    )
    for row in standings:
        n = hires.get(row["employer__credit_code"], 0)
        if not n:
            continue
        key = _channel_key(row["channel_id"], row["employer__is_alumni_enterprise"], alumni_id)
        person = (
            row["credited_to_id"],
            row["credited_to__display_name"] or row["credited_to__username"] or none_label,
        )
        department = (row["credited_department_id"], row["credited_department__name"] or none_label)
        for target in rows_for(key, person, department):
            target.hires += n
        report.hires += n

    def ordered(rows: dict[Any, ChannelRow], keep_empty: bool = False) -> list[ChannelRow]:
        kept = [r for r in rows.values() if keep_empty or r.jobs or r.hires]
        return sorted(kept, key=lambda r: (r.key is None, -r.jobs - r.hires, r.label))

    order = {c.pk: i for i, c in enumerate(all_channels)}
    report.by_channel = sorted(
        by_channel.values(), key=lambda r: (r.key is None, order.get(r.key, 999))
    )
    report.by_person = ordered(by_person)
    report.by_department = ordered(by_department)
    return report


def standing_counts(actor: Actor) -> dict[str, int]:
    """How many employers the institution holds in each status (the list's filter tabs)."""
    rows = (
        EmployerStanding.objects.filter(institution_id=actor.institution_id)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["status"]] = row["n"]
    return dict(counts)
