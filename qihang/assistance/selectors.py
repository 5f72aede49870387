"""Reads for key-group assistance: the caseload (who is in a key group now, with their file,
plan and follow-ups), one graduate's assistance page, and the coverage figures by department as
of a day. Every read goes through institutions.scoping; the pages log the reads of
key-group status and of the sealed texts (the caller does)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.assistance.models import (
    AssistanceFile,
    FollowUp,
    ProgrammeApplication,
    Subsidy,
)
from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind, RosterPeriod
from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.reports import selectors as reports
from qihang.reports import stats

RECENT_DAYS = 30  # a follow-up within this many days counts as "followed up"


def _open_at(moment: dt.datetime) -> Q:
    return Q(valid_from__lte=moment) & (Q(valid_to__isnull=True) | Q(valid_to__gt=moment))


def key_group_ids(actor: Actor, cohort: Cohort, moment: dt.datetime) -> dict[int, list[str]]:
    """Graduates of the cohort with a confirmed key group open at T -> the kinds' names."""
    names = {k.digest: k.name for k in KeyGroupKind.objects.all()}
    found: dict[int, list[str]] = defaultdict(list)
    for graduate_id, digest in (
        scoped(GraduateKeyGroup, actor)
        .filter(graduate__cohort=cohort)
        .filter(_open_at(moment))
        .values_list("graduate_id", "kind_digest")
    ):
        found[graduate_id].append(names.get(digest, "—"))
    return found


@dataclass
class CaseRow:
    graduate: Graduate
    kinds: list[str]
    file: AssistanceFile | None
    last_follow_up: dt.date | None
    next_due: dt.date | None
    overdue: bool


def next_due(file: AssistanceFile | None, last: FollowUp | None, since: dt.date) -> dt.date:
    """When the next follow-up is due: the date the last one set, else its date plus the
    file's cycle; with none yet, one cycle after the key group was confirmed (`since`)."""
    days = file.follow_up_days if file else 14
    if last is not None:
        return last.next_on or last.on + dt.timedelta(days=days)
    return since + dt.timedelta(days=days)


def confirmed_since(actor: Actor, graduate_ids: list[int]) -> dict[int, dt.date]:
    """When each graduate's earliest open confirmed key group was confirmed (local date)."""
    now = timezone.now()
    return {
        graduate_id: timezone.localdate(first)
        for graduate_id, first in scoped(GraduateKeyGroup, actor)
        .filter(graduate_id__in=graduate_ids)
        .filter(_open_at(now))
        .values_list("graduate_id")
        .annotate(first=Min("valid_from"))
        .values_list("graduate_id", "first")
    }


def caseload(actor: Actor, cohort: Cohort, *, today: dt.date | None = None) -> list[CaseRow]:
    """The key-group graduates the actor helps, most urgent first. Six queries."""
    actor.require(Perm.ASSISTANCE_VIEW)
    today = today or timezone.localdate()
    kinds = key_group_ids(actor, cohort, timezone.now())
    graduates = list(
        scoped(Graduate, actor)
        .filter(pk__in=list(kinds))
        .select_related("department", "mentor", "destination__code")
        .order_by("department__sort_order", "student_no")
    )
    files = {
        f.graduate_id: f
        for f in scoped(AssistanceFile, actor)
        .filter(graduate__in=graduates)
        .select_related("mentor")
    }
    last: dict[int, FollowUp] = {}
    for follow_up in (
        scoped(FollowUp, actor).filter(graduate__in=graduates).order_by("graduate_id", "-on", "-pk")
    ):
        last.setdefault(follow_up.graduate_id, follow_up)
    since = confirmed_since(actor, [g.pk for g in graduates])
    rows = []
    for g in graduates:
        f, lf = files.get(g.pk), last.get(g.pk)
        due = next_due(f, lf, since.get(g.pk, today))
        rows.append(CaseRow(g, sorted(kinds[g.pk]), f, lf.on if lf else None, due, due < today))
    rows.sort(key=lambda r: (not r.overdue, r.file is not None and r.file.has_plan, r.next_due))
    return rows


@dataclass
class AssistancePage:
    graduate: Graduate
    memberships: list[Any]
    file: AssistanceFile | None
    steps: list[Any]
    follow_ups: list[FollowUp]
    programmes: list[ProgrammeApplication]
    subsidies: list[Subsidy]
    pushes: list[Any] = field(default_factory=list)
    next_due: dt.date | None = None


def assistance_page(actor: Actor, graduate_id: int) -> AssistancePage:
    from qihang.graduates.selectors import key_groups_of
    from qihang.search.models import JobPush

    actor.require(Perm.ASSISTANCE_VIEW)
    graduate = get_scoped_or_404(
        Graduate.objects.select_related("department", "mentor", "cohort", "destination__code"),
        actor,
        pk=graduate_id,
    )
    file = (
        scoped(AssistanceFile, actor)
        .filter(graduate=graduate)
        .select_related("mentor", "leader")
        .first()
    )
    follow_ups = list(scoped(FollowUp, actor).filter(graduate=graduate).select_related("author"))
    return AssistancePage(
        graduate=graduate,
        memberships=key_groups_of(actor=actor, graduate=graduate),
        file=file,
        steps=list(file.steps.all()) if file else [],
        follow_ups=follow_ups,
        programmes=list(scoped(ProgrammeApplication, actor).filter(graduate=graduate)),
        subsidies=list(scoped(Subsidy, actor).filter(graduate=graduate)),
        pushes=list(
            scoped(JobPush, actor).filter(graduate=graduate).select_related("job", "pushed_by")[:20]
        ),
        next_due=next_due(
            file,
            follow_ups[0] if follow_ups else None,
            confirmed_since(actor, [graduate.pk]).get(graduate.pk, timezone.localdate()),
        ),
    )


