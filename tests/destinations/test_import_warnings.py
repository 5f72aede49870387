"""Errors vs warnings in the destinations import: a provincial export that keeps a 签约日期 (and
sometimes an employer) on its not-placed 70/71/72 rows is accepted, each such value reported
as a warning and dropped, and the figures come out exact."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qihang.destinations.importing import import_destinations
from qihang.destinations.models import Destination
from qihang.graduates.importing import HEADERS as ROSTER_HEADERS
from qihang.graduates.importing import import_roster
from qihang.graduates.models import Graduate
from qihang.imports.models import ImportJob, ImportStatus
from qihang.imports.samples import roster_rows
from qihang.institutions.scoping import system_actor
from qihang.reports import selectors
from tests.destinations.fixture_files import ORCHESTRA, SCHOOL

pytestmark = pytest.mark.django_db

AMBER = "FFFFEB9C"
PROVINCIAL_HEADERS = ["学号", "姓名", "院系", "毕业去向代码", "单位名称", "统一社会信用代码"]
PROVINCIAL_HEADERS += ["单位性质", "单位所在地", "协议书编号", "签约日期"]
NOT_PLACED = 46
SIGNED_WITH_AGREEMENT = 200  # code 10
SIGNED_WITH_CONTRACT = 80  # code 11
GRASSROOTS = 34  # code 502: placed, no employer fields
TOTAL = NOT_PLACED + SIGNED_WITH_AGREEMENT + SIGNED_WITH_CONTRACT + GRASSROOTS


def _cohort_of_360(school, tmp_path: Path) -> list[Graduate]:
    """The school's 3 graduates plus 357 from a roster import: 360 in the 2020 cohort."""
    path = tmp_path / "roster.csv"
    lines = [",".join(ROSTER_HEADERS)]
    lines += [",".join(row.values()) for row in roster_rows(TOTAL - 3, seed=60)]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_roster(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
    )
    assert result.ok, result.as_text()
    graduates = list(Graduate.objects.filter(cohort=school.cohort).order_by("student_no"))
    assert len(graduates) == TOTAL
    return graduates


def provincial_export(graduates: list[Graduate], path: Path) -> Path:
    """What a provincial system exports: 姓名 and 院系 columns the import does not take, and on
    every not-placed row the 签约日期 of an earlier record (on every other one, its employer)."""
    sheet_rows = []
    for index, graduate in enumerate(graduates):
        cells = [graduate.student_no, graduate.name, graduate.department.name]
        if index < NOT_PLACED:
            code = ("70", "71", "72")[index % 3]
            employer = "某培训中心" if index % 2 else None
            cells += [code, employer, None, None, None, None, dt.date(2020, 4, 1)]
        elif index < NOT_PLACED + SIGNED_WITH_AGREEMENT:
            agreement = f"2020-310-{index:04d}"
            cells += ["10", "上海交响乐团", ORCHESTRA, "29", "310104", agreement]
            cells += [dt.date(2020, 5, 20)]
        elif index < NOT_PLACED + SIGNED_WITH_AGREEMENT + SIGNED_WITH_CONTRACT:
            cells += ["11", "深圳某中学", SCHOOL, "22", "440304", None, dt.date(2020, 6, 1)]
        else:
            cells += ["502", None, None, None, None, None, None]
        sheet_rows.append(cells)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PROVINCIAL_HEADERS)
    for cells in sheet_rows:
        sheet.append(cells)
    workbook.save(path)
    return path


def test_provincial_export_with_dates_on_not_placed_rows_is_accepted_with_warnings(
    school, tmp_path
):
    graduates = _cohort_of_360(school, tmp_path)
    path = provincial_export(graduates, tmp_path / "provincial.xlsx")
    result = import_destinations(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        actor_id=school.centre.pk,
    )
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.rows) == (TOTAL, 0, TOTAL)
    assert result.errors == []

    dates = [w for w in result.warnings if w.column == "签约日期"]
    employers = [w for w in result.warnings if w.column == "单位名称"]
    columns = [w for w in result.warnings if w.row == 1]
    assert len(result.warnings) == NOT_PLACED + NOT_PLACED // 2 + 1
    assert len(dates) == NOT_PLACED and len(employers) == NOT_PLACED // 2
    # 姓名 is a column of the national layout (XM), checked against the roster; 院系 is not.
    assert [(w.column, w.message) for w in columns] == [
        ("院系", "无法识别的列（C列），该列未导入"),
    ]
    first = dates[0]
    assert (first.row, first.value, first.action) == (2, "2020-04-01", "dropped")
    assert first.message == "毕业去向为“70 待就业”时签约日期没有意义，未导入该值"
    assert {w.action for w in result.warnings} == {"dropped"}

    # The dropped values are not stored: a not-placed record carries no employer or date.
    not_placed = Destination.objects.filter(cohort=school.cohort, code__code__in=["70", "71", "72"])
    assert not_placed.count() == NOT_PLACED
    assert not not_placed.exclude(signed_on=None).exists()
    assert not not_placed.exclude(employer_name="").exists()

    # The figures, exact: 314 of 360 placed, 280 signed (10 and 11), all 360 known.
    figures = selectors.cohort_stats(
        actor=system_actor(school.institution.pk), cohort=school.cohort, by="department"
    )["total"]
    placed = SIGNED_WITH_AGREEMENT + SIGNED_WITH_CONTRACT + GRASSROOTS
    signed = SIGNED_WITH_AGREEMENT + SIGNED_WITH_CONTRACT
    assert (figures["total"], figures["known"]) == (TOTAL, TOTAL)
    assert (figures["placed"], figures["signed"]) == (placed, signed)
    assert (figures["placement_rate"], figures["signing_rate"]) == (0.8722, 0.7778)  # 4 places


