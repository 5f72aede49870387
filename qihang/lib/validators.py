"""Normalisation and validation of Chinese roster cell values.

Every validator takes a raw cell value as it comes out of openpyxl, python-calamine or
the csv module and either returns the normalised value or raises :class:`FieldError`
with a user-facing message in Simplified Chinese.  Messages are plain strings: this
module must not import Django, the caller is responsible for i18n.

Blank cells are an error ("不能为空", code ``required``) for every validator; callers
handling optional fields check :func:`is_blank` first.

These functions run once per cell of imports with 100,000+ rows, so the hot paths avoid
regex work and allocations where a cheap ``str`` method does the job.
"""

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from qihang.lib import places

type CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

__all__ = [
    "FORMULA_STARTS",
    "CellValue",
    "FieldError",
    "choice",
    "credit_code",
    "date_value",
    "digits",
    "division_code",
    "division_name",
    "email",
    "id_number",
    "id_number_birth_date",
    "id_number_sex",
    "is_blank",
    "mask_email",
    "mask_id_number",
    "mask_phone",
    "mobile_phone",
    "multi_choice",
    "normalize_text",
    "province_code",
    "province_name",
    "year",
]


class FieldError(ValueError):
    """A cell value that cannot be accepted; ``message`` is shown to the user."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        # Machine-readable reason, so callers and tests need not parse the message.
        self.code = code


# --- text normalisation -------------------------------------------------------------

# Invisible characters picked up when copying from web pages, Word or WeChat.
_INVISIBLE = (
    [0x00AD, 0x180E, 0xFEFF]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2065))
)
# C0 controls other than tab/newline are never meant, and openpyxl refuses to write them.
_CONTROLS = [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0x7F]

_TEXT_TABLE: dict[int, int | None] = {c: None for c in _INVISIBLE + _CONTROLS}
_TEXT_TABLE.update({0x3000: 0x20, 0x00A0: 0x20})
# Full-width digits and letters only: full-width punctuation is legitimate in Chinese
# names such as "某某（中国）有限公司", so general text keeps it.
for _start, _end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
    _TEXT_TABLE.update({c: c - 0xFEE0 for c in range(_start, _end + 1)})

# Codes (ID numbers, phones, e-mail addresses) contain only ASCII, so every full-width
# ASCII form is what the user meant, and all dash look-alikes are a hyphen.
_CODE_TABLE: dict[int, int | None] = dict(_TEXT_TABLE)
_CODE_TABLE.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
_CODE_TABLE.update({c: 0x2D for c in (*range(0x2010, 0x2016), 0x2212, 0xFE63, 0x30FC)})
_CODE_TABLE[0x3002] = 0x2E  # ideographic full stop typed instead of "." in e-mail domains

_WHITESPACE_RE = re.compile(r"\s+")
# What spreadsheet programs start a formula with (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@")

# Excel keeps 15 significant digits, so a number with more digits has been corrupted.
_MAX_EXACT_NUMBER = 10**15


def _cell_to_str(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Numeric cells come back as floats (13812345678.0); the digits are what was meant.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def normalize_text(value: CellValue | object) -> str:
    """Cell value as clean text; ``""`` for ``None`` and blank cells.

    Strips surrounding (also full-width) whitespace, removes zero-width and control
    characters, turns full-width digits/letters half-width and numeric cells back into
    digit strings without ``.0``.  Text cells keep their leading zeros.
    """
    if value is None:
        return ""
    s = value if type(value) is str else _cell_to_str(value)
    if s.isascii() and s.isprintable():  # the common case: nothing to translate
        s = s.strip()
    else:
        s = s.translate(_TEXT_TABLE).strip()
    if s[:1] == "'" and s[1:].lstrip().startswith(FORMULA_STARTS):
        # Our exports write "'=…" for a text that a spreadsheet would run as a formula
        # (tabular.neutralize_formula); reading it back gives the text itself.
        return s[1:].lstrip()
    return s


def is_blank(value: CellValue | object) -> bool:
    """True if the cell is empty or contains only whitespace/invisible characters."""
    return not normalize_text(value)


def _numeric_precision_check(value: object, label: str) -> None:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) >= _MAX_EXACT_NUMBER
    ):
        raise FieldError(
            f"{label}以数字格式存储，超过15位的部分已被Excel改写，请将该列设置为文本格式后重新填写",
            "numeric_precision",
        )


def _code_text(value: CellValue | object, label: str) -> str:
    """Normalised text of a code: half-width, no spaces or hyphens inside."""
    if type(value) is str:
        s = value
    elif value is None:
        raise FieldError(f"{label}不能为空", "required")
    else:
        _numeric_precision_check(value, label)
        s = _cell_to_str(value)
    if not (s.isascii() and s.isalnum()):
        s = s.strip()  # cheap, and often all a pasted value needs
    if not (s.isascii() and s.isalnum()):
        if not s.isascii():
            s = s.translate(_CODE_TABLE)
        s = s.replace(" ", "").replace("-", "")
        if not s.isprintable():  # tabs, newlines, exotic spaces
            s = "".join(s.split())
    if not s:
        raise FieldError(f"{label}不能为空", "required")
    return s


def digits(
    value: CellValue | object, *, length: int | None = None, field_label: str = "该字段"
) -> str:
    """A numeric code (student number, postcode, …) as a digit string.

    Spaces and hyphens inside are dropped.  Leading zeros of text cells are kept; a
    numeric cell has already lost them, which the error message points out.
    """
    s = _code_text(value, field_label)
    if not (s.isascii() and s.isdigit()):
        raise FieldError(f"{field_label}只能包含数字", "format")
    if length is not None and len(s) != length:
        hint = ""
        if len(s) < length and isinstance(value, int | float):
            hint = "（单元格为数字格式，开头的0可能已丢失，请将该列设置为文本格式）"
        raise FieldError(f"{field_label}应为{length}位数字（当前{len(s)}位）{hint}", "length")
    return s


# --- administrative divisions (GB/T 2260) --------------------------------------------

# The code table is read once, in qihang.lib.places; these wrap it with the importers' errors.


def _division(code: str) -> places.Division | None:
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    return places.division(code)


def division_code(value: CellValue | object, *, current_only: bool = False) -> str:
    """A 6-digit administrative division code present in GB/T 2260 (current or historic), or
    the full name of a current division (上海市徐汇区 → 310104).

    With ``current_only`` codes of abolished divisions (e.g. 110103 崇文区) are refused.
    """
    s = _code_text(value, "行政区划代码")
    if not s.isascii():  # a name: 上海市徐汇区, as some provincial exports write it
        return _code_of_name(s)
    if len(s) != 6 or not s.isdigit():
        raise FieldError("行政区划代码应为6位数字", "format")
    division = _division(s)
    if division is None:
        raise FieldError(f"行政区划代码“{s}”不存在", "unknown")
    if current_only and not division.current:
        raise FieldError(f"行政区划代码“{s}”（{division.name}）已撤销", "abolished")
    return s


@cache
def _codes_by_name() -> dict[str, list[str]]:
    """Full name (上海市徐汇区, as division_name gives it) -> current codes with that name."""
    by_name: dict[str, list[str]] = {}
    for code in places.all_codes():
        division = places.division(code)
        if division is None or not division.current or division.placeholder:
            continue
        by_name.setdefault(places.division_full_name(code), []).append(code)
    return by_name


def _code_of_name(name: str) -> str:
    """The code of a current division written by its full name (GB/T 2260 names)."""
    codes = _codes_by_name().get(name)
    if not codes:
        raise FieldError(
            f"行政区划“{name}”不是GB/T 2260中的代码或完整名称"
            "（请填写6位代码如310104，或完整名称如上海市徐汇区）",
            "unknown",
        )
    if len(codes) > 1:
        raise FieldError(
            f"“{name}”对应多个行政区划（{'、'.join(codes)}），请填写6位代码", "ambiguous"
        )
    return codes[0]


def division_name(code: CellValue | object) -> str:
    """Full name of a division code, e.g. 310104 → 上海市徐汇区, 440304 → 广东省深圳市福田区."""
    return places.division_full_name(division_code(code))


def province_code(code: CellValue | object) -> str:
    """Province-level code of a division code: 310104 → 310000."""
    return division_code(code)[:2] + "0000"


def province_name(code: CellValue | object) -> str:
    """Province-level name of a division code: 310104 → 上海市."""
    return places.division_name(division_code(code)[:2] + "0000")


# --- resident identity card number (GB 11643) ---------------------------------------

# Residence permits for Hong Kong, Macau and Taiwan residents (since 2018) use the
# resident ID format with these region codes; 830000 is not in GB/T 2260.
_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
_MIN_AGE, _MAX_AGE = 14, 80
_SEXES = ("女", "男")  # indexed by parity of the 17th digit
_CHECK_DIGITS = "0123456789X"
_TODAY_TTL = 60.0  # seconds; date.today() costs more than the rest of id_number
_today_cache: tuple[float, dt.date] = (-_TODAY_TTL, dt.date.min)


def _today() -> dt.date:
    global _today_cache
    now = time.monotonic()
    if now - _today_cache[0] >= _TODAY_TTL:
        _today_cache = (now, dt.date.today())  # noqa: DTZ011 - a calendar date, not an instant
    return _today_cache[1]


@lru_cache(maxsize=65536)
def _is_valid_ymd(ymd: str) -> bool:
    try:
        dt.date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=16)
def _birth_bounds(today: dt.date) -> tuple[str, str]:
    """Exclusive lower and inclusive upper YYYYMMDD bound for ages 14–80 on ``today``.

    Fixed-width digit strings compare like (year, month, day) tuples, so the age check
    needs no date arithmetic per row, and 29 February needs no special case.
    """
    md = f"{today.month:02d}{today.day:02d}"
    return f"{today.year - _MAX_AGE - 1:04d}{md}", f"{today.year - _MIN_AGE:04d}{md}"


def id_number(
    value: CellValue | object, *, sex: str | None = None, today: dt.date | None = None
) -> str:
    """An 18-character resident ID number, upper-case ``X``.

    Checks length, check digit, birth date (age 14–80 on ``today``), the region code and,
    if ``sex`` ('男'/'女') is given, the parity of the 17th digit.

    ``stdnum.cn.ric.validate`` is not used as a whole because it also requires the region
    to have existed in the birth year; the code is that of the household registration
    when the card was first issued, which can be a county created after the birth.
    """
    s = _code_text(value, "身份证号")
    if len(s) != 18:
        if len(s) == 15 and s.isdigit():
            raise FieldError("身份证号为15位旧号码，请填写18位号码", "length")
        raise FieldError(f"身份证号长度应为18位（当前{len(s)}位）", "length")
    s = s.upper()
    head = s[:17]
    if not (head.isascii() and head.isdigit()) or s[17] not in "0123456789X":
        raise FieldError("身份证号格式错误：前17位应为数字，最后一位为数字或X", "format")
    # Same arithmetic as stdnum.cn.ric.calc_check_digit, inlined: it is the hot path.
    if _CHECK_DIGITS[(1 - 2 * int(head, 13)) % 11] != s[17]:
        raise FieldError("身份证号校验码错误，请核对是否有输错的数字", "checksum")
    ymd = s[6:14]
    if not _is_valid_ymd(ymd):
        raise FieldError("身份证号中的出生日期无效", "birth_date")
    lower, upper = _birth_bounds(today or _today())
    if not lower < ymd <= upper:
        raise FieldError(
            f"身份证号中的出生日期{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}不合理"
            f"（年龄应在{_MIN_AGE}至{_MAX_AGE}岁之间）",
            "age",
        )
    region = s[:6]
    if _division(region) is None and region not in _PERMIT_REGIONS:
        raise FieldError(f"身份证号前6位地区码“{region}”不存在", "region")
    if sex is not None:
        if sex not in _SEXES:
            raise ValueError(f"sex must be '男' or '女', not {sex!r}")
        actual = _SEXES[int(s[16]) & 1]
        if actual != sex:
            raise FieldError(f"性别与身份证号不符（按身份证号应为{actual}）", "sex")
    return s


def id_number_birth_date(number: str) -> dt.date:
    """Birth date encoded in a validated ID number."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(number: str) -> str:
    """'男' or '女' as encoded in a validated ID number (odd 17th digit = male)."""
    return _SEXES[int(number[16]) & 1]


