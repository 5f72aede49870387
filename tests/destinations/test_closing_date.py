"""After the closing date (CohortPolicy.registration_deadline) a change by department staff or
a counsellor waits for the career centre's sign-off with a reason (the "sign_off" action of
DESTINATION_REVIEW); the centre's own change needs a reason; the record page, the queue and the
API show it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qihang.accounts.services import api_token_create
from qihang.audit.models import AuditEvent
from qihang.destinations import services
from qihang.destinations.models import ChangeAction, DestinationChange, ReviewStatus
from tests.destinations.conftest import actor, employment
from tests.destinations.test_deadline import set_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(school):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    set_deadline(school, yesterday)
    return yesterday


def test_a_departments_late_change_waits_for_the_sign_off(school, closed):
    centre = actor(school.centre, school)
    graduate = school.graduates[0]
    first = services.destination_record(
        actor=centre, graduate=graduate, data={"code": "70"}, reason="补录"
    )
    services.destination_approve(actor=centre, destination=first)
    late = services.destination_record(
        actor=actor(school.dept_staff, school),
        graduate=graduate,
        data=employment(),
        reason="毕业生8月底签约，9月补交协议",
    )
    assert late.status == ReviewStatus.SIGNOFF
    assert late.official_code.code == "70"  # the approved version stays official
    # Not approvable in a batch or by a plain approval: it needs a reason.
    approved, skipped = services.destination_bulk_approve(actor=centre, items=[(late.pk, None)])
    assert approved == [] and "须逐条签批并填写理由" in skipped[0][1]
    with pytest.raises(ValidationError) as excinfo:
        services.destination_sign_off(actor=centre, destination=late, reason="")
    assert "请填写理由" in str(excinfo.value)
    signed = services.destination_sign_off(
        actor=centre, destination=late, reason="已核实协议原件", expected_version=late.version
    )
    assert signed.status == ReviewStatus.APPROVED and signed.official_code.code == "10"
    change = DestinationChange.objects.filter(destination=late).order_by("-at", "-id").first()
    assert (change.action, change.reason) == (ChangeAction.SIGN_OFF, "已核实协议原件")
    event = AuditEvent.objects.filter(action="destination.sign_off").get()
    assert event.data["reason"] == "已核实协议原件"


def test_only_the_centre_signs_off(school, closed):
    late = services.destination_record(
        actor=actor(school.dept_staff, school),
        graduate=school.graduates[0],
        data={"code": "70"},
        reason="补录",
    )
    assert late.status == ReviewStatus.SIGNOFF
    dept = actor(school.dept_staff, school)
    with pytest.raises(PermissionDenied):
        services.destination_sign_off(actor=dept, destination=late, reason="我来签")
    # …and the department cannot return it either: it waits for the centre.
    with pytest.raises(PermissionDenied):
        services.destination_return(actor=dept, destination=late, reason="撤回")
    services.destination_return(
        actor=actor(school.centre, school), destination=late, reason="请附协议"
    )


def test_the_centres_own_late_change_needs_a_reason(school, closed):
    centre = actor(school.centre, school)
    with pytest.raises(ValidationError) as excinfo:
        services.destination_record(actor=centre, graduate=school.graduates[0], data={"code": "70"})
    assert excinfo.value.message_dict == {"reason": ["登记截止后修改须填写原因。"]}
    record = services.destination_record(
        actor=centre, graduate=school.graduates[0], data={"code": "70"}, reason="核查后更正"
    )
    assert record.status == ReviewStatus.DEPARTMENT_REVIEWED


def test_before_the_date_nothing_waits(school):
    set_deadline(school, timezone.localdate())
    record = services.destination_record(
        actor=actor(school.dept_staff, school), graduate=school.graduates[0], data={"code": "70"}
    )
    assert record.status == ReviewStatus.DEPARTMENT_REVIEWED


def test_the_pages_show_and_take_the_sign_off(school, closed, client_for):
    late = services.destination_record(
        actor=actor(school.dept_staff, school),
        graduate=school.graduates[0],
        data={"code": "70"},
        reason="补录",
    )
    client = client_for(school.centre)
    queue = client.get(reverse("destinations:review_queue")).content.decode()
    assert "截止后变更，待中心签批" in queue and "签批（须填写理由）" in queue
    detail = client.get(reverse("destinations:detail", args=[late.pk])).content.decode()
    assert 'id="sign-off"' in detail and closed.isoformat() in detail
    assert "须经就业指导中心签批" in detail
    # The department sees the state, without the sign-off.
    dept_page = client_for(school.dept_staff).get(reverse("destinations:detail", args=[late.pk]))
    assert 'id="sign-off"' not in dept_page.content.decode()
    record_page = client_for(school.dept_staff).get(
        reverse("destinations:record", args=[school.graduates[0].pk])
    )
    assert "签批后才成为正式记录" in record_page.content.decode()
    url = reverse("destinations:sign_off", args=[late.pk])
    client.post(url, {"reason": "", "version": late.version})
    late.refresh_from_db()
    assert late.status == ReviewStatus.SIGNOFF
    response = client.post(url, {"reason": "已核实", "version": late.version})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == ReviewStatus.APPROVED
    assert client_for(school.dept_staff).post(url, {"reason": "x"}).status_code == 403


def test_the_api_says_a_record_awaits_the_sign_off(school, closed):
    services.destination_record(
        actor=actor(school.dept_staff, school),
        graduate=school.graduates[0],
        data={"code": "70"},
        reason="补录",
    )
    _token, secret = api_token_create(actor=actor(school.centre, school), name="t")
    rows = (
        Client()
        .get("/api/v1/graduates", headers={"Authorization": f"Bearer {secret}"})
        .json()["results"]
    )
    by_no = {r["student_no"]: r["destination"] for r in rows}
    assert by_no[school.graduates[0].student_no]["awaiting_sign_off"] is True
    assert by_no[school.graduates[0].student_no]["status"] == "signoff"
