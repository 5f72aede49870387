"""Figures as of a day are what the records said at the end of that day, and never move again.

The held-out check of issue 6: a later roster import with additions, transfers and leavers
leaves every figure of earlier days unchanged to the digit, on both databases (PostgreSQL
reads the summaries, SQLite counts directly). A graduate added on day D counts from D, a move
on D moves them from D, a graduate who leaves on D stops counting from D.
"""

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from qihang.destinations.models import DestinationPeriod
from qihang.destinations.policy import policy_for
from qihang.graduates.importing import HEADERS, import_roster
from qihang.graduates.models import Graduate, RosterPeriod, RosterStatus
from qihang.imports.samples import roster_rows
from qihang.institutions.models import Cohort, Department, Major
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import membership_grant
from qihang.reports import selectors, summary
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
PAST_DAYS = [dt.date(2020, 3, 31), dt.date(2020, 6, 30), dt.date(2020, 7, 15)]
GROUPINGS = ("department", "major", "degree", "gender", "origin_province", "key_group")
ROW_HEADERS = list(HEADERS[:16])  # roster_rows' sixteen columns, then the status columns
STATUS_HEADERS = ["在册状态", "状态原因", "状态日期"]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow([*ROW_HEADERS, *STATUS_HEADERS])
        out.writerows(rows)
    return path


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def figures(actors, cohort):
    """Every as-of figure the reports show, for each actor and past day."""
    out = {}
    for name, actor in actors.items():
        for day in PAST_DAYS:
            for by in GROUPINGS:
                for kind in ("official", "reported"):
                    out[name, day, by, kind] = selectors.cohort_stats(
                        actor=actor, cohort=cohort, by=by, as_of=day, kind=kind
                    )
            progress = selectors.weekly_progress(actor=actor, cohort=cohort, as_of=day)
            out[name, day, "weekly"] = progress["series"]
    return out


@pytest.fixture
def season(school, tmp_path):
    """A roster of 40 imported (as if) in autumn 2019, a season of destinations in 2020."""
    rows = [row.values() for row in roster_rows(40, seed=7)]
    result = import_roster(
        write(tmp_path / "autumn.csv", [[*r, "", "", ""] for r in rows]),
        filename="autumn.csv",
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
    )
    assert result.ok, result.as_text()
    # As if that import had run on 1 October 2019 (the triggers follow the update).
    RosterPeriod.objects.update(valid_from=at(2019, 10, 1, 9))
    cohort = Cohort.objects.get(institution=school.institution, year=2020)
    policy_for(cohort)
    # The school's three graduates of 2020 are there too; `graduates` follows the file's rows.
    by_no = {g.student_no: g for g in Graduate.objects.filter(cohort=cohort)}
    graduates = [by_no[r[0]] for r in rows]
    for i, g in enumerate(sorted(by_no.values(), key=lambda g: g.student_no)):
        code = ("10", "11", "76", "80", "70")[i % 5]
        start = at(2020, 3 + i % 4, 1 + i % 27, 10)
        for kind, delay in (("reported", 0), ("official", 3)):
            DestinationPeriod.objects.create(
                institution=school.institution,
                cohort=cohort,
                graduate=g,
                kind=kind,
                code=code,
                valid_from=start + dt.timedelta(days=delay),
            )
    department = Department.objects.get(
        institution=school.institution, pk=graduates[0].department_id
    )
    staff = make_user("dept-as-of")
    membership_grant(
        institution=school.institution,
        user=staff,
        role=Role.DEPARTMENT_STAFF,
        departments=[department],
    )
    actors = {
        "centre": build_actor(school.centre, school.institution.pk),
        "department": build_actor(staff, school.institution.pk),
    }
    return cohort, rows, graduates, actors