# --- other codes ---------------------------------------------------------------------


def credit_code(value: CellValue | object) -> str:
    """An 18-character unified social credit code (统一社会信用代码), upper-case."""
    s = _code_text(value, "统一社会信用代码").upper()
    if len(s) != 18:
        raise FieldError(f"统一社会信用代码长度应为18位（当前{len(s)}位）", "length")
    try:
        return uscc.validate(s)
    except InvalidChecksum:
        raise FieldError("统一社会信用代码校验码错误", "checksum") from None
    except ValidationError:
        raise FieldError(
            "统一社会信用代码格式错误：前8位应为数字，其余为数字或大写字母（不含I、O、Z、S、V）",
            "format",
        ) from None


_MOBILE_RE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_PHONE_STRIP_RE = re.compile(r"[\s\-()]+")


def mobile_phone(value: CellValue | object) -> str:
    """A mainland mobile number as 11 digits; '+86', '0086', spaces and hyphens accepted."""
    s = _code_text(value, "手机号码")
    if len(s) == 11 and s[0] == "1" and s[1] in "3456789" and s.isascii() and s.isdigit():
        return s
    if not (s.isascii() and s.isdigit()):
        s = _PHONE_STRIP_RE.sub("", s)
    match = _MOBILE_RE.fullmatch(s)
    if match is None:
        raise FieldError("手机号码格式错误，应为11位中国大陆手机号（以13–19开头）", "format")
    return match.group(1)


_EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59}))"
)


def email(value: CellValue | object) -> str:
    """An e-mail address with a lower-case domain (the local part keeps its case)."""
    s = normalize_text(value)
    if not s:
        raise FieldError("电子邮箱不能为空", "required")
    if not s.isascii():
        s = s.translate(_CODE_TABLE)
    if s[:7].lower() == "mailto:":
        s = s[7:]
    match = _EMAIL_RE.fullmatch(s)
    if match is None or len(s) > 254 or s.index("@") > 64:
        raise FieldError("电子邮箱格式错误", "format")
    return s[: match.start(1)] + match.group(1).lower()


# --- choices -------------------------------------------------------------------------


def _fold(text: str) -> str:
    return _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def _lookup(text: str, mapping: Mapping[str, str]) -> str | None:
    hit = mapping.get(text)
    if hit is not None:
        return hit
    # Slow path only for near-misses, so the common exact match allocates nothing.
    key = _fold(text)
    for spelling, canonical in mapping.items():
        if _fold(spelling) == key:
            return canonical
    for canonical in mapping.values():
        if _fold(canonical) == key:
            return canonical
    return None


def _allowed(mapping: Mapping[str, str]) -> str:
    # The first spelling listed for each canonical value is its display form.
    seen: dict[str, str] = {}
    for spelling, canonical in mapping.items():
        seen.setdefault(canonical, spelling)
    return "、".join(seen.values())


