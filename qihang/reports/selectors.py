"""Reads for the live rates: placement, signing and knowledge rates of a cohort as of a moment.

Every function takes the actor and reads graduates through `institutions.scoping.scoped()`, so
department staff get their departments and the career centre and leadership the whole
institution. Each answers in a constant number of queries whatever the number of graduates:
the counting is a GROUP BY in the database, Python only shapes a few hundred result rows.

Who counts as of T is dated too: the roster periods (graduates.RosterPeriod) open at T say
which graduates were in the cohort then, in which department, major and gender, so a graduate
added, moved or gone later does not change the figure of an earlier day. The as-of aggregate
is one statement: the actor's roster periods of the cohort open at T LEFT JOIN the graduates'
destination periods open at T (valid_from <= T < valid_to, of the chosen kind), grouped by the
grouping key and the period's code. Django's ORM cannot LEFT JOIN a table that has no reverse
relation with extra conditions, so the statement wraps the SQL of the scoped roster queryset:
scoping stays in `scoped()`, only the join and the grouping are written here. Department staff
see the graduates who were in their departments at T.

On PostgreSQL, counts by department, major, degree level and gender (and totals) and the weekly
series come from summaries that database triggers keep exact (reports.models, reports.summary):
the sum of weekly starts minus ends before T's week, corrected with the periods that started or
ended in the part of that week on the cheaper side of T. Other groupings (provinces, key
groups), and SQLite, count directly.

Grouping "key_group": the key groups confirmed by a person and open at T (graduates.
GraduateKeyGroup, dated like the roster: a suggestion never counts, a membership ended later
still counts on the days it held). A graduate in several key groups counts in each of them, so
the rows do not add up to the total; graduates in none form the row "无". The total row always counts each
graduate once (it is computed separately for this grouping).

Grouping "region": the strategic regions (qihang.regions, current version) of the employer's
division and country the destination period carried as of T — counted by (division, country)
in the database, then each place's graduates added to every region it lies in: regions defined
by divisions (长三角, 粤港澳大湾区 …) by the division, "一带一路" by the country (a graduate
studying in Russia counts there, one in Germany or in 上海 does not). Like key groups, a
graduate may count in several regions (rows overlap, the total counts each graduate once);
graduates whose employer lies in no region, or who have no place recorded, form the row
"不在上述区域".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import OuterRef, Q, Subquery, Sum, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.destinations.models import CohortPolicy, DestinationCode, DestinationPeriod
from qihang.destinations.policy import policy_for
from qihang.graduates.models import Gender, GraduateKeyGroup, KeyGroupKind, RosterPeriod
from qihang.institutions.models import Cohort, DegreeLevel, Department, Major
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.validators import FieldError, province_name
from qihang.regions import selectors as regions
from qihang.reports import stats, summary
from qihang.reports.models import DetailedPeriodFlow, PeriodFlow, PeriodTotal
from qihang.reports.stats import CodeRules

# Groupings that are a column of the roster period (as of T) or of its graduate (now):
# lookup from RosterPeriod -> the column's name in the statement.
_ROSTER_COLUMN = {
    "department": ("department_id", "department_id"),
    "major": ("major_id", "major_id"),
    "degree": ("degree_level", "degree_level"),
    "gender": ("gender", "gender"),
    "origin_province": ("graduate__origin_province", "graduate__origin_province"),
}
_ROSTER = summary.ROSTER_KIND  # the roster's own holdings in the summaries and weekly deltas
_NONE_KEY = ""  # the key of "no value": no key group, no province recorded …

type Counts = dict[str, dict[str | None, int]]  # key -> code (None: no destination) -> graduates


# --- entry points -------------------------------------------------------------------------------
def cohort_stats(
    *,
    actor: Actor,
    cohort: Cohort,
    by: str,
    as_of: dt.date | dt.datetime | None = None,
    kind: str = "official",
) -> dict[str, Any]:
    """Rates of `cohort` grouped `by`, as of a moment (None: now; a date: the end of that day).

    Returns {"institution", "cohort", "by", "as_of", "kind", "definitions", "rows", "total"}
    (see `stats.figures` for the fields of a row). Queries: the cohort's policy and codes (2);
    the counts (1 counted directly, 2 for key groups and regions; by department on PostgreSQL
    3 small ones from the summaries); the labels of the grouping (0 or 1; by region the
    regions, 3 once per process); the institution, unless the
    cohort was read with select_related("institution") as `cohorts_for` does.
    """
    _check(actor, cohort, by, kind)
    rules = code_rules([cohort])[cohort.pk]
    return _cohort_stats(actor, cohort, by, stats.as_of_moment(as_of), kind, rules)


def compare_previous(
    *,
    actor: Actor,
    cohort: Cohort,
    by: str,
    as_of: dt.date | dt.datetime | None = None,
    kind: str = "official",
) -> dict[str, Any] | None:
    """The previous cohort's figures as of the same local month/day one year earlier.

    None when the institution has no previous cohort. The previous cohort is counted with its
    own policy (its signing definition may differ; the result states it).
    """
    _check(actor, cohort, by, kind)
    previous = previous_cohort(actor=actor, cohort=cohort)
    if previous is None:
        return None
    moment = stats.year_earlier(stats.as_of_moment(as_of))
    rules = code_rules([previous])[previous.pk]
    return _cohort_stats(actor, previous, by, moment, kind, rules)


def weekly_progress(
    *,
    actor: Actor,
    cohort: Cohort,
    as_of: dt.date | dt.datetime | None = None,
    kind: str = "official",
) -> dict[str, Any]:
    """Placement, signing and knowledge rates at the end of each week of the season.

    The season is the graduation year, week 1 being the Monday-to-Sunday week containing
    1 January. The cohort's series runs through T (its last point is T itself); the previous
    cohort's through 31 December of its year (or T, if earlier), aligned by week number, so the
    chart shows where last year stood at the same point and where it ended.
    """
    _check(actor, cohort, "department", kind)
    previous = previous_cohort(actor=actor, cohort=cohort)
    cohorts = [cohort] + ([previous] if previous else [])
    rules = code_rules(cohorts)
    return _weekly_progress(actor, cohort, previous, stats.as_of_moment(as_of), kind, rules)


def dashboard(
    *,
    actor: Actor,
    cohort: Cohort,
    by: str,
    as_of: dt.date | dt.datetime | None = None,
    kind: str = "official",
) -> dict[str, Any]:
    """Everything the dashboard page shows, in a constant number of queries.

    {"stats": cohort_stats(...), "previous": previous cohort's stats or None (rows matched by
    key), "other_total": the total row of the other kind (official vs reported), "departments":
    by-department stats for the ranking chart, "progress": weekly_progress(...), "mix": the
    destination mix for the donut}.
    """
    _check(actor, cohort, by, kind)
    moment = stats.as_of_moment(as_of)
    previous = previous_cohort(actor=actor, cohort=cohort)
    cohorts = [cohort] + ([previous] if previous else [])
    rules = code_rules(cohorts)
    other_kind = stats.KINDS[1] if kind == stats.KINDS[0] else stats.KINDS[0]
    before_moment = stats.year_earlier(moment)
    # Every as-of figure the page shows, counted together (PostgreSQL: four queries at most).
    asks = {
        "current": _Ask(cohort, by, moment, kind),
        "other": _Ask(cohort, None, moment, other_kind),
    }
    if by != "department":
        asks["departments"] = _Ask(cohort, "department", moment, kind)
    if by in stats.OVERLAPPING:
        asks["current_whole"] = _Ask(cohort, None, moment, kind)
    if previous is not None:
        asks["previous"] = _Ask(previous, by, before_moment, kind)
        if by in stats.OVERLAPPING:
            asks["previous_whole"] = _Ask(previous, None, before_moment, kind)
    counts = dict(zip(asks, _counts_many(actor, list(asks.values())), strict=True))
    keys = set(counts["current"]) | set(counts.get("previous", {}))
    labels = _labels(actor, by, keys)
    current = _result(
        cohort, by, moment, kind, rules[cohort.pk], counts["current"], labels,
        whole=counts.get("current_whole"),
    )  # fmt: skip
    other = _whole(counts["other"], rules[cohort.pk])
    departments = current
    if by != "department":
        departments = _result(
            cohort, "department", moment, kind, rules[cohort.pk], counts["departments"],
            _labels(actor, "department", counts["departments"]),
        )  # fmt: skip
    before = None
    if previous is not None:
        before = _result(
            previous, by, before_moment, kind, rules[previous.pk], counts["previous"], labels,
            whole=counts.get("previous_whole"),
        )  # fmt: skip
    _attach_change(current, before)
    progress = _weekly_progress(actor, cohort, previous, moment, kind, rules)
    return {
        "stats": current,
        "previous": before,
        "other_total": other,
        "other_kind": other_kind,
        "departments": departments,
        "progress": progress,
        "mix": destination_mix(current, rules[cohort.pk]),
    }


def cohorts_for(actor: Actor) -> list[Cohort]:
    """The institution's cohorts, newest first (the cohort selector)."""
    return list(scoped(Cohort, actor).select_related("institution").order_by("-year"))


