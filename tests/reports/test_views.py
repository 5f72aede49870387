"""The dashboard page and the xlsx export: who sees what, what they state, how many queries."""

import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from qihang.destinations.models import DestinationPeriod
from qihang.destinations.policy import policy_for
from qihang.graduates.models import Graduate
from qihang.institutions.services import cohort_get_or_create
from qihang.reports import selectors, summary
from tests.reports.conftest import T_DATE, many_graduates

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")
EXPORT = reverse("reports:export")


@pytest.fixture
def previous_cohort(world):
    cohort = cohort_get_or_create(institution=world.school.institution, year=2019)
    policy_for(cohort)  # created once here, not inside the counted block
    return cohort


def test_dashboard_for_the_career_centre(world, client_for):
    response = client_for(world.school.centre).get(DASHBOARD, {"as_of": T_DATE.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "截至 2020-06-30 24:00" in html
    assert "签约率 = 代码 10、11 ÷ 毕业生总数" in html
    assert "已审批口径" in html
    assert "钢琴系" in html and "声乐歌剧系" in html
    # KPI: placement 50.0%, official vs reported (5 of 6 placed when counting submissions).
    assert "50.0%" in html and "已填报口径：83.3%" in html
    # Strict CSP: every script is a file or JSON data; no inline style attributes.
    inline = [tag for tag in re.findall(r"<script[^>]*>", html) if " src=" not in tag]
    assert inline == ['<script id="dashboard-data" type="application/json">']
    assert " style=" not in html
    data = json.loads(
        re.search(
            r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["ranking"]["measure"] == "rates"
    assert data["ranking"]["names"] == ["钢琴系", "声乐歌剧系"]  # low to high placement
    assert data["ranking"]["placement"] == [0.3333, 0.6667]
    assert data["definitions"]["signing"] == "签约率 = 代码 10、11 ÷ 毕业生总数"
    assert data["asOf"] == "2020-06-30 24:00"
    assert len(data["progress"]["weeks"]) == 53
    assert {m["name"] for m in data["mix"]} >= {"10 签就业协议形式就业", "尚无去向记录"}
    assert 'src="/static/reports/dashboard.js"' in html


def test_department_staff_see_their_departments(world, client_for):
    response = client_for(world.school.dept_staff).get(DASHBOARD, {"as_of": T_DATE.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "所负责院系" in html
    assert "钢琴系" in html and "声乐歌剧系" not in html


def test_who_may_see_the_rates(world, client_for):
    school = world.school
    assert client_for(school.leader).get(DASHBOARD).status_code == 200
    for user in (school.teacher, school.graduate_user):
        assert client_for(user).get(DASHBOARD).status_code == 403
        assert client_for(user).get(EXPORT).status_code == 403
    assert Client().get(DASHBOARD).status_code == 302  # signed out: to the login page


def test_groupings_sorting_and_bad_parameters(world, client_for):
    client = client_for(world.school.centre)
    response = client.get(
        DASHBOARD,
        {"as_of": T_DATE.isoformat(), "by": "gender", "sort": "placement_rate", "order": "asc"},
    )
    html = response.content.decode()
    body = html[html.index("<tbody>", html.index("rates-table")) :]
    assert body.index(">男<") < body.index(">女<")  # 男 1/3 placed, 女 2/3
    assert 'aria-sort="ascending"' in html
    response = client.get(
        DASHBOARD,
        {"as_of": T_DATE.isoformat(), "by": "gender", "sort": "placement_rate", "order": "desc"},
    )
    html = response.content.decode()
    body = html[html.index("<tbody>", html.index("rates-table")) :]
    assert body.index(">女<") < body.index(">男<")
    # Unknown values fall back to the defaults; a future date is refused with a message.
    response = client.get(DASHBOARD, {"by": "colour", "sort": "drop table", "as_of": "2999-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "截至日期不能晚于今天" in html
    assert "按院系统计" in html


def test_export_has_the_numbers_and_the_definitions(world, client_for):
    response = client_for(world.school.centre).get(
        EXPORT, {"as_of": T_DATE.isoformat(), "by": "department"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header_text = "\n".join(str(r[0]) for r in cells[:12] if r[0])
    assert "东方音乐学院 2020届毕业生就业数据（按院系）" in header_text
    assert "截至：2020-06-30 24:00" in header_text
    assert "签约率 = 代码 10、11 ÷ 毕业生总数" in header_text
    assert "统计口径：已审批的毕业去向" in header_text
    top = next(i for i, r in enumerate(cells) if r[0] == "院系")
    header = cells[top]
    assert header[:8] == [
        "院系",
        "毕业生数",
        "去向已知",
        "已落实",
        "已签约",
        "毕业去向落实率",
        "签约率",
        "去向知晓率",
    ]
    assert "10 签就业协议形式就业" in header
    piano, voice, total = cells[top + 1], cells[top + 2], cells[top + 3]
    assert piano[:8] == ["钢琴系", 3, 1, 1, 1, 0.3333, 0.3333, 0.3333]
    assert voice[:8] == ["声乐歌剧系", 3, 3, 2, 1, 0.6667, 0.3333, 1.0]
    assert total[:8] == ["合计", 6, 4, 3, 2, 0.5, 0.3333, 0.6667]
    assert total[header.index("76 自由职业")] == 1
    assert ws.cell(row=top + 2, column=6).number_format == "0.00%"


def _count(client, path, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), ctx.captured_queries


def test_query_counts_do_not_grow_with_graduates(world, client_for, django_assert_num_queries):
    """The same queries for the 6 graduates of the world and for 200."""
    # The dashboard page, as the career centre, runs (SQLite / PostgreSQL):
    #   session, user, memberships (+ their departments), institution for the header
    #   cohorts of the selector (with institution), previous cohort, cohort policies,
    #   destination codes;
    #   this cohort by department: 1 aggregate + department names  (PostgreSQL: flows,
    #   window correction, roster counts + department names);
    #   the other kind's total: 1 (PostgreSQL: 3); the previous cohort by department: 2 (4);
    #   the weekly series of both cohorts: 3 (flows, correction, rosters on PostgreSQL).
    # The export: session, user, memberships, cohorts, policies and codes, this cohort (2 / 4),
    # previous cohort (1) and its figures (2 / 4), policies and codes once more (2).
    client = client_for(world.school.centre)
    for params in ({}, {"as_of": "2020-05-13"}, {"by": "major"}, {"by": "key_group"}):
        page_small, _ = _count(client, DASHBOARD, params)
        export_small, _ = _count(client, EXPORT, params)
        many_graduates(world.school, 194, prefix="bulk")
        with django_assert_num_queries(page_small):
            client.get(DASHBOARD, params)
        with django_assert_num_queries(export_small):
            client.get(EXPORT, params)
        assert Graduate.objects.filter(cohort=world.school.cohort).count() == 200
        DestinationPeriod.objects.filter(graduate__student_no__startswith="bulk").delete()
        Graduate.objects.filter(student_no__startswith="bulk").delete()


def test_dashboard_selector_query_count(world, previous_cohort, django_assert_num_queries):
    actor = world.centre
    # 1 the previous cohort, 2 the cohorts' policies, 3 the destination codes, then
    # PostgreSQL (summaries; each figure counted with its cohort's roster as of the same
    #   moment): 4 flows and 5 in-week corrections for every as-of figure together,
    #   6 department names, 7 weekly flows, 8 weekly corrections;
    #   (as of 30 June 2020 the flows are summed forward; as of now, one more query reads the
    #   all-time totals and only the flows after this week are taken off them);
    # SQLite (direct counts): 4 this cohort by department, 5 the other kind's total, 6 the
    #   previous cohort by department, 7 department names, 8 holdings (destination periods
    #   within roster periods, and roster periods) for the weekly series.
    with django_assert_num_queries(9 if summary.supported() else 8):
        selectors.dashboard(actor=actor, cohort=world.school.cohort, by="department")
    with django_assert_num_queries(8):
        data = selectors.dashboard(
            actor=actor, cohort=world.school.cohort, by="department", as_of=T_DATE
        )
    assert data["previous"]["cohort"] == 2019


def _chart(html: str) -> dict:
    return json.loads(
        re.search(
            r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )


def _table(html: str, css_class: str) -> str:
    start = html.index(f"{css_class} ")
    return html[start : html.index("</table>", start)]


def test_the_default_as_of_is_the_last_day_of_a_past_season(world, client_for):
    """Six years after the 2020 season, the page opens on its last recorded day (g1's 80 on
    5 July), shows it in the date field and compares with 5 July of the previous year."""
    html = client_for(world.school.centre).get(DASHBOARD).content.decode()
    assert "截至 2020-07-05 24:00" in html
    assert 'name="as_of" value="2020-07-05"' in html
    assert "2020届的就业季已过，默认显示最后一次记录去向的日期 2020-07-05" in html
    # Changeable: another day is taken as asked, with a way back to the default.
    html = client_for(world.school.centre).get(DASHBOARD, {"as_of": "2020-06-30"}).content
    assert "截至 2020-06-30 24:00" in html.decode()
    assert "回到默认日期（2020-07-05）" in html.decode()
    # The export without a day is the table the page shows: the same default day.
    response = client_for(world.school.centre).get(EXPORT)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "截至：2020-07-05 24:00" in "\n".join(str(r[0].value) for r in sheet.iter_rows())
    # Department staff open on the same day as the career centre.
    html = client_for(world.school.dept_staff).get(DASHBOARD).content.decode()
    assert "截至 2020-07-05 24:00" in html


def test_the_default_as_of_is_today_during_the_season(world):
    from qihang.reports.dashboard import default_as_of

    today = dt.date(2020, 8, 3)
    assert default_as_of(actor=world.centre, cohort=world.school.cohort, today=today) == today
    later = dt.date(2021, 2, 1)
    assert default_as_of(actor=world.centre, cohort=world.school.cohort, today=later) == (
        dt.date(2020, 7, 5)
    )
    empty = cohort_get_or_create(institution=world.school.institution, year=2018)
    assert default_as_of(actor=world.centre, cohort=empty, today=later) == later
    # A graduate leaving the roster later is the season's last event too.
    from qihang.graduates.models import RosterPeriod
    from tests.reports.conftest import at

    RosterPeriod.objects.filter(graduate=world.graduates[2]).update(valid_to=at(2020, 7, 20, 10))
    assert default_as_of(actor=world.centre, cohort=world.school.cohort, today=later) == (
        dt.date(2020, 7, 20)
    )


def test_the_chart_follows_the_grouping(world, client_for):
    client = client_for(world.school.centre)
    html = client.get(DASHBOARD, {"as_of": T_DATE.isoformat(), "by": "gender"}).content.decode()
    ranking = _chart(html)["ranking"]
    assert ranking["names"] == ["男", "女"]  # 男 1/3 placed, 女 2/3: low to high
    assert ranking["placement"] == [0.3333, 0.6667]
    assert "各性别毕业去向落实率与签约率" in html
    html = client.get(DASHBOARD, {"as_of": T_DATE.isoformat(), "by": "major"}).content.decode()
    assert len(_chart(html)["ranking"]["names"]) == 2
    assert all("音乐表演" in name for name in _chart(html)["ranking"]["names"])


def test_employer_province_shows_where_placed_graduates_went(world, client_for):
    """As of T: 10 in 上海 (g0), 11 in 江苏 (g3), 76 with no employer place (g4)."""
    html = (
        client_for(world.school.centre)
        .get(DASHBOARD, {"as_of": T_DATE.isoformat(), "by": "employer_province"})
        .content.decode()
    )
    ranking = _chart(html)["ranking"]
    assert ranking["measure"] == "share"
    assert ranking["names"] == ["无单位所在地", "上海市", "江苏省"]  # ties: table order
    assert ranking["placed"] == [1, 1, 1]
    assert ranking["share"] == [0.3333, 0.3333, 0.3333]
    assert ranking["placedTotal"] == 3
    table = _table(html, "rates-table")
    assert "占已落实毕业生" in table and "33.3%" in table
    assert "毕业去向落实率" not in table and "100.00%" not in table
    assert "已落实毕业生去了哪里（单位所在地）" in html


def test_codes_have_a_table_of_their_own_with_a_legend(world, client_for):
    html = client_for(world.school.centre).get(DASHBOARD, {"as_of": T_DATE.isoformat()})
    html = html.content.decode()
    rates = _table(html, "rates-table")
    assert 'title="签就业协议形式就业"' not in rates  # no code columns in the rates table
    codes = _table(html, "codes-table")
    assert 'title="签就业协议形式就业"' in codes
    legend = html[html.index('<dl class="code-legend') : html.index("</dl>")]
    assert "<dt>46</dt><dd>应征义务兵</dd>" in legend  # named even when nobody holds it
    assert "<dt>10</dt><dd>签就业协议形式就业</dd>" in legend


def test_a_single_department_ranks_what_is_inside_it(world, client_for):
    """钢琴系 has one major: its chart ranks its men and women instead of one bar."""
    html = (
        client_for(world.school.dept_staff)
        .get(DASHBOARD, {"as_of": T_DATE.isoformat()})
        .content.decode()
    )
    ranking = _chart(html)["ranking"]
    assert ranking["names"] == ["女", "男"]  # g1 0/1 placed; g0, g5 1/2
    assert ranking["placement"] == [0.0, 0.5]
    assert "只负责一个院系：按院系内的性别排列。" in html


def test_export_by_employer_province_says_where_placed_graduates_went(world, client_for):
    response = client_for(world.school.centre).get(
        EXPORT, {"as_of": T_DATE.isoformat(), "by": "employer_province"}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    top = next(i for i, r in enumerate(cells) if r[1] == "毕业生数")
    header = cells[top]
    # Every row is placed by definition: a share of the placed, not a rate that reads 100%.
    assert header[1:6] == ["毕业生数", "去向已知", "已落实", "已签约", "占已落实毕业生"]
    assert "毕业去向落实率" not in header
    rows = {r[0]: r for r in cells[top + 1 :] if r[0]}
    placed = rows["合计"][3]
    provinces = [r for label, r in rows.items() if label != "合计"]
    assert placed == sum(r[3] for r in provinces) > 0
    assert rows["合计"][5] == 1.0
    assert [r[5] for r in provinces] == [round(r[3] / placed, 4) for r in provinces]


def test_export_neutralises_a_name_a_spreadsheet_would_run(world, client_for):
    world.piano.name = '=HYPERLINK("http://example.invalid","钢琴系")'
    world.piano.save(update_fields=["name"])
    response = client_for(world.school.centre).get(
        EXPORT, {"as_of": T_DATE.isoformat(), "by": "department"}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    labels = [ws.cell(row=r, column=1) for r in range(1, ws.max_row + 1)]
    hostile = [c for c in labels if "HYPERLINK" in str(c.value)]
    assert [c.value for c in hostile] == ['\'=HYPERLINK("http://example.invalid","钢琴系")']
    assert hostile[0].data_type == "s"
