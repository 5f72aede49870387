"""Rates by strategic region: where placed graduates went, as of a day.

graduate  official periods                                              region
g0        10 03-01..06-01 09:00 成都 510104, then 10 深圳南山 440305       西部, then 粤港澳
g1        11 from 04-01 苏州吴中 320506                                  长三角
g2        76 from 04-01, no employer place                               —
g3        10 from 05-01 梅州梅江 441402 (广东, not the Bay Area)          —
g4        10 from 05-01 海口龙华 460106                                  海南自贸港
g5        70 from 03-01 (not placed)                                     —
(test_belt_and_road_counts_by_country adds graduates abroad and in 上海.)
"""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from qihang.destinations.models import DestinationPeriod
from qihang.destinations.policy import policy_for
from qihang.reports import selectors, summary
from tests.reports.conftest import T_DATE, at, graduate, period

pytestmark = pytest.mark.django_db

REGIONS = ["west", "belt_and_road", "yangtze_delta", "jingjinji", "greater_bay_area", "hainan_ftp"]


@pytest.fixture
def regions_world(school):
    policy_for(school.cohort)  # created once here, not inside a counted call
    g0, g1, g2 = school.graduates
    piano, voice = school.majors
    g3 = graduate(school, voice, "2020004", "孙丽", male=False)
    g4 = graduate(school, voice, "2020005", "周红", male=False)
    g5 = graduate(school, piano, "2020006", "吴刚", male=True)
    period(g0, "10", at(2020, 3, 1, 9), at(2020, 6, 1, 9), division="510104")
    period(g0, "10", at(2020, 6, 1, 9), division="440305")
    period(g1, "11", at(2020, 4, 1, 9), division="320506")
    period(g2, "76", at(2020, 4, 1, 9))
    period(g3, "10", at(2020, 5, 1, 9), division="441402")
    period(g4, "10", at(2020, 5, 1, 9), division="460106")
    period(g5, "70", at(2020, 3, 1, 9))
    return school


def figures(school, as_of, kind="official"):
    from qihang.institutions.scoping import build_actor

    actor = build_actor(school.centre, school.institution.pk)
    result = selectors.cohort_stats(
        actor=actor, cohort=school.cohort, by="region", as_of=as_of, kind=kind
    )
    rows = {r["key"]: (r["label"], r["total"], r["placed"], r["signed"]) for r in result["rows"]}
    total = result["total"]
    return rows, (total["total"], total["placed"], total["signed"]), result


def test_by_region_as_of_the_end_of_june(regions_world):
    rows, total, result = figures(regions_world, T_DATE)
    assert list(rows) == [*REGIONS, ""]  # every region, nobody there included; "none" last
    assert rows == {
        "west": ("西部地区", 0, 0, 0),
        "belt_and_road": ("“一带一路”沿线国家", 0, 0, 0),  # nobody abroad
        "yangtze_delta": ("长三角地区", 1, 1, 1),
        "jingjinji": ("京津冀地区", 0, 0, 0),
        "greater_bay_area": ("粤港澳大湾区", 1, 1, 1),
        "hainan_ftp": ("海南自由贸易港", 1, 1, 1),
        "": ("不在上述区域", 3, 2, 1),  # g2 76 without a place, g3 梅州, g5 not placed
    }
    assert total == (6, 5, 4)  # each graduate once
    definition = result["definitions"]["grouping_definition"]
    assert "战略区域（2020年版）" in definition
    assert "可同时计入多个区域" in definition
    assert "“一带一路”沿线国家按去向记录的国家/地区" in definition and "暂不计入" not in definition


