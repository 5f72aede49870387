"""The import pages: upload -> job -> outcome, the annotated error sheet, permissions."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qihang.graduates.importing import HEADERS as ROSTER_HEADERS
from qihang.graduates.models import Graduate
from qihang.imports.models import ImportJob, ImportKind, ImportStatus
from qihang.imports.tasks import ProgressWriter

# The committed roster fixtures predate the optional status columns (在册状态 …).
FIXTURE_HEADERS = ROSTER_HEADERS[:16]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RED = "FFFFC7CE"


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    data = content if content is not None else (FIXTURES / name).read_bytes()
    return SimpleUploadedFile(name, data)


def post_import(client, capture, name: str, **fields):
    data = {"kind": "roster", "cohort_year": "2020", "file": upload(name)} | fields
    with capture(execute=True):  # the job is queued on commit; ImmediateBackend runs it
        return client.post(reverse("imports:new"), data)


@pytest.fixture
def centre(school, client_for, media_root):
    return client_for(school.centre)


def test_upload_runs_the_job_and_shows_success(school, centre, django_capture_on_commit_callbacks):
    response = post_import(centre, django_capture_on_commit_callbacks, "roster_messy.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.created, job.updated, job.rows_total, job.rows_done) == (6, 0, 6, 6)
    assert job.original_name == "roster_messy.xlsx"
    assert job.file.name.startswith(f"imports/{school.institution.pk}/roster/")
    assert Graduate.objects.filter(institution=school.institution).count() == 3 + 6

    page = centre.get(response["Location"])
    assert page.status_code == 200
    assert "导入成功" in page.content.decode()
    fragment = centre.get(reverse("imports:progress", args=[job.pk])).content.decode()
    assert "导入成功" in fragment and "hx-trigger" not in fragment  # polling stops
    listing = centre.get(reverse("imports:list")).content.decode()
    assert "roster_messy.xlsx" in listing and "已导入" in listing


def test_running_job_fragment_keeps_polling(school, centre):
    job = ImportJob.objects.create(
        institution=school.institution,
        kind=ImportKind.ROSTER,
        cohort=school.cohort,
        file="imports/x.xlsx",
        original_name="x.xlsx",
        status=ImportStatus.RUNNING,
        rows_done=250,
        rows_total=1000,
    )
    fragment = centre.get(reverse("imports:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "qh-progress-25" in fragment and 'aria-valuenow="25"' in fragment
    assert "250 / 1000" in fragment


def test_a_job_left_queued_says_the_worker_may_be_down(school, centre):
    job = ImportJob.objects.create(
        institution=school.institution,
        kind=ImportKind.ROSTER,
        cohort=school.cohort,
        file="imports/x.xlsx",
        original_name="x.xlsx",
        status=ImportStatus.QUEUED,
    )
    url = reverse("imports:progress", args=[job.pk])
    assert "db_worker" not in centre.get(url).content.decode()  # just queued: be patient
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    fragment = centre.get(url).content.decode()
    assert "db_worker" in fragment
    assert 'hx-trigger="every 1s"' in fragment  # keeps polling: a worker may start


def test_bad_upload_lists_errors_and_offers_the_annotated_sheet(
    school, centre, django_capture_on_commit_callbacks
):
    before = Graduate.objects.count()
    post_import(centre, django_capture_on_commit_callbacks, "roster_bad.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert Graduate.objects.count() == before
    assert [(e["row"], e["column"]) for e in job.errors][:2] == [(3, "身份证号"), (4, "身份证号")]
    page = centre.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "有错误，未写入任何数据" in page and "身份证号校验码错误" in page
    assert "4201************31" in page  # masked in the report

    response = centre.get(reverse("imports:annotated", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    headers = [c.value for c in sheet[1]]
    assert headers == [*FIXTURE_HEADERS, "错误"]
    id_cell = sheet.cell(row=3, column=FIXTURE_HEADERS.index("身份证号") + 1)
    assert id_cell.fill.fgColor.rgb == RED
    assert "校验码错误" in id_cell.comment.text
    assert "校验码错误" in sheet.cell(row=3, column=len(FIXTURE_HEADERS) + 1).value
    name_cell = sheet.cell(row=10, column=FIXTURE_HEADERS.index("姓名") + 1)
    assert name_cell.fill.fgColor.rgb == RED and "姓名不能为空" in name_cell.comment.text
    ok_cell = sheet.cell(row=2, column=1)  # row 2 is valid: untouched
    assert ok_cell.comment is None and ok_cell.fill.fgColor.rgb != RED


def test_csv_upload_gets_an_xlsx_annotation(
    school, centre, django_capture_on_commit_callbacks, tmp_path
):
    bad = (
        (FIXTURES / "roster_utf8_bom.csv")
        .read_text(encoding="utf-8-sig")
        .replace("钢琴系", "舞蹈系", 1)
    )
    data = {
        "kind": "roster",
        "cohort_year": "2020",
        "file": upload("bad.csv", bad.encode("gb18030")),
    }
    with django_capture_on_commit_callbacks(execute=True):
        centre.post(reverse("imports:new"), data)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    for _attempt in range(2):  # made once, then served from storage
        response = centre.get(reverse("imports:annotated", args=[job.pk]))
        sheet = load_workbook(io.BytesIO(response.getvalue())).active
        cell = sheet.cell(row=2, column=FIXTURE_HEADERS.index("院系") + 1)
        assert cell.value == "舞蹈系" and cell.fill.fgColor.rgb == RED
    assert job.file.storage.exists(f"{job.file.name}.annotated.xlsx")


def test_dry_run_checks_without_writing(school, centre, django_capture_on_commit_callbacks):
    before = Graduate.objects.count()
    post_import(centre, django_capture_on_commit_callbacks, "roster_messy.xlsx", dry_run="on")
    job = ImportJob.objects.get()
    assert (job.status, job.created) == (ImportStatus.CHECKED, 6)
    assert Graduate.objects.count() == before
    assert (
        "校验通过（未写入）"
        in centre.get(reverse("imports:detail", args=[job.pk])).content.decode()
    )


def test_form_refuses_other_files_and_large_ones(school, centre, settings):
    response = centre.post(
        reverse("imports:new"),
        {"kind": "roster", "cohort_year": "2020", "file": upload("roster.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 200
    assert "不支持“.pdf”文件" in response.content.decode()
    settings.QIHANG_MAX_IMPORT_BYTES = 100
    response = centre.post(
        reverse("imports:new"),
        {"kind": "roster", "cohort_year": "2020", "file": upload("roster_messy.xlsx")},
    )
    assert "超过上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_destination_import_needs_an_existing_cohort(school, centre):
    response = centre.post(
        reverse("imports:new"),
        {"kind": "destinations", "cohort_year": "2031", "file": upload("d.csv", b"a,b\n1,2\n")},
    )
    assert "2031届还没有毕业生名单" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_destination_import_runs_through_the_same_pages(
    school, centre, django_capture_on_commit_callbacks
):
    student_no = school.graduates[1].student_no
    content = f"学号,毕业去向代码\n{student_no},70\n".encode()
    data = {"kind": "destinations", "cohort_year": "2020", "file": upload("d.csv", content)}
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post(reverse("imports:new"), data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.kind == ImportKind.DESTINATIONS
    assert (job.status, job.created) == (ImportStatus.SUCCEEDED, 1), job.errors


def test_template_download_has_the_headers(school, centre):
    response = centre.get(reverse("imports:template") + "?kind=roster")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(ROSTER_HEADERS)
    assert sheet.max_row == 1
    assert centre.get(reverse("imports:template") + "?kind=nope").status_code == 404


@pytest.mark.parametrize("persona", ["dept_staff", "graduate_user", "teacher", "leader"])
def test_only_the_career_centre_imports(school, client_for, media_root, persona):
    client = client_for(getattr(school, persona))
    assert client.get(reverse("imports:list")).status_code == 403
    assert client.get(reverse("imports:new")).status_code == 403
    response = client.post(
        reverse("imports:new"),
        {"kind": "roster", "cohort_year": "2020", "file": upload("roster_messy.xlsx")},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_jobs_of_another_institution_are_not_found(school, other_school, client_for, media_root):
    job = ImportJob.objects.create(
        institution=other_school.institution,
        kind=ImportKind.ROSTER,
        cohort=other_school.cohort,
        file="imports/x.xlsx",
        original_name="x.xlsx",
    )
    client = client_for(school.centre)
    for name in ("imports:detail", "imports:progress", "imports:annotated"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_writer_commits_from_its_own_thread(school):
    job = ImportJob.objects.create(
        institution=school.institution,
        kind=ImportKind.ROSTER,
        cohort=school.cohort,
        file="imports/x.xlsx",
        original_name="x.xlsx",
    )
    with ProgressWriter(job.pk) as progress:
        progress(0, 5000)
        progress(3000, 5000)
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total) == (3000, 5000)


def test_an_internal_error_fails_the_job_with_a_message(
    school, centre, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("qihang.graduates.importing.import_roster", broken)
    post_import(centre, django_capture_on_commit_callbacks, "roster_messy.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert job.errors == [
        {
            "row": 0,
            "column": "",
            "value": "",
            "message": "导入时发生内部错误，未写入任何数据；请联系管理员。",
        }
    ]
    page = centre.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "内部错误" in page and "下载标注了错误的表格" not in page


def test_a_job_runs_once(school, centre, django_capture_on_commit_callbacks):
    from qihang.imports.tasks import run_import

    post_import(centre, django_capture_on_commit_callbacks, "roster_messy.xlsx")
    job = ImportJob.objects.get()
    run_import.call(job.pk)  # delivered twice: the second run finds it finished
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.SUCCEEDED, 6)
