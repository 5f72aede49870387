"""The history keeps everything: who, when, action, reason, values before and after."""

import pytest
from django.core.files.base import ContentFile

from qihang.destinations import services
from qihang.destinations.models import ChangeAction, DestinationChange
from tests.conftest import TINY_PNG
from tests.destinations.conftest import CREDIT, OTHER_CREDIT, actor, employment

pytestmark = pytest.mark.django_db


def test_every_action_is_recorded_with_before_and_after(school):
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    dept = actor(school.dept_staff, school)
    centre = actor(school.centre, school)
    destination = services.destination_submit(
        actor=me,
        graduate=graduate,
        data=employment(),
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="协议.png"))],
    )
    services.destination_return(actor=dept, destination=destination, reason="信用代码有误")
    services.destination_submit(
        actor=me, graduate=graduate, data=employment(employer_credit_code=OTHER_CREDIT)
    )
    services.destination_review(actor=dept, destination=destination)
    services.destination_approve(actor=centre, destination=destination)
    services.destination_record(
        actor=centre,
        graduate=graduate,
        data=employment(employer_credit_code=OTHER_CREDIT, employer_name="上海交响乐团（更正）"),
        reason="核查更正单位名称",
    )

    changes = list(DestinationChange.objects.filter(destination=destination).order_by("at", "pk"))
    assert [(c.action, c.actor_id, c.version) for c in changes] == [
        (ChangeAction.SUBMIT, school.graduate_user.pk, 1),
        (ChangeAction.RETURN, school.dept_staff.pk, 1),
        (ChangeAction.SUBMIT, school.graduate_user.pk, 2),
        (ChangeAction.REVIEW, school.dept_staff.pk, 2),
        (ChangeAction.APPROVE, school.centre.pk, 2),
        (ChangeAction.RECORD, school.centre.pk, 3),
    ]
    first, returned, resubmitted, reviewed, approved, corrected = changes
    assert first.before == {}
    assert first.after["code"] == "10"
    assert first.after["employer_credit_code"] == CREDIT
    assert first.after["status"] == "submitted"
    assert first.after["evidence"] == ["协议.png（就业协议书）"]
    assert first.after["confirmed_not_internship"] is True
    assert returned.reason == "信用代码有误"
    assert (returned.before, returned.after) == ({"status": "submitted"}, {"status": "returned"})
    assert resubmitted.before == {"employer_credit_code": CREDIT, "status": "returned"}
    assert resubmitted.after["employer_credit_code"] == OTHER_CREDIT
    assert (reviewed.before, reviewed.after) == ({"status": "submitted"}, {"status": "reviewed"})
    assert (approved.before, approved.after) == ({"status": "reviewed"}, {"status": "approved"})
    assert corrected.reason == "核查更正单位名称"
    assert corrected.before == {"employer_name": "上海交响乐团", "status": "approved"}
    assert corrected.after["employer_name"] == "上海交响乐团（更正）"
    assert corrected.after["status"] == "reviewed"  # the centre may review every department
    for change in changes:
        assert change.at is not None and change.institution_id == school.institution.pk
