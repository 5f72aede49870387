"""The dashboard in Debian's Chromium: the default day, charts that follow the grouping, named
donut slices, tables that fit. Screenshots under test-artifacts/dashboard-*.png."""

import pytest
from django.urls import reverse

from tests.browser.helpers import sign_in
from tests.reports.conftest import world  # noqa: F401 (the fixture)

DASHBOARD = reverse("reports:dashboard")


def _option(page, element_id: str) -> dict:
    return page.evaluate(
        "id => { const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();"
        " return {names: (o.yAxis && o.yAxis[0] && o.yAxis[0].data) || [],"
        " labels: o.series[0].data.map((d, i) => typeof o.series[0].label.formatter === 'function'"
        "   ? o.series[0].label.formatter({name: d.name, value: d.value !== undefined ? d.value : d,"
        "     dataIndex: i, data: d}) : '')}; }",
        element_id,
    )


def _fits(page, selector: str) -> bool:
    return page.evaluate(
        "sel => { const el = document.querySelector(sel).closest('.table-responsive');"
        " return el.scrollWidth <= el.clientWidth; }",
        selector,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dashboard_tells_the_season_s_story(
    live_server,
    page,
    shot,
    axe_violations,
    world,  # noqa: F811
):
    base = live_server.url
    sign_in(page, base, world.school.centre.username)
    page.goto(base + DASHBOARD)
    page.wait_for_load_state("networkidle")
    assert page.input_value("input[name=as_of]") == "2020-07-05"
    assert "截至 2020-07-05 24:00" in page.inner_text("main")
    mix = _option(page, "chart-mix")
    assert "10 签就业协议形式就业 17%" in mix["labels"]  # 1 of 6
    assert _option(page, "chart-ranking")["names"] == ["声乐歌剧系", "钢琴系"]  # 1/3, 2/3
    assert _fits(page, "table.rates-table")
    assert _fits(page, "table.codes-table")
    assert page.locator("dl.code-legend").inner_text().count("\n") >= 13
    shot(page, "dashboard-01-centre-default-day")
    assert axe_violations(page) == []

    page.select_option("select[name=by]", "major")
    page.click("form.report-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    names = _option(page, "chart-ranking")["names"]
    assert len(names) == 2 and all("音乐表演" in n for n in names)
    shot(page, "dashboard-02-by-major")

    page.select_option("select[name=by]", "employer_province")
    page.click("form.report-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    ranking = _option(page, "chart-ranking")
    assert ranking["names"][-2:] == ["上海市", "江苏省"]
    assert ranking["labels"][-1] == "1人 · 33.3%"  # 1 of the 3 placed as of 5 July
    shot(page, "dashboard-03-by-employer-province")
    assert axe_violations(page) == []
    assert not [e for e in page.console_errors if "favicon" not in e]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_single_department_sees_a_chart_worth_reading(
    live_server,
    page,
    shot,
    axe_violations,
    world,  # noqa: F811
):
    base = live_server.url
    sign_in(page, base, world.school.dept_staff.username)
    page.goto(base + DASHBOARD)
    page.wait_for_load_state("networkidle")
    # 钢琴系 has one major: men (1 of 2 placed) and women (1 of 1) as of 5 July.
    assert _option(page, "chart-ranking")["names"] == ["男", "女"]
    shot(page, "dashboard-04-single-department")
    assert axe_violations(page) == []
