"""Reads for verification: rounds, their samples and calls, the per-cohort report with each
department's data-quality figure, and the anomaly page (the rules are in anomalies.py).

Department staff see every round of their institution but only their departments' samples
(VerificationSample.scope); the centre sees everything.

Data-quality figure (核查不实率) of a department: false ÷ verified, where verified are the
sampled graduates whose latest call confirmed or contradicted the record (confirmed + false).
Unreachable and not yet called graduates are not verified and do not count either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.reports.stats import rate
from qihang.verification import anomalies
from qihang.verification.models import (
    CallResult,
    EnrolmentList,
    FlagDecision,
    FlagStatus,
    VerificationCall,
    VerificationRound,
    VerificationSample,
)


def quality_definition() -> str:
    return _(
        "核查不实率 = 核查不属实人数 ÷ 已核实人数（属实 + 不属实）；无法联系、未核查的不计入。"
    )


def rounds(actor: Actor, cohort: Cohort | None = None) -> list[VerificationRound]:
    """Rounds, newest first, each with `counts` {result: n} of the samples the actor sees.
    Queries: 2."""
    actor.require(Perm.VERIFICATION_VIEW)
    qs = scoped(VerificationRound, actor).select_related("cohort", "drawn_by")
    if cohort is not None:
        qs = qs.filter(cohort=cohort)
    found = list(qs)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for round_id, result, n in (
        scoped(VerificationSample, actor)
        .filter(round__in=[r.pk for r in found])
        .order_by()
        .values_list("round_id", "result")
        .annotate(n=Count("id"))
    ):
        counts[round_id][result] = n
    for r in found:
        r.counts = counts[r.pk]
        r.sampled = sum(counts[r.pk].values())
    return found


def round_for(actor: Actor, round_id: int) -> VerificationRound:
    actor.require(Perm.VERIFICATION_VIEW)
    return get_scoped_or_404(
        VerificationRound.objects.select_related("cohort", "drawn_by"), actor, pk=round_id
    )


def samples_of(actor: Actor, round_: VerificationRound) -> QuerySet[VerificationSample]:
    """The round's samples the actor sees, with graduate, department, record and calls.
    Queries: 2 (the samples, their calls)."""
    return (
        scoped(VerificationSample, actor)
        .filter(round=round_)
        .select_related("graduate", "department", "destination", "destination__code")
        .prefetch_related(
            Prefetch("calls", queryset=VerificationCall.objects.select_related("caller"))
        )
        .order_by("department__sort_order", "code", "graduate__student_no")
    )


def sample_for(actor: Actor, sample_id: int) -> VerificationSample:
    actor.require(Perm.VERIFICATION_VIEW)
    return get_scoped_or_404(
        VerificationSample.objects.select_related("graduate", "round", "destination"),
        actor,
        pk=sample_id,
    )


@dataclass
class Tally:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def sampled(self) -> int:
        return sum(self.counts.values())

    @property
    def verified(self) -> int:
        return self.counts.get(CallResult.CONFIRMED, 0) + self.counts.get(CallResult.FALSE, 0)

    @property
    def false(self) -> int:
        return self.counts.get(CallResult.FALSE, 0)

    @property
    def false_rate(self) -> float:
        return rate(self.false, self.verified)

    def get(self, result: str) -> int:
        return self.counts.get(result, 0)


def cohort_report(actor: Actor, cohort: Cohort) -> dict[str, Any]:
    """The verification report of a cohort over all its rounds: sample sizes and results by
    department (with the data-quality figure) and by code, and the false findings with their
    records. Queries: 5 (rounds, tallies, departments, false samples, their calls)."""
    actor.require(Perm.VERIFICATION_VIEW)
    found = list(scoped(VerificationRound, actor).filter(cohort=cohort).order_by("drawn_at", "pk"))
    samples = scoped(VerificationSample, actor).filter(round__cohort=cohort).order_by()
    by_department: dict[int, Tally] = {}
    by_code: dict[str, Tally] = {}
    total = Tally("", _("合计"))
    for department_id, code, result, n in samples.values_list(
        "department_id", "code", "result"
    ).annotate(n=Count("id")):
        for tally in (
            by_department.setdefault(department_id, Tally(str(department_id), "")),
            by_code.setdefault(code, Tally(code, code)),
            total,
        ):
            tally.counts[result] = tally.counts.get(result, 0) + n
    names = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "name"))
    order = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "sort_order"))
    for department_id, tally in by_department.items():
        tally.label = names.get(department_id, "")
    false_samples = list(
        samples.filter(result=CallResult.FALSE)
        .select_related("graduate", "department", "destination", "round")
        .prefetch_related(
            Prefetch("calls", queryset=VerificationCall.objects.select_related("caller"))
        )
        .order_by("department__sort_order", "graduate__student_no")
    )
    return {
        "cohort": cohort,
        "rounds": found,
        "departments": sorted(
            by_department.values(), key=lambda t: (order.get(int(t.key), 0), t.label)
        ),
        "codes": sorted(by_code.values(), key=lambda t: (len(t.key), t.key)),
        "total": total,
        "false_samples": false_samples,
        "quality_definition": quality_definition(),
        "results": [CallResult.CONFIRMED, CallResult.UNREACHABLE, CallResult.FALSE,
                    CallResult.PENDING],
    }  # fmt: skip


@dataclass
class Flag:
    rule: anomalies.Rule
    finding: anomalies.Finding
    decision: FlagDecision | None

    @property
    def status(self) -> str:
        return self.decision.status if self.decision else FlagStatus.OPEN

    @property
    def status_label(self) -> str:
        return str(FlagStatus(self.status).label)


def anomaly_flags(actor: Actor, cohort: Cohort) -> dict[str, Any]:
    """Every rule's findings for the cohort with the centre's latest decision on each.
    Queries: the rules' (a constant number each) and one for the decisions."""
    actor.require(Perm.VERIFICATION_MANAGE)
    t = anomalies.thresholds()
    found: list[tuple[anomalies.Rule, list[anomalies.Finding]]] = [
        (rule, rule.check(actor, cohort, t)) for rule in anomalies.RULES.values()
    ]
    latest: dict[tuple[str, str], FlagDecision] = {}
    for decision in (
        scoped(FlagDecision, actor).select_related("decided_by").order_by("decided_at", "pk")
    ):
        latest[(decision.rule, decision.key)] = decision
    sections = []
    for rule, findings in found:
        flags = [Flag(rule, f, latest.get((f.rule, f.key))) for f in findings]
        sections.append({"rule": rule, "flags": flags})
    return {
        "sections": sections,
        "thresholds": t,
        "open": sum(1 for s in sections for f in s["flags"] if f.status == FlagStatus.OPEN),
    }


def enrolment_lists(actor: Actor, cohort: Cohort) -> list[EnrolmentList]:
    actor.require(Perm.VERIFICATION_MANAGE)
    return list(scoped(EnrolmentList, actor).filter(cohort=cohort).select_related("imported_by"))
