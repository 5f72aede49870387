"""Founders' events (创业活动): held at a cultural-creative park (no room booked) or in a room,
created by the centre only, registered for as any event, shown on the ventures pages and in the
API with their park."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from qihang.events import selectors, services
from qihang.events.models import Event, EventKind, EventStatus, RegistrationStatus, RoomBooking
from qihang.ventures.models import Park
from tests.events.conftest import actor_for, event_data, slot
from tests.ventures.helpers import make_project

pytestmark = pytest.mark.django_db


def founders_data(**extra):
    return event_data(
        kind=EventKind.FOUNDERS,
        title="西岸创业路演日",
        description="文创园区开放日与项目路演",
        capacity=2,
        **extra,
    )


@pytest.fixture
def west_bund():
    return Park.objects.get(code="sh-xh-west-bund")


@pytest.fixture
def roadshow(centre, west_bund):
    return services.event_create(actor=centre, data=founders_data(), room=None, park=west_bund)


def test_a_founders_event_at_a_park_books_no_room(roadshow, west_bund):
    assert roadshow.status == EventStatus.APPROVED
    assert roadshow.park == west_bund and roadshow.room is None
    assert not RoomBooking.objects.filter(event=roadshow).exists()
    assert roadshow.place == "西岸文化艺术示范区"


def test_a_founders_event_in_a_room_books_it(centre, hall, west_bund):
    event = services.event_create(actor=centre, data=founders_data(), room=hall, park=west_bund)
    assert RoomBooking.objects.filter(event=event).count() == 4  # two hours in half-hour slots


def test_a_founders_event_needs_a_room_or_a_park(centre):
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=centre, data=founders_data(), room=None)
    assert "room" in exc.value.message_dict


def test_another_kind_drops_the_park(centre, hall, west_bund):
    event = services.event_create(actor=centre, data=event_data(), room=hall, park=west_bund)
    assert event.park is None


def test_the_database_refuses_a_park_on_another_kind_and_a_founders_event_nowhere(
    school, session, west_bund
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=session.pk).update(park=west_bund)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=session.pk).update(kind=EventKind.FOUNDERS, room=None)


def test_an_employer_may_not_request_one(orchestra_actor, centre, hall):
    with pytest.raises(ValidationError):
        services.event_request(
            actor=orchestra_actor,
            institution_id=centre.institution_id,
            data=founders_data(),
            room=hall,
        )


def test_registration_and_the_waiting_list_work_unchanged(roadshow, school, make_graduates):
    graduates = make_graduates(school, 3)
    statuses = [
        services.registration_create(actor=actor_for(g), event=roadshow, graduate=g).status
        for g in graduates
    ]
    assert statuses == [RegistrationStatus.SEATED] * 2 + [RegistrationStatus.WAITLISTED]


def test_the_centre_creates_one_on_the_create_page(client_for, school, west_bund):
    client = client_for(school.centre)
    page = client.get(reverse("events:create") + "?kind=founders").content.decode()
    assert 'value="founders" selected' in page and "西岸文化艺术示范区" in page
    response = client.post(
        reverse("events:create"),
        {
            "kind": "founders",
            "title": "杨浦园区参访",
            "starts_at": slot(9, 14).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": slot(9, 16).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 30,
            "park": west_bund.pk,
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(title="杨浦园区参访")
    assert event.park == west_bund and event.room is None
    detail = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "创业活动" in detail and "西岸文化艺术示范区" in detail


def test_the_ventures_pages_show_upcoming_founders_events(client_for, school, roadshow):
    past = Event.objects.create(
        institution=school.institution,
        kind=EventKind.FOUNDERS,
        title="往期路演",
        status=EventStatus.APPROVED,
        park=roadshow.park,
        starts_at=slot(-3),
        ends_at=slot(-3, 16),
        capacity=10,
    )
    assert selectors.founders_events(actor=actor_for(school.graduates[0])) == [roadshow]
    centre = client_for(school.centre)
    for url in ("/ventures/all/", "/ventures/parks/"):
        page = centre.get(url).content.decode()
        assert "西岸创业路演日" in page and past.title not in page
    project = make_project(school)  # 音乐教育 in 徐汇: 西岸 is among its parks
    graduate = client_for(school.graduate_user)
    page = graduate.get(f"/ventures/{project.pk}/").content.decode()
    assert "西岸创业路演日" in page and reverse("events:upcoming") in page


def test_the_api_gives_the_park(client_for, school, roadshow):
    events = client_for(school.graduate_user).get("/api/v1/events").json()
    found = [e for e in events if e["id"] == roadshow.pk]
    assert found[0]["kind"] == "founders" and found[0]["room"] == ""
    assert found[0]["park"] == {"name": "西岸文化艺术示范区", "city": "上海", "district": "徐汇区"}
