"""Reads for destinations, always through the one scoping mechanism. Each returns what a page
shows with a fixed number of queries, whatever the number of records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from qihang.destinations.models import (
    PENDING_STATUSES,
    CodeSet,
    CohortPolicy,
    Destination,
    DestinationChange,
    DestinationCode,
    Evidence,
    ReviewStatus,
)
from qihang.destinations.policy import policy_preview
from qihang.destinations.rules import LABELS, Reference
from qihang.destinations.workflow import DESTINATION_REVIEW
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.regions import countries

PAGE_SIZE = 50


def own_graduate(actor: Actor) -> Graduate | None:
    """The actor's own graduate record in this institution (graduates report for themselves)."""
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("cohort", "department", "major")
        .order_by("-cohort__year")
        .first()
    )


def graduate_for_record(actor: Actor, graduate_id: int) -> Graduate:
    return get_scoped_or_404(
        Graduate.objects.select_related("cohort", "department", "major"), actor, pk=graduate_id
    )


def current_destination(graduate: Graduate) -> Destination | None:
    """The graduate's record with what its pages show (one query)."""
    return (
        Destination.objects.filter(graduate=graduate)
        .select_related("code__parent", "employer_nature", "official_code", "submitted_by")
        .first()
    )


def reference_for(cohort: Cohort) -> Reference:
    """The cohort's policy (without creating it) with its codes and employer natures."""
    return Reference.load(policy_preview(cohort), cohort.year)


def _history_queryset() -> QuerySet[DestinationChange]:
    return DestinationChange.objects.select_related("actor").order_by("-at", "-id")


def _evidence_queryset() -> QuerySet[Evidence]:
    return Evidence.objects.select_related("uploaded_by").order_by("-uploaded_at", "-id")


def history_of(destination: Destination) -> list[DestinationChange]:
    return list(_history_queryset().filter(destination=destination))


def evidence_of(destination: Destination) -> list[Evidence]:
    return list(_evidence_queryset().filter(destination=destination))


def destination_detail(actor: Actor, destination_id: int) -> Destination:
    """A record with its graduate, evidence and history (four queries)."""
    return get_scoped_or_404(
        Destination.objects.select_related(
            "graduate__department",
            "graduate__major",
            "graduate__cohort",
            "code__parent",
            "employer_nature",
            "official_code",
            "submitted_by",
            "reviewed_by",
            "approved_by",
        ).prefetch_related(
            Prefetch("evidence", queryset=_evidence_queryset(), to_attr="evidence_list"),
            Prefetch("changes", queryset=_history_queryset(), to_attr="history"),
        ),
        actor,
        pk=destination_id,
    )


def destination_for_action(actor: Actor, destination_id: int) -> Destination:
    return get_scoped_or_404(
        Destination.objects.select_related("graduate", "code"), actor, pk=destination_id
    )


def queue_row(actor: Actor, destination_id: int) -> Destination:
    """One row of the review queue, as the queue shows it."""
    return get_scoped_or_404(_queue_queryset(), actor, pk=destination_id)


def evidence_for_download(actor: Actor, evidence_id: int) -> Evidence:
    """A file to download; a purged one (past its retention) is gone."""
    return get_scoped_or_404(
        Evidence.objects.filter(purged_at__isnull=True).select_related("graduate"),
        actor,
        pk=evidence_id,
    )


# --- The review queue --------------------------------------------------------------------------
STATUS_FILTERS: dict[str, Any] = {
    "pending": None,  # the actor's own work: see queue_default_statuses
    ReviewStatus.SUBMITTED.value: ReviewStatus.SUBMITTED.label,
    ReviewStatus.DEPARTMENT_REVIEWED.value: ReviewStatus.DEPARTMENT_REVIEWED.label,
    ReviewStatus.RETURNED.value: ReviewStatus.RETURNED.label,
    ReviewStatus.APPROVED.value: ReviewStatus.APPROVED.label,
    "all": None,
}


def queue_default_statuses(actor: Actor) -> tuple[str, ...]:
    """The states the actor's row actions start from (DESTINATION_REVIEW.sources_of): the
    career centre's approval and sign-off (reviewed, submitted, late changes), the department's
    review (submitted)."""
    if actor.has(Perm.DESTINATION_APPROVE):
        names: tuple[str, ...] = ("approve", "sign_off")
    else:
        names = ("review",)
    states = frozenset().union(*(DESTINATION_REVIEW.sources_of(n) for n in names))
    return tuple(sorted(states))


@dataclass
class QueueFilters:
    cohort: Cohort | None = None
    department_id: int | None = None
    status: str = "pending"
    code: str = ""
    query: str = ""


@dataclass
class Queue:
    cohorts: list[Cohort]
    departments: list[Department]
    codes: list[DestinationCode]
    filters: QueueFilters
    rows: QuerySet[Destination]
    counts: dict[str, int] = field(default_factory=dict)


