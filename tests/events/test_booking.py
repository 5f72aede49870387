"""A room is never double-booked: one RoomBooking row per room and fixed slot, unique in the
database (both PostgreSQL and SQLite), and an approval that clashes says where and with what."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from qihang.events import services
from qihang.events.models import Event, EventStatus, RoomBooking
from tests.events.conftest import event_data, slot

pytestmark = pytest.mark.django_db


def test_an_approved_event_books_its_slots(session, hall):
    slots = list(RoomBooking.objects.filter(event=session).values_list("slot_start", flat=True))
    assert slots == [slot(7, 14), slot(7, 14, 30), slot(7, 15), slot(7, 15, 30)]
    assert session.status == EventStatus.APPROVED


def test_the_database_refuses_a_second_booking_of_a_slot(session, hall, school):
    other = Event.objects.create(
        institution=school.institution,
        kind="info_session",
        title="另一场",
        room=hall,
        starts_at=slot(7, 15),
        ends_at=slot(7, 16),
        capacity=10,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomBooking.objects.create(
            institution=school.institution, room=hall, event=other, slot_start=slot(7, 15)
        )


def test_an_overlapping_approval_is_refused_with_the_clash(centre, session, hall, orchestra_actor):
    request = services.event_request(
        actor=orchestra_actor,
        institution_id=centre.institution_id,
        data=event_data(title="加场", starts_at=slot(7, 15, 30), ends_at=slot(7, 17)),
        room=hall,
    )
    with pytest.raises(ValidationError) as exc:
        services.event_transition(actor=centre, event=request, action="approve")
    assert "贺绿汀音乐厅" in str(exc.value) and "15:30" in str(exc.value)
    request.refresh_from_db()
    assert request.status == EventStatus.REQUESTED
    assert not RoomBooking.objects.filter(event=request).exists()


def test_back_to_back_and_other_rooms_are_fine(centre, session, hall, small_room):
    after = services.event_create(
        actor=centre, data=event_data(starts_at=slot(7, 16), ends_at=slot(7, 17)), room=hall
    )
    elsewhere = services.event_create(actor=centre, data=event_data(capacity=30), room=small_room)
    assert after.status == elsewhere.status == EventStatus.APPROVED


def test_cancelling_frees_the_room(centre, session, hall):
    services.event_transition(actor=centre, event=session, action="cancel")
    assert not RoomBooking.objects.filter(event=session).exists()
    again = services.event_create(actor=centre, data=event_data(), room=hall)
    assert again.status == EventStatus.APPROVED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": slot(7, 14, 10)}, "starts_at"),
        ({"ends_at": slot(7, 13)}, "ends_at"),
        ({"starts_at": slot(-1), "ends_at": slot(-1, 16)}, "starts_at"),
        ({"capacity": 500}, "capacity"),
    ],
)
def test_bad_slots_say_what_and_where(centre, hall, change, field):
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=centre, data=event_data(**change), room=hall)
    assert field in exc.value.message_dict


def test_an_online_session_needs_a_link_and_no_room(centre):
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=centre, data=event_data(kind="online"), room=None)
    assert "online_link" in exc.value.message_dict
    event = services.event_create(
        actor=centre,
        data=event_data(kind="online", online_link="https://meeting.example.cn/123"),
        room=None,
    )
    assert event.room_id is None and not event.bookings.exists()
