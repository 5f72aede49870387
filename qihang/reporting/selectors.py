"""Reads for reporting, scoped to the actor: the rows a report would carry and their state,
report runs, the records the authority returned, correction requests and check windows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qihang.destinations.models import Destination
from qihang.graduates import codes as national_codes
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.sensitive import SensitiveValue
from qihang.reporting import layout as layouts
from qihang.reporting.models import (
    CheckAnswer,
    CheckWindow,
    CorrectionRequest,
    CorrectionStatus,
    ReportingRecord,
    ReportRun,
    ReportState,
    RosterCheck,
)

# What 报送类型 says for each state (the national system tells additions from changes).
REPORT_KIND = {
    ReportState.NEW: "新增",
    ReportState.CHANGED: "变更",
    ReportState.RETURNED: "变更",
    ReportState.REPORTED: "无变化",
}
TO_REPORT = frozenset({ReportState.NEW, ReportState.CHANGED, ReportState.RETURNED})


@dataclass
class ReportFacts:
    """One graduate with an approved destination, as a report carries them."""

    graduate_id: int
    department_id: int
    label: str
    roster: dict[str, Any]
    id_number: SensitiveValue
    id_digest: str
    official: dict[str, Any]
    reported_hash: str = ""
    returned_reason: str = ""
    row_hash: str = ""
    state: ReportState = ReportState.NEW
    _values: dict[str, Any] = field(default_factory=dict)

    def values(self, *, unmasked: bool) -> dict[str, Any]:
        """The row's values by layout source; the ID number masked unless `unmasked`."""
        id_text = self.id_number.reveal_unlogged() if unmasked else self.id_number.masked
        return {**self._values, "id_number": id_text, "report_kind": REPORT_KIND[self.state]}


_GRADUATE_FIELDS = (
    "graduate_id",
    "graduate__department_id",
    "graduate__student_no",
    "graduate__name",
    "graduate__gender",
    "graduate__id_number",
    "graduate__id_number_digest",
    "graduate__degree_level",
    "graduate__department__name",
    "graduate__major__code",
    "graduate__major__name",
    "graduate__origin_division",
    "official_values",
)


def report_facts(
    *, actor: Actor, cohort: Cohort, layout: layouts.Layout | None = None
) -> list[ReportFacts]:
    """Every graduate of `cohort` the actor sees whose destination is approved (official), with
    their reporting state. Three queries whatever the number: the records, the reporting
    states, the national code tables."""
    layout = layout or layouts.load()
    tables = national_codes.load()
    records = (
        scoped(Destination, actor)
        .filter(cohort=cohort, official_code__isnull=False)
        .order_by("graduate__department__sort_order", "graduate__student_no")
        .values_list(*_GRADUATE_FIELDS)
    )
    states = {
        graduate_id: (reported_hash, returned_reason, returned_at)
        for graduate_id, reported_hash, returned_reason, returned_at in ReportingRecord.objects.filter(
            institution_id=actor.institution_id, cohort=cohort
        ).values_list("graduate_id", "reported_hash", "returned_reason", "returned_at")
    }

    def code(table: str, value: str) -> str:
        return tables[table].code_of.get(value, value) if value else ""

    facts = []
    for (
        graduate_id,
        department_id,
        student_no,
        name,
        gender,
        id_number,
        id_digest,
        level,
        department,
        major_code,
        major,
        origin,
        official,
    ) in records.iterator(chunk_size=2000):
        values = {
            "student_no": student_no,
            "name": name,
            "gender": code("sex", gender),
            "degree_level": code("education_level", level),
            "department": department,
            "major_code": major_code,
            "major": major,
            "origin_division": origin,
            "code": official.get("code", ""),
            "employer_name": official.get("employer_name", ""),
            "employer_credit_code": official.get("employer_credit_code", ""),
            "employer_nature": official.get("employer_nature", ""),
            "employer_division": official.get("employer_division", ""),
            "agreement_no": official.get("agreement_no", ""),
            "signed_on": official.get("signed_on", ""),
        }
        row_hash = layouts.row_hash({**values, "id_number": id_digest}, layout)
        reported_hash, returned_reason, returned_at = states.get(graduate_id, ("", "", None))
        if returned_at is not None:
            state = ReportState.RETURNED
        elif not reported_hash:
            state = ReportState.NEW
        elif reported_hash != row_hash:
            state = ReportState.CHANGED
        else:
            state = ReportState.REPORTED
        facts.append(
            ReportFacts(
                graduate_id=graduate_id,
                department_id=department_id,
                label=f"{name}（{student_no}）",
                roster=values,
                id_number=id_number,
                id_digest=id_digest,
                official=official,
                reported_hash=reported_hash,
                returned_reason=returned_reason if returned_at else "",
                row_hash=row_hash,
                state=state,
                _values=values,
            )
        )
    return facts


