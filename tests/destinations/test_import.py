"""`import_destinations` and `qihang import_destinations`: validation, all-or-nothing,
centre-approved records with the file as evidence, idempotent re-import, constant queries."""

import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qihang.audit.models import AuditEvent
from qihang.destinations import services
from qihang.destinations.importing import import_destinations
from qihang.destinations.models import (
    ChangeAction,
    CohortPolicy,
    Destination,
    DestinationChange,
    DestinationPeriod,
    Evidence,
    EvidenceKind,
    PeriodKind,
    ReviewStatus,
    Source,
)
from qihang.institutions.services import cohort_get_or_create
from tests.destinations import fixture_files
from tests.destinations.conftest import actor, employment
from tests.factories import make_graduate

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MESSY = FIXTURES / "destinations_messy.xlsx"
BAD = FIXTURES / "destinations_bad.xlsx"
CSV = FIXTURES / "destinations_english_gb18030.csv"


def run(school, path=MESSY, **kwargs):
    return import_destinations(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        actor_id=school.centre.pk,
        **kwargs,
    )


def test_committed_fixtures_match_their_generator(tmp_path):
    for written in fixture_files.write(tmp_path):
        committed = FIXTURES / written.name
        if written.suffix == ".csv":
            assert committed.read_bytes() == written.read_bytes()
            continue

        def cells(path):
            sheet = openpyxl.load_workbook(path).active
            return [list(row) for row in sheet.iter_rows(values_only=True)]

        assert cells(committed) == cells(written), written.name


def test_messy_file_is_imported_as_centre_approved(school, media_root):
    result = run(school)
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged, result.rows) == (3, 0, 0, 3)

    by_student = {
        d.graduate.student_no: d
        for d in Destination.objects.select_related("graduate", "code", "employer_nature")
    }
    first = by_student["a2020001"]
    assert first.code.code == "10"
    assert first.employer_name == "上海交响乐团"
    assert first.employer_credit_code == fixture_files.ORCHESTRA
    assert first.employer_nature.code == "29"
    assert first.employer_division == "310104" and first.employer_province == "310000"
    assert first.agreement_no == "2020-310-0001"
    assert str(first.signed_on) == "2020-05-20"
    assert by_student["a2020002"].code.code == "502"
    assert by_student["a2020003"].code.code == "70"
    for destination in by_student.values():
        assert destination.source == Source.IMPORT
        assert destination.status == ReviewStatus.APPROVED
        assert destination.approved_by == school.centre
        assert destination.official_code_id == destination.code_id
        assert destination.version == 1

    periods = DestinationPeriod.objects.filter(valid_to__isnull=True)
    assert sorted(periods.filter(kind=PeriodKind.OFFICIAL).values_list("code", flat=True)) == [
        "10",
        "50",
        "70",
    ]
    assert periods.filter(kind=PeriodKind.REPORTED).count() == 3

    changes = DestinationChange.objects.all()
    assert {c.action for c in changes} == {ChangeAction.IMPORT}
    assert changes.count() == 3
    change = changes.get(graduate__student_no="a2020001")
    assert change.actor == school.centre
    assert change.reason == "导入文件 destinations_messy.xlsx"
    assert change.after["status"] == "approved" and change.after["code"] == "10"

    evidence = list(Evidence.objects.order_by("source_row"))
    assert [e.source_row for e in evidence] == [2, 4, 5]  # spreadsheet rows (a blank row 3)
    assert {e.kind for e in evidence} == {EvidenceKind.IMPORT_FILE}
    assert len({e.file.name for e in evidence}) == 1  # one stored copy shared by the rows
    stored = media_root / evidence[0].file.name
    assert stored.read_bytes() == MESSY.read_bytes()
    assert len(list(media_root.rglob("*.xlsx"))) == 1
    assert AuditEvent.objects.filter(action="destination.import").count() == 1


def test_reimport_is_idempotent(school, media_root):
    assert run(school).ok
    counts = [
        m.objects.count() for m in (DestinationChange, DestinationPeriod, Evidence, Destination)
    ]
    again = run(school)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert [
        m.objects.count() for m in (DestinationChange, DestinationPeriod, Evidence, Destination)
    ] == counts
    assert len(list(media_root.rglob("*.xlsx"))) == 1