def _queue_queryset() -> QuerySet[Destination]:
    # The queue shows each record's files (kind, preview link): one more query per page.
    return Destination.objects.select_related(
        "graduate__department", "graduate__major", "code__parent", "official_code"
    ).prefetch_related(
        Prefetch(
            "evidence",
            queryset=Evidence.objects.order_by("uploaded_at", "pk"),
            to_attr="queue_evidence",
        )
    )


def review_queue(actor: Actor, filters: QueueFilters) -> QuerySet[Destination]:
    """The records the actor may see, filtered; pending ones oldest first (first come, first
    served), others newest first."""
    qs = scoped(_queue_queryset(), actor)
    if filters.cohort is not None:
        qs = qs.filter(cohort=filters.cohort)
    if filters.department_id:
        qs = qs.filter(graduate__department_id=filters.department_id)
    if filters.status == "pending":
        qs = qs.filter(status__in=queue_default_statuses(actor))
    elif filters.status in ReviewStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.code:
        qs = qs.filter(Q(code__code=filters.code) | Q(code__parent__code=filters.code))
    if filters.query:
        qs = qs.filter(
            Q(graduate__student_no__startswith=filters.query)
            | Q(graduate__name__contains=filters.query)
        )
    if filters.status in ("pending", *[s.value for s in PENDING_STATUSES]):
        return qs.order_by("submitted_at", "pk")
    return qs.order_by("-updated_at", "-pk")


def queue_choices(actor: Actor) -> tuple[list[Cohort], list[Department]]:
    cohorts = list(scoped(Cohort, actor).order_by("-year"))
    departments = scoped(Department, actor)
    if not actor.sees_whole_institution:
        departments = departments.filter(pk__in=sorted(actor.department_ids))
    return cohorts, list(departments.order_by("sort_order", "name"))


def top_level_codes(policy: CohortPolicy) -> list[DestinationCode]:
    return list(
        DestinationCode.objects.filter(
            code_set_id=policy.code_set_id, parent__isnull=True
        ).order_by("sort_order")
    )


def current_code_set(actor: Actor) -> CodeSet:
    """The code set of the institution's latest cohort (the newest code set without one)."""
    cohort = scoped(Cohort, actor).order_by("-year").first()
    if cohort is not None:
        return policy_preview(cohort).code_set
    return CodeSet.objects.order_by("-effective_from").first()


def top_level_codes_of(code_set: CodeSet) -> list[DestinationCode]:
    return list(
        DestinationCode.objects.filter(code_set=code_set, parent__isnull=True).order_by(
            "sort_order"
        )
    )


def code_set_codes(code_set_id: int) -> list[DestinationCode]:
    return list(DestinationCode.objects.filter(code_set_id=code_set_id).order_by("sort_order"))


# --- Showing history ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


class HistoryFormatter:
    """Turns DestinationChange before/after JSON into lines people read (codes with names)."""

    def __init__(self, ref: Reference) -> None:
        self.codes = {c.code: c.name for c in ref.codes.values()}
        self.natures = {n.code: n.name for n in ref.natures.values()}
        self.statuses = dict(ReviewStatus.choices)

    def value(self, key: str, value: Any) -> str:
        if value in ("", None, [], False) and key != "confirmed_not_internship":
            return "—"
        if key == "code":
            return f"{value} {self.codes.get(value, '')}".strip()
        if key == "employer_nature":
            return f"{value} {self.natures.get(value, '')}".strip()
        if key == "status":
            return str(self.statuses.get(value, value))
        if key == "confirmed_not_internship":
            return "是" if value else "否"
        if key == "employer_division":
            from qihang.lib.validators import FieldError, division_name

            try:
                return f"{value} {division_name(value)}"
            except FieldError:
                return str(value)
        if key == "employer_country":
            return countries.country_name(str(value))
        if isinstance(value, list):
            return "；".join(str(v) for v in value)
        return str(value)

    def lines(self, change: DestinationChange) -> list[ChangeLine]:
        keys = list(dict.fromkeys([*change.before, *change.after]))
        return [
            ChangeLine(
                label=str(LABELS.get(key, key)),
                before=self.value(key, change.before.get(key, "")) if key in change.before else "",
                after=self.value(key, change.after.get(key, "")),
            )
            for key in keys
        ]

    def annotate(self, changes: list[DestinationChange]) -> list[DestinationChange]:
        for change in changes:
            change.lines = self.lines(change)  # type: ignore[attr-defined]
        return changes

    def official(self, values: dict[str, Any]) -> list[ChangeLine]:
        return [
            ChangeLine(str(LABELS.get(k, k)), "", self.value(k, v))
            for k, v in values.items()
            if v not in ("", None)
        ]
