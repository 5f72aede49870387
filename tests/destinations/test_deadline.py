"""After the registration deadline graduates can no longer change their own record; staff
still can, with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qihang.destinations import services
from qihang.destinations.models import DestinationChange
from qihang.destinations.policy import policy_for
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db


def set_deadline(school, deadline):
    policy = policy_for(school.cohort)
    policy.registration_deadline = deadline
    policy.save(update_fields=["registration_deadline"])


def test_today_is_the_last_day(school):
    set_deadline(school, timezone.localdate())
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    assert (destination.graduate_id, destination.version) == (school.graduates[0].pk, 1)


def test_graduate_cannot_change_after_the_deadline(school, client_for):
    me = actor(school.graduate_user, school)
    destination = services.destination_submit(
        actor=me, graduate=school.graduates[0], data=employment()
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    set_deadline(school, yesterday)
    with pytest.raises(ValidationError) as excinfo:
        services.destination_submit(
            actor=me, graduate=school.graduates[0], data=employment(note="改")
        )
    assert f"去向登记已于{yesterday.isoformat()}截止" in str(excinfo.value)

    client = client_for(school.graduate_user)
    page = client.get(reverse("destinations:mine"))
    assert page.status_code == 200
    assert "截止" in page.content.decode()
    assert page.context["closed"] is True
    assert client.post(reverse("destinations:mine"), {"code": "70"}).status_code == 403
    destination.refresh_from_db()
    assert destination.version == 1


def test_staff_change_after_the_deadline_needs_a_reason(school):
    graduate = school.graduates[1]
    set_deadline(school, timezone.localdate() - dt.timedelta(days=1))
    dept = actor(school.dept_staff, school)
    with pytest.raises(ValidationError) as excinfo:
        services.destination_record(actor=dept, graduate=graduate, data={"code": "70"})
    assert excinfo.value.message_dict == {"reason": ["登记截止后修改须填写原因。"]}
    destination = services.destination_record(
        actor=dept, graduate=graduate, data={"code": "70"}, reason="核查后补录"
    )
    change = DestinationChange.objects.get(destination=destination)
    assert change.reason == "核查后补录"


def test_staff_change_of_an_existing_record_needs_a_reason(school):
    me = actor(school.graduate_user, school)
    services.destination_submit(actor=me, graduate=school.graduates[0], data=employment())
    with pytest.raises(ValidationError) as excinfo:
        services.destination_record(
            actor=actor(school.teacher, school), graduate=school.graduates[0], data={"code": "70"}
        )
    assert excinfo.value.message_dict == {"reason": ["修改已有的去向记录须填写原因。"]}