def test_a_later_import_with_additions_transfers_and_leavers_moves_no_past_figure(
    school, season, tmp_path
):
    cohort, rows, graduates, actors = season
    before = figures(actors, cohort)
    now_before = selectors.cohort_stats(actor=actors["centre"], cohort=cohort, by="department")
    total = now_before["total"]["total"]
    assert total == 43  # 40 imported and the school's three

    # The later import: everyone again, two newcomers, a transfer to another department and
    # major, a withdrawal and a deferral (each with its reason and day).
    later = [[*r, "", "", ""] for r in rows]
    newcomers = [row.values() for row in roster_rows(42, seed=7)][40:]
    assert {r[0] for r in newcomers}.isdisjoint(r[0] for r in rows)
    later += [[*r, "", "", ""] for r in newcomers]
    moved = next(
        i for i, r in enumerate(rows) if i > 3 and r[7] != rows[0][7] and r[6] == rows[0][6]
    )
    later[moved][7:10] = rows[0][7:10]  # 院系, 专业, 专业方向 of the first graduate
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    later[1][16:19] = ["退学", "本人申请退学", yesterday.isoformat()]
    later[2][16:19] = ["延期毕业", "学分未修满", yesterday.isoformat()]
    result = import_roster(
        write(tmp_path / "later.csv", later),
        filename="later.csv",
        institution=school.institution,
        cohort_year=2020,
    )
    assert result.ok, result.as_text()
    assert (result.created, result.updated) == (2, 3)

    # Every figure of the past days, for the centre and for department staff: to the digit.
    assert figures(actors, cohort) == before
    # Yesterday's end is before the import: what "now" said before it.
    yesterday_stats = selectors.cohort_stats(
        actor=actors["centre"], cohort=cohort, by="department", as_of=yesterday
    )
    assert yesterday_stats["rows"] == now_before["rows"]
    assert yesterday_stats["total"] == now_before["total"]

    # Now: 2 newcomers, 2 who left; the transfer counts in its new department.
    now = selectors.cohort_stats(actor=actors["centre"], cohort=cohort, by="department")
    assert now["total"]["total"] == total
    first = str(graduates[0].department_id)
    old = str(Graduate.objects.get(pk=graduates[moved].pk).department_id)
    by_key_before = {r["key"]: r["total"] for r in now_before["rows"]}
    by_key_now = {r["key"]: r["total"] for r in now["rows"]}
    assert old == first
    left = {Graduate.objects.get(pk=graduates[i].pk) for i in (1, 2)}
    assert {g.roster_status for g in left} == {RosterStatus.WITHDRAWN, RosterStatus.DEFERRED}
    assert all(g.roster_status_date == yesterday for g in left)
    expected = dict(by_key_before)
    expected[first] = expected.get(first, 0) + 1
    expected[str(graduates[moved].department_id)] -= 1
    for g in left:
        expected[str(g.department_id)] -= 1
    for r in newcomers:
        department = Department.objects.get(institution=school.institution, name=r[7])
        expected[str(department.pk)] = expected.get(str(department.pk), 0) + 1
    assert by_key_now == {k: n for k, n in expected.items() if n}
    assert summary.differences() == {"flows": 0, "totals": 0, "roster": 0}

    # Importing the same file again changes nothing and moves nothing.
    again = import_roster(
        write(tmp_path / "again.csv", later),
        filename="again.csv",
        institution=school.institution,
        cohort_year=2020,
    )
    assert (again.ok, again.created, again.updated) == (True, 0, 0)
    assert figures(actors, cohort) == before


def test_a_leaver_comes_back_and_counts_from_then_on(school, season, tmp_path):
    cohort, rows, graduates, actors = season
    centre = actors["centre"]
    later = [[*r, "", "", ""] for r in rows]
    later[3][16:19] = ["结业", "未获得学位", timezone.localdate().isoformat()]
    assert import_roster(
        write(tmp_path / "left.csv", later),
        filename="left.csv",
        institution=school.institution,
        cohort_year=2020,
    ).ok
    assert selectors.cohort_stats(actor=centre, cohort=cohort, by="gender")["total"]["total"] == 42
    # A file without the status columns keeps the stored status.
    plain = [r for r in rows]
    path = tmp_path / "plain.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(ROW_HEADERS)
        out.writerows(plain)
    assert (
        import_roster(
            path, filename="plain.csv", institution=school.institution, cohort_year=2020
        ).unchanged
        == 40
    )
    assert Graduate.objects.get(pk=graduates[3].pk).roster_status == RosterStatus.COMPLETION
    # Back in the roster (在册): counted again from now, with one more roster period.
    later[3][16:19] = ["在册", "", ""]
    assert import_roster(
        write(tmp_path / "back.csv", later),
        filename="back.csv",
        institution=school.institution,
        cohort_year=2020,
    ).ok
    assert selectors.cohort_stats(actor=centre, cohort=cohort, by="gender")["total"]["total"] == 43
    assert RosterPeriod.objects.filter(graduate=graduates[3]).count() == 2
    assert summary.differences() == {"flows": 0, "totals": 0, "roster": 0}


def test_status_needs_a_reason_and_a_day_not_in_the_future(school, season, tmp_path):
    _cohort, rows, _graduates, _actors = season
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    later = [[*r, "", "", ""] for r in rows[:3]]
    later[0][16:19] = ["退学", "", "2020-06-01"]
    later[1][16:19] = ["延期毕业", "学分未修满", ""]
    later[2][16:19] = ["转届", "转入2021届", tomorrow]
    result = import_roster(
        write(tmp_path / "bad.csv", later),
        filename="bad.csv",
        institution=school.institution,
        cohort_year=2020,
    )
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "状态原因", "退学须填写状态原因"),
        (3, "状态日期", "延期毕业须填写状态日期"),
        (4, "状态日期", "状态日期不能晚于今天"),
    ]
    assert not Graduate.objects.exclude(roster_status=RosterStatus.ACTIVE).exists()


def test_major_change_within_a_department_moves_the_rates_by_major(school, season, tmp_path):
    cohort, rows, graduates, actors = season
    centre = actors["centre"]
    before = selectors.cohort_stats(actor=centre, cohort=cohort, by="major", as_of=PAST_DAYS[-1])
    g = graduates[0]
    later = [[*r, "", "", ""] for r in rows]
    later[0][8] = "新设专业"  # another major of the same department and level
    assert import_roster(
        write(tmp_path / "major.csv", later),
        filename="major.csv",
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
    ).ok
    other = Major.objects.get(institution=school.institution, name="新设专业")
    assert (other.department_id, other.degree_level) == (g.department_id, g.degree_level)
    assert (
        selectors.cohort_stats(actor=centre, cohort=cohort, by="major", as_of=PAST_DAYS[-1])
        == before
    )
    now = {
        r["key"]: r["total"]
        for r in selectors.cohort_stats(actor=centre, cohort=cohort, by="major")["rows"]
    }
    assert now[str(other.pk)] == 1