def previous_cohort(*, actor: Actor, cohort: Cohort) -> Cohort | None:
    return scoped(Cohort, actor).filter(year=cohort.year - 1).select_related("institution").first()


def code_rules(cohorts: Iterable[Cohort]) -> dict[int, CodeRules]:
    """Each cohort's code set and signing definition: 2 queries for any number of cohorts."""
    cohorts = list(cohorts)
    policies = {
        p.cohort_id: p
        for p in CohortPolicy.objects.filter(cohort__in=[c.pk for c in cohorts])
        .select_related("code_set")
        .order_by()
    }
    for cohort in cohorts:
        if cohort.pk not in policies:  # first use: created with the national defaults
            policies[cohort.pk] = policy_for(cohort)
    codes: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    for set_id, code, name, placed in (
        DestinationCode.objects.filter(
            code_set_id__in={p.code_set_id for p in policies.values()}, parent__isnull=True
        )
        .order_by("code_set_id", "sort_order")
        .values_list("code_set_id", "code", "name", "counts_as_placed")
    ):
        codes[set_id].append((code, name, placed))
    return {
        cohort.pk: CodeRules(
            code_set=policies[cohort.pk].code_set.version,
            codes=tuple(codes[policies[cohort.pk].code_set_id]),
            signing_codes=tuple(str(c) for c in policies[cohort.pk].signing_codes),
        )
        for cohort in cohorts
    }