def choice(value: CellValue | object, mapping: Mapping[str, str], *, field_label: str) -> str:
    """Map an accepted spelling to its canonical value.

    Matching ignores case, whitespace and full-/half-width differences; canonical values
    themselves are accepted too.  List the display spelling first for each value: the
    error message shows those.
    """
    text = normalize_text(value)
    if not text:
        raise FieldError(f"{field_label}不能为空", "required")
    hit = _lookup(text, mapping)
    if hit is None:
        raise FieldError(f"{field_label}“{text}”不是有效选项，可选：{_allowed(mapping)}", "choice")
    return hit


@cache
def _splitter(separators: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(separators) + r"\n]")


def multi_choice(
    value: CellValue | object,
    mapping: Mapping[str, str],
    *,
    separators: str = "、;；,，",
    field_label: str = "该字段",
) -> list[str]:
    """Several choices in one cell, split on ``separators``; de-duplicated, order kept."""
    text = normalize_text(value)
    if not text:
        raise FieldError(f"{field_label}不能为空", "required")
    result: list[str] = []
    invalid: list[str] = []
    for raw in _splitter(separators).split(text):
        part = raw.strip()
        if not part:
            continue
        hit = _lookup(part, mapping)
        if hit is None:
            invalid.append(part)
        elif hit not in result:
            result.append(hit)
    if invalid:
        shown = "、".join(f"“{p}”" for p in invalid)
        raise FieldError(
            f"{field_label}中的{shown}不是有效选项，可选：{_allowed(mapping)}", "choice"
        )
    if not result:
        raise FieldError(f"{field_label}不能为空", "required")
    return result


