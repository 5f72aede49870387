"""Import uploads at rest: sealed, private, kept for a retention period; the annotated workbook
masked unless revealed with a reason; every download logged; hostile files refused as jobs."""

import datetime
import io
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.graduates.importing import HEADERS
from qihang.graduates.models import Graduate
from qihang.imports.models import ImportJob, ImportStatus
from qihang.imports.services import import_job_file_bytes
from qihang.lib import crypto
from qihang.lib.tabular import read_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ID_AT = HEADERS.index("身份证号")
PHONE_AT = HEADERS.index("手机号码")


@pytest.fixture
def centre(school, client_for, media_root):
    return client_for(school.centre)


def post(client, capture, name: str, data: bytes, kind: str = "roster"):
    upload = SimpleUploadedFile(name, data)
    fields = {"kind": kind, "cohort_year": "2020", "file": upload, "create_missing": "on"}
    with capture(execute=True):
        return client.post(reverse("imports:new"), fields)


def sensitive_values(data: bytes, name: str) -> list[str]:
    """Every 身份证号 and 手机号码 of an upload, as the person sent them."""
    table = read_table(data, filename=name)
    values = []
    for _number, cells in table.rows:
        for at in (ID_AT, PHONE_AT):
            if cells[at] not in (None, ""):
                values.append(str(cells[at]).strip())
    return [v for v in values if len(v) >= 11]


def every_file_under(*roots: Path) -> dict[Path, bytes]:
    """The bytes of every file under the roots, zip archives (xlsx) also unpacked."""
    found: dict[Path, bytes] = {}
    for root in roots:
        for path in Path(root).rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            found[path] = data
            if zipfile.is_zipfile(io.BytesIO(data)):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for member in archive.namelist():
                        found[path / member] = archive.read(member)
    return found


@pytest.mark.parametrize(
    ("name", "status"),
    [("roster_utf8_bom.csv", ImportStatus.SUCCEEDED), ("roster_bad.xlsx", ImportStatus.FAILED)],
)
def test_no_plaintext_id_number_is_left_on_disk_after_an_import(
    school, centre, media_root, django_capture_on_commit_callbacks, name, status
):
    data = (FIXTURES / name).read_bytes()
    secrets = sensitive_values(data, name)
    assert len(secrets) >= 10
    post(centre, django_capture_on_commit_callbacks, name, data)
    job = ImportJob.objects.get()
    assert job.status == status
    if status == ImportStatus.FAILED:  # the annotated sheet, downloaded: nothing stored
        assert centre.get(reverse("imports:annotated", args=[job.pk])).status_code == 200
    files = every_file_under(media_root, settings.DATA_DIR)
    assert Path(settings.MEDIA_ROOT, job.file.name) in files
    for path, content in files.items():
        for secret in secrets:
            assert secret.encode() not in content, f"{secret} in {path}"
            assert secret.encode("utf-16-le") not in content, f"{secret} in {path}"


def test_the_upload_is_sealed_and_private(school, centre, django_capture_on_commit_callbacks):
    data = (FIXTURES / "roster_messy.xlsx").read_bytes()
    post(centre, django_capture_on_commit_callbacks, "roster_messy.xlsx", data)
    job = ImportJob.objects.get()
    path = Path(settings.MEDIA_ROOT, job.file.name)
    stored = path.read_bytes()
    assert stored.startswith(crypto.FILE_MAGIC) and data not in stored
    assert import_job_file_bytes(job) == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for directory in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_files_past_the_retention_period_are_purged_and_the_report_kept(
    school, centre, django_capture_on_commit_callbacks, settings
):
    settings.QIHANG_IMPORT_RETENTION_DAYS = 30
    bad = (FIXTURES / "roster_bad.xlsx").read_bytes()
    post(centre, django_capture_on_commit_callbacks, "old.xlsx", bad)
    post(centre, django_capture_on_commit_callbacks, "recent.xlsx", bad)
    old, recent = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=31)
    )
    old_path = Path(settings.MEDIA_ROOT, old.file.name)
    errors = old.errors

    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    assert out.getvalue().strip() == (
        "已删除1个超过保留期限（任务完成后30天）的导入文件；任务记录及其报告保留。"
    )
    old.refresh_from_db()
    assert not old_path.exists() and old.file.name == ""
    assert old.file_purged_at is not None and old.errors == errors  # the report stays
    assert Path(settings.MEDIA_ROOT, recent.file.name).exists()
    page = centre.get(reverse("imports:detail", args=[old.pk])).content.decode()
    assert "上传的文件已按保留期限于" in page and "下载标注了错误的表格" not in page
    assert centre.get(reverse("imports:annotated", args=[old.pk])).status_code == 404
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)  # nothing left to do
    assert out.getvalue().startswith("已删除0个")