class PlacedGraduate(NamedTuple):
    graduate_id: int
    department_id: int
    code: str  # the reporting (top-level) code held at T


def placed_as_of(
    *, actor: Actor, cohort: Cohort, as_of: dt.date | dt.datetime | None, kind: str = "official"
) -> list[PlacedGraduate]:
    """The graduates the placement rate counts as placed as of T, one row each, by graduate id.

    The rate's own definition, listed instead of counted: the actor's roster periods of the
    cohort open at T (with the department then) joined with the graduate's destination period
    of `kind` open at T whose code counts as placed (CodeRules.placed_codes). Verification
    samples are drawn from this. Queries: the cohort's rules (2) and one.
    """
    _check(actor, cohort, "department", kind)
    moment = stats.as_of_moment(as_of)
    placed = code_rules([cohort])[cohort.pk].placed_codes
    periods = DestinationPeriod.objects.filter(
        institution_id=cohort.institution_id,
        cohort=cohort,
        kind=kind,
        code__in=placed,
        graduate_id=OuterRef("graduate_id"),
        valid_from__lte=moment,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=moment))
    rows = (
        _roster_at(actor, cohort, moment)
        .annotate(code=Subquery(periods.values("code")[:1]))
        .filter(code__isnull=False)
        .order_by("graduate_id")
        .values_list("graduate_id", "department_id", "code")
    )
    return [PlacedGraduate(*row) for row in rows]


def destination_mix(result: dict[str, Any], rules: CodeRules) -> list[dict[str, Any]]:
    """The donut: graduates by code (with names) and those with no destination yet."""
    total = result["total"]
    names = rules.names
    mix = [
        {
            "code": code,
            "name": f"{code} {names.get(code, '')}".strip(),
            "value": n,
            "rate": stats.rate(n, total["total"]),
        }
        for code, n in total["by_code"].items()
        if n
    ]
    missing = total["total"] - total["known"]
    if missing:
        mix.append(
            {
                "code": "",
                "name": _("尚无去向记录"),
                "value": missing,
                "rate": stats.rate(missing, total["total"]),
            }
        )
    return mix


# --- the as-of aggregate --------------------------------------------------------------------------
def _check(actor: Actor, cohort: Cohort, by: str, kind: str) -> None:
    actor.require(Perm.STATS_VIEW)
    if cohort.institution_id != actor.institution_id:
        raise Http404
    if by not in stats.GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    if kind not in stats.KINDS:
        raise ValueError(f"unknown kind {kind!r}")


class _Ask(NamedTuple):
    """One set of counts: a cohort's graduates grouped `by` (None: in total) as of a moment."""

    cohort: Cohort
    by: str | None
    moment: dt.datetime
    kind: str


def _cohort_stats(
    actor: Actor, cohort: Cohort, by: str, moment: dt.datetime, kind: str, rules: CodeRules
) -> dict[str, Any]:
    asks = [_Ask(cohort, by, moment, kind)]
    if by in stats.OVERLAPPING:  # rows overlap: the total counts each graduate once
        asks.append(_Ask(cohort, None, moment, kind))
    counts = _counts_many(actor, asks)
    labels = _labels(actor, by, counts[0].keys())
    whole = counts[1] if by in stats.OVERLAPPING else None
    return _result(cohort, by, moment, kind, rules, counts[0], labels, whole=whole)


def _region_definition() -> str:
    region_set = regions.current_region_set()
    return _(
        "按去向记录的单位所在地（行政区划）计入战略区域（%(name)s）；“一带一路”沿线国家按去向"
        "记录的国家/地区（单位或就读学校所在国家）计入，国内单位不计入；一名毕业生可同时计入多个"
        "区域（定义允许重叠），各行之和不等于合计；"
        "“不在上述区域”含单位不在任何区域、无单位所在地及国家/地区及未落实者。"
    ) % {"name": region_set.name if region_set else "—"}


def _result(
    cohort: Cohort,
    by: str,
    moment: dt.datetime,
    kind: str,
    rules: CodeRules,
    counts: Counts,
    labels: dict[str, str],
    *,
    whole: Counts | None = None,
) -> dict[str, Any]:
    """The selector's result from counts: rows in label order and the total row."""
    rows = [
        stats.figures(key, labels[key], sum(counts[key].values()), counts[key], rules)
        for key in labels
        if key in counts
    ]
    if whole is not None:
        total = _whole(whole, rules)
    else:
        total_n, by_code = stats.summed(rows)
        total = stats.figures("", _("合计"), total_n, by_code, rules)
    institution = cohort.institution  # select_related by cohorts_for / previous_cohort
    definitions = rules.definitions(kind)
    if by == "region":
        definitions["grouping_definition"] = _region_definition()
    return {
        "institution": {"code": institution.code, "name": institution.name},
        "cohort": cohort.year,
        "by": by,
        "as_of": stats.local(moment).isoformat(),
        "kind": kind,
        "definitions": definitions,
        "rows": rows,
        "total": total,
    }


def _whole(counts: Counts, rules: CodeRules) -> dict[str, Any]:
    """The total row from counts asked for in total (by None)."""
    codes = counts.get(_NONE_KEY, {})
    return stats.figures("", _("合计"), sum(codes.values()), codes, rules)


