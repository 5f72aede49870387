"""Evidence is kept at least three years after graduation (the institution may keep it longer),
then `qihang purge_evidence` deletes the files, marks the rows purged and writes one audit entry
per purge with the counts. Real files in a temporary MEDIA_ROOT."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from qihang.audit.models import AuditEvent
from qihang.destinations import services
from qihang.destinations.models import Evidence, EvidencePolicy
from qihang.destinations.tasks import purge_evidence
from tests.conftest import TINY_PNG
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db


def with_files(school):
    """Two of the 2020 cohort's records with three files between them."""
    me = actor(school.graduate_user, school)
    first = services.destination_submit(
        actor=me,
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[
            ("agreement", ContentFile(TINY_PNG, name="协议.png")),
            ("offer", ContentFile(TINY_PNG + b"\x00", name="录用.png")),
        ],
    )
    second = services.destination_record(
        actor=actor(school.centre, school),
        graduate=school.graduates[1],
        data={"code": "76"},
        evidence_files=[("statement", ContentFile(TINY_PNG + b"\x01", name="声明.png"))],
    )
    return first, second


def test_kept_three_years_then_purged_with_one_audit_entry(
    school, media_root, django_capture_on_commit_callbacks
):
    first, _second = with_files(school)
    files = list(Evidence.objects.values_list("file", flat=True))
    assert len(files) == 3 and all(default_storage.exists(f) for f in files)

    # 2020 graduates: kept to the end of 2023.
    assert services.evidence_purge(today=dt.date(2023, 12, 31)) == {}
    assert all(default_storage.exists(f) for f in files)

    # The files go once the purge has committed (the test's transaction runs the callbacks).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.evidence_purge(today=dt.date(2024, 1, 1))
        assert all(default_storage.exists(f) for f in files)
    assert len(callbacks) == 1
    counts = report[school.institution.pk]
    assert counts["rows"] == 3 and counts["files"] == 3 and counts["cohorts"] == 1
    assert not any(default_storage.exists(f) for f in files)
    assert Evidence.objects.filter(purged_at__isnull=True).count() == 0
    event = AuditEvent.objects.get(action="destination.evidence_purge")
    assert event.institution_id == school.institution.pk and event.actor_id is None
    assert (event.data["rows"], event.data["files"], event.data["cohort_years"]) == (3, 3, [2020])

    # Twice: nothing more, no second entry.
    assert services.evidence_purge(today=dt.date(2024, 1, 2)) == {}
    assert AuditEvent.objects.filter(action="destination.evidence_purge").count() == 1


def test_the_record_page_says_a_file_was_purged(school, client_for):
    first, _second = with_files(school)
    services.evidence_purge(today=dt.date(2024, 1, 1))
    page = client_for(school.centre).get(reverse("destinations:detail", args=[first.pk]))
    assert "按保存期限删除" in page.content.decode()
    evidence = Evidence.objects.filter(destination=first).first()
    response = client_for(school.centre).get(reverse("destinations:evidence", args=[evidence.pk]))
    assert response.status_code == 404


def test_an_institution_keeps_longer(school):
    with_files(school)
    EvidencePolicy.objects.update_or_create(
        institution=school.institution, defaults={"retention_years": 5}
    )
    assert services.evidence_purge(today=dt.date(2025, 12, 31)) == {}
    assert services.evidence_purge(today=dt.date(2026, 1, 1))[school.institution.pk]["rows"] == 3


def test_never_less_than_three_years(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidencePolicy.objects.update_or_create(
            institution=school.institution, defaults={"retention_years": 2}
        )


def test_the_command_and_the_task(school, other_school):
    with_files(school)
    call_command("purge_evidence", "--today", "2023-06-01")
    assert Evidence.objects.filter(purged_at__isnull=True).count() == 3
    assert purge_evidence.call("2024-01-01") == 3
    from io import StringIO

    out = StringIO()
    call_command("purge_evidence", "--today", "2024-02-01", stdout=out)
    assert "0条" in out.getvalue()
