"""The download of everything held about me, and who read my sensitive data."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.audit.services import reveal_sensitive
from qihang.graduates.models import Graduate, KeyGroupKind
from qihang.institutions.models import Membership
from qihang.institutions.scoping import build_actor
from qihang.notifications.kinds import Kind, Mode
from qihang.notifications.models import Notification
from qihang.privacy import export, services
from qihang.resumes import services as resume_services
from qihang.resumes.sections import BY_KEY
from qihang.wellbeing.models import CheckIn
from tests.factories import confirm_key_group, make_user

SECTION_KEYS = [
    "roster",
    "destination",
    "destination_history",
    "key_groups",
    "applications",
    "resume",
    "agreements",
    "registrations",
    "appointments",
    "checkins",
    "consents",
    "notifications",
]


def download(client, fmt):
    response = client.post(reverse("privacy:download"), {"format": fmt})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response


def add_data(school, n):
    """n of each kind of row that grows: notifications, check-ins, résumé rows, consents."""
    graduate = school.graduates[0]
    actor = build_actor(school.graduate_user, school.institution.pk)
    resume = resume_services.resume_of(graduate)
    for i in range(n):
        Notification.objects.create(
            institution=school.institution,
            recipient=school.graduate_user,
            kind=Kind.DESTINATION_APPROVED,
            mode=Mode.INSTANT,
            subject=f'=HYPERLINK("x") 通知{i}',
            body="正文",
        )
        CheckIn.objects.create(
            institution=school.institution,
            cohort=graduate.cohort,
            department=graduate.department,
            graduate=graduate,
            answers=json.dumps({"stress": 2, "sleep": 3, "support": "none", "note": f"记录{i}"}),
            submitted_at=timezone.now(),
        )
        resume_services.resume_row_add(
            actor=actor, resume=resume, section=BY_KEY["skills"], data={"name": f"视奏{i}"}
        )
        services.consent_grant(actor=actor, purpose="employment", version=1)
        services.consent_withdraw(actor=actor, purpose="employment")
    for kind in KeyGroupKind.objects.order_by("sort_order")[:n]:
        confirm_key_group(graduate, kind)


@pytest.mark.django_db
def test_the_download_has_every_section_in_the_clear_and_is_audited(school, client_for):
    graduate = school.graduates[0]
    add_data(school, 2)
    # Someone else's data must not appear.
    CheckIn.objects.create(
        institution=school.institution,
        cohort=graduate.cohort,
        department=graduate.department,
        graduate=school.graduates[1],
        answers=json.dumps({"stress": 1, "sleep": 1, "support": "none", "note": "王芳的记录"}),
        submitted_at=timezone.now(),
    )
    client = client_for(school.graduate_user)
    document = json.loads(download(client, "json").content)
    sections = {s["key"]: s for s in document["sections"]}
    assert list(sections) == SECTION_KEYS
    roster = {row["项目"]: row["内容"] for row in sections["roster"]["rows"]}
    assert roster["姓名"] == "李明"
    stored = Graduate.objects.get(pk=graduate.pk).id_number.reveal_unlogged()
    assert roster["身份证号"] == stored and "*" not in stored  # decrypted: their own
    assert len(sections["key_groups"]["rows"]) == 2
    kind_names = set(KeyGroupKind.objects.values_list("name", flat=True))
    assert all(row["类别"] in kind_names for row in sections["key_groups"]["rows"])
    assert len(sections["checkins"]["rows"]) == 2
    assert len(sections["notifications"]["rows"]) == 2
    assert len(sections["consents"]["rows"]) == 4
    assert "王芳" not in json.dumps(document, ensure_ascii=False)

    # The self-read and the audit row.
    read = SensitiveRead.objects.get(target_type="graduates.graduate", target_id=str(graduate.pk))
    assert read.actor == school.graduate_user and read.field == "id_number,ethnicity,phone"
    event = AuditEvent.objects.get(action=AuditAction.PRIVACY_DATA_EXPORT)
    assert event.data["format"] == "json" and event.data["sections"]["checkins"] == 2


@pytest.mark.django_db
def test_the_workbook_has_one_sheet_per_section_and_no_formulas(school, client_for):
    add_data(school, 1)
    response = download(client_for(school.graduate_user), "xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == len(SECTION_KEYS)
    sheet = workbook["通知"]
    subjects = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert subjects == ['\'=HYPERLINK("x") 通知0']
    assert all(
        cell.data_type != "f"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
    )


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 4])
def test_the_download_takes_the_same_queries_whatever_the_amount(
    school, django_assert_num_queries, size
):
    add_data(school, size)
    actor = build_actor(school.graduate_user, school.institution.pk)
    # savepoint · the graduate (scoping) · roster 0 · destination 1 · its history 1 · key
    # groups 2 (kinds, memberships) · applications 1 · résumé 1 + its 10 sections ·
    # agreements 1 · registrations 1 · appointments 1 · check-ins 1 · consents 4 (texts,
    # rows, résumé changes, résumé switch) · notifications 1 · the self-read 1 · audit 3
    # (chain head, its update, the event) · release savepoint.
    with django_assert_num_queries(32):
        services.my_data_download(actor=actor, fmt="xlsx")


@pytest.mark.django_db
def test_reads_list_shows_reads_of_my_record_only(school, client_for):
    centre = school.centre
    centre.display_name = "陈老师"
    centre.save(update_fields=["display_name"])
    actor = build_actor(centre, school.institution.pk)
    mine, other = (Graduate.objects.get(pk=g.pk) for g in school.graduates[:2])
    reveal_sensitive(actor=actor, obj=mine, field="id_number", reason="办理档案转递")
    reveal_sensitive(actor=actor, obj=other, field="phone", reason="联系王芳本人")
    page = client_for(school.graduate_user).get(reverse("privacy:mine"))
    body = page.content.decode()
    assert "陈老师" in body and "就业指导中心" in body and "办理档案转递" in body
    assert "身份证号" in body
    assert "联系王芳本人" not in body
    assert centre.username not in body


@pytest.mark.django_db
def test_reads_are_newest_first_and_paginated(school, client_for):
    actor = build_actor(school.centre, school.institution.pk)
    mine = Graduate.objects.get(pk=school.graduates[0].pk)
    for i in range(35):
        reveal_sensitive(actor=actor, obj=mine, field="phone", reason=f"事由{i:02d}")
    client = client_for(school.graduate_user)
    first = client.get(reverse("privacy:mine")).content.decode()
    assert "事由34" in first and "事由04" not in first
    second = client.get(reverse("privacy:mine") + "?page=2").content.decode()
    assert "事由04" in second and "事由34" not in second


@pytest.mark.django_db
def test_another_graduates_download_never_carries_mine(school, client_for):
    add_data(school, 1)
    other_user = make_user("a-grad2")
    Membership.objects.create(institution=school.institution, user=other_user, role="graduate")
    other = school.graduates[1]
    other.user = other_user
    other.save(update_fields=["user"])
    document = json.loads(download(client_for(other_user), "json").content)
    text = json.dumps(document, ensure_ascii=False)
    assert "王芳" in text and "李明" not in text and "视奏" not in text and "通知0" not in text
    sections = {s["key"]: s for s in document["sections"]}
    assert sections["checkins"]["rows"] == [] and sections["consents"]["rows"] == []


def test_the_registry_lists_one_provider_per_section():
    assert [p.__name__ for p in export.SECTIONS] == SECTION_KEYS
