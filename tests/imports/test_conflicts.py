"""Two writers race: the database refuses the import's write, and the person reads words and
the row, never the database's message. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import csv
import threading

import pytest
from django.db import connection

from qihang.graduates.importing import HEADERS, import_roster
from qihang.graduates.models import Graduate
from qihang.imports.samples import roster_rows
from tests.factories import make_graduate


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_write_of_the_same_student_number_is_reported_in_words(school, tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL: the import's locks hold another writer off until it commits")
    rows = [r.values() for r in roster_rows(20, seed=14)]
    student_no = rows[7][0]  # spreadsheet row 9
    path = write_csv(tmp_path / "roster.csv", rows)
    failures: list[BaseException] = []

    def another_writer() -> None:
        # Its own thread, its own connection: committed while the import is checking rows.
        try:
            make_graduate(
                institution=school.institution,
                cohort=school.cohort,
                major=school.majors[0],
                student_no=student_no,
            )
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)
        finally:
            connection.close()

    def progress(done: int, total: int) -> None:
        if done == 0:  # once, as the checks start, after the import read what is stored
            writer = threading.Thread(target=another_writer)
            writer.start()
            writer.join(30)
            assert not writer.is_alive()

    before = Graduate.objects.count()
    result = import_roster(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
        progress=progress,
    )
    assert failures == []
    assert not result.ok
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (
            9,
            "学号",
            student_no,
            f"另一个导入或另一位用户同时写入了学号 {student_no} 的数据；"
            "本次导入未写入任何数据，请重新导入。",
        )
    ]
    report = result.as_json()
    for database_words in ("UNIQUE", "unique", "duplicate key", "graduates_graduate"):
        assert database_words not in report
    # Nothing of the file was written: only the other writer's graduate is new.
    assert Graduate.objects.count() == before + 1
    assert Graduate.objects.get(student_no=student_no).name == "张三"


@pytest.mark.django_db
def test_a_destination_written_under_the_import_is_reported_in_words(school, tmp_path):
    # A record written after the import read what is stored, inside the import's own
    # transaction: another connection cannot, as on PostgreSQL the import's lock on the
    # institution holds off every writer with a key to it, and SQLite has one writer at a time.
    from openpyxl import Workbook

    from qihang.destinations.importing import import_destinations
    from qihang.destinations.models import Destination
    from qihang.destinations.policy import policy_for
    from qihang.destinations.services import destination_submit
    from qihang.institutions.scoping import build_actor

    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    path = tmp_path / "destinations.xlsx"
    workbook = Workbook()
    workbook.active.append(["学号", "毕业去向代码"])
    for graduate in school.graduates:
        workbook.active.append([graduate.student_no, "502"])
    workbook.save(path)

    def progress(done: int, total: int) -> None:
        if done == 0:
            destination_submit(
                actor=build_actor(school.graduate_user, school.institution.pk),
                graduate=school.graduates[0],
                data={"code": "76", "note": "自由职业"},
            )

    result = import_destinations(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        progress=progress,
    )
    assert not result.ok
    # Rolled back with the import, the other record leaves no row to name: the words say why.
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (
            0,
            "",
            "",
            "写入时与同时进行的另一项修改冲突（例如另一个导入写入了相同的学号），"
            "本次导入未写入任何数据；请重新导入。",
        )
    ]
    assert "UNIQUE" not in result.as_json() and "duplicate key" not in result.as_json()
    assert not Destination.objects.exists()


@pytest.mark.django_db
def test_a_graduate_written_under_the_roster_import_is_reported_in_words(school, tmp_path):
    # Both databases: the same 学号 written after the import read what is stored, inside its
    # transaction (the only place another write can land on PostgreSQL, see above).
    rows = [r.values() for r in roster_rows(20, seed=15)]
    path = write_csv(tmp_path / "roster.csv", rows)

    def progress(done: int, total: int) -> None:
        if done == 0:
            make_graduate(
                institution=school.institution,
                cohort=school.cohort,
                major=school.majors[0],
                student_no=rows[7][0],
            )

    before = Graduate.objects.count()
    result = import_roster(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
        progress=progress,
    )
    assert not result.ok
    (error,) = result.errors
    if connection.vendor == "postgresql":  # rolled back with the import: no row to name
        assert (error.row, error.message) == (
            0,
            "写入时与同时进行的另一项修改冲突（例如另一个导入写入了相同的学号），"
            "本次导入未写入任何数据；请重新导入。",
        )
        assert Graduate.objects.count() == before
    else:  # SQLite checks before its write transaction: the other graduate is there to name
        assert (error.row, error.column, error.value) == (9, "学号", rows[7][0])
        assert Graduate.objects.count() == before + 1  # the other writer's, none of the file
    assert "UNIQUE" not in result.as_json() and "duplicate key" not in result.as_json()
