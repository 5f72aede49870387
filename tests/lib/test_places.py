"""qihang.lib.places: codes and names both ways, and what people type as a place."""

import pytest

from qihang.lib import places
from qihang.lib.places import Failure


def test_names_of_codes():
    assert places.division_name("320500") == "苏州市"
    assert places.division_name("320000") == "江苏省"
    assert places.division_name("810000") == "香港特别行政区"  # simplified, not 香港特別行政區
    assert places.division_name("110103") == "崇文区"  # abolished: its last name
    assert places.division_name("999999") == ""
    assert places.division_full_name("320500") == "江苏省苏州市"
    assert places.division_full_name("320506") == "江苏省苏州市吴中区"
    assert places.division_full_name("310104") == "上海市徐汇区"  # no 市辖区
    assert places.division_full_name("429004") == "湖北省仙桃市"  # no 省直辖县级行政区划
    assert places.division_full_name("440000") == "广东省"
    assert places.division_full_name("000000") == ""


def test_province_and_prefecture_of():
    assert places.province_of("320506") == "320000"
    assert places.province_of("320000") == "320000"
    assert places.prefecture_of("320506") == "320500"
    assert places.prefecture_of("320500") == "320500"
    assert places.prefecture_of("440305") == "440300"
    assert places.prefecture_of("310104") == "310000"  # a municipality's district
    assert places.prefecture_of("500229") == "500000"  # a municipality's county
    assert places.prefecture_of("429004") == "429004"  # under the province directly
    assert places.prefecture_of("469005") == "469005"  # 文昌市
    assert places.prefecture_of("310000") == "310000"
    with pytest.raises(ValueError, match="999999"):
        places.province_of("999999")
    with pytest.raises(ValueError):
        places.prefecture_of("3205")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # codes, also full-width and with spaces
        ("320500", "320500"),
        ("320506", "320506"),
        ("３２０５０６", "320506"),
        (" 310104 ", "310104"),
        ("310100", "310000"),  # 上海市市辖区: the municipality
        ("320501", "320500"),  # 苏州市市辖区: the city
        # full names
        ("江苏省苏州市", "320500"),
        ("上海市徐汇区", "310104"),
        ("北京市海淀区", "110108"),
        ("广东省深圳市福田区", "440304"),
        ("四川省凉山彝族自治州", "513400"),
        ("浙江省杭州市西湖区", "330106"),
        ("江苏省昆山市", "320583"),  # the prefecture skipped
        ("湖北省仙桃市", "429004"),
        ("湖北省随州市", "421300"),  # the city, not the county-level code of old
        ("香港特别行政区", "810000"),
        # short forms
        ("苏州市", "320500"),
        ("苏州", "320500"),
        ("上海", "310000"),
        ("北京", "110000"),
        ("广东深圳", "440300"),
        ("深圳南山", "440305"),
        ("江苏苏州", "320500"),
        ("苏州昆山", "320583"),
        ("昆山", "320583"),
        ("徐汇", "310104"),
        ("浦东", "310115"),
        ("北京朝阳", "110105"),
        ("湖北仙桃", "429004"),
        ("凉山州", "513400"),
        ("广西", "450000"),
        ("内蒙古", "150000"),
        ("新疆", "650000"),
        ("西藏拉萨", "540100"),
        ("乌鲁木齐", "650100"),
        ("香港", "810000"),
        ("澳门", "820000"),
        ("宁波", "330200"),
        ("三亚", "460200"),
        ("儋州", "460400"),
        # a bare short name is the higher division: the province, the city
        ("吉林", "220000"),
        ("海南", "460000"),  # not 青海省海南藏族自治州
        ("长沙", "430100"),  # not 长沙县
        ("长沙县", "430121"),
        ("天津和平", "120101"),
        # messy
        (" 江苏 苏州 ", "320500"),
        ("江苏省　苏州市", "320500"),  # ideographic space
        ("上海市市辖区", "310000"),
        ("上海市 市辖区 徐汇区", "310104"),
        ("苏州市区", "320500"),
        ("中国上海", "310000"),
        ("中华人民共和国北京市", "110000"),
        ("苏州（昆山）", "320583"),
        ("江苏-苏州", "320500"),
        # a clear prefix, then a place finer than a county
        ("上海市浦东新区张江镇", "310115"),
        ("苏州市工业园区", "320500"),
        ("江苏苏州工业园区", "320500"),
    ],
)
def test_resolves(text, code):
    assert places.resolve_division(text) == code
    assert places.resolve_division_detailed(text).ok


@pytest.mark.parametrize(
    ("text", "failure", "candidates"),
    [
        ("", Failure.EMPTY, ()),
        ("   ", Failure.EMPTY, ()),
        ("999999", Failure.UNKNOWN, ()),
        ("31010", Failure.UNKNOWN, ()),
        ("110103", Failure.ABOLISHED, ()),  # 崇文区, merged in 2010
        ("全国", Failure.UNKNOWN, ()),
        ("南京路", Failure.UNKNOWN, ()),  # 南京 + a tail: not clear enough
        ("上海、北京", Failure.MULTIPLE, ()),
        ("上海/苏州", Failure.MULTIPLE, ()),
        ("朝阳区", Failure.AMBIGUOUS, ("110105", "220104")),
        ("和平区", Failure.AMBIGUOUS, ("120101", "210102")),
        ("西湖区", Failure.AMBIGUOUS, ("330106", "360103")),
        ("南山区", Failure.AMBIGUOUS, ("230404", "440305")),
    ],
)
def test_fails_with_a_reason(text, failure, candidates):
    result = places.resolve_division_detailed(text)
    assert places.resolve_division(text) is None
    assert (result.code, result.failure, result.candidates) == (None, failure, candidates)
    assert result.reason


def test_reasons_read_as_sentences():
    assert places.resolve_division_detailed("朝阳区").reason == (
        "可能是北京市朝阳区（110105）、吉林省长春市朝阳区（220104），"
        "请写明省市或填写6位行政区划代码"
    )
    assert places.resolve_division_detailed("110103").reason == (
        "行政区划代码「110103」（北京市崇文区）已撤销"
    )
    many = places.resolve_division_detailed("鼓楼区")
    assert many.failure == Failure.AMBIGUOUS and len(many.candidates) == 4
    assert many.reason.startswith("可能是江苏省南京市鼓楼区（320106）、")


def test_every_current_full_name_resolves_to_its_code_or_is_ambiguous():
    for code in places.all_codes():
        row = places.division(code)
        if not row.current or row.placeholder:
            continue
        result = places.resolve_division_detailed(places.division_full_name(code))
        assert result.code == code or code in result.candidates or code == "429001", code


def test_demo_helpers():
    assert places.city_of("320506") == "苏州市"
    assert places.city_of("310104") == "上海市"
    assert places.short_place("513401") == "凉山"
    assert all(c.since <= 1990 for c in places.counties("32", born=1990))
    assert places.county("310104").name == "徐汇区"
    assert places.county("310100") is None
