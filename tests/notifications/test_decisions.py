"""Review decisions reach the graduate: returned (with the reason) and approved."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from qihang.destinations import services
from qihang.destinations.policy import policy_for
from qihang.notifications.kinds import Kind
from qihang.notifications.models import Notification
from tests.conftest import TINY_PNG
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open(media_root, school):
    """Evidence in a temporary directory; the 2020 cohort's registration kept open."""
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])


def submitted(school):
    return services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="协议.png"))],
    )


def test_a_return_tells_the_graduate_why(school, committed):
    destination = submitted(school)
    with committed():
        services.destination_return(
            actor=actor(school.dept_staff, school),
            destination=destination,
            reason="协议编号与扫描件不一致",
        )
    (notification,) = Notification.objects.filter(recipient=school.graduate_user)
    assert notification.kind == Kind.DESTINATION_RETURNED
    assert notification.institution_id == school.institution.pk
    assert notification.link == "/destinations/mine/"
    assert "协议编号与扫描件不一致" in notification.body
    (message,) = mail.outbox
    assert message.to == [school.graduate_user.email]
    assert message.subject == "【启航】您填报的毕业去向被退回，请更正"
    assert "退回原因：\n协议编号与扫描件不一致" in message.body
    assert "http://127.0.0.1:8000/destinations/mine/" in message.body


def test_an_approval_tells_the_graduate(school, committed):
    destination = submitted(school)
    with committed():
        services.destination_approve(actor=actor(school.centre, school), destination=destination)
    (notification,) = Notification.objects.filter(recipient=school.graduate_user)
    assert notification.kind == Kind.DESTINATION_APPROVED
    assert "已由学校审批通过" in notification.body
    assert [m.subject for m in mail.outbox] == ["【启航】您的毕业去向已审批通过"]


def test_a_graduate_without_an_account_gets_nothing(school, committed):
    centre = actor(school.centre, school)
    record = services.destination_record(
        actor=centre, graduate=school.graduates[1], data={"code": "76"}
    )
    with committed():
        services.destination_approve(actor=centre, destination=record)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_refused_decision_notifies_nobody(school, committed):
    destination = submitted(school)
    with committed(), pytest.raises(Exception):  # noqa: B017 (the reason is too short)
        services.destination_return(
            actor=actor(school.dept_staff, school), destination=destination, reason="x"
        )
    assert not Notification.objects.exists()
    assert mail.outbox == []
