"""Strategic regions: the reference data the migration loads, and the selectors over it."""

import pytest

from qihang.graduates.models import Graduate
from qihang.lib import places
from qihang.regions import selectors
from qihang.regions.models import Region, RegionMember, RegionSet

pytestmark = pytest.mark.django_db


def codes(found):
    return [r.code for r in found]


def test_the_2020_version_is_loaded_with_the_official_definitions():
    region_set = selectors.current_region_set()
    assert (region_set.version, str(region_set.published_on)) == ("2020", "2020-06-01")
    assert [(r.code, r.name) for r in selectors.regions()] == [
        ("west", "西部地区"),
        ("belt_and_road", "“一带一路”沿线国家"),
        ("yangtze_delta", "长三角地区"),
        ("jingjinji", "京津冀地区"),
        ("greater_bay_area", "粤港澳大湾区"),
        ("hainan_ftp", "海南自由贸易港"),
    ]
    members = {
        r.code: sorted(m.division or m.country for m in r.members.all())
        for r in Region.objects.filter(region_set=region_set).prefetch_related("members")
    }
    assert [places.division_name(d) for d in members["west"]] == [
        "内蒙古自治区", "广西壮族自治区", "重庆市", "四川省", "贵州省", "云南省",
        "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区",
    ]  # fmt: skip
    assert members["yangtze_delta"] == ["310000", "320000", "330000", "340000"]
    assert members["jingjinji"] == ["110000", "120000", "130000"]
    assert members["hainan_ftp"] == ["460000"]
    assert sorted(places.division_name(d) for d in members["greater_bay_area"]) == sorted(
        ["广州市", "深圳市", "珠海市", "佛山市", "惠州市", "东莞市", "中山市", "江门市", "肇庆市"]
        + ["香港特别行政区", "澳门特别行政区"]
    )
    assert len(members["belt_and_road"]) == 65 and {"RU", "KZ", "SG", "EG"} <= set(
        members["belt_and_road"]
    )
    assert all(r.definition and r.source for r in selectors.regions())


def test_every_member_division_is_a_current_division():
    for member in RegionMember.objects.exclude(division=""):
        row = places.division(member.division)
        assert row is not None and row.current and not row.placeholder, member.division
    for member in RegionMember.objects.exclude(country=""):
        assert len(member.country) == 2 and member.country.isupper(), member.country


@pytest.mark.parametrize(
    ("division", "country", "expected"),
    [
        ("440305", "", ["greater_bay_area"]),  # 深圳市南山区
        ("440300", "", ["greater_bay_area"]),
        ("441402", "", []),  # 梅州市梅江区: Guangdong, not the Bay Area
        ("440000", "", []),  # the province as a whole is not in the Bay Area
        ("810000", "", ["greater_bay_area"]),
        ("320506", "", ["yangtze_delta"]),
        ("340104", "", ["yangtze_delta"]),  # 合肥 (安徽)
        ("310000", "", ["yangtze_delta"]),
        ("130102", "", ["jingjinji"]),
        ("510104", "", ["west"]),  # 成都
        ("450102", "", ["west"]),  # 南宁 (广西)
        ("150102", "", ["west"]),  # 呼和浩特 (内蒙古)
        ("460106", "", ["hainan_ftp"]),
        ("420102", "", []),  # 武汉: central China
        ("", "KZ", ["belt_and_road"]),
        ("", "kz", ["belt_and_road"]),
        ("", "US", []),
        ("", "", []),
        ("510104", "KZ", ["west", "belt_and_road"]),  # both, in the regions' order
    ],
)
def test_regions_of(division, country, expected):
    assert codes(selectors.regions_of(division, country)) == expected
    assert list(selectors.region_codes_of(division, country)) == expected


def test_regions_are_read_once(django_assert_num_queries):
    selectors.clear_cache()
    # 1 the current region set, 2 its regions, 3 their members
    with django_assert_num_queries(3):
        selectors.regions_of("440305")
    with django_assert_num_queries(0):
        for code in ("320506", "510104", "460106", "110105"):
            selectors.regions_of(code)
        selectors.region_q("greater_bay_area", "origin_division")


def test_region_q_filters_any_division_column(school):
    g0, g1, g2 = school.graduates
    for graduate, division in ((g0, "440305"), (g1, "441402"), (g2, "320506")):
        graduate.origin_division = division
        graduate.save(update_fields=["origin_division"])
    by_region = {
        r.code: set(
            Graduate.objects.filter(selectors.region_q(r.code, "origin_division")).values_list(
                "pk", flat=True
            )
        )
        for r in selectors.regions()
    }
    assert by_region == {
        "west": set(),
        "belt_and_road": set(),  # no country column given: a country-only region matches none
        "yangtze_delta": {g2.pk},
        "jingjinji": set(),
        "greater_bay_area": {g0.pk},
        "hainan_ftp": set(),
    }
    q = selectors.region_q("belt_and_road", "division", "country")
    assert "country__in" in str(q) and "'KZ'" in str(q)
    with pytest.raises(LookupError):
        selectors.region_q("nowhere", "origin_division")


def test_a_later_version_becomes_current():
    later = RegionSet.objects.create(
        version="2030", name="战略区域（2030年版）", published_on="2030-01-01"
    )
    region = Region.objects.create(region_set=later, code="west", name="西部地区", sort_order=0)
    RegionMember.objects.create(region=region, division="420000")
    selectors.clear_cache()
    try:
        assert codes(selectors.regions_of("420102")) == ["west"]
        assert codes(selectors.regions_of("420102", version="2020")) == []
        assert codes(selectors.regions_of("510104")) == []
    finally:
        selectors.clear_cache()
