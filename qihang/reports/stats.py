"""Pure helpers for the rates: definitions, rounding, "as of" moments and figures from counts.

Nothing here touches the database; `qihang.reports.selectors` fetches the counts and the
cohort's code rules and calls these to shape the results, so the arithmetic is the same for the
dashboard, the xlsx export and `qihang stats`.

Definitions (DOMAIN.md §2), all over the total number of graduates of the cohort in scope:
- 毕业去向落实率 (placement rate): graduates whose destination code counts as placed;
- 签约率 (signing rate): graduates whose code is one of the cohort's signing codes
  (CohortPolicy.signing_codes, default 10 and 11);
- 去向知晓率 (knowledge rate): graduates with any destination at all, 70–72 included.
A graduate's destination "as of T" is the period of the chosen kind (official = centre-approved,
reported = anything submitted) with valid_from <= T < valid_to (or valid_to empty).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qihang.destinations.models import PeriodKind

# How rows may be grouped; the labels are what the grouping selector shows.
GROUPINGS: dict[str, Any] = {
    "department": gettext_lazy("院系"),
    "major": gettext_lazy("专业"),
    "degree": gettext_lazy("学历层次"),
    "gender": gettext_lazy("性别"),
    "key_group": gettext_lazy("重点群体"),
    "origin_province": gettext_lazy("生源地（省份）"),
    "employer_province": gettext_lazy("单位所在地（省份）"),
    "region": gettext_lazy("单位所在战略区域"),
}
# Groupings by where placed graduates went: every graduate in a row (but "none") is placed, so
# tables show counts and shares of the placed instead of rates that read 100%.
WHERE_PLACED = ("employer_province", "region")
# Groupings whose rows may overlap (a graduate in several key groups or regions): the total is
# counted separately, once per graduate.
OVERLAPPING = ("key_group", "region")
KINDS = (PeriodKind.OFFICIAL.value, PeriodKind.REPORTED.value)
# The fields of a row that hold figures, in the order tables show them.
COUNT_FIELDS = ("total", "known", "placed", "signed")
RATE_FIELDS = ("placement_rate", "signing_rate", "knowledge_rate")
_FOUR_PLACES = Decimal("0.0001")
# The days a report may be "as of" (the API, `qihang stats`). Beyond them the arithmetic breaks,
# not the data: the end of 9999-12-31 is past the largest datetime, and before about 1901 the
# time zone database gives Shanghai its local mean time (+08:05:43), which is no RFC 3339 offset.
REPORT_DAYS = (dt.date(1950, 1, 1), dt.date(2099, 12, 31))


@dataclass(frozen=True)
class CodeRules:
    """What a cohort's codes mean: its code set's top-level codes and its signing definition."""

    code_set: str  # version of the code set, e.g. "2020"
    codes: tuple[tuple[str, str, bool], ...]  # (code, name, counts_as_placed), in table order
    signing_codes: tuple[str, ...]

    @property
    def placed_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _name, placed in self.codes if placed)

    @property
    def names(self) -> dict[str, str]:
        return {code: name for code, name, _placed in self.codes}

    def definitions(self, kind: str) -> dict[str, Any]:
        """The definitions every report states next to its figures."""
        placed = "、".join(self.placed_codes)
        signing = "、".join(self.signing_codes) or _("（无）")
        return {
            "placed_codes": list(self.placed_codes),
            "signing_codes": list(self.signing_codes),
            "signing_definition": _("签约率 = 代码 %(codes)s ÷ 毕业生总数") % {"codes": signing},
            "placement_definition": _("毕业去向落实率 = 代码 %(codes)s ÷ 毕业生总数")
            % {"codes": placed},
            "knowledge_definition": _("去向知晓率 = 有任一去向记录（含 70、71、72）÷ 毕业生总数"),
            "code_set": self.code_set,
            "counted": str(PeriodKind(kind).label),
        }


def rate(part: int, total: int) -> float:
    """A fraction rounded half-up to 4 places; 0.0 when there is nobody to count."""
    if not total:
        return 0.0
    return float((Decimal(part) / Decimal(total)).quantize(_FOUR_PLACES, ROUND_HALF_UP))


def figures(
    key: str, label: str, total: int, by_code: Mapping[str | None, int], rules: CodeRules
) -> dict[str, Any]:
    """One row: counts and rates of `total` graduates whose as-of codes are `by_code`.

    `by_code` maps a code to the number of graduates holding it; None (no destination) may be
    present and is ignored. Every top-level code of the code set appears, zeros included, so
    tables and exports have the same columns whatever the data.
    """
    codes = {code: 0 for code, _name, _placed in rules.codes}
    for code, n in by_code.items():
        if code is not None:
            codes[code] = codes.get(code, 0) + n
    placed_codes = set(rules.placed_codes)
    known = sum(codes.values())
    placed = sum(n for code, n in codes.items() if code in placed_codes)
    signed = sum(n for code, n in codes.items() if code in rules.signing_codes)
    return {
        "key": key,
        "label": label,
        "total": total,
        "known": known,
        "placed": placed,
        "signed": signed,
        "placement_rate": rate(placed, total),
        "signing_rate": rate(signed, total),
        "knowledge_rate": rate(known, total),
        "by_code": codes,
    }


def summed(rows: Iterable[Mapping[str, Any]]) -> tuple[int, dict[str | None, int]]:
    """Total graduates and codes over rows that partition the graduates (no multi-membership)."""
    total = 0
    by_code: dict[str | None, int] = {}
    for row in rows:
        total += row["total"]
        for code, n in row["by_code"].items():
            by_code[code] = by_code.get(code, 0) + n
    return total, by_code


def change(current: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """Differences of the rates (fractions, 4 places) and counts against a previous figure."""
    if previous is None:
        return {}
    out: dict[str, Any] = {}
    for field in RATE_FIELDS:
        out[field] = float(
            (Decimal(str(current[field])) - Decimal(str(previous[field]))).quantize(_FOUR_PLACES)
        )
    for field in COUNT_FIELDS:
        out[field] = current[field] - previous[field]
    return out


# --- moments ----------------------------------------------------------------------------------
def as_of_moment(value: dt.date | dt.datetime | None) -> dt.datetime:
    """The moment T a report is "as of".

    None is now; a date means the end of that day in the institution's time zone (the last
    microsecond, so a period approved at any time that day counts); a datetime must be aware.
    """
    if value is None:
        return timezone.now()
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("as_of must be timezone-aware")
        return value
    tz = timezone.get_default_timezone()
    next_day = dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return next_day - dt.timedelta(microseconds=1)


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def year_earlier(moment: dt.datetime) -> dt.datetime:
    """The same local month, day and time one year earlier (29 February becomes the 28th)."""
    here = local(moment)
    try:
        return here.replace(year=here.year - 1)
    except ValueError:
        return here.replace(year=here.year - 1, day=28)


def describe_moment(moment: dt.datetime) -> str:
    """How people read an as-of moment: "2020-06-30 24:00" for the end of a day."""
    here = local(moment)
    end_of_day = here.time() == dt.time(23, 59, 59, 999999)
    if end_of_day:
        return _("%(date)s 24:00") % {"date": here.date().isoformat()}
    return here.strftime("%Y-%m-%d %H:%M")


def season_end(year: int) -> dt.datetime:
    """The end of 31 December of the graduation year: where a season's weekly series stops."""
    return as_of_moment(dt.date(year, 12, 31))


def week_start(day: dt.date) -> dt.date:
    """Monday of the week containing `day` (weeks run Monday to Sunday, as TruncWeek does)."""
    return day - dt.timedelta(days=day.weekday())
