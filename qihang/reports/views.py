"""The rates dashboard and its xlsx export. Department staff see their departments, the career
centre and leadership the whole institution (through the selectors' scoping)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.destinations.models import PeriodKind
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, requires, takes_ids
from qihang.regions import selectors as regions
from qihang.reports import dashboard as pages
from qihang.reports import exporting, selectors, stats
from qihang.reports.forms import StatsFilterForm, StatsQuery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(request: HttpRequest) -> tuple[StatsFilterForm, StatsQuery | None, dt.date | None]:
    """The filters, with "as of" defaulting to the day the cohort's data tells its story on
    (reports.dashboard.default_as_of); the default day is returned too, to be shown."""
    actor = actor_of(request)
    form = StatsFilterForm(request.GET, cohorts=selectors.cohorts_for(actor))
    form.is_valid()  # invalid values fall back to defaults; the errors are shown by the form
    query = form.query()
    if query is None:
        return form, None, None
    default = pages.default_as_of(actor=actor, cohort=query.cohort)
    if query.as_of is None:
        query = dataclasses.replace(query, as_of=default)
    return form, query, default


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.STATS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, query, default_day = _query(request)
    if query is None:
        return render(request, "reports/dashboard.html", {"form": form, "empty": True})
    actor = actor_of(request)
    data = selectors.dashboard(
        actor=actor, cohort=query.cohort, by=query.by, as_of=query.as_of, kind=query.kind
    )
    current = data["stats"]
    where_placed = query.by in stats.WHERE_PLACED
    if where_placed:
        pages.share_of_placed(current["rows"], current["total"])
    rows = _sorted(current["rows"], query.sort, query.order)
    codes = list(current["total"]["by_code"])
    names = selectors.code_rules([query.cohort])[query.cohort.pk].names
    chart_by, chart_rows = pages.chart_rows(
        actor=actor, cohort=query.cohort, data=data, by=query.by, as_of=query.as_of,
        kind=query.kind,
    )  # fmt: skip
    today = timezone.localdate()
    context = {
        "form": form,
        "query": query,
        "data": data,
        "current": current,
        "rows": rows,
        "codes": [(code, names.get(code, code)) for code in codes],
        "code_names": names,
        "columns": _columns(query, where_placed=where_placed),
        "code_columns": _code_columns(query, codes),
        "where_placed": where_placed,
        "default_day": default_day,
        "today": today,
        "season_over": query.cohort.year < today.year,
        "chart_by_label": stats.GROUPINGS[chart_by],
        "chart_regrouped": chart_by != query.by,
        "as_of_label": stats.describe_moment(_moment(current)),
        "previous_label": _previous_label(data),
        "by_label": stats.GROUPINGS[query.by],
        "kind_label": current["definitions"]["counted"],
        "other_label": data["other_total"] and _kind_label(data["other_kind"]),
        "scope_label": _("全校") if actor.sees_whole_institution else _("所负责院系"),
        "export_url": "?" + urlencode(query.params()),
        "chart_data": _chart_data(data, query, chart_rows, where_placed=where_placed),
        "multi_membership": query.by in stats.OVERLAPPING,
        # By region: what each region means and where the definition comes from.
        "region_definitions": regions.regions() if query.by == "region" else [],
    }
    return render(request, "reports/dashboard.html", context)


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.STATS_VIEW)
def export(request: HttpRequest) -> HttpResponse:
    """The table the dashboard shows (same filters and order), as an xlsx workbook."""
    _form, query, _default = _query(request)
    if query is None:
        return HttpResponse(_("尚无届别数据。"), status=404)
    actor = actor_of(request)
    current = selectors.cohort_stats(
        actor=actor, cohort=query.cohort, by=query.by, as_of=query.as_of, kind=query.kind
    )
    previous = selectors.compare_previous(
        actor=actor, cohort=query.cohort, by=query.by, as_of=query.as_of, kind=query.kind
    )
    rules = selectors.code_rules([query.cohort])[query.cohort.pk]
    current["rows"] = _sorted(current["rows"], query.sort, query.order)
    content = exporting.stats_workbook(
        current,
        previous=previous,
        code_names=rules.names,
        scope=_("全校") if actor.sees_whole_institution else _("所负责院系"),
        exported_by=str(request.user),
        exported_at=timezone.localtime(),
    )
    ascii_name = f"rates-{current['institution']['code']}-{query.cohort.year}-{query.by}.xlsx"
    name = _("%(name)s-%(year)s届就业数据-按%(by)s.xlsx") % {
        "name": current["institution"]["name"],
        "year": query.cohort.year,
        "by": stats.GROUPINGS[query.by],
    }
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


# --- helpers ------------------------------------------------------------------------------------
def _moment(result: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(result["as_of"])


def _kind_label(kind: str) -> str:
    return str(PeriodKind(kind).label)


def _previous_label(data: dict[str, Any]) -> str:
    previous = data["previous"]
    if previous is None:
        return ""
    return _("%(year)s届同期（截至 %(when)s）") % {
        "year": previous["cohort"],
        "when": stats.describe_moment(_moment(previous)),
    }


def _sort_value(row: dict[str, Any], sort: str) -> Any:
    if sort.startswith("code:"):
        return row["by_code"].get(sort[5:], 0)
    if sort.startswith("change_"):
        change = row.get("change") or {}
        value = change.get(sort[7:])
        return float("-inf") if value is None else value
    return row[sort]


def _sorted(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    """Rows in the order asked for; without a sort key, the natural order (department order …)."""
    if not sort:
        return rows
    return sorted(rows, key=lambda row: _sort_value(row, sort), reverse=order == "desc")


def _columns(query: StatsQuery, *, where_placed: bool) -> list[dict[str, Any]]:
    """The rates table's headers with the link that sorts by them and their aria-sort state.

    By employer province every graduate in a row is placed: the table says how many went
    there and their share of all placed graduates instead of rates that are always 100%.
    """
    label = ("label", stats.GROUPINGS[query.by], False)
    if where_placed:
        headers = [
            label,
            ("placed", _("已落实人数"), True),
            ("share_of_placed", _("占已落实毕业生"), True),
            ("signed", _("其中已签约"), True),
            ("change_placed", _("人数较上届同期"), True),
        ]
    else:
        headers = [
            label,
            ("total", _("毕业生数"), True),
            ("known", _("去向已知"), True),
            ("placed", _("已落实"), True),
            ("signed", _("已签约"), True),
            ("placement_rate", _("毕业去向落实率"), True),
            ("signing_rate", _("签约率"), True),
            ("knowledge_rate", _("去向知晓率"), True),
            ("change_placement_rate", _("落实率较上届同期"), True),
            ("change_signing_rate", _("签约率较上届同期"), True),
        ]
    return [_column(query, key, text, numeric) for key, text, numeric in headers]


def _code_columns(query: StatsQuery, codes: list[str]) -> list[dict[str, Any]]:
    """The second table's headers: graduates by destination code (named in its legend)."""
    return [_column(query, "label", stats.GROUPINGS[query.by], False)] + [
        _column(query, f"code:{code}", code, True) for code in codes
    ]