def test_annotated_workbook_is_masked_and_each_download_logged(
    school, centre, django_capture_on_commit_callbacks
):
    data = (FIXTURES / "roster_bad.xlsx").read_bytes()
    secrets = sensitive_values(data, "roster_bad.xlsx")
    post(centre, django_capture_on_commit_callbacks, "roster_bad.xlsx", data)
    job = ImportJob.objects.get()
    response = centre.get(reverse("imports:annotated", args=[job.pk]))
    assert response.status_code == 200
    content = every_file_under_bytes(response.getvalue())
    assert not [s for s in secrets if s.encode() in content]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    id_cell = sheet.cell(row=2, column=ID_AT + 1).value
    phone_cell = sheet.cell(row=2, column=PHONE_AT + 1).value
    assert "*" in id_cell and len(id_cell) == 18
    assert "*" in phone_cell
    event = AuditEvent.objects.get(action="import.annotated_download")
    assert event.data == {
        "masked": True,
        "sensitive_columns": ["id_number", "phone"],
        "reason": "",
    }
    assert event.actor_id == school.centre.pk
    assert not SensitiveRead.objects.exists()


def test_unmasked_annotated_workbook_needs_a_reason_and_is_a_logged_read(
    school, centre, django_capture_on_commit_callbacks
):
    data = (FIXTURES / "roster_bad.xlsx").read_bytes()
    secrets = sensitive_values(data, "roster_bad.xlsx")
    post(centre, django_capture_on_commit_callbacks, "roster_bad.xlsx", data)
    job = ImportJob.objects.get()
    url = reverse("imports:annotated", args=[job.pk])

    refused = centre.post(url, {"reason": " "})
    assert refused.status_code == 400
    assert "请填写查看事由。" in refused.content.decode()
    assert not SensitiveRead.objects.exists()
    assert not AuditEvent.objects.filter(action="import.annotated_download").exists()

    response = centre.post(url, {"reason": "核对身份证号错误"})
    assert response.status_code == 200
    content = every_file_under_bytes(response.getvalue())
    assert [s for s in secrets if s.encode() not in content] == []
    reads = SensitiveRead.objects.order_by("field")
    assert [(r.field, r.reason, r.target_type, r.target_id) for r in reads] == [
        ("id_number", "核对身份证号错误", "imports.importjob", str(job.pk)),
        ("phone", "核对身份证号错误", "imports.importjob", str(job.pk)),
    ]
    assert {r.actor_id for r in reads} == {school.centre.pk}
    event = AuditEvent.objects.get(action="import.annotated_download")
    assert event.data["masked"] is False and event.data["reason"] == "核对身份证号错误"


def test_other_roles_cannot_download_the_annotated_workbook(
    school, other_school, client_for, centre, django_capture_on_commit_callbacks
):
    data = (FIXTURES / "roster_bad.xlsx").read_bytes()
    post(centre, django_capture_on_commit_callbacks, "roster_bad.xlsx", data)
    job = ImportJob.objects.get()
    url = reverse("imports:annotated", args=[job.pk])
    assert client_for(school.dept_staff).post(url, {"reason": "看看"}).status_code == 403
    assert client_for(other_school.centre).post(url, {"reason": "看看"}).status_code == 404
    assert not SensitiveRead.objects.exists()


def every_file_under_bytes(data: bytes) -> bytes:
    """An xlsx's members, unpacked and joined: what a search for plaintext must look at."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_a_hostile_workbook_fails_its_job_with_the_limit_named(
    school, centre, django_capture_on_commit_callbacks
):
    from tests.lib.test_tabular import hostile_xlsx

    path = Path(settings.MEDIA_ROOT).parent / "far_apart.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    hostile_xlsx(
        path,
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>No</t></is></c></row>'
        b'<row r="200000"><c r="CV200000"><v>1</v></c></row>',
    )
    before = Graduate.objects.count()
    post(centre, django_capture_on_commit_callbacks, "far_apart.xlsx", path.read_bytes())
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {
            "row": 0,
            "column": "",
            "value": "",
            "message": "工作表“sheet1.xml”的数据范围达200000行×100列，超过10000000个单元格的上限",
        }
    ]
    assert Graduate.objects.count() == before


def test_uploads_stored_in_plaintext_before_are_sealed_by_the_command(school, media_root):
    from django.core.files.base import ContentFile

    data = (FIXTURES / "roster_utf8_bom.csv").read_bytes()
    job = ImportJob(
        institution=school.institution,
        kind="roster",
        cohort=school.cohort,
        original_name="old.csv",
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
    )
    job.file.save("old-roster.csv", ContentFile(data), save=False)
    job.save()
    cached = Path(settings.MEDIA_ROOT, f"{job.file.name}.annotated.xlsx")
    cached.write_bytes(b"an old cached copy")
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    assert out.getvalue().splitlines()[1] == "已加密1个加密功能启用前以明文保存的导入文件。"
    job.refresh_from_db()
    assert job.file.name.endswith("old-roster.csv.enc")
    assert import_job_file_bytes(job) == data
    assert not cached.exists()
    secrets = sensitive_values(data, "old.csv")
    for content in every_file_under(media_root).values():
        assert not [s for s in secrets if s.encode() in content]