def state_counts(facts: list[ReportFacts]) -> dict[str, int]:
    counted = Counter(f.state for f in facts)
    return {state.value: counted.get(state, 0) for state in ReportState}


def pending_approval_count(*, actor: Actor, cohort: Cohort) -> int:
    """Graduates of the cohort with no approved destination yet: nothing to report for them."""
    return (
        scoped(Graduate, actor)
        .filter(cohort=cohort)
        .exclude(destination__official_code__isnull=False)
        .count()
    )


def runs(*, actor: Actor, cohort: Cohort | None = None) -> QuerySet[ReportRun]:
    qs = scoped(ReportRun, actor).select_related("cohort", "created_by")
    return qs.filter(cohort=cohort) if cohort is not None else qs


def returned_records(*, actor: Actor, cohort: Cohort | None = None) -> QuerySet[ReportingRecord]:
    """Records the authority returned that no report has carried since (the department's list).

    Queries: one, with graduate, department and the destination's current status."""
    qs = (
        scoped(ReportingRecord, actor)
        .filter(returned_at__isnull=False)
        .select_related("graduate__department", "graduate__destination", "cohort")
        .order_by("graduate__department__sort_order", "graduate__student_no")
    )
    return qs.filter(cohort=cohort) if cohort is not None else qs


def corrections(
    *, actor: Actor, status: str = CorrectionStatus.PENDING
) -> QuerySet[CorrectionRequest]:
    qs = scoped(CorrectionRequest, actor).select_related("graduate__department", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id") if status == CorrectionStatus.PENDING else qs


def my_graduate(actor: Actor) -> Graduate | None:
    """The actor's own roster record in the current institution (the newest cohort's)."""
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("department", "major", "cohort")
        .order_by("-cohort__year")
        .first()
    )


def open_window(*, actor: Actor, cohort: Cohort) -> CheckWindow | None:
    return scoped(CheckWindow, actor).filter(cohort=cohort, closed_at__isnull=True).first()


@dataclass(frozen=True)
class WindowCounts:
    total: int
    confirmed: int
    asked: int

    @property
    def not_yet(self) -> int:
        return self.total - self.confirmed - self.asked


def window_counts(*, actor: Actor, window: CheckWindow) -> WindowCounts:
    """How many of the cohort's graduates (who count in it) confirmed, asked, not yet answered."""
    answers = Counter(
        scoped(RosterCheck, actor).filter(window=window).values_list("answer", flat=True)
    )
    total = (
        scoped(Graduate, actor).filter(cohort_id=window.cohort_id, roster_status="active").count()
    )
    return WindowCounts(
        total=total,
        confirmed=answers.get(CheckAnswer.CONFIRMED, 0),
        asked=answers.get(CheckAnswer.ASKED, 0),
    )


def windows(*, actor: Actor) -> Iterator[tuple[CheckWindow, WindowCounts]]:
    for window in scoped(CheckWindow, actor).select_related("cohort"):
        yield window, window_counts(actor=actor, window=window)


def state_label(state: str) -> str:
    return str(ReportState(state).label) if state in ReportState.values else _("未知")
