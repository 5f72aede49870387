"""An employer requests a slot and a room; the centre approves or declines with a reason, and
the employer is told through the outbox."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qihang.events import services
from qihang.events.models import EventStatus
from qihang.notifications.kinds import Kind
from qihang.notifications.models import Notification
from tests.events.conftest import event_data
from tests.factories import make_employer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(centre, hall, orchestra_actor):
    return services.event_request(
        actor=orchestra_actor, institution_id=centre.institution_id, data=event_data(), room=hall
    )


def test_a_request_waits_and_holds_no_room(request_):
    assert request_.status == EventStatus.REQUESTED
    assert not request_.bookings.exists()


def test_approval_tells_the_employer(centre, request_, orchestra):
    services.event_transition(actor=centre, event=request_, action="approve")
    assert request_.status == EventStatus.APPROVED and request_.bookings.count() == 4
    told = Notification.objects.get(recipient=orchestra.admin)
    assert told.kind == Kind.EVENT_APPROVED and request_.title in told.subject


def test_a_decline_needs_a_reason_and_tells_it(centre, request_, orchestra):
    with pytest.raises(ValidationError):
        services.event_transition(actor=centre, event=request_, action="decline", reason="")
    services.event_transition(
        actor=centre, event=request_, action="decline", reason="当日音乐厅有演出"
    )
    request_.refresh_from_db()
    assert request_.status == EventStatus.DECLINED and request_.decline_reason == "当日音乐厅有演出"
    told = Notification.objects.get(recipient=orchestra.admin)
    assert told.kind == Kind.EVENT_DECLINED and "当日音乐厅有演出" in told.body


def test_only_a_verified_employer_requests(school, hall):
    from qihang.institutions.scoping import build_actor

    user = make_user("pending-admin")
    pending = make_employer(
        "待认证剧团", serial=12, institution=school.institution, status="pending", user=user
    )
    actor = build_actor(user, None, employer_id=pending.pk)
    with pytest.raises(ValidationError) as exc:
        services.event_request(
            actor=actor, institution_id=school.institution.pk, data=event_data(), room=hall
        )
    assert "institution" in exc.value.message_dict


def test_an_employer_cannot_request_a_fair_or_another_schools_room(
    centre, hall, orchestra_actor, other_school
):
    from qihang.events.models import Room

    with pytest.raises(ValidationError):
        services.event_request(
            actor=orchestra_actor,
            institution_id=centre.institution_id,
            data=event_data(kind="job_fair"),
            room=hall,
        )
    theirs = Room.objects.create(institution=other_school.institution, name="江城礼堂", seats=300)
    with pytest.raises(ValidationError) as exc:
        services.event_request(
            actor=orchestra_actor,
            institution_id=centre.institution_id,
            data=event_data(),
            room=theirs,
        )
    assert "room" in exc.value.message_dict


def test_the_employer_withdraws_its_own_request(request_, orchestra_actor):
    services.event_transition(actor=orchestra_actor, event=request_, action="cancel")
    assert request_.status == EventStatus.CANCELLED


def test_another_institution_or_a_graduate_decides_nothing(request_, other_school, school):
    from qihang.institutions.scoping import build_actor

    outsider = build_actor(other_school.centre, other_school.institution.pk)
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=outsider, event=request_, action="approve")
    graduate = build_actor(school.graduate_user, school.institution.pk)
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=graduate, event=request_, action="approve")


def test_a_joint_event_is_shared_with_the_partner(centre, session, paired, other_school):
    from qihang.events.models import Event
    from qihang.institutions.scoping import build_actor, scoped

    partner = build_actor(other_school.centre, other_school.institution.pk)
    assert not scoped(Event, partner).filter(pk=session.pk).exists()
    services.event_share(actor=centre, event=session, partner_id=other_school.institution.pk)
    assert scoped(Event, partner).filter(pk=session.pk).exists()
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=partner, event=session, action="cancel")