def test_json_report_lists_warnings_beside_errors(school, tmp_path):
    graduates = _cohort_of_360(school, tmp_path)
    path = provincial_export(graduates, tmp_path / "provincial.xlsx")
    out = io.StringIO()
    call_command(
        "import_destinations",
        str(path),
        "--institution",
        school.institution.code,
        "--cohort",
        "2020",
        "--dry-run",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["ok"] is True and report["errors"] == []
    assert len(report["warnings"]) == NOT_PLACED + NOT_PLACED // 2 + 1
    assert report["warnings"][1] == {
        "row": 2,
        "column": "签约日期",
        "value": "2020-04-01",
        "message": "毕业去向为“70 待就业”时签约日期没有意义，未导入该值",
        "action": "dropped",
    }
    assert report["warnings_truncated"] is False
    assert not Destination.objects.exists()  # a dry run


def test_a_real_error_still_refuses_the_file_and_keeps_the_warnings(school, tmp_path):
    graduates = _cohort_of_360(school, tmp_path)
    path = provincial_export(graduates, tmp_path / "provincial.xlsx")
    workbook = load_workbook(path)
    workbook.active.cell(row=2 + NOT_PLACED, column=10).value = dt.date(2099, 1, 1)
    workbook.save(path)
    result = import_destinations(
        path, filename=path.name, institution=school.institution, cohort_year=2020
    )
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2 + NOT_PLACED, "签约日期", "签约日期不能晚于今天。")
    ]
    assert len(result.warnings) == NOT_PLACED + NOT_PLACED // 2 + 1
    assert not Destination.objects.exists()


def test_spaces_inside_a_student_number_are_a_normalised_warning(school, tmp_path):
    path = tmp_path / "spaces.xlsx"
    workbook = Workbook()
    workbook.active.append(["学号", "毕业去向代码", "协议书编号"])
    workbook.active.append(["a2020 001", "72", None])
    workbook.active.append(["a2020002", "502", None])
    workbook.save(path)
    result = import_destinations(
        path, filename=path.name, institution=school.institution, cohort_year=2020
    )
    assert result.ok, result.as_text()
    assert [(w.row, w.column, w.value, w.message, w.action) for w in result.warnings] == [
        (2, "学号", "a2020 001", "学号中的空格已去掉：a2020001", "normalised")
    ]


def test_job_page_and_annotated_workbook_show_the_warnings(
    school, tmp_path, client_for, django_capture_on_commit_callbacks
):
    graduates = _cohort_of_360(school, tmp_path)
    path = provincial_export(graduates, tmp_path / "provincial.xlsx")
    centre = client_for(school.centre)
    upload = SimpleUploadedFile("provincial.xlsx", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        centre.post(
            reverse("imports:new"),
            {"kind": "destinations", "cohort_year": "2020", "file": upload},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED
    assert len(job.warnings) == NOT_PLACED + NOT_PLACED // 2 + 1
    page = centre.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "导入成功" in page
    assert f"提示 {len(job.warnings)} 处" in page
    assert "毕业去向为“70 待就业”时签约日期没有意义，未导入该值" in page
    assert "下载标注了提示的表格" in page

    response = centre.get(reverse("imports:annotated", args=[job.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [*PROVINCIAL_HEADERS, "错误", "提示"]
    assert sheet.cell(row=1, column=3).fill.fgColor.rgb == AMBER  # 院系: not imported
    date_cell = sheet.cell(row=2, column=10)
    assert date_cell.fill.fgColor.rgb == AMBER
    assert "未导入该值（已忽略）" in date_cell.comment.text
    assert sheet.cell(row=2, column=11).value is None  # no error on the row
    assert "签约日期没有意义" in sheet.cell(row=2, column=12).value
    placed = sheet.cell(row=2 + NOT_PLACED, column=10)
    assert placed.comment is None and placed.fill.fgColor.rgb != AMBER
    legend = workbook["图例"]
    assert [legend.cell(row=r, column=1).value for r in (1, 2)] == ["错误", "提示"]
    assert legend.cell(row=2, column=1).fill.fgColor.rgb == AMBER