def _counts_many(actor: Actor, asks: list[_Ask]) -> list[Counts]:
    """Counts for each ask, in a constant number of queries.

    On PostgreSQL, asks by department, major, degree level, gender or in total come from the
    summaries, all of them together in at most three queries per batch (all-time totals when
    counting back, weekly flows, in-week correction; one more for the majors' degree levels);
    the others, and every ask on SQLite, are one direct aggregate each.
    """
    results: dict[int, Counts] = {}
    fast = [
        (i, ask)
        for i, ask in enumerate(asks)
        if summary.supported() and ask.by in _SUMMARY_GROUPINGS
    ]
    for batch in _batches(fast):
        results.update(_counts_from_summary(actor, batch))
    for i, ask in enumerate(asks):
        if i not in results:
            results[i] = _counts_live(actor, ask.cohort, ask.by, ask.moment, ask.kind)
    return [results[i] for i in range(len(asks))]


def _batches(asks: list[tuple[int, _Ask]]) -> list[list[tuple[int, _Ask]]]:
    """Split asks so that within a batch each (cohort, kind) — the cohort's roster included —
    is asked at one moment only."""
    batches: list[tuple[dict[tuple[int, str], dt.datetime], list[tuple[int, _Ask]]]] = []
    for item in asks:
        ask = item[1]
        keys = ((ask.cohort.pk, ask.kind), (ask.cohort.pk, _ROSTER))
        for moments, batch in batches:
            if all(moments.get(key, ask.moment) == ask.moment for key in keys):
                moments.update(dict.fromkeys(keys, ask.moment))
                batch.append(item)
                break
        else:
            batches.append((dict.fromkeys(keys, ask.moment), [item]))
    return [batch for _moments, batch in batches]


def _roster_at(actor: Actor, cohort: Cohort, moment: dt.datetime) -> Any:
    """The actor's roster periods of the cohort open at T: who counted then, and where."""
    return (
        scoped(RosterPeriod, actor)
        .filter(cohort=cohort, valid_from__lte=moment)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=moment))
        .order_by()
    )


def _counts_live(
    actor: Actor, cohort: Cohort, by: str | None, moment: dt.datetime, kind: str
) -> Counts:
    """The direct count: roster as of T LEFT JOIN destination periods as of T, GROUP BY."""
    qn = connection.ops.quote_name
    roster = _roster_at(actor, cohort, moment)
    lookup, column = _ROSTER_COLUMN.get(by or "", ("", ""))
    inner_sql, inner_params = (
        roster.values("graduate_id", lookup) if lookup else roster.values("graduate_id")
    ).query.sql_with_params()
    at = connection.ops.adapt_datetimefield_value(moment)
    joins = [
        f"LEFT JOIN {qn(DestinationPeriod._meta.db_table)} p ON p.graduate_id = g.graduate_id"
        " AND p.institution_id = %s AND p.cohort_id = %s AND p.kind = %s"
        " AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)"
    ]
    params = [*inner_params, cohort.institution_id, cohort.pk, kind, at, at]
    if by == "key_group":
        # Confirmed memberships open at T (suggestions and dismissals never count), each kind
        # named by its keyed digest; _labels maps the digests back to kinds.
        joins.append(
            f"LEFT JOIN {qn(GraduateKeyGroup._meta.db_table)} k ON k.graduate_id = g.graduate_id"
            " AND k.valid_from <= %s AND (k.valid_to IS NULL OR k.valid_to > %s)"
        )
        params += [at, at]
        key = "k.kind_digest"
    elif by == "employer_province":
        key = "p.employer_province"
    elif by == "region":
        # One key for the place: "division|country" (both columns are NOT NULL; no period
        # gives NULL, the row of graduates without a destination).
        key = "p.employer_division || '|' || p.employer_country"
    elif column:
        key = f"g.{qn(column)}"
    else:
        key = ""
    select, group = (f"{key}, p.code", f"{key}, p.code") if key else ("NULL, p.code", "p.code")
    # Only identifiers from this module are formatted in; values are parameters.
    sql = (
        f"SELECT {select}, COUNT(*) FROM ({inner_sql}) g {' '.join(joins)} "  # noqa: S608
        f"GROUP BY {group}"
    )
    counts: Counts = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key_value, code, n in cursor.fetchall():
            bucket = counts[_NONE_KEY if key_value is None else str(key_value)]
            bucket[code] = bucket.get(code, 0) + n
    return _by_region(counts) if by == "region" else counts


def _by_region(by_place: Counts) -> Counts:
    """Counts by employer place ("division|country") folded into the regions each place lies
    in (a place in two regions counts in both); places in none go to the row "none"."""
    # Every region has a row, a region nobody went to included.
    counts: Counts = defaultdict(dict, {r.code: {} for r in regions.regions()})
    for place, codes in by_place.items():
        division, _sep, country = place.partition("|")
        for key in regions.region_codes_of(division, country) or (_NONE_KEY,):
            bucket = counts[key]
            for code, n in codes.items():
                bucket[code] = bucket.get(code, 0) + n
    return counts


type Cell = tuple[int, int, str]  # (department, major, gender): the summaries' detailed grain
_SUMMARY_GROUPINGS = ("department", "major", "degree", "gender", None)
_DETAILED_GROUPINGS = ("major", "degree", "gender")


