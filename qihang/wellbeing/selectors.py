"""Reads for wellbeing. Individual check-ins, referrals and notes need Perm.WELLBEING_CASES
(the psychological counsellor role alone; the caller logs the read); a graduate reads their own
check-ins; everyone with Perm.WELLBEING_OVERVIEW reads counts, suppressed below five."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.lib import disclosure
from qihang.wellbeing.models import CheckIn, Referral, ReferralStatus, Support


def answers_of(checkin: CheckIn) -> dict[str, Any]:
    text = checkin.answers.reveal_unlogged()
    answers = json.loads(text) if text else {}
    support = answers.get("support", "")
    answers["support_label"] = Support(support).label if support in Support.values else ""
    return answers


def my_checkins(actor: Actor, limit: int = 20) -> list[tuple[CheckIn, dict[str, Any]]]:
    actor.require(Perm.WELLBEING_CHECKIN)
    rows = scoped(CheckIn, actor).filter(graduate__user_id=actor.user_id)[:limit]
    return [(c, answers_of(c)) for c in rows]


def referral_queue(actor: Actor, *, status: str = "") -> list[Referral]:
    actor.require(Perm.WELLBEING_CASES)
    rows = scoped(Referral, actor).select_related("graduate", "department", "counsellor")
    if status in ReferralStatus.values:
        rows = rows.filter(status=status)
    else:
        rows = rows.exclude(status=ReferralStatus.CLOSED)
    return list(rows.order_by("status", "-updated_at")[:200])


@dataclass
class ReferralView:
    referral: Referral
    answers: dict[str, Any]
    notes: list[Any]
    history: list[tuple[CheckIn, dict[str, Any]]]  # the graduate's other check-ins


def referral_detail(actor: Actor, referral_id: int) -> ReferralView:
    actor.require(Perm.WELLBEING_CASES)
    referral = get_scoped_or_404(
        Referral.objects.select_related("graduate", "department", "counsellor", "checkin"),
        actor,
        pk=referral_id,
    )
    others = (
        scoped(CheckIn, actor)
        .filter(graduate_id=referral.graduate_id)
        .exclude(pk=referral.checkin_id)[:10]
    )
    return ReferralView(
        referral=referral,
        answers=answers_of(referral.checkin),
        notes=list(referral.notes.select_related("author")),
        history=[(c, answers_of(c)) for c in others],
    )


def recent_checkins(actor: Actor, limit: int = 50) -> list[tuple[CheckIn, dict[str, Any]]]:
    """Every recent check-in, anonymous ones included (the counsellors' view of the mood)."""
    actor.require(Perm.WELLBEING_CASES)
    rows = scoped(CheckIn, actor).select_related("graduate", "department")[:limit]
    return [(c, answers_of(c)) for c in rows]


@dataclass
class OverviewRow:
    label: str
    checkins: int | None
    referrals: int | None
    open_referrals: int | None


def overview(actor: Actor, cohort: Cohort) -> dict[str, Any]:
    """Counts by department for the cohort: check-ins, referrals, referrals still open — never a
    person, and no count below five (lib.disclosure, with the secondary suppression that keeps
    a hidden count from being worked out of the total). Three queries."""
    actor.require(Perm.WELLBEING_OVERVIEW)
    departments = list(scoped(Department, actor).order_by("sort_order", "name"))
    visible = [d.pk for d in departments]
    checkins = dict(
        scoped(CheckIn, actor)
        .filter(cohort=cohort, department_id__in=visible)
        .values_list("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    referrals: dict[int, tuple[int, int]] = {
        department_id: (n, n_open)
        for department_id, n, n_open in scoped(Referral, actor)
        .filter(checkin__cohort=cohort, department_id__in=visible)
        .values_list("department_id")
        .annotate(n=Count("pk"), n_open=Count("pk", filter=~Q(status=ReferralStatus.CLOSED)))
        .values_list("department_id", "n", "n_open")
    }
    columns = {
        "checkins": {d.pk: checkins.get(d.pk, 0) for d in departments},
        "referrals": {d.pk: referrals.get(d.pk, (0, 0))[0] for d in departments},
        "open_referrals": {d.pk: referrals.get(d.pk, (0, 0))[1] for d in departments},
    }
    shown: dict[str, dict[int, int | None]] = {}
    totals: dict[str, int | None] = {}
    for name, column in columns.items():
        shown[name], totals[name] = disclosure.suppress(column, sum(column.values()))
    rows = [
        OverviewRow(
            d.name, shown["checkins"][d.pk], shown["referrals"][d.pk], shown["open_referrals"][d.pk]
        )
        for d in departments
    ]
    return {
        "cohort": cohort,
        "rows": rows,
        "total": OverviewRow("", totals["checkins"], totals["referrals"], totals["open_referrals"]),
        "k": disclosure.K,
    }