@dataclass
class CoverageRow:
    key: str
    label: str
    cohort_total: int
    cohort_placement_rate: float | None
    key_group: int
    planned: int
    followed_up: int
    placed: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.label,
            "cohort_total": self.cohort_total,
            "cohort_placement_rate": self.cohort_placement_rate,
            "key_group": self.key_group,
            "key_group_placed": self.placed,
            "key_group_placement_rate": self.placement_rate,
            "planned": self.planned,
            "plan_coverage": self.plan_coverage,
            "followed_up": self.followed_up,
            "follow_up_coverage": self.follow_up_coverage,
        }

    @staticmethod
    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    @property
    def texts(self) -> dict[str, str]:
        return {
            "cohort_rate": self.percent(self.cohort_placement_rate),
            "rate": self.percent(self.placement_rate),
            "plans": self.percent(self.plan_coverage),
            "follow_ups": self.percent(self.follow_up_coverage),
        }

    @property
    def placement_rate(self) -> float | None:
        return stats.rate(self.placed, self.key_group)

    @property
    def plan_coverage(self) -> float | None:
        return stats.rate(self.planned, self.key_group)

    @property
    def follow_up_coverage(self) -> float | None:
        return stats.rate(self.followed_up, self.key_group)


def coverage(
    actor: Actor, cohort: Cohort, *, as_of: dt.date | dt.datetime | None = None
) -> dict[str, Any]:
    """Key-group assistance by department as of T: how many key-group graduates (confirmed
    memberships open at T, each graduate once, in the department the roster had at T), how
    many had a plan by T, were followed up in the 30 days up to T, and were placed at T (the
    placement rate's own definition, reports.selectors.placed_as_of) — beside the whole
    cohort's placement rate in that department. A past day's figures do not move: memberships,
    roster and destinations are dated, plans and follow-ups are counted by when they were
    made."""
    actor.require(Perm.STATS_VIEW)
    moment = stats.as_of_moment(as_of)
    day = timezone.localtime(moment).date()
    members = key_group_ids(actor, cohort, moment)
    departments_at = dict(
        scoped(RosterPeriod, actor)
        .filter(cohort=cohort, graduate_id__in=list(members))
        .filter(_open_at(moment))
        .values_list("graduate_id", "department_id")
    )
    planned = set(
        AssistanceFile.objects.filter(
            graduate_id__in=list(departments_at), created_at__lte=moment, mentor__isnull=False
        )
        .exclude(goals="")
        .values_list("graduate_id", flat=True)
    )
    since = day - dt.timedelta(days=RECENT_DAYS - 1)
    followed = set(
        FollowUp.objects.filter(
            graduate_id__in=list(departments_at), on__range=(since, day), created_at__lte=moment
        )
        .values_list("graduate_id", flat=True)
        .distinct()
    )
    placed = {p.graduate_id for p in reports.placed_as_of(actor=actor, cohort=cohort, as_of=moment)}
    cohort_rows = {
        row["key"]: row
        for row in reports.cohort_stats(actor=actor, cohort=cohort, by="department", as_of=moment)[
            "rows"
        ]
    }
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for graduate_id, department_id in departments_at.items():
        c = counts[department_id]
        c[0] += 1
        c[1] += graduate_id in planned
        c[2] += graduate_id in followed
        c[3] += graduate_id in placed
    rows = []
    for department in scoped(Department, actor).order_by("sort_order", "name"):
        whole = cohort_rows.get(str(department.pk))
        if whole is None and department.pk not in counts:
            continue
        n = counts.get(department.pk, [0, 0, 0, 0])
        rows.append(
            CoverageRow(
                str(department.pk),
                department.name,
                whole["total"] if whole else 0,
                whole["placement_rate"] if whole else None,
                *n,
            )
        )
    total = [
        sum(r.key_group for r in rows),
        sum(r.planned for r in rows),
        sum(r.followed_up for r in rows),
        sum(r.placed for r in rows),
    ]
    cohort_total = sum(r.cohort_total for r in rows)
    cohort_placed = sum(row["placed"] for row in cohort_rows.values())
    return {
        "cohort": cohort,
        "as_of": moment,
        "rows": rows,
        "total": CoverageRow("", "", cohort_total, stats.rate(cohort_placed, cohort_total), *total),
        "definitions": {
            "key_group": _("重点群体：经人工确认、截至当日仍有效的重点群体身份，每人计一次"),
            "planned": _("已建档立策：截至当日已填写帮扶目标并指定帮扶责任人"),
            "followed_up": _("已跟进：截至当日前%(n)s天内有跟进记录") % {"n": RECENT_DAYS},
            "placed": _("已落实：与毕业去向落实率同一口径（截至当日的审核通过去向）"),
        },
    }
