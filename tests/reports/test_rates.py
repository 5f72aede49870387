"""The rates selectors on the hand-built cohort of conftest.py (values worked out by hand)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from qihang.destinations.policy import policy_for
from qihang.graduates.models import KeyGroupKind
from qihang.institutions.scoping import build_actor
from qihang.reports import selectors
from tests.factories import confirm_key_group
from tests.reports.conftest import T_DATE, T, at, graduate, period

pytestmark = pytest.mark.django_db

CODES = ["10", "11", "12", "27", "46", "50", "51", "75", "76", "80", "85", "70", "71", "72"]


def counts(row):
    return {k: row[k] for k in ("total", "known", "placed", "signed")}


def rates(row):
    return {k: row[k] for k in ("placement_rate", "signing_rate", "knowledge_rate")}


def nonzero(row):
    return {code: n for code, n in row["by_code"].items() if n}


def test_official_rates_as_of_a_day_respect_period_boundaries(world):
    result = selectors.cohort_stats(
        actor=world.centre, cohort=world.school.cohort, by="department", as_of=T_DATE
    )
    total = result["total"]
    # g1's 70 ended before T, its 80 starts after T; g5's 12 ends exactly at T; g3's 11 starts
    # exactly at T; g4's 76 ends after T.
    assert counts(total) == {"total": 6, "known": 4, "placed": 3, "signed": 2}
    assert rates(total) == {"placement_rate": 0.5, "signing_rate": 0.3333, "knowledge_rate": 0.6667}
    assert nonzero(total) == {"10": 1, "11": 1, "76": 1, "71": 1}
    assert list(total["by_code"]) == CODES  # every top-level code, zeros included
    piano, voice = result["rows"]
    assert (piano["label"], voice["label"]) == ("钢琴系", "声乐歌剧系")
    assert counts(piano) == {"total": 3, "known": 1, "placed": 1, "signed": 1}
    assert rates(piano) == {
        "placement_rate": 0.3333,
        "signing_rate": 0.3333,
        "knowledge_rate": 0.3333,
    }
    assert counts(voice) == {"total": 3, "known": 3, "placed": 2, "signed": 1}
    assert rates(voice) == {"placement_rate": 0.6667, "signing_rate": 0.3333, "knowledge_rate": 1.0}
    assert result["as_of"] == "2020-06-30T23:59:59.999999+08:00"
    assert result["kind"] == "official"
    assert result["definitions"]["counted"] == "已审批"
    assert result["institution"] == {"code": "90001", "name": "东方音乐学院"}
    assert result["cohort"] == 2020


def test_a_moment_just_after_a_boundary(world):
    # One microsecond after T is midnight of 1 July: g5's 12 has ended (valid_to == T), g3's
    # 11 holds, and g4's 76 ends at that very instant (valid_to == t: no longer held).
    later = T + dt.timedelta(microseconds=1)
    result = selectors.cohort_stats(
        actor=world.centre, cohort=world.school.cohort, by="department", as_of=later
    )
    assert nonzero(result["total"]) == {"10": 1, "11": 1, "71": 1}
    # One microsecond before T: g3's 11 has not started, g5's 12 still holds.
    earlier = T - dt.timedelta(microseconds=1)
    result = selectors.cohort_stats(
        actor=world.centre, cohort=world.school.cohort, by="department", as_of=earlier
    )
    assert nonzero(result["total"]) == {"10": 1, "12": 1, "76": 1, "71": 1}
    # 1 July (local): g4's 76 ended at midnight; g1's 80 only starts on 5 July.
    result = selectors.cohort_stats(
        actor=world.centre, cohort=world.school.cohort, by="degree", as_of=dt.date(2020, 7, 1)
    )
    assert nonzero(result["total"]) == {"10": 1, "11": 1, "71": 1}


def test_reported_figures_count_every_submission(world):
    result = selectors.cohort_stats(
        actor=world.centre,
        cohort=world.school.cohort,
        by="department",
        as_of=T_DATE,
        kind="reported",
    )
    assert counts(result["total"]) == {"total": 6, "known": 6, "placed": 5, "signed": 2}
    assert nonzero(result["total"]) == {"10": 1, "11": 1, "71": 1, "76": 1, "80": 1, "85": 1}
    assert result["definitions"]["counted"] == "已填报"


def test_now_is_the_default_moment(world):
    result = selectors.cohort_stats(actor=world.centre, cohort=world.school.cohort, by="gender")
    # Today every official period that is still open counts: g0 10, g1 80, g2 71, g3 11.
    assert nonzero(result["total"]) == {"10": 1, "11": 1, "80": 1, "71": 1}


def test_signing_definition_comes_from_the_cohort_policy(world):
    cohort = world.school.cohort
    before = selectors.cohort_stats(actor=world.centre, cohort=cohort, by="gender", as_of=T_DATE)
    assert before["definitions"]["signing_definition"] == "签约率 = 代码 10、11 ÷ 毕业生总数"
    assert before["definitions"]["signing_codes"] == ["10", "11"]
    policy = policy_for(cohort)
    policy.signing_codes = ["10", "11", "76"]
    policy.save(update_fields=["signing_codes"])
    after = selectors.cohort_stats(actor=world.centre, cohort=cohort, by="gender", as_of=T_DATE)
    assert after["definitions"]["signing_definition"] == "签约率 = 代码 10、11、76 ÷ 毕业生总数"
    assert after["definitions"]["signing_codes"] == ["10", "11", "76"]
    assert after["total"]["signed"] == 3
    assert after["total"]["signing_rate"] == 0.5
    assert after["total"]["placement_rate"] == before["total"]["placement_rate"]
    placed = after["definitions"]["placed_codes"]
    assert "70" not in placed and "10" in placed and "85" in placed


def test_grouping_labels_are_what_people_see(world):
    def labels(by):
        result = selectors.cohort_stats(
            actor=world.centre, cohort=world.school.cohort, by=by, as_of=T_DATE
        )
        return {row["key"]: (row["label"], row["total"]) for row in result["rows"]}

    assert labels("degree") == {"bachelor": ("本科", 6)}
    assert labels("gender") == {"M": ("男", 3), "F": ("女", 3)}
    assert labels("origin_province") == {"310000": ("上海市", 6)}
    piano_major, voice_major = world.school.majors
    assert labels("major") == {
        str(piano_major.pk): ("钢琴系 · 音乐表演（本科）", 3),
        str(voice_major.pk): ("声乐歌剧系 · 音乐表演（本科）", 3),
    }
    # Employer province as of T: g0 in Shanghai, g3 in Jiangsu; the rest have none.
    assert labels("employer_province") == {
        "310000": ("上海市", 1),
        "320000": ("江苏省", 1),
        "": ("无单位所在地", 4),
    }


def test_key_groups_count_a_graduate_in_each_of_its_groups(world):
    g = world.graduates
    poor, minority, disability = KeyGroupKind.objects.order_by("sort_order", "pk")[:3]
    for grad, kind in ((g[0], poor), (g[0], minority), (g[2], minority), (g[3], disability)):
        confirm_key_group(grad, kind)
    result = selectors.cohort_stats(
        actor=world.centre, cohort=world.school.cohort, by="key_group", as_of=T_DATE
    )
    rows = {row["label"]: row for row in result["rows"]}
    assert list(rows) == [poor.name, minority.name, disability.name, "无"]
    assert counts(rows[poor.name]) == {"total": 1, "known": 1, "placed": 1, "signed": 1}
    assert counts(rows[minority.name]) == {"total": 2, "known": 2, "placed": 1, "signed": 1}
    assert counts(rows[disability.name]) == {"total": 1, "known": 1, "placed": 1, "signed": 1}
    assert counts(rows["无"]) == {"total": 3, "known": 1, "placed": 1, "signed": 0}
    # The rows overlap (g0 is in two groups); the total counts each graduate once.
    assert sum(row["total"] for row in result["rows"]) == 7
    assert counts(result["total"]) == {"total": 6, "known": 4, "placed": 3, "signed": 2}


def test_department_staff_see_only_their_departments(world):
    staff = build_actor(world.school.dept_staff, world.school.institution.pk)  # piano only
    result = selectors.cohort_stats(
        actor=staff, cohort=world.school.cohort, by="department", as_of=T_DATE
    )
    assert [row["label"] for row in result["rows"]] == ["钢琴系"]
    assert counts(result["total"]) == {"total": 3, "known": 1, "placed": 1, "signed": 1}
    by_gender = selectors.cohort_stats(
        actor=staff, cohort=world.school.cohort, by="gender", as_of=T_DATE
    )
    assert by_gender["total"]["total"] == 3
    progress = selectors.weekly_progress(actor=staff, cohort=world.school.cohort, as_of=T_DATE)
    assert progress["series"][0]["total"] == 3
    # Leadership reads the whole institution.
    leader = build_actor(world.school.leader, world.school.institution.pk)
    whole = selectors.cohort_stats(
        actor=leader, cohort=world.school.cohort, by="department", as_of=T_DATE
    )
    assert whole["total"]["total"] == 6


def test_other_institutions_and_lower_roles_are_refused(world, other_school):
    with pytest.raises(Http404):
        selectors.cohort_stats(actor=world.centre, cohort=other_school.cohort, by="department")
    teacher = build_actor(world.school.teacher, world.school.institution.pk)
    with pytest.raises(PermissionDenied):
        selectors.cohort_stats(actor=teacher, cohort=world.school.cohort, by="department")
    with pytest.raises(ValueError):
        selectors.cohort_stats(actor=world.centre, cohort=world.school.cohort, by="colour")


@pytest.fixture
def previous(world):
    """The 2019 cohort of the same school: two graduates, dated a year earlier."""
    from qihang.institutions.services import cohort_get_or_create

    school = world.school
    cohort = cohort_get_or_create(institution=school.institution, year=2019)
    piano_major, voice_major = school.majors
    p0 = graduate(school, piano_major, "2019001", "钱一", male=True, cohort=cohort)
    p1 = graduate(school, voice_major, "2019002", "钱二", male=False, cohort=cohort)
    p2 = graduate(school, voice_major, "2019003", "钱三", male=False, cohort=cohort)
    period(p0, "10", at(2019, 5, 10, 9))  # held on 30 June 2019
    period(p1, "80", at(2019, 6, 30, 18))  # approved late on the same day: still counts
    period(p2, "11", at(2019, 7, 1, 9))  # after the same day of 2019: not yet
    return cohort


def test_previous_cohort_on_the_same_day_of_the_year(world, previous):
    result = selectors.compare_previous(
        actor=world.centre, cohort=world.school.cohort, by="department", as_of=T_DATE
    )
    assert result["cohort"] == 2019
    assert result["as_of"] == "2019-06-30T23:59:59.999999+08:00"
    assert counts(result["total"]) == {"total": 3, "known": 2, "placed": 2, "signed": 1}
    assert {row["label"]: row["total"] for row in result["rows"]} == {"钢琴系": 1, "声乐歌剧系": 2}
    # No 2018 cohort: nothing to compare the 2019 one with.
    assert selectors.compare_previous(actor=world.centre, cohort=previous, by="department") is None


def test_dashboard_attaches_the_change_against_last_year(world, previous):
    data = selectors.dashboard(
        actor=world.centre, cohort=world.school.cohort, by="department", as_of=T_DATE
    )
    total = data["stats"]["total"]
    assert total["previous"]["placement_rate"] == 0.6667
    assert total["change"]["placement_rate"] == round(0.5 - 0.6667, 4)
    assert total["change"]["total"] == 3
    piano = data["stats"]["rows"][0]
    assert piano["previous"]["placement_rate"] == 1.0  # 钱一 placed, 1 of 1
    assert piano["change"]["placement_rate"] == -0.6667
    assert data["other_kind"] == "reported"
    assert data["other_total"]["placed"] == 5
    assert data["departments"] is data["stats"]
    mix = {item["code"]: item for item in data["mix"]}
    assert mix[""]["value"] == 2 and mix[""]["name"] == "尚无去向记录"
    assert mix["10"]["name"] == "10 签就业协议形式就业"


def test_weekly_progress_matches_the_as_of_figures(world, previous):
    progress = selectors.weekly_progress(
        actor=world.centre, cohort=world.school.cohort, as_of=T_DATE
    )
    current, before = progress["series"]
    assert (current["cohort"], before["cohort"]) == (2020, 2019)
    weeks = progress["weeks"]
    # 2020: week 1 is Monday 30 December 2019 to Sunday 5 January 2020.
    assert weeks[0]["end"] == "2020-01-05"
    assert weeks[0]["label"] == "第1周 01-05"
    assert len(weeks) == 53
    # The week containing T (Monday 29 June to Sunday 5 July, week 27) ends the series at T.
    last = 26
    assert current["placement_rate"][last] == 0.5
    assert current["signing_rate"][last] == 0.3333
    assert current["placement_rate"][last + 1] is None
    # Each full week's end agrees with cohort_stats as of that Sunday.
    for index in (1, 5, 9, 13, 17, 21, 25):
        sunday = dt.date.fromisoformat(weeks[index]["end"])
        expected = selectors.cohort_stats(
            actor=world.centre, cohort=world.school.cohort, by="gender", as_of=sunday
        )["total"]
        assert current["placed"][index] == expected["placed"], sunday
        assert current["known"][index] == expected["known"], sunday
    # The previous cohort runs through its season, aligned by week number.
    assert before["total"] == 3
    assert before["placed"][-1] == 3
    assert before["placement_rate"][-1] == 1.0


def test_progress_without_previous_cohort(world):
    progress = selectors.weekly_progress(
        actor=world.centre, cohort=world.school.cohort, as_of=T_DATE
    )
    assert len(progress["series"]) == 1


def test_empty_cohort(school):
    from qihang.institutions.services import cohort_get_or_create

    empty = cohort_get_or_create(institution=school.institution, year=2021)
    actor = build_actor(school.centre, school.institution.pk)
    for by in ("department", "major", "key_group", "employer_province"):
        result = selectors.cohort_stats(actor=actor, cohort=empty, by=by)
        assert result["rows"] == []
        assert counts(result["total"]) == {"total": 0, "known": 0, "placed": 0, "signed": 0}
        assert rates(result["total"]) == {
            "placement_rate": 0.0,
            "signing_rate": 0.0,
            "knowledge_rate": 0.0,
        }
    data = selectors.dashboard(actor=actor, cohort=empty, by="department")
    assert data["mix"] == []


def test_sub_codes_are_counted_under_their_reporting_code(world):
    # Periods carry the reporting code: 502 三支一扶 is recorded as 50.
    period(world.graduates[5], "50", at(2020, 7, 2, 9))
    result = selectors.cohort_stats(
        actor=world.centre, cohort=world.school.cohort, by="department", as_of=at(2020, 7, 3)
    )
    assert result["total"]["by_code"]["50"] == 1
    assert "502" not in result["total"]["by_code"]