# Sort keys whose values another column already orders the same way.
_SORT_AS = {"share_of_placed": "placed", "change_placed": ""}


def _column(query: StatsQuery, key: str, label: str, numeric: bool) -> dict[str, Any]:
    sort_key = _SORT_AS.get(key, key)
    active = bool(sort_key) and query.sort == sort_key
    # First click sorts numbers high to low and names A to Z; the next click reverses.
    first = "desc" if numeric else "asc"
    order = ("asc" if query.order == "desc" else "desc") if active else first
    return {
        "key": key,
        "code": key[5:] if key.startswith("code:") else "",
        "label": label,
        "numeric": numeric,
        "url": "?" + urlencode(query.params(sort=sort_key, order=order)) if sort_key else "",
        "aria_sort": (
            ("descending" if query.order == "desc" else "ascending") if active else "none"
        ),
    }


def _chart_data(
    data: dict[str, Any],
    query: StatsQuery,
    chart_rows: list[dict[str, Any]],
    *,
    where_placed: bool,
) -> dict[str, Any]:
    """What dashboard.js draws; every chart carries its definitions and as-of text.

    The ranking chart draws `chart_rows` (the table's grouping, or a single department's
    majors), low to high so that the best sits on top; by employer province it draws where
    placed graduates went (count and share), the rows without a province last.
    """
    current = data["stats"]
    definitions = current["definitions"]
    if where_placed:
        placed_total = current["total"]["placed"]
        shown = sorted(
            (r for r in chart_rows if r["placed"]),
            key=lambda r: (r["key"] != "", r["placed"]),
        )
        ranking: dict[str, Any] = {
            "measure": "share",
            "names": [r["label"] for r in shown],
            "placed": [r["placed"] for r in shown],
            "share": [stats.rate(r["placed"], placed_total) for r in shown],
            "placedTotal": placed_total,
        }
    else:
        shown = sorted(
            (r for r in chart_rows if r["total"]),
            key=lambda r: (r["placement_rate"], r["signing_rate"]),
        )
        ranking = {
            "measure": "rates",
            "names": [r["label"] for r in shown],
            "placement": [r["placement_rate"] for r in shown],
            "signing": [r["signing_rate"] for r in shown],
            "totals": [r["total"] for r in shown],
            "placed": [r["placed"] for r in shown],
            "signed": [r["signed"] for r in shown],
        }
    progress = data["progress"]
    return {
        "asOf": stats.describe_moment(_moment(current)),
        "counted": definitions["counted"],
        "definitions": {
            "placement": definitions["placement_definition"],
            "signing": definitions["signing_definition"],
            "knowledge": definitions["knowledge_definition"],
        },
        "labels": {
            "placement": _("毕业去向落实率"),
            "signing": _("签约率"),
            "knowledge": _("去向知晓率"),
            "graduates": _("毕业生"),
            "people": _("人"),
            "noData": _("暂无数据"),
            "noRecord": _("无记录"),
            "week": _("周"),
            "placedCount": _("已落实人数"),
            "shareOfPlaced": _("占已落实毕业生"),
        },
        "ranking": ranking,
        "progress": {
            "weeks": [w["label"] for w in progress["weeks"]],
            "series": [
                {
                    "name": s["label"],
                    "placement": s["placement_rate"],
                    "signing": s["signing_rate"],
                    "placed": s["placed"],
                    "signed": s["signed"],
                    "total": s["total"],
                    "current": i == 0,
                }
                for i, s in enumerate(progress["series"])
            ],
        },
        "mix": [
            {"name": m["name"], "value": m["value"], "rate": m["rate"], "code": m["code"]}
            for m in data["mix"]
        ],
        "total": current["total"]["total"],
    }
