"""Tests for qihang.lib.validators (pure Python, no Django)."""

import datetime as dt

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from qihang.lib import validators as v
from qihang.lib.validators import FieldError

TODAY = dt.date(2025, 6, 1)
REGIONS = ["310104", "110101", "440304", "320321", "429004", "650102", "110103", "810000"]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def make_id(region: str, birth: dt.date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


VALID_ID = make_id("310104", dt.date(2003, 5, 17), 123)  # odd sequence: male


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(FieldError) as info:
        func(*args, **kwargs)
    return info.value.code


# --- normalize_text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  张三 ", "张三"),
        ("\u3000张三\u3000", "张三"),
        ("\u200b张\u200d三\ufeff", "张三"),
        ("ＡＢＣ１２３", "ABC123"),
        ("某某（中国）有限公司", "某某（中国）有限公司"),  # full-width punctuation kept
        ("0012", "0012"),
        (13812345678.0, "13812345678"),
        (13812345678, "13812345678"),
        (2.5, "2.5"),
        (True, "TRUE"),
        (dt.datetime(2020, 6, 30), "2020-06-30"),
        (dt.datetime(2020, 6, 30, 8, 5), "2020-06-30 08:05:00"),
        (dt.date(2020, 6, 30), "2020-06-30"),
        ("a\x00b", "ab"),
    ],
)
def test_normalize_text(raw, expected):
    assert v.normalize_text(raw) == expected


def test_is_blank():
    assert v.is_blank(None)
    assert v.is_blank(" \u3000\u200b ")
    assert not v.is_blank(0)
    assert not v.is_blank("0")


@given(st.text())
def test_normalize_text_is_idempotent(text):
    once = v.normalize_text(text)
    assert v.normalize_text(once) == once
    assert once == once.strip()


# --- digits --------------------------------------------------------------------------


def test_digits():
    assert v.digits("0012", field_label="学号") == "0012"
    assert v.digits(" ００１２ ", field_label="学号") == "0012"
    assert v.digits(2021001.0, field_label="学号") == "2021001"
    assert v.digits("200 030", length=6, field_label="邮政编码") == "200030"
    with pytest.raises(FieldError, match="学号只能包含数字"):
        v.digits("A12", field_label="学号")
    with pytest.raises(FieldError, match="应为6位数字") as info:
        v.digits(10000.0, length=6, field_label="邮政编码")
    assert "开头的0可能已丢失" in info.value.message
    assert error_code(v.digits, None, field_label="学号") == "required"
    assert error_code(v.digits, "  ", field_label="学号") == "required"


# --- ID numbers ----------------------------------------------------------------------


def test_id_number_accepts_and_normalises():
    assert v.id_number(VALID_ID, today=TODAY) == VALID_ID
    assert v.id_number(f" {VALID_ID}\u3000", today=TODAY) == VALID_ID
    assert v.id_number(VALID_ID.translate(FULLWIDTH), today=TODAY) == VALID_ID
    assert v.id_number(VALID_ID[:6] + " " + VALID_ID[6:], today=TODAY) == VALID_ID
    with_x = next(
        n for seq in range(1000) if (n := make_id("310104", dt.date(2000, 1, 1), seq))[-1] == "X"
    )
    assert v.id_number(with_x.lower(), today=TODAY) == with_x


def test_id_number_errors():
    assert error_code(v.id_number, None) == "required"
    assert error_code(v.id_number, VALID_ID[:17], today=TODAY) == "length"
    with pytest.raises(FieldError, match="15位旧号码"):
        v.id_number("310104800101123", today=TODAY)
    assert error_code(v.id_number, VALID_ID[:16] + "A" + VALID_ID[17], today=TODAY) == "format"
    bad_check = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    with pytest.raises(FieldError, match="校验码错误"):
        v.id_number(bad_check, today=TODAY)
    # Numeric cells: Excel has already replaced the last digits by zeros.
    assert error_code(v.id_number, 3.10104200305171e17, today=TODAY) == "numeric_precision"
    assert error_code(v.id_number, 310104200305171230, today=TODAY) == "numeric_precision"