def _counts_from_summary(actor: Actor, batch: list[tuple[int, _Ask]]) -> dict[int, Counts]:
    """Counts by department, major, degree level, gender or in total from the summaries: 2-3
    queries for the whole batch, and one for the majors' degree levels when it asks by degree.
    Batches that ask by major, degree or gender read the detailed flows; the others the flows
    per department (an eighth of the rows), everything else summed up to the department.

    Each (cohort, kind) is counted with its cohort's roster (the kind "roster") at the same
    moment. The state at the boundary of T's week is either the weekly flows summed up to it
    ("forward"), or the all-time totals less the flows after it ("backward": the few rows
    there are for T near now or late in the season). The holdings that started or ended
    between that boundary and T, on whichever side of T is shorter, correct it to T exactly.
    """
    recent = timezone.now() - dt.timedelta(days=14)
    windows: dict[tuple[int, str], tuple[dt.datetime, dt.datetime, bool]] = {}
    backward: set[tuple[int, str]] = set()
    through = Q(pk__in=[])
    for _i, ask in batch:
        for key in ((ask.cohort.pk, ask.kind), (ask.cohort.pk, _ROSTER)):
            if key in windows:
                continue
            week_from, week_to = _week_bounds(ask.moment)
            monday = stats.local(week_from).date()
            # T late in its week: take the whole week and count back from its end.
            after = (ask.moment - week_from) > (week_to - ask.moment)
            windows[key] = (ask.moment, week_to, False) if after else (week_from, ask.moment, True)
            mid_season = stats.as_of_moment(dt.date(ask.cohort.year, 6, 30))
            if ask.moment > mid_season or ask.moment > recent:
                backward.add(key)
                week = {"week__gt": monday} if after else {"week__gte": monday}
            else:
                week = {"week__lte": monday} if after else {"week__lt": monday}
            through |= Q(cohort_id=key[0], kind=key[1], **week)

    detailed = any(ask.by in _DETAILED_GROUPINGS for _i, ask in batch)

    def cell(department_id: int, major_id: int, gender: str) -> Cell:
        return (department_id, major_id, gender) if detailed else (department_id, 0, "")

    # (cohort, kind) -> cell -> code -> graduates holding it at T
    held: dict[tuple[int, str], dict[Cell, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))

    def add(key: tuple[int, str], at: Cell, code: str, n: int) -> None:
        bucket = held[key][at]
        bucket[code] = bucket.get(code, 0) + n

    if backward:
        totals = Q(pk__in=[])
        for cohort_id, kind in backward:
            totals |= Q(cohort_id=cohort_id, kind=kind)
        rows = (
            scoped(PeriodTotal, actor)
            .filter(totals)
            .order_by()
            .values_list(
                "cohort_id", "kind", "department_id", "major_id", "gender", "code", "holding"
            )
        )
        for cohort_id, kind, department_id, major_id, gender, code, n in rows:
            add((cohort_id, kind), cell(department_id, major_id, gender), code, n)
    if detailed:
        flows = scoped(DetailedPeriodFlow, actor).values_list(
            "cohort_id", "kind", "department_id", "major_id", "gender", "code"
        )
    else:
        flows = scoped(PeriodFlow, actor).values_list(
            "cohort_id", "kind", "department_id", Value(0), Value(""), "code"
        )
    flows = flows.filter(through).order_by().annotate(n=Sum("starts") - Sum("ends"))
    for cohort_id, kind, department_id, major_id, gender, code, n in flows:
        sign = -1 if (cohort_id, kind) in backward else 1
        add((cohort_id, kind), cell(department_id, major_id, gender), code, sign * n)
    for cohort_id, kind, department_id, major_id, gender, code, n in _window_events(
        actor, windows, by_cell=True
    ):
        before_t = windows[(cohort_id, kind)][2]  # before T: add them; after T: take them off
        at = cell(department_id, major_id, gender)
        add((cohort_id, kind), at, code, n if before_t else -n)

    levels: dict[int, str] = {}
    if any(ask.by == "degree" for _i, ask in batch):
        majors = {at[1] for (_c, kind), cells in held.items() if kind == _ROSTER for at in cells}
        levels = dict(scoped(Major, actor).filter(pk__in=majors).values_list("pk", "degree_level"))
    key_of: dict[str | None, Any] = {
        "department": lambda at: str(at[0]),
        "major": lambda at: str(at[1]),
        "degree": lambda at: levels.get(at[1], _NONE_KEY),
        "gender": lambda at: at[2],
        None: lambda at: _NONE_KEY,
    }
    results: dict[int, Counts] = {}
    for i, ask in batch:
        by_cell = held[(ask.cohort.pk, ask.kind)]
        key = key_of[ask.by]
        counts: Counts = {}
        for at, roster in held[(ask.cohort.pk, _ROSTER)].items():
            graduates = roster.get("", 0)
            if not graduates:
                continue
            codes = counts.setdefault(key(at), {None: 0})
            codes[None] += graduates
            for code, n in by_cell.get(at, {}).items():
                if n:
                    codes[code] = codes.get(code, 0) + n
                    codes[None] -= n
        results[i] = counts
    return results