def test_import_updates_a_changed_row_and_keeps_history(school, tmp_path):
    assert run(school).ok
    rows = [list(r) for r in fixture_files.MESSY_ROWS]
    rows[3][1] = "76"  # a2020003: 70 -> 76
    path = tmp_path / "second.xlsx"
    fixture_files._workbook(fixture_files.HEADERS, rows).save(path)
    result = run(school, path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    destination = Destination.objects.get(graduate__student_no="a2020003")
    assert destination.version == 2 and destination.code.code == "76"
    last = destination.changes.order_by("-at", "-pk").first()
    assert last.before == {"code": "70"}
    assert last.after["code"] == "76"
    official = DestinationPeriod.objects.filter(
        graduate=destination.graduate, kind=PeriodKind.OFFICIAL
    ).order_by("valid_from")
    assert [(p.code, p.valid_to is None) for p in official] == [("70", False), ("76", True)]
    assert destination.evidence.count() == 2  # the first file and the second


def test_import_approves_over_a_pending_self_report(school):
    graduate = school.graduates[0]
    pending = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=graduate, data={"code": "76"}
    )
    assert run(school).ok
    pending.refresh_from_db()
    assert pending.status == ReviewStatus.APPROVED and pending.version == 2
    change = pending.changes.get(action=ChangeAction.IMPORT)
    assert change.before["code"] == "76" and change.before["status"] == "submitted"
    reported = DestinationPeriod.objects.filter(
        graduate=graduate, kind=PeriodKind.REPORTED
    ).order_by("valid_from")
    assert [p.code for p in reported] == ["76", "10"]


def test_bad_file_reports_every_error_and_writes_nothing(school, media_root):
    result = run(school, BAD)
    assert not result.ok
    found = [(e.row, e.column, e.message) for e in result.errors]
    assert found == [
        (2, "统一社会信用代码", "统一社会信用代码校验码错误"),
        (3, "学号", "学号a9999999不在2020届毕业生名单中"),
        (5, "单位名称", "毕业去向为“11 签劳动合同形式就业”时必须填写单位名称。"),
        (6, "学号", "学号与第2行重复"),
        (7, "学号", "学号与第4行重复"),
        (7, "签约日期", "签约日期不能晚于今天。"),
    ]
    assert result.errors[1].value == "a9999999"
    # An employer on a not-placed row is no error: it has no meaning there, and is dropped.
    assert [(w.row, w.column, w.action) for w in result.warnings] == [(4, "单位名称", "dropped")]
    assert not Destination.objects.exists()
    assert not DestinationChange.objects.exists()
    assert not DestinationPeriod.objects.exists()
    assert not list(media_root.rglob("*.xlsx"))


def test_one_bad_row_among_good_ones_writes_nothing(school, tmp_path):
    rows = [list(r) for r in fixture_files.MESSY_ROWS]
    rows[2][1] = "99"
    path = tmp_path / "one_bad.xlsx"
    fixture_files._workbook(fixture_files.HEADERS, rows).save(path)
    result = run(school, path)
    assert [(e.row, e.column) for e in result.errors] == [(4, "毕业去向代码")]
    assert not Destination.objects.exists()


def test_graduate_of_another_cohort_is_an_error(school):
    cohort_2019 = cohort_get_or_create(institution=school.institution, year=2019)
    make_graduate(
        institution=school.institution,
        cohort=cohort_2019,
        major=school.majors[0],
        student_no="a2019001",
    )
    result = import_destinations(
        b"\xef\xbb\xbf\xe5\xad\xa6\xe5\x8f\xb7,\xe6\xaf\x95\xe4\xb8\x9a\xe5\x8e\xbb\xe5\x90\x91\xe4\xbb\xa3\xe7\xa0\x81\r\na2019001,70\r\n",
        filename="x.csv",
        institution=school.institution,
        cohort_year=2020,
    )
    assert [e.message for e in result.errors] == ["学号a2019001是2019届的毕业生，不能导入到2020届"]


