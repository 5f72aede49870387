"""The one place lookup: administrative divisions (GB/T 2260) from python-stdnum's table.

Codes and names both ways: ``division_name("320500") == "苏州市"``,
``division_full_name("320500") == "江苏省苏州市"``, ``province_of`` / ``prefecture_of``, and
``resolve_division`` for what people type in a feed or a form ("江苏苏州", "上海市徐汇区",
"广东深圳", "320506"), which gives the most specific current division or None when the text is
unknown or ambiguous (``resolve_division_detailed`` says why).

The table is parsed once (cached); there are about 7,000 codes. Also the demo's helpers for
generated people (counties that existed in a birth year, short place names for employer names).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from stdnum import numdb

_VARIANT = re.compile(r"\[(\d*)-(\d*)\](.*)")
# Grouping rows of the code table ("市辖区" under a city, "省直辖县级行政区划"), not places.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖行政单位"})
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


def _is_placeholder(name: str) -> bool:
    return name in _PLACEHOLDERS or "直辖" in name


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits
    name: str  # latest name, e.g. "徐汇区" (of an abolished code: its last name)
    current: bool  # the code is in use today
    since: int  # first year of the latest name (0: before the table starts)

    @property
    def level(self) -> int:
        """1 province, 2 prefecture, 3 county."""
        if self.code[2:] == "0000":
            return 1
        return 2 if self.code[4:] == "00" else 3

    @property
    def placeholder(self) -> bool:
        return _is_placeholder(self.name)


@dataclass(frozen=True)
class County:
    code: str  # 6 digits
    name: str  # current name, e.g. "徐汇区"
    since: int  # first year the code existed (0: before the table starts)

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"


@cache
def _divisions() -> dict[str, Division]:
    """Every code of the table, current or abolished, with its latest name."""
    table: dict[str, Division] = {}
    for _length, prefix, _high, _props, children in numdb.get("cn/loc").prefixes:
        for _l2, rest, _h2, props2, _c2 in children:
            code = prefix + rest
            variants = [v for v in props2.get("county", "").split(",") if v]
            if not variants:
                continue
            chosen: tuple[str, int, bool] | None = None
            for variant in variants:
                match = _VARIANT.fullmatch(variant)
                start, end, name = match.groups() if match else ("", "", variant)
                is_open = not end
                if is_open or chosen is None or not chosen[2]:
                    chosen = (name, int(start or 0), is_open)
            assert chosen is not None
            name, since, current = chosen
            table[code] = Division(code, name, current, since)
    return table


def all_codes() -> list[str]:
    """Every code of the table, current or abolished, in table order."""
    return list(_divisions())


def division(code: str) -> Division | None:
    """The table's row for a 6-digit code (current or abolished), None if it never existed."""
    return _divisions().get(code)


def division_name(code: str) -> str:
    """Latest name of a province, prefecture or county code: "320500" → "苏州市" ("" if unknown).

    The province rows of 81/82 are traditional in stdnum's province column; the "0000" row
    used here carries the simplified name (香港特别行政区)."""
    row = _divisions().get(code)
    return row.name if row is not None else ""


@cache
def division_full_name(code: str) -> str:
    """Province + prefecture + county: "320506" → "江苏省苏州市吴中区", "310104" →
    "上海市徐汇区", "429004" → "湖北省仙桃市" (grouping rows left out; "" if unknown)."""
    row = _divisions().get(code)
    if row is None:
        return ""
    parts = [division_name(code[:2] + "0000")]
    if row.level == 1:
        return parts[0]
    if row.level == 3:
        prefecture = _divisions().get(code[:4] + "00")
        if prefecture is not None and not prefecture.placeholder:
            parts.append(prefecture.name)
    if not row.placeholder:
        parts.append(row.name)
    return "".join(parts)


def province_of(code: str) -> str:
    """Province-level code of a division code: "320506" → "320000"."""
    _check(code)
    return code[:2] + "0000"


def prefecture_of(code: str) -> str:
    """Prefecture-level code of a division code: "320506" → "320500".

    Districts of the four municipalities give the municipality ("310104" → "310000"); a
    county-level city under the province directly ("429004" 仙桃) is its own prefecture; a
    province gives itself."""
    row = _check(code)
    if row.level == 1:
        return code
    if code[:2] in _MUNICIPALITIES:
        return code[:2] + "0000"
    parent = _divisions().get(code[:4] + "00")
    if parent is None or parent.placeholder:
        return code if not row.placeholder else code[:2] + "0000"
    return code[:4] + "00"


def _check(code: str) -> Division:
    row = _divisions().get(code) if isinstance(code, str) else None
    if row is None:
        raise ValueError(f"not a GB/T 2260 division code: {code!r}")
    return row


# --- resolving what people write ---------------------------------------------------------


class Failure(StrEnum):
    EMPTY = "empty"
    UNKNOWN = "unknown"
    ABOLISHED = "abolished"
    AMBIGUOUS = "ambiguous"
    MULTIPLE = "multiple"


