"""What a reviewer does: import a roster through the web, then look for its ID numbers,
民族 and hardship categories in plaintext anywhere in the database — every column of every
table, the reference tables (the national code lists, the key-group kinds, the posting
guard's words) aside."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from qihang.graduates.importing import HEADERS
from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind
from qihang.imports.models import ImportJob, ImportStatus
from qihang.imports.samples import roster_rows

# Reference data: the names of every 民族 and key-group kind, held for everyone, of nobody.
REFERENCE_TABLES = {
    "graduates_nationalcode",
    "graduates_nationalcodetable",
    "graduates_keygroupkind",
    "jobs_guardrule",  # the words a discriminatory posting is caught by (汉族, 残疾 …)
}


def _roster_file(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row.values())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _every_text_in_the_database() -> dict[str, list[str]]:
    """table -> every text value stored in it (bytes decoded), read with raw SQL."""
    qn = connection.ops.quote_name
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608 - introspected names
            texts = []
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if isinstance(value, (dict, list)):
                        value = repr(value)
                    if isinstance(value, str) and value:
                        texts.append(value)
            found[table] = texts
    return found


@pytest.fixture
def imported(school, client_for, media_root, django_capture_on_commit_callbacks):
    rows = list(roster_rows(120, seed=7))
    upload = SimpleUploadedFile("名单.xlsx", _roster_file(rows))
    fields = {"kind": "roster", "cohort_year": "2020", "file": upload, "create_missing": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        client_for(school.centre).post(reverse("imports:new"), fields)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED, job.report
    return rows


def test_no_id_number_ethnicity_or_hardship_category_is_stored_in_plaintext(imported):
    rows = imported
    assert Graduate.objects.filter(student_no__in=[r.student_no for r in rows]).count() == 120
    ethnicities = {r.ethnicity for r in rows}
    hardships = {h for r in rows for h in r.hardship.split("、") if h}
    assert len(ethnicities) >= 5 and len(hardships) >= 3  # the sample has enough of each
    needles = {r.id_number for r in rows} | {r.id_number.lower() for r in rows}
    needles |= {r.id_number[:14] for r in rows}  # a prefix would betray the birth date
    needles |= ethnicities | hardships
    needles |= {kind.name for kind in KeyGroupKind.objects.all()}
    leaks = {
        (table, needle)
        for table, texts in _every_text_in_the_database().items()
        if table not in REFERENCE_TABLES
        for text in texts
        for needle in needles
        if needle in text
    }
    assert leaks == set()


def test_key_group_memberships_name_no_kind_in_the_clear(imported):
    """A membership row holds the kind's keyed digest, not a reference to the kind's name."""
    assert GraduateKeyGroup.objects.exists()
    assert not any(
        f.is_relation and f.related_model is KeyGroupKind
        for f in GraduateKeyGroup._meta.get_fields()
    )