def test_missing_columns_and_unknown_cohort(school, tmp_path):
    path = tmp_path / "no_code.csv"
    path.write_text("学号,单位名称\na2020001,某单位\n", encoding="utf-8")
    result = run(school, path)
    # The header is row 1, as in the roster import (tests/graduates: the same read_sheet).
    assert [(e.row, e.message) for e in result.errors] == [(1, "缺少必填列“毕业去向代码”")]
    result = import_destinations(
        MESSY, filename=MESSY.name, institution=school.institution, cohort_year=2031
    )
    assert result.errors[0].message == "东方音乐学院还没有2031届毕业生，请先导入生源信息。"


def test_english_gb18030_csv(school):
    result = run(school, CSV)
    assert result.ok, result.as_text()
    assert result.created == 2
    first = Destination.objects.get(graduate__student_no="a2020001")
    assert first.code.code == "11" and str(first.signed_on) == "2020-06-30"
    assert first.employer_country == "CN"  # implied by its division
    abroad = Destination.objects.get(graduate__student_no="a2020002")
    assert (abroad.employer_country, abroad.employer_division) == ("RU", "")


def test_dry_run_writes_nothing(school, media_root):
    CohortPolicy.objects.all().delete()
    result = run(school, dry_run=True)
    assert result.ok and result.dry_run and result.created == 3
    assert not Destination.objects.exists()
    assert not CohortPolicy.objects.exists()
    assert not list(media_root.rglob("*"))


def test_agreement_number_of_another_graduate(school):
    services.destination_record(
        actor=actor(school.centre, school),
        graduate=school.graduates[2],
        data=employment(agreement_no="2020-310-0001"),
    )
    result = run(school)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "协议书编号", "协议书编号2020-310-0001已用于学号为a2020003的毕业生")
    ]


def test_evidence_path_uses_the_stored_upload(school, media_root):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "imports/1/destinations/upload.xlsx", ContentFile(MESSY.read_bytes())
    )
    result = run(school, evidence_path=name)
    assert result.ok
    assert set(Evidence.objects.values_list("file", flat=True)) == {name}
    assert len(list(media_root.rglob("*.xlsx"))) == 1


def test_queries_do_not_grow_with_rows(school, tmp_path):
    def import_rows(count: int, name: str) -> int:
        rows = []
        for i in range(count):
            student_no = f"q{name}{i:04d}"
            make_graduate(
                institution=school.institution,
                cohort=school.cohort,
                major=school.majors[i % 2],
                student_no=student_no,
            )
            rows.append([student_no, "76", None, None, None, None, None, None])
        path = tmp_path / f"{name}.xlsx"
        fixture_files._workbook(fixture_files.HEADERS, rows).save(path)
        with CaptureQueriesContext(connection) as queries:
            assert run(school, path).ok
        return len(queries)

    assert import_rows(3, "a") == import_rows(30, "b")


def test_centre_sees_the_whole_file_others_an_extract(school, client_for):
    assert run(school).ok
    evidence = Evidence.objects.get(graduate=school.graduates[0])
    url = reverse("destinations:evidence", args=[evidence.pk])
    whole = client_for(school.centre).get(url)
    assert b"".join(whole.streaming_content) == MESSY.read_bytes()

    import io

    extract = client_for(school.graduate_user).get(url)
    assert extract.status_code == 200
    assert extract["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(extract.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(fixture_files.HEADERS)
    assert [r[0] for r in rows[1:]] == ["a2020001"]  # no other graduate's row


def test_command_json_and_exit_status(school, capsys):
    call_command(
        "import_destinations",
        str(MESSY),
        "--institution",
        school.institution.code,
        "--cohort",
        "2020",
        "--json",
    )
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["created"] == 3 and report["errors"] == []

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_destinations",
            str(BAD),
            "--institution",
            school.institution.code,
            "--cohort",
            "2020",
            "--json",
        )
    assert excinfo.value.returncode == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["created"] == 0 and report["updated"] == 0
    assert report["errors"][0] == {
        "row": 2,
        "column": "统一社会信用代码",
        "value": report["errors"][0]["value"],
        "message": "统一社会信用代码校验码错误",
    }
    assert set(report["errors"][0]) == {"row", "column", "value", "message"}


def test_command_dry_run_text(school, capsys):
    call_command(
        "import_destinations",
        str(MESSY),
        "--institution",
        school.institution.code,
        "--cohort",
        "2020",
        "--dry-run",
    )
    assert "校验通过（未写入）" in capsys.readouterr().out
    assert not Destination.objects.exists()