def test_belt_and_road_counts_by_country(regions_world):
    """g6 studies in Moscow, g7 in Berlin, g8 works in 上海: only g6 is in the Belt and Road
    countries; as of a day before g6's country was corrected to Germany, g6 still counts."""
    piano = regions_world.majors[0]
    g6 = graduate(regions_world, piano, "2020007", "郑琴", male=False)
    g7 = graduate(regions_world, piano, "2020008", "王笛", male=True)
    g8 = graduate(regions_world, piano, "2020009", "冯笙", male=True)
    period(g6, "85", at(2020, 5, 1, 9), country="RU")
    period(g7, "85", at(2020, 5, 1, 9), country="DE")
    period(g8, "10", at(2020, 5, 1, 9), division="310104")
    rows, total, _ = figures(regions_world, T_DATE)
    assert rows["belt_and_road"] == ("“一带一路”沿线国家", 1, 1, 0)
    assert rows["yangtze_delta"][1] == 2  # g1 苏州 and g8 上海
    assert rows[""][1] == 4  # g7 (Germany) among those in no region
    assert total == (9, 8, 5)
    # g6's country is corrected to Germany in July: June's figures stay as they were.
    DestinationPeriod.objects.filter(graduate=g6, valid_to=None).update(valid_to=at(2020, 7, 2, 9))
    period(g6, "85", at(2020, 7, 2, 9), country="DE")
    assert figures(regions_world, T_DATE)[0]["belt_and_road"][1] == 1
    assert figures(regions_world, T_DATE.replace(month=7, day=31))[0]["belt_and_road"][1] == 0


def test_as_of_a_day_is_what_held_that_day(regions_world):
    rows, total, _ = figures(regions_world, T_DATE.replace(month=5, day=31))
    assert rows["west"] == ("西部地区", 1, 1, 1)  # g0 was in 成都 then
    assert rows["greater_bay_area"] == ("粤港澳大湾区", 0, 0, 0)
    assert total == (6, 5, 4)
    rows, total, _ = figures(regions_world, T_DATE.replace(month=3, day=31))
    assert (rows["west"][1], rows["yangtze_delta"][1], rows["hainan_ftp"][1]) == (1, 0, 0)
    assert rows[""] == ("不在上述区域", 5, 0, 0)
    assert total == (6, 1, 1)
    # A later move (to 北京 on 07-01) does not change an earlier day's figures.
    g0 = regions_world.graduates[0]
    DestinationPeriod.objects.filter(graduate=g0, valid_to=None).update(valid_to=at(2020, 7, 1, 9))
    period(g0, "10", at(2020, 7, 1, 9), division="110105")
    assert figures(regions_world, T_DATE)[0]["greater_bay_area"][1] == 1
    assert figures(regions_world, T_DATE.replace(month=7, day=31))[0]["jingjinji"][1] == 1


def test_counted_in_a_constant_number_of_queries(regions_world, django_assert_num_queries):
    from qihang.institutions.scoping import build_actor
    from qihang.regions import selectors as regions

    actor = build_actor(regions_world.centre, regions_world.institution.pk)
    regions.regions()  # the regions are read once per process
    cohort = (
        type(regions_world.cohort)
        .objects.select_related("institution")
        .get(pk=regions_world.cohort.pk)
    )
    # 1 policy, 2 codes, 3 counts by place (division and country), 4 total counts (on PostgreSQL the total comes
    # from the summaries: 4 weekly flows, 5 the in-week correction)
    with django_assert_num_queries(5 if summary.supported() else 4):
        selectors.cohort_stats(actor=actor, cohort=cohort, by="region", as_of=T_DATE)


def test_the_command_prints_regions_and_their_definition(regions_world):
    out = io.StringIO()
    call_command(
        "stats", "--institution", "90001", "--cohort", "2020", "--by", "region",
        "--as-of", T_DATE.isoformat(), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "按单位所在战略区域" in text and "粤港澳大湾区" in text and "不在上述区域" in text
    assert "可同时计入多个区域" in text
    out = io.StringIO()
    call_command(
        "stats", "--institution", "90001", "--cohort", "2020", "--by", "region",
        "--as-of", T_DATE.isoformat(), "--json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["by"] == "region"
    assert [r["key"] for r in data["rows"]] == [*REGIONS, ""]
    assert data["total"]["placed"] == 5


def test_dashboard_by_region_shows_shares_and_definitions(regions_world, client_for):
    response = client_for(regions_world.centre).get(
        reverse("reports:dashboard"), {"as_of": T_DATE.isoformat(), "by": "region"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "占已落实毕业生" in html and "该区域人数" in html
    assert "战略区域的定义" in html and "《粤港澳大湾区发展规划纲要》" in html
    assert "各战略区域已落实毕业生人数及占比条形图" in html
    assert "可同时计入多个区域" in html