def test_id_number_birth_date_checks():
    feb30 = "310104" + "20030230" + "123"
    with pytest.raises(FieldError, match="出生日期无效"):
        v.id_number(feb30 + ric.calc_check_digit(feb30 + "0"), today=TODAY)
    # Age limits are inclusive: 14 today, 80 until the 81st birthday.
    fourteen_today = make_id("310104", dt.date(2011, 6, 1), 1)
    assert v.id_number(fourteen_today, today=TODAY) == fourteen_today
    almost_fourteen = make_id("310104", dt.date(2011, 6, 2), 1)
    with pytest.raises(FieldError, match="年龄应在14至80岁之间"):
        v.id_number(almost_fourteen, today=TODAY)
    eighty = make_id("310104", dt.date(1944, 6, 2), 1)
    assert v.id_number(eighty, today=TODAY) == eighty
    eighty_one = make_id("310104", dt.date(1944, 6, 1), 1)
    assert error_code(v.id_number, eighty_one, today=TODAY) == "age"
    # Without `today` the real date is used.
    recent = make_id("310104", dt.date.today() - dt.timedelta(days=365 * 20), 1)
    assert v.id_number(recent) == recent


def test_id_number_region():
    unknown = make_id("999999", dt.date(2000, 1, 1), 1)
    with pytest.raises(FieldError, match="地区码“999999”不存在"):
        v.id_number(unknown, today=TODAY)
    # Abolished county, and a county created after the birth year: both real numbers.
    assert v.id_number(make_id("110103", dt.date(2005, 1, 1), 1), today=TODAY)
    assert v.id_number(make_id("110115", dt.date(1995, 1, 1), 1), today=TODAY)
    # Residence permits of Taiwan residents use 830000, which GB/T 2260 lacks.
    assert v.id_number(make_id("830000", dt.date(2000, 1, 1), 1), today=TODAY)


def test_id_number_sex():
    female = make_id("310104", dt.date(2003, 5, 17), 124)
    assert v.id_number(VALID_ID, sex="男", today=TODAY) == VALID_ID
    assert v.id_number(female, sex="女", today=TODAY) == female
    with pytest.raises(FieldError, match="性别与身份证号不符") as info:
        v.id_number(female, sex="男", today=TODAY)
    assert info.value.code == "sex"
    assert v.id_number_sex(VALID_ID) == "男"
    assert v.id_number_sex(female) == "女"
    assert v.id_number_birth_date(VALID_ID) == dt.date(2003, 5, 17)
    with pytest.raises(ValueError, match="sex must be"):
        v.id_number(VALID_ID, sex="M", today=TODAY)


ids = st.builds(
    make_id,
    st.sampled_from(REGIONS),
    st.dates(min_value=dt.date(1944, 6, 2), max_value=dt.date(2011, 6, 1)),
    st.integers(0, 999),
)


@given(ids, st.booleans(), st.booleans())
def test_generated_ids_round_trip(number, fullwidth, lower):
    raw = number.translate(FULLWIDTH) if fullwidth else number
    raw = raw.lower() if lower else raw
    assert v.id_number(f" {raw} ", today=TODAY) == number
    assert v.id_number(number, sex=v.id_number_sex(number), today=TODAY) == number


def test_region_created_after_birth_is_accepted_unlike_stdnum():
    # 福田区 (440304) exists since 1990; the code is the household registration's when
    # the card was first issued, so someone born in 1982 can have it.
    number = make_id("440304", dt.date(1982, 1, 1), 0)
    assert not ric.is_valid(number)
    assert v.id_number(number, today=TODAY) == number