# --- years and dates -----------------------------------------------------------------

_YEAR_RE = re.compile(r"(\d{4})\s*(?:年|届|级)?")
_DATE_SEP_RE = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_CN_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_DATE_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 given Excel's leap-year bug
_MAX_EXCEL_SERIAL = 2958465  # 9999-12-31
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def year(value: CellValue | object) -> int:
    """A four-digit year; accepts 2020, 2020.0, '2020', '2020年', '2020届' and date cells."""
    if isinstance(value, dt.date):
        return value.year
    text = normalize_text(value)
    if not text:
        raise FieldError("年份不能为空", "required")
    match = _YEAR_RE.fullmatch(text)
    if match is None or not _MIN_YEAR <= int(match.group(1)) <= _MAX_YEAR:
        raise FieldError(f"年份“{text}”无效，应为四位数字，如2025", "format")
    return int(match.group(1))


def _make_date(y: str | int, m: str | int, d: str | int, text: str) -> dt.date:
    try:
        result = dt.date(int(y), int(m), int(d))
    except ValueError:
        raise FieldError(f"日期“{text}”不存在", "invalid_date") from None
    if not _MIN_YEAR <= result.year <= _MAX_YEAR:
        raise FieldError(f"日期“{text}”超出合理范围", "invalid_date")
    return result


def date_value(value: CellValue | object) -> dt.date:
    """A calendar date from a date cell, an Excel serial number or common text forms.

    Text: '2020-06-30', '2020/6/30', '2020.6.30', '20200630', '2020年6月30日'.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)  # drops a time of day stored as the fraction of a serial
        if 10_000_000 <= number <= 99_999_999:  # 20200630 typed into a number cell
            text = str(number)
            return _make_date(text[:4], text[4:6], text[6:], text)
        if 1 <= number <= _MAX_EXCEL_SERIAL:
            result = _EXCEL_EPOCH + dt.timedelta(days=number)
            return _make_date(result.year, result.month, result.day, result.isoformat())
        raise FieldError(f"日期“{number}”无效", "format")
    text = normalize_text(value)
    if not text:
        raise FieldError("日期不能为空", "required")
    text = text.translate(_CODE_TABLE)
    match = (
        _DATE_SEP_RE.fullmatch(text)
        or _DATE_CN_RE.fullmatch(text)
        or _DATE_COMPACT_RE.fullmatch(text)
    )
    if match is None:
        raise FieldError(f"日期“{text}”格式无法识别，请使用2020-06-30这样的格式", "format")
    groups = [g for g in match.groups() if g not in ("-", "/", ".")]
    return _make_date(groups[0], groups[1], groups[2], text)


# --- masking for display and logs ----------------------------------------------------


def mask_id_number(number: str | None) -> str:
    """Keep the first 4 and last 2 characters: 3101************3X."""
    if not number:
        return ""
    n = len(number)
    if n < 12:  # not an ID number; showing 6 characters would show most of it
        return "*" * n
    return number[:4] + "*" * (n - 6) + number[-2:]


def mask_phone(number: str | None) -> str:
    """Keep the first 3 and last 4 digits of a mobile number: 138****5678."""
    if not number:
        return ""
    n = len(number)
    if n >= 11:
        return number[:3] + "*" * (n - 7) + number[-4:]
    if n >= 5:  # short or odd numbers: revealing 7 digits would reveal nearly all
        return "*" * (n - 2) + number[-2:]
    return "*" * n


def mask_email(address: str | None) -> str:
    """Mask the local part, keep the domain: z***n@example.com."""
    if not address:
        return ""
    local, at, domain = address.rpartition("@")
    if not at:
        return "*" * len(address)
    if len(local) <= 2:
        masked = local[:1] + "*" if len(local) == 2 else "*"
    else:
        masked = local[0] + "***" + local[-1]
    return masked + "@" + domain
