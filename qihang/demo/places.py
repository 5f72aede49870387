"""Real administrative divisions (GB/T 2260) from python-stdnum's table, for generated people
and employers: which county codes a person born in a given year can carry, and their names.

A resident ID number's first six digits are the household registration's division code when
the number was issued; stdnum's ``cn.ric`` accepts a code only if it existed in the birth year.
So a county is offered to a person only if its current code already existed when they were born
(``start <= birth year``) and still exists (the 生源地 is recorded with today's code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from stdnum import numdb

_VARIANT = re.compile(r"\[(\d*)-(\d*)\](.*)")
# Grouping rows of the code table, not places.
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "省直辖行政单位", "自治区直辖县级行政区划")


@dataclass(frozen=True)
class County:
    code: str  # 6 digits
    name: str  # current name, e.g. "徐汇区"
    since: int  # first year the code existed (0: before the table starts)

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"


@cache
def _table() -> tuple[dict[str, str], dict[str, list[County]]]:
    """({code: current name} for provinces, prefectures and counties, {province prefix: counties})."""
    names: dict[str, str] = {}
    counties: dict[str, list[County]] = {}
    for _length, prefix, _high, props, children in numdb.get("cn/loc").prefixes:
        names[prefix + "0000"] = props.get("province", "")
        for _l2, rest, _h2, props2, _c2 in children:
            code = prefix + rest
            current = None
            for variant in props2.get("county", "").split(","):
                match = _VARIANT.fullmatch(variant)
                start, end, name = match.groups() if match else ("", "", variant)
                if not end:  # open-ended: the code is in use today
                    current = (name, int(start or 0))
            if current is None:
                continue
            name, since = current
            names[code] = name
            if rest.endswith("00") or name in _PLACEHOLDERS or "直辖" in name:
                continue
            counties.setdefault(prefix, []).append(County(code, name, since))
    # The "0000" row holds the short, simplified province name (the province row may not).
    for prefix in counties:
        names[prefix + "0000"] = names.get(prefix + "0000") or ""
    return names, counties


@cache
def counties(province_prefix: str, *, born: int) -> list[County]:
    """Counties of a province whose current code already existed in the year `born` (the list
    is shared: do not change it)."""
    return [c for c in _table()[1].get(province_prefix, []) if c.since <= born]


def county(code: str) -> County | None:
    name = _table()[0].get(code)
    if name is None or code.endswith("00"):
        return None
    return next((c for c in _table()[1].get(code[:2], []) if c.code == code), None)


def name_of(code: str) -> str:
    """Current name of a province, prefecture or county code ("" if unknown)."""
    return _table()[0].get(code, "")


def city_of(code: str) -> str:
    """The prefecture-level name for a county code ("苏州市"), or the municipality ("上海市")."""
    prefecture = name_of(code[:4] + "00")
    if prefecture and prefecture not in _PLACEHOLDERS and "直辖" not in prefecture:
        return prefecture
    return name_of(code[:2] + "0000")


def short_place(code: str) -> str:
    """A place name as employers use it in their names: "苏州", "徐汇", "凉山"."""
    name = city_of(code)
    for suffix in (
        "特别行政区",
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "自治区",
        "自治州",
        "地区",
        "盟",
        "省",
        "市",
    ):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name.removesuffix(suffix)
            break
    # "凉山彝族" -> "凉山", "红河哈尼族彝族" -> "红河": the place, not its peoples.
    stripped = True
    while stripped:
        stripped = False
        for people in _PEOPLES:
            if name.endswith(people) and len(name) > len(people) + 1:
                name, stripped = name.removesuffix(people), True
    return name


_PEOPLES = (
    "彝族 哈尼族 苗族 布依族 侗族 藏族 羌族 土家族 壮族 回族 傣族 景颇族 白族 傈僳族 蒙古族 朝鲜族 "
    "哈萨克族 柯尔克孜族 满族 黎族 瑶族 仫佬族 毛南族 土族 撒拉族 东乡族 保安族 裕固族 拉祜族 佤族 "
    "纳西族 普米族 怒族 独龙族 达斡尔族 鄂温克族 鄂伦春族 锡伯族 畲族 水族 仡佬族 各族"
).split()