@given(ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_single_character_corruption_fails_checksum(number, position, replacement):
    assume(number[position] != replacement)
    assume(position == 17 or replacement != "X")
    corrupted = number[:position] + replacement + number[position + 1 :]
    assert error_code(v.id_number, corrupted, today=TODAY) == "checksum"


@given(ids, st.integers(0, 16))
def test_adjacent_transposition_fails_checksum(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b and b != "X")
    swapped = number[:position] + b + a + number[position + 2 :]
    assert error_code(v.id_number, swapped, today=TODAY) == "checksum"


# --- divisions -----------------------------------------------------------------------


def test_division_code_and_names():
    assert v.division_code("310104") == "310104"
    assert v.division_code(310104.0) == "310104"
    assert v.division_name("310104") == "上海市徐汇区"
    assert v.division_name("440304") == "广东省深圳市福田区"
    assert v.division_name("110103") == "北京市崇文区"  # historic name without "[-2010]"
    assert v.division_name("500101") == "重庆市万州区"  # latest of several names
    assert v.division_name("310100") == "上海市"
    assert v.division_name("429004") == "湖北省仙桃市"
    assert v.division_name("810000") == "香港特别行政区"
    assert v.province_code("310104") == "310000"
    assert v.province_name("440304") == "广东省"
    assert v.province_name("820000") == "澳门特别行政区"


def test_division_code_errors():
    assert error_code(v.division_code, "31010") == "format"
    assert error_code(v.division_code, "999999") == "unknown"
    assert error_code(v.division_code, "310199") == "unknown"
    assert error_code(v.division_code, "110103", current_only=True) == "abolished"
    assert v.division_code("110105", current_only=True) == "110105"
    with pytest.raises(FieldError):
        v.division_name("999999")


# --- credit codes, phones, e-mail ----------------------------------------------------


def test_credit_code():
    assert v.credit_code("91110000600037341L") == "91110000600037341L"
    assert v.credit_code(" 91110000600037341l ") == "91110000600037341L"
    assert v.credit_code("9111 0000 6000 3734 1L") == "91110000600037341L"
    assert error_code(v.credit_code, "91110000600037341") == "length"
    assert error_code(v.credit_code, "91110000600037341M") == "checksum"
    assert error_code(v.credit_code, "A1110000600037341L") == "format"
    assert error_code(v.credit_code, "91110000600037341I") == "format"


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=10, max_size=10))
def test_generated_credit_codes_round_trip(tail):
    body = "91310104" + tail[:9]
    code = body + uscc.calc_check_digit(body)
    assert v.credit_code(code.lower()) == code


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        13812345678,
        13812345678.0,
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "86-13812345678",
        "008613812345678",
        "(+86) 13812345678",
        "１３８１２３４５６７８",
        "\u200b13812345678\u3000",
    ],
)
def test_mobile_phone_accepts(raw):
    assert v.mobile_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "021-64123456"])
def test_mobile_phone_rejects(raw):
    assert error_code(v.mobile_phone, raw) == "format"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),
        (" user+tag@mail.qq.com ", "user+tag@mail.qq.com"),
        ("ｕｓｅｒ＠ｑｑ．ｃｏｍ", "user@qq.com"),
        ("user@163。com", "user@163.com"),
        ("mailto:user@qq.com", "user@qq.com"),
    ],
)
def test_email_accepts(raw, expected):
    assert v.email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["user", "user@", "@qq.com", "user@qq", "us er@qq.com", "a..b@qq.com", "a@-qq.com", "a@qq.c"],
)
def test_email_rejects(raw):
    assert error_code(v.email, raw) == "format"


# --- choices -------------------------------------------------------------------------

POLITICS = {
    "中共党员": "party_member",
    "党员": "party_member",
    "共青团员": "league_member",
    "团员": "league_member",
    "群众": "masses",
    "Masses": "masses",
}


def test_choice():
    assert v.choice("党员", POLITICS, field_label="政治面貌") == "party_member"
    assert v.choice(" 共青团员 ", POLITICS, field_label="政治面貌") == "league_member"
    assert v.choice("MASSES", POLITICS, field_label="政治面貌") == "masses"
    assert v.choice("masses", POLITICS, field_label="政治面貌") == "masses"  # canonical
    assert v.choice("中共 党员", POLITICS, field_label="政治面貌") == "party_member"
    with pytest.raises(FieldError) as info:
        v.choice("民主党派", POLITICS, field_label="政治面貌")
    assert info.value.message == "政治面貌“民主党派”不是有效选项，可选：中共党员、共青团员、群众"
    assert error_code(v.choice, "", POLITICS, field_label="政治面貌") == "required"


def test_multi_choice():
    assert v.multi_choice("党员、团员；群众,党员", POLITICS, field_label="x") == [
        "party_member",
        "league_member",
        "masses",
    ]
    assert v.multi_choice("群众/团员", POLITICS, separators="/", field_label="x") == [
        "masses",
        "league_member",
    ]
    with pytest.raises(FieldError, match="“甲”、“乙”不是有效选项"):
        v.multi_choice("甲，群众，乙", POLITICS, field_label="x")
    assert error_code(v.multi_choice, "、，", POLITICS, field_label="x") == "required"


# --- years and dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [2020, 2020.0, "2020", " 2020年", "2020届", "２０２０", dt.date(2020, 9, 1)]
)
def test_year(raw):
    assert v.year(raw) == 2020


