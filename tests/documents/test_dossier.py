"""档案 and 户口: recorded by department and centre with history, read by the graduate, 报到证
only for cohorts before 2023, exported as xlsx."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from qihang.audit.models import AuditEvent
from qihang.documents import services
from qihang.documents.models import DossierChange
from qihang.institutions.scoping import build_actor

pytestmark = pytest.mark.django_db

SENT = {
    "file_destination": "talent_centre",
    "receiver_name": "上海市人才服务中心",
    "receiver_address": "上海市静安区梅园路77号",
    "dispatch_method": "confidential_mail",
    "dispatch_number": "JY20200701001",
    "file_status": "sent",
    "hukou_destination": "home",
}


def test_changes_keep_before_after_and_reason(school):
    department = build_actor(school.dept_staff, school.institution.pk)
    graduate = school.graduates[0]
    dossier = services.dossier_update(actor=department, graduate=graduate, data=SENT)
    assert dossier.version == 1
    with pytest.raises(ValidationError) as refused:  # a change needs a reason
        services.dossier_update(
            actor=department, graduate=graduate, data={"file_status": "received"}
        )
    assert "reason" in refused.value.message_dict
    services.dossier_update(
        actor=department, graduate=graduate, data={"file_status": "received"}, reason="对方回执"
    )
    change = DossierChange.objects.get(dossier=dossier, version=2)
    assert change.before == {"file_status": "sent"} and change.after == {"file_status": "received"}
    assert change.reason == "对方回执" and change.changed_by == school.dept_staff
    event = AuditEvent.objects.filter(action="dossier.update").latest("id")
    assert event.data["before"] == {"file_status": "sent"}


def test_rules(school):
    centre = build_actor(school.centre, school.institution.pk)
    graduate = school.graduates[0]  # cohort 2020: 报到证 allowed
    with pytest.raises(ValidationError) as refused:
        services.dossier_update(
            actor=centre, graduate=graduate, data={**SENT, "dispatch_number": ""}
        )
    assert "dispatch_number" in refused.value.message_dict
    dossier = services.dossier_update(
        actor=centre,
        graduate=graduate,
        data={
            **SENT,
            "report_card_number": "BD2020-3100123",
            "report_card_issued_on": datetime.date(2020, 7, 1),
            "report_card_unit": "上海市人才服务中心",
        },
    )
    assert dossier.report_card_number == "BD2020-3100123"
    teacher = build_actor(school.teacher, school.institution.pk)
    with pytest.raises(PermissionDenied):
        services.dossier_update(actor=teacher, graduate=graduate, data={"file_status": "sent"})


def test_no_report_card_from_2023(school):
    from qihang.institutions.services import cohort_get_or_create
    from tests.factories import make_graduate

    cohort = cohort_get_or_create(institution=school.institution, year=2024)
    graduate = make_graduate(
        institution=school.institution,
        cohort=cohort,
        major=school.majors[0],
        student_no="2024001",
        name="周新",
    )
    centre = build_actor(school.centre, school.institution.pk)
    with pytest.raises(ValidationError) as refused:
        services.dossier_update(
            actor=centre, graduate=graduate, data={"report_card_number": "BD2024-1"}
        )
    assert "report_card_number" in refused.value.message_dict


def test_pages_and_scoping(school, other_school, client_for):
    graduate = school.graduates[0]
    url = reverse("documents:dossier", kwargs={"graduate_id": graduate.pk})
    edit = reverse("documents:dossier_edit", kwargs={"graduate_id": graduate.pk})
    department = client_for(school.dept_staff)
    assert department.post(edit, {**SENT, "reason": ""}).status_code == 302
    body = department.get(url).content.decode()
    assert "上海市人才服务中心" in body and "JY20200701001" in body
    assert client_for(school.teacher).post(edit, SENT).status_code == 403
    assert client_for(other_school.centre).get(url).status_code == 404
    other = reverse("documents:dossier", kwargs={"graduate_id": school.graduates[2].pk})
    assert department.get(other).status_code == 404  # another department
    mine = client_for(school.graduate_user).get(reverse("documents:dossier_mine"))
    assert mine.status_code == 200 and "上海市人才服务中心" in mine.content.decode()
    assert 'name="reason"' not in mine.content.decode()  # no edit form for the graduate


def test_export(school, client_for):
    centre = build_actor(school.centre, school.institution.pk)
    services.dossier_update(actor=centre, graduate=school.graduates[0], data=SENT)
    response = client_for(school.dept_staff).get(
        reverse("documents:dossier_export"), {"cohort": "2020"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("学号", "姓名", "院系", "届别") and "档案去向" in rows[0]
    by_no = {r[0]: r for r in rows[1:]}
    assert by_no[school.graduates[0].student_no][4] == "人才服务中心"
    assert school.graduates[2].student_no not in by_no  # another department
    assert AuditEvent.objects.filter(action="dossier.export").count() == 1
