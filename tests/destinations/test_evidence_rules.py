"""Evidence rules: a record cannot be approved (alone or in a batch) without the evidence its
code requires; the rules are the code set's national defaults, overridden per institution by
the career centre; the forms say what each code needs; an import's file is the evidence of the
version it wrote."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from qihang.audit.models import AuditEvent
from qihang.destinations import evidence_rules, services
from qihang.destinations.importing import import_destinations
from qihang.destinations.models import CodeSet, EvidencePolicy, ReviewStatus
from tests.conftest import TINY_PNG
from tests.destinations.conftest import actor

pytestmark = [pytest.mark.django_db, pytest.mark.evidence_rules]


def png(name="scan.png"):
    return ContentFile(TINY_PNG, name=name)


def hired(**overrides):
    """Code 12 (other hiring): the employer's name only."""
    data = {"code": "12", "employer_name": "上海星河文化传媒有限公司"}
    data.update(overrides)
    return {**data, "confirmed_not_internship": True}


def test_the_national_rules_ship_with_the_code_set():
    rules = evidence_rules.national_rules("2020")
    assert rules["12"] == [["offer"], ["salary"]]
    assert rules["75"] == [["licence"], ["shop", "income"]]
    assert rules["76"] == [["statement"]]
    assert rules["80"] == [["admission"]] and "70" not in rules


def test_approval_needs_the_evidence_of_the_code(school):
    centre = actor(school.centre, school)
    record = services.destination_record(
        actor=centre, graduate=school.graduates[0], data=hired(), reason=""
    )
    with pytest.raises(ValidationError) as excinfo:
        services.destination_approve(actor=centre, destination=record)
    assert "须有证明材料：录用证明 或 工资流水、薪酬记录" in str(excinfo.value)
    record.refresh_from_db()
    assert record.status == ReviewStatus.DEPARTMENT_REVIEWED
    services.evidence_add(actor=centre, destination=record, evidence_files=[("salary", png())])
    services.destination_approve(actor=centre, destination=record)
    record.refresh_from_db()
    assert record.status == ReviewStatus.APPROVED


def test_every_kind_of_an_alternative_is_needed(school):
    centre = actor(school.centre, school)
    record = services.destination_record(
        actor=centre, graduate=school.graduates[0], data={"code": "75"}
    )
    services.evidence_add(actor=centre, destination=record, evidence_files=[("shop", png())])
    with pytest.raises(ValidationError):
        services.destination_approve(actor=centre, destination=record)
    services.evidence_add(actor=centre, destination=record, evidence_files=[("income", png())])
    assert services.destination_approve(actor=centre, destination=record).status == "approved"


def test_a_batch_says_why_per_row(school):
    centre = actor(school.centre, school)
    with_file = services.destination_record(
        actor=centre,
        graduate=school.graduates[0],
        data={"code": "76"},
        evidence_files=[("statement", png("声明.png"))],
    )
    without = services.destination_record(
        actor=centre, graduate=school.graduates[1], data={"code": "80"}
    )
    not_needed = services.destination_record(
        actor=centre, graduate=school.graduates[2], data={"code": "70"}
    )
    approved, skipped = services.destination_bulk_approve(
        actor=centre, items=[(d.pk, d.version) for d in (with_file, without, not_needed)]
    )
    assert {d.pk for d in approved} == {with_file.pk, not_needed.pk}
    assert [(pk, why) for pk, why in skipped] == [
        (
            without.pk,
            f"{school.graduates[1].student_no}：毕业去向“80 升学”须有证明材料：录取通知书，"
            "请补充后再审批。",
        )
    ]


def test_the_queue_and_the_bulk_page_say_what_is_missing(school, client_for):
    centre = actor(school.centre, school)
    record = services.destination_record(
        actor=centre, graduate=school.graduates[1], data={"code": "80"}
    )
    client = client_for(school.centre)
    html = client.get(reverse("destinations:review_queue")).content.decode()
    assert "须有证明材料：录取通知书" in html
    response = client.post(
        reverse("destinations:bulk_approve"), {"items": [f"{record.pk}:{record.version}"]}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "须有证明材料：录取通知书" in page


def test_the_career_centre_overrides_a_code(school, client_for):
    client = client_for(school.centre)
    page = client.get(reverse("destinations:evidence_policy"))
    assert page.status_code == 200
    assert "营业执照；网店或店铺地址及截图+经营收入记录" in page.content.decode()
    response = client.post(
        reverse("destinations:evidence_policy"),
        {"rule_12": "劳动合同+工资流水、薪酬记录", "rule_80": "无", "retention_years": "5"},
    )
    assert response.status_code == 302
    policy = EvidencePolicy.objects.get(institution=school.institution)
    assert policy.required == {"12": [["contract", "salary"]], "80": []}
    assert policy.retention_years == 5
    assert AuditEvent.objects.filter(action="destination.evidence_policy_update").count() == 1
    centre = actor(school.centre, school)
    study = services.destination_record(
        actor=centre, graduate=school.graduates[1], data={"code": "80"}
    )
    assert services.destination_approve(actor=centre, destination=study).status == "approved"
    job = services.destination_record(actor=centre, graduate=school.graduates[0], data=hired())
    services.evidence_add(actor=centre, destination=job, evidence_files=[("offer", png())])
    with pytest.raises(ValidationError) as excinfo:
        services.destination_approve(actor=centre, destination=job)
    assert "劳动合同+工资流水、薪酬记录" in str(excinfo.value)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"rule_12": "录用证明+护照", "retention_years": "3"}, "“护照”不是材料类型"),
        ({"retention_years": "2"}, "3"),
    ],
)
def test_bad_settings_say_what_and_where(school, client_for, form, message):
    response = client_for(school.centre).post(reverse("destinations:evidence_policy"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EvidencePolicy.objects.exists()


def test_retention_is_never_less_than_three_years(school):
    with pytest.raises(ValidationError):
        services.evidence_policy_update(
            actor=actor(school.centre, school),
            code_set=CodeSet.objects.get(version="2020"),
            required={},
            retention_years=2,
        )


def test_only_the_settings_manager_changes_the_rules(school, client_for):
    assert (
        client_for(school.dept_staff).get(reverse("destinations:evidence_policy")).status_code
        == 403
    )


def test_the_forms_say_what_each_code_needs(school, client_for):
    html = client_for(school.graduate_user).get(reverse("destinations:mine")).content.decode()
    assert "各毕业去向审批所需的证明材料" in html
    assert "76 自由职业：本人声明" in html
    assert '"evidence": "\\u5f55\\u7528\\u8bc1\\u660e \\u6216' in html  # 12: 录用证明 或 …
    record = client_for(school.dept_staff).get(
        reverse("destinations:record", args=[school.graduates[0].pk])
    )
    assert "80 升学：录取通知书" in record.content.decode()


def _sheet(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["学号", "毕业去向代码"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_an_imported_file_is_the_evidence_of_the_version_it_wrote(school, tmp_path):
    path = tmp_path / "去向.xlsx"
    path.write_bytes(_sheet([[school.graduates[1].student_no, "80"]]))
    import_destinations(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        actor_id=school.centre.pk,
    )
    record = school.graduates[1].destination
    record.refresh_from_db()
    assert record.status == ReviewStatus.APPROVED
    assert evidence_rules.missing_evidence(record) == []
    # A later correction needs evidence of its own: the import vouched for its values only.
    dept = actor(school.dept_staff, school)
    changed = services.destination_record(
        actor=dept, graduate=school.graduates[1], data={"code": "801"}, reason="改为研究生"
    )
    assert evidence_rules.missing_evidence(changed) != []