@pytest.mark.parametrize("raw", ["20", "1800", "abc", 2020.5, "2020-2021"])
def test_year_rejects(raw):
    with pytest.raises(FieldError):
        v.year(raw)


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(2020, 6, 30),
        dt.datetime(2020, 6, 30, 12, 0),
        "2020-06-30",
        "2020-6-30",
        "2020/6/30",
        "2020.6.30",
        "20200630",
        20200630,
        20200630.0,
        "2020年6月30日",
        "2020 年 6 月 30 日",
        "2020-06-30 00:00:00",
        "２０２０－０６－３０",
        44012,  # Excel serial number of 2020-06-30
        44012.5,
    ],
)
def test_date_value(raw):
    assert v.date_value(raw) == dt.date(2020, 6, 30)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2020-02-30", "invalid_date"),
        ("2020-6/30", "format"),
        ("30/06/2020", "format"),
        ("yesterday", "format"),
        ("", "required"),
        (None, "required"),
        ("18000101", "invalid_date"),
    ],
)
def test_date_value_rejects(raw, code):
    assert error_code(v.date_value, raw) == code


@given(
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]),
)
def test_date_formats_round_trip(date, fmt):
    assert v.date_value(date.strftime(fmt)) == date
    serial = (date - dt.date(1899, 12, 30)).days
    assert v.date_value(float(serial)) == date


# --- masks ---------------------------------------------------------------------------


def test_masks():
    assert v.mask_id_number("31010419900101123X") == "3101************3X"
    assert v.mask_phone("13812345678") == "138****5678"
    assert v.mask_email("zhangsan@example.com") == "z***n@example.com"
    assert v.mask_email("ab@example.com") == "a*@example.com"
    assert v.mask_email("a@example.com") == "*@example.com"
    assert v.mask_email("no-at-sign") == "**********"
    for mask in (v.mask_id_number, v.mask_phone, v.mask_email):
        assert mask("") == ""
        assert mask(None) == ""


@given(st.text(min_size=0, max_size=30))
def test_mask_id_number_never_reveals_the_middle(text):
    masked = v.mask_id_number(text)
    assert len(masked) == len(text)
    if len(text) >= 12:
        assert masked[4:-2] == "*" * (len(text) - 6)
    else:
        assert set(masked) <= {"*"}


@given(ids)
def test_mask_of_valid_id_hides_birth_date_and_sequence(number):
    masked = v.mask_id_number(number)
    assert masked[:4] == number[:4] and masked[-2:] == number[-2:]
    assert masked[4:16] == "*" * 12


@given(st.text(alphabet="0123456789", min_size=0, max_size=15))
def test_mask_phone_never_reveals_the_middle(text):
    masked = v.mask_phone(text)
    assert len(masked) == len(text)
    if len(text) >= 11:
        assert masked[3:-4] == "*" * (len(text) - 7)
    visible = sum(c != "*" for c in masked)
    assert visible <= len(text) * 7 // 11 + 1


@given(st.emails())
@example("000@A.aE")  # the middle repeats the first and last letters (issue 6)
@example("abcba@example.com")
def test_mask_email_keeps_domain_hides_local_part(address):
    local, _, domain = address.rpartition("@")
    masked = v.mask_email(address)
    assert masked.endswith("@" + domain)
    masked_local = masked[: -len(domain) - 1]
    if len(local) > 2:
        assert masked_local == local[0] + "***" + local[-1]
        # The middle is hidden, its length too: any other middle gives the same mask. (Looking
        # for the middle's text in the mask was wrong: "000" masks to "0***0", which contains
        # "0" because the first and last letters are shown, not because the middle leaked.)
        other = local[0] + "x" * (len(local) + 5) + local[-1]
        assert v.mask_email(other + "@" + domain) == masked
    else:
        # One or two letters: at most the first is shown.
        assert masked_local == (local[0] + "*" if len(local) == 2 else "*")


@given(st.emails())
def test_generated_emails_validate(address):
    local, _, domain = address.rpartition("@")
    assume(len(address) <= 254 and len(local) <= 64)
    assume(domain.isascii())
    assume(all(label for label in local.split(".")))
    # A cell starting like a formula (=, +, -, @) is neutralised as every text cell is, and a
    # leading apostrophe is Excel's "this is text" mark, dropped from every cell.
    assume(local[:1] not in ("=", "+", "-", "@", "'"))
    assert v.email(address) == local + "@" + domain.lower()