@dataclass(frozen=True)
class Resolution:
    """What ``resolve_division_detailed`` found: ``code`` or a failure with its reason.

    ``candidates`` lists the codes an ambiguous text could mean; ``reason`` is a Chinese
    sentence fit to follow "工作地点「…」无法识别/有歧义"."""

    text: str
    code: str | None
    failure: Failure | None = None
    reason: str = ""
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code is not None


# Longest first: "壮族自治区" before "自治区" before "区".
_PROVINCE_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
)
_PREFECTURE_SUFFIXES = ("自治州", "地区", "林区", "盟", "市", "州")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗")
_PEOPLES = (
    "彝族 哈尼族 苗族 布依族 侗族 藏族 羌族 土家族 壮族 回族 傣族 景颇族 白族 傈僳族 蒙古族 朝鲜族 "
    "哈萨克族 柯尔克孜族 满族 黎族 瑶族 仫佬族 毛南族 土族 撒拉族 东乡族 保安族 裕固族 拉祜族 佤族 "
    "纳西族 普米族 怒族 独龙族 达斡尔族 鄂温克族 鄂伦春族 锡伯族 畲族 水族 仡佬族 各族"
).split()
# Written inside a name and meaning nothing more: "上海市市辖区", "苏州市区".
_NOISE_TOKENS = ("市辖区", "市区", "辖区")
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")
_LIST_SEPARATORS = re.compile(r"[、,，;；/|]")
_DROPPED = re.compile(r"[\s()（）\[\]【】<>《》·\-—_.。:：\"'“”‘’]")