def _week_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The first and the last instant of the local week (Monday to Sunday) containing T."""
    monday = stats.week_start(stats.local(moment).date())
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=timezone.get_default_timezone())
    return start, stats.as_of_moment(monday + dt.timedelta(days=6))


def _window_events(
    actor: Actor,
    windows: dict[tuple[int, str], tuple[dt.datetime, dt.datetime, bool]],
    *,
    by_cell: bool,
) -> list[tuple[Any, ...]]:
    """Per (cohort, kind) window (low, high, low included): holdings started minus ended in it.

    Returns rows (cohort_id, kind, [department_id, major_id, gender,] code, difference). A
    holding is a destination period within a roster period (their overlap, in the roster
    period's cell) or, for the kind "roster", a roster period itself, exactly as the summary
    triggers count them (reports.summary). An overlap starts or ends in a window only if one
    of its two periods does, so the statement finds them from either side through the
    periods' own indexes (UNION keeps a pair found from both once). PostgreSQL only, like the
    summaries; written as SQL around the scoped roster queryset, like `_counts_live`.
    """
    at = connection.ops.adapt_datetimefield_value
    qn = connection.ops.quote_name
    period_table = qn(DestinationPeriod._meta.db_table)
    roster = (
        scoped(RosterPeriod, actor)
        .filter(cohort_id__in={c for c, _k in windows})
        .order_by()
        .values(
            "id", "graduate_id", "cohort_id", "department_id", "major_id", "gender",
            "valid_from", "valid_to",
        )
    )  # fmt: skip
    roster_sql, roster_params = roster.query.sql_with_params()

    def inside(column: str, low: dt.datetime, high: dt.datetime, low_included: bool) -> str:
        return f"({column} {'>=' if low_included else '>'} %s AND {column} <= %s)"

    pair = (
        "SELECT p.id AS pid, r.id AS rid, r.cohort_id, p.kind, r.department_id, r.major_id, "  # noqa: S608
        "r.gender, p.code, GREATEST(p.valid_from, r.valid_from) AS valid_from, "
        "LEAST(p.valid_to, r.valid_to) AS valid_to "
        f"FROM {period_table} p JOIN ({roster_sql}) r ON r.graduate_id = p.graduate_id "
        "AND r.cohort_id = p.cohort_id WHERE p.cohort_id = %s AND p.kind = %s AND "
    )
    branches: list[str] = []
    params: list[Any] = []
    started: list[str] = []
    ended: list[str] = []
    bounds_params: list[Any] = []
    for (cohort_id, kind), (low, high, low_included) in windows.items():
        window = [at(low), at(high)]
        if kind == _ROSTER:
            branches.append(
                "SELECT 0 AS pid, r.id AS rid, r.cohort_id, %s AS kind, r.department_id, "  # noqa: S608
                "r.major_id, r.gender, '' AS code, r.valid_from, r.valid_to "
                f"FROM ({roster_sql}) r WHERE r.cohort_id = %s AND "
                f"({inside('r.valid_from', low, high, low_included)} "
                f"OR {inside('r.valid_to', low, high, low_included)})"
            )
            params += [_ROSTER, *roster_params, cohort_id, *window, *window]
        else:
            for side in ("p", "r"):
                branches.append(
                    pair + f"({inside(side + '.valid_from', low, high, low_included)} "
                    f"OR {inside(side + '.valid_to', low, high, low_included)})"
                )
                params += [*roster_params, cohort_id, kind, *window, *window]
        match = "h.cohort_id = %s AND h.kind = %s AND "
        started.append(f"({match}{inside('h.valid_from', low, high, low_included)})")
        ended.append(f"({match}{inside('h.valid_to', low, high, low_included)})")
        bounds_params.append([cohort_id, kind, *window])
    started_sql = "(" + " OR ".join(started) + ")"
    ended_sql = "(" + " OR ".join(ended) + ")"
    bounds = [value for item in bounds_params for value in item]
    group = "h.cohort_id, h.kind, "
    if by_cell:
        group += "h.department_id, h.major_id, h.gender, "
    group += "h.code"
    sql = (
        f"SELECT {group}, SUM(CASE WHEN {started_sql} THEN 1 ELSE 0 END)"  # noqa: S608
        f" - SUM(CASE WHEN {ended_sql} THEN 1 ELSE 0 END)"
        f" FROM ({' UNION '.join(branches)}) h"
        " WHERE (h.valid_to IS NULL OR h.valid_to > h.valid_from)"
        f" AND ({started_sql} OR {ended_sql}) GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*bounds, *bounds, *params, *bounds, *bounds])
        return cursor.fetchall()


# --- labels -------------------------------------------------------------------------------------
def _labels(actor: Actor, by: str, keys: Iterable[str]) -> dict[str, str]:
    """Key -> the name people see, in the order rows are shown (at most one query)."""
    keys = set(keys)
    if by == "department":
        ids = [int(k) for k in keys if k]
        return {
            str(d.pk): d.name
            for d in scoped(Department, actor).filter(pk__in=ids).order_by("sort_order", "name")
        }
    if by == "major":
        ids = [int(k) for k in keys if k]
        majors = scoped(Major, actor).filter(pk__in=ids).select_related("department")
        order = {level: i for i, level in enumerate(DegreeLevel.values)}
        ordered = sorted(
            majors,
            key=lambda m: (
                m.department.sort_order,
                m.department.name,
                order.get(m.degree_level, 9),
                m.name,
            ),
        )
        return {
            str(m.pk): f"{m.department.name} · {m.name}（{m.get_degree_level_display()}）"
            for m in ordered
        }
    if by == "degree":
        return _choice_labels(DegreeLevel.choices, keys)
    if by == "gender":
        return _choice_labels(Gender.choices, keys)
    if by in ("origin_province", "employer_province"):
        empty = _("未填写生源地") if by == "origin_province" else _("无单位所在地")
        labels = {k: _province_label(k) for k in sorted(k for k in keys if k)}
        if _NONE_KEY in keys:
            labels[_NONE_KEY] = str(empty)
        return labels
    if by == "region":
        labels = {r.code: r.name for r in regions.regions() if r.code in keys}
        if _NONE_KEY in keys:
            labels[_NONE_KEY] = _("不在上述区域")
        return labels
    if by == "key_group":
        labels = {
            kind.digest: kind.name
            for kind in KeyGroupKind.objects.order_by("sort_order", "pk")
            if kind.digest in keys
        }
        if _NONE_KEY in keys:
            labels[_NONE_KEY] = _("无")
        return labels
    raise ValueError(by)


def _choice_labels(choices: list[tuple[str, Any]], keys: set[str]) -> dict[str, str]:
    labels = {value: str(label) for value, label in choices if value in keys}
    for key in sorted(keys - labels.keys()):  # a value outside the choices: show it as stored
        labels[key] = key or _("未填写")
    return labels


def _province_label(code: str) -> str:
    try:
        return province_name(code) or code
    except FieldError:
        return code


# --- change against the previous cohort ---------------------------------------------------------
def _attach_change(current: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """Add "previous" and "change" to the total and to each row matched by key."""
    if previous is None:
        return
    before = {row["key"]: row for row in previous["rows"]}
    for row in current["rows"]:
        prior = before.get(row["key"])
        row["previous"] = _rates_of(prior)
        row["change"] = stats.change(row, prior)
    current["total"]["previous"] = _rates_of(previous["total"])
    current["total"]["change"] = stats.change(current["total"], previous["total"])


def _rates_of(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {f: row[f] for f in (*stats.COUNT_FIELDS, *stats.RATE_FIELDS)}


# --- weekly progress ----------------------------------------------------------------------------
def _weekly_progress(
    actor: Actor,
    cohort: Cohort,
    previous: Cohort | None,
    moment: dt.datetime,
    kind: str,
    rules: dict[int, CodeRules],
) -> dict[str, Any]:
    """Rates at each week's end for the cohort and the previous one, in one or two queries.

    A holding (a destination period within a roster period, or a roster period itself: the
    week's total) counts at week end W when it started by W and had not ended. Grouping the
    holdings by the week they started (+1 from that week on) and ended (-1 from that week on)
    and summing up gives every week's count, denominators included, so a graduate added in
    June counts from June; holdings that began before the season count from week 1. The
    cut-off (T, or the end of the season) filters both ends, so the last point is exactly
    "as of T".
    """
    cohorts = [cohort] + ([previous] if previous else [])
    cutoff = {c.pk: min(moment, stats.season_end(c.year)) for c in cohorts}
    first_week = {c.pk: stats.week_start(dt.date(c.year, 1, 1)) for c in cohorts}
    weeks = max(
        (stats.week_start(dt.date(c.year, 12, 31)) - first_week[c.pk]).days // 7 + 1
        for c in cohorts
    )

    if summary.supported():
        deltas = _weekly_deltas_from_summary(actor, cutoff, kind)
    else:
        deltas = _weekly_deltas_live(actor, cutoff, kind)
    flows: dict[int, list[dict[str, int]]] = {c.pk: [{} for _ in range(weeks)] for c in cohorts}
    for cohort_id, by_week in deltas.items():
        for monday, codes in by_week.items():
            index = min(max((monday - first_week[cohort_id]).days // 7, 0), weeks - 1)
            bucket = flows[cohort_id][index]
            for code, n in codes.items():
                bucket[code] = bucket.get(code, 0) + n

    series = []
    for c in cohorts:
        last = min(
            max((stats.local(cutoff[c.pk]).date() - first_week[c.pk]).days // 7, -1), weeks - 1
        )
        running: dict[str | None, int] = {}
        values: dict[str, list[float | None]] = {f: [] for f in stats.RATE_FIELDS}
        counts: dict[str, list[int | None]] = {f: [] for f in ("placed", "signed", "known")}
        graduates: list[int | None] = []  # each week's denominator: the roster then
        for index in range(weeks):
            for code, n in flows[c.pk][index].items():
                running[code] = running.get(code, 0) + n
            if index > last:
                for field in values:
                    values[field].append(None)
                for field in counts:
                    counts[field].append(None)
                graduates.append(None)
                continue
            codes = {code: n for code, n in running.items() if code != _ROSTER}
            row = stats.figures("", "", running.get(_ROSTER, 0), codes, rules[c.pk])
            for field in values:
                values[field].append(row[field])
            for field in counts:
                counts[field].append(row[field])
            graduates.append(row["total"])
        series.append(
            {
                "cohort": c.year,
                "label": _("%(year)s届") % {"year": c.year},
                "total": running.get(_ROSTER, 0),  # as of the cut-off
                "graduates": graduates,
                "through": stats.local(cutoff[c.pk]).isoformat(),
                "signing_definition": rules[c.pk].definitions(kind)["signing_definition"],
                **values,
                **counts,
            }
        )

    axis = []
    for index in range(weeks):
        sunday = first_week[cohort.pk] + dt.timedelta(days=7 * index + 6)
        axis.append(
            {
                "week": index + 1,
                "end": sunday.isoformat(),
                "label": _("第%(n)s周") % {"n": index + 1} + f" {sunday:%m-%d}",
            }
        )
    return {
        "cohort": cohort.year,
        "as_of": stats.local(moment).isoformat(),
        "kind": kind,
        "weeks": axis,
        "series": series,
    }


type WeeklyDeltas = dict[int, dict[dt.date, dict[str, int]]]  # cohort -> Monday -> code -> +/-


def _weekly_deltas_live(actor: Actor, cutoff: dict[int, dt.datetime], kind: str) -> WeeklyDeltas:
    """Holdings started (+1) and ended (-1) per local week up to each cohort's cut-off.

    One statement fetches each holding's two ends (the overlaps of the graduates' destination
    periods with their roster periods, and the roster periods themselves, as
    reports.summary defines them); Python puts them into weeks. This is the path of small
    installations (SQLite), so a few thousand rows; CASE keeps it portable.
    """
    qn = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value
    roster = (
        scoped(RosterPeriod, actor)
        .filter(_per_cohort(cutoff, "valid_from__lte"))
        .order_by()
        .values("graduate_id", "cohort_id", "valid_from", "valid_to")
    )
    roster_sql, roster_params = roster.query.sql_with_params()
    start = "CASE WHEN p.valid_from > r.valid_from THEN p.valid_from ELSE r.valid_from END"
    end = (
        "CASE WHEN p.valid_to IS NULL THEN r.valid_to WHEN r.valid_to IS NULL THEN p.valid_to "
        "WHEN p.valid_to < r.valid_to THEN p.valid_to ELSE r.valid_to END"
    )
    sql = (
        f"SELECT r.cohort_id, p.code, {start}, {end} "  # noqa: S608
        f"FROM {qn(DestinationPeriod._meta.db_table)} p JOIN ({roster_sql}) r "
        "ON r.graduate_id = p.graduate_id AND r.cohort_id = p.cohort_id "
        f"WHERE p.kind = %s AND p.valid_from <= %s "
        f"UNION ALL SELECT r.cohort_id, NULL, r.valid_from, r.valid_to FROM ({roster_sql}) r"
    )
    latest = at(max(cutoff.values()))
    tz = timezone.get_default_timezone()
    deltas: WeeklyDeltas = {cohort_id: defaultdict(dict) for cohort_id in cutoff}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*roster_params, kind, latest, *roster_params])
        rows = cursor.fetchall()
    for cohort_id, code, began, ended in rows:
        began, ended = _aware(began), _aware(ended)
        if ended is not None and ended <= began:
            continue  # an empty overlap holds nothing
        limit = cutoff[cohort_id]
        key = _ROSTER if code is None else code
        for moment, sign in ((began, 1), (ended, -1)):
            if moment is None or moment > limit:
                continue
            monday = stats.week_start(timezone.localtime(moment, tz).date())
            bucket = deltas[cohort_id][monday]
            bucket[key] = bucket.get(key, 0) + sign
    return deltas


def _aware(value: Any) -> dt.datetime | None:
    """A datetime from a raw cursor (SQLite gives text for a CASE expression)."""
    if value is None or isinstance(value, dt.datetime):
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            return timezone.make_aware(value, dt.UTC)
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


def _weekly_deltas_from_summary(
    actor: Actor, cutoff: dict[int, dt.datetime], kind: str
) -> WeeklyDeltas:
    """The same from PeriodFlow (the roster's own flows included), less what happened after
    each cut-off within its week."""
    deltas: WeeklyDeltas = {cohort_id: defaultdict(dict) for cohort_id in cutoff}
    weeks = {cohort_id: _week_bounds(moment) for cohort_id, moment in cutoff.items()}
    through = Q(pk__in=[])
    for cohort_id, (week_from, _week_to) in weeks.items():
        through |= Q(cohort_id=cohort_id, week__lte=stats.local(week_from).date())
    rows = (
        scoped(PeriodFlow, actor)
        .filter(kind__in=[kind, _ROSTER])
        .filter(through)
        .order_by()
        .values_list("cohort_id", "week", "kind", "code")
        .annotate(n=Sum("starts") - Sum("ends"))
    )
    for cohort_id, monday, row_kind, code, n in rows:
        key = _ROSTER if row_kind == _ROSTER else code
        bucket = deltas[cohort_id][monday]
        bucket[key] = bucket.get(key, 0) + n
    windows = {}
    for c, (_week_from, week_to) in weeks.items():
        for k in (kind, _ROSTER):
            windows[(c, k)] = (cutoff[c], week_to, False)
    for cohort_id, row_kind, code, n in _window_events(actor, windows, by_cell=False):
        key = _ROSTER if row_kind == _ROSTER else code
        bucket = deltas[cohort_id][stats.local(weeks[cohort_id][0]).date()]
        bucket[key] = bucket.get(key, 0) - n
    return deltas


def _per_cohort(cutoff: dict[int, dt.datetime], lookup: str) -> Q:
    q = Q(pk__in=[])
    for cohort_id, moment in cutoff.items():
        q |= Q(cohort_id=cohort_id, **{lookup: moment})
    return q