def _strip_peoples(stem: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for people in _PEOPLES:
            if stem.endswith(people) and len(stem) > len(people) + 1:
                stem, stripped = stem.removesuffix(people), True
    return stem


def _aliases(row: Division) -> set[str]:
    """Short forms people write: 江苏, 苏州, 徐汇, 凉山 / 凉山州, 广西, 香港 (2+ characters)."""
    suffixes = {1: _PROVINCE_SUFFIXES, 2: _PREFECTURE_SUFFIXES, 3: _COUNTY_SUFFIXES}[row.level]
    aliases: set[str] = set()
    for suffix in suffixes:
        if row.name.endswith(suffix):
            stem = _strip_peoples(row.name.removesuffix(suffix))
            if len(stem) >= 2:
                aliases.add(stem)
                if suffix == "自治州":  # 凉山彝族自治州 → 凉山州, as people write it
                    aliases.add(stem + "州")
                if suffix in ("自治县", "自治旗"):
                    aliases.add(stem + suffix[-1])
            break
    aliases.discard(row.name)
    return aliases


@cache
def _name_index() -> dict[str, tuple[tuple[str, bool], ...]]:
    """Written form → ((code, is the full name), …) over current, non-placeholder divisions."""
    index: dict[str, list[tuple[str, bool]]] = {}
    for row in _divisions().values():
        if not row.current or row.placeholder:
            continue
        index.setdefault(row.name, []).append((row.code, True))
        for alias in _aliases(row):
            index.setdefault(alias, []).append((row.code, False))
    for noise in _NOISE_TOKENS:
        index.setdefault(noise, [])
    return {name: tuple(codes) for name, codes in index.items()}


@cache
def _max_token() -> int:
    return max(len(name) for name in _name_index())


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _DROPPED.sub("", text)
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text.removeprefix(prefix)
            break
    return text


def _contains(parent: str, child: str) -> bool:
    level = _divisions()[parent].level
    return level < _divisions()[child].level and child.startswith(parent[: 2 * level])


@dataclass(frozen=True)
class _Parse:
    code: str
    aliases: int  # tokens matched by a short form, not the full name


def _parses(text: str) -> list[_Parse]:
    """Every way to read ``text`` as a chain of tokens province → prefecture → county (levels
    may be skipped; noise tokens such as "市辖区" may follow a division)."""
    index = _name_index()
    longest = _max_token()
    results: list[_Parse] = []

    def walk(pos: int, last: str | None, aliases: int) -> None:
        if pos == len(text):
            if last is not None:
                results.append(_Parse(last, aliases))
            return
        for end in range(min(len(text), pos + longest), pos, -1):
            entries = index.get(text[pos:end])
            if entries is None:
                continue
            if not entries:  # noise token
                if last is not None:
                    walk(end, last, aliases)
                continue
            for code, full in entries:
                if last is None or _contains(last, code):
                    walk(end, code, aliases + (0 if full else 1))

    walk(0, None, 0)
    return results


def _best(parses: list[_Parse]) -> list[str]:
    """Codes of the most plausible readings: fewest short forms, then the highest level (a bare
    "吉林" or "海南" is the province, "长沙" the city rather than 长沙县, 湖北省随州市 the city
    rather than the county-level code the table still lists)."""
    if not parses:
        return []
    fewest = min(p.aliases for p in parses)
    codes = sorted({p.code for p in parses if p.aliases == fewest})
    if len(codes) > 1:
        top = min(_divisions()[c].level for c in codes)
        highest = [c for c in codes if _divisions()[c].level == top]
        if len(highest) == 1:
            return highest
    return codes


def _from_code(original: str, code: str) -> Resolution:
    row = _divisions().get(code)
    if row is None:
        return Resolution(original, None, Failure.UNKNOWN, f"行政区划代码「{code}」不存在")
    if not row.current:
        return Resolution(
            original,
            None,
            Failure.ABOLISHED,
            f"行政区划代码「{code}」（{division_full_name(code)}）已撤销",
        )
    if row.placeholder:  # 310100 市辖区, 429000 省直辖县级行政区划: the place above it
        return Resolution(original, prefecture_of(code) if row.level == 3 else code[:2] + "0000")
    return Resolution(original, code)


@cache
def resolve_division_detailed(text: str) -> Resolution:
    """Resolve a division code or a place name to the most specific current division.

    Accepts a 6-digit code (must exist and be current; a grouping row such as 310100 gives the
    place above it) or names with or without the province and suffixes: 江苏省苏州市, 苏州市,
    苏州, 上海, 上海市徐汇区, 广东深圳, 深圳南山, 湖北仙桃, 凉山州. Spaces, full-width forms,
    brackets, a leading 中国 and noise such as 市辖区 / 市区 are ignored. A text that could mean
    several divisions (鼓楼区 without its city) fails as ambiguous, listing the candidates; a
    list of places (上海、北京) fails as multiple. A tail after a clear prefix ("上海市浦东新区张江镇")
    resolves to the prefix if the prefix ends in a full name or has two parts."""
    original = text
    if not isinstance(text, str) or not text.strip():
        return Resolution(original, None, Failure.EMPTY, "地点为空")
    cleaned = _normalise(text)
    if cleaned.isascii() and cleaned.isdigit():
        if len(cleaned) != 6:
            return Resolution(original, None, Failure.UNKNOWN, "行政区划代码应为6位数字")
        return _from_code(original, cleaned)
    if _LIST_SEPARATORS.search(cleaned):
        parts = [p for p in _LIST_SEPARATORS.split(cleaned) if p]
        if len(parts) > 1:
            return Resolution(original, None, Failure.MULTIPLE, "包含多个地点，请只填写一个")
    codes = _best(_parses(cleaned))
    if not codes:
        codes = _prefix_reading(cleaned)
    if len(codes) == 1:
        return Resolution(original, codes[0])
    if len(codes) > 1:
        names = "、".join(f"{division_full_name(c)}（{c}）" for c in codes[:6])
        more = "等" if len(codes) > 6 else ""
        return Resolution(
            original,
            None,
            Failure.AMBIGUOUS,
            f"可能是{names}{more}，请写明省市或填写6位行政区划代码",
            tuple(codes),
        )
    return Resolution(
        original,
        None,
        Failure.UNKNOWN,
        "不是行政区划名称（请填写如江苏省苏州市、上海市徐汇区，或6位行政区划代码）",
    )


def _prefix_reading(text: str) -> list[str]:
    """The longest prefix that reads as a place, when it is clear enough to ignore the rest:
    it ends with a full name ("苏州市工业园区") or has two parts ("江苏苏州工业园区")."""
    for end in range(len(text) - 1, 1, -1):
        prefix = text[:end]
        parses = _parses(prefix)
        if not parses:
            continue
        solid = [
            p
            for p in parses
            if _ends_with_full_name(prefix, p.code) or _token_count(prefix, p.code) >= 2
        ]
        return _best(solid)
    return []


def _ends_with_full_name(prefix: str, code: str) -> bool:
    return prefix.endswith(_divisions()[code].name)


def _token_count(prefix: str, code: str) -> int:
    """Two or more parts: the prefix is longer than any single written form of ``code``."""
    row = _divisions()[code]
    return 1 if prefix in ({row.name} | _aliases(row)) else 2


def resolve_division(text: str) -> str | None:
    """The most specific current division code for a code or place name; None when unknown or
    ambiguous (see ``resolve_division_detailed`` for the reason)."""
    return resolve_division_detailed(text).code


# --- generated people and employers (the demo) -------------------------------------------


@cache
def _counties_by_province() -> dict[str, list[County]]:
    counties: dict[str, list[County]] = {}
    for row in _divisions().values():
        if not row.current or row.level != 3 or row.placeholder:
            continue
        counties.setdefault(row.code[:2], []).append(County(row.code, row.name, row.since))
    return counties


@cache
def counties(province_prefix: str, *, born: int) -> list[County]:
    """Current counties of a province (2-digit prefix) whose code already existed in the year
    ``born`` (a resident ID number's division must have existed at birth; the list is shared:
    do not change it)."""
    return [c for c in _counties_by_province().get(province_prefix, []) if c.since <= born]


def county(code: str) -> County | None:
    return next((c for c in _counties_by_province().get(code[:2], []) if c.code == code), None)


def name_of(code: str) -> str:
    """Current name of a province, prefecture or county code ("" if unknown or abolished)."""
    row = _divisions().get(code)
    return row.name if row is not None and row.current else ""


def city_of(code: str) -> str:
    """The prefecture-level name for a county code ("苏州市"), or the municipality ("上海市")."""
    prefecture = name_of(code[:4] + "00")
    if prefecture and not _is_placeholder(prefecture):
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
    return _strip_peoples(name)
