"""The events API: a graduate lists, registers and cancels (signed-in session); an employer
requests and lists (its token); the same services and scoping as the pages."""

import json

import pytest

from qihang.events.models import Event, EventStatus, RegistrationStatus
from qihang.institutions.scoping import SESSION_EMPLOYER_KEY
from tests.api.conftest import token_for  # noqa: F401  (the API tests' token fixture)
from tests.events.conftest import actor_for, event_data, slot

pytestmark = pytest.mark.django_db


def _json(response):
    return json.loads(response.content)


def test_a_graduate_lists_registers_and_cancels(client_for, school, centre, hall, make_graduates):
    from qihang.events import services

    full = services.event_create(actor=centre, data=event_data(capacity=1), room=hall)
    first = make_graduates(school, 1)[0]
    services.registration_create(actor=actor_for(first), event=full, graduate=first)
    client = client_for(school.graduate_user)
    listed = _json(client.get("/api/v1/events"))
    assert [e["id"] for e in listed] == [full.pk] and listed[0]["seats_left"] == 0
    response = client.post(f"/api/v1/events/{full.pk}/registrations")
    assert response.status_code == 200
    body = _json(response)
    assert body["status"] == RegistrationStatus.WAITLISTED and body["code"] == ""
    # A retried request gets the registration one has.
    again = client.post(f"/api/v1/events/{full.pk}/registrations")
    assert again.status_code == 200 and _json(again)["id"] == body["id"]
    mine = _json(client.get("/api/v1/events/registrations"))
    assert [r["id"] for r in mine] == [body["id"]]
    cancelled = client.post(f"/api/v1/events/registrations/{body['id']}/cancel")
    assert cancelled.status_code == 200 and _json(cancelled)["status"] == "cancelled"


def test_an_ineligible_graduate_is_told_why(client_for, school, centre, hall):
    from qihang.events import services

    masters = services.event_create(
        actor=centre, data=event_data(degree_levels=["master"]), room=hall
    )
    response = client_for(school.graduate_user).post(f"/api/v1/events/{masters.pk}/registrations")
    assert response.status_code == 422
    assert "硕士" in _json(response)["detail"][0]["msg"]


def test_another_institutions_event_is_404_in_the_api(client_for, other_school, session):
    client = client_for(other_school.graduate_user)
    assert client.post(f"/api/v1/events/{session.pk}/registrations").status_code == 404


def test_staff_may_not_register_in_the_api(client_for, school, session, token_for):  # noqa: F811
    header = token_for(school.centre, school)
    response = client_for(school.centre).post(
        f"/api/v1/events/{session.pk}/registrations", HTTP_AUTHORIZATION=header
    )
    assert response.status_code == 403


def test_an_employer_requests_and_lists(client_for, school, hall, orchestra, token_for):  # noqa: F811
    from django.test import Client

    header = token_for(orchestra.admin, school)
    client = Client()
    payload = {
        "institution": school.institution.code,
        "title": "杭州爱乐乐团宣讲会",
        "starts_at": slot(8, 14).isoformat(),
        "ends_at": slot(8, 15).isoformat(),
        "capacity": 60,
        "room": hall.pk,
    }
    response = client.post(
        "/api/v1/employer/events",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == 201, response.content
    event = Event.objects.get(title="杭州爱乐乐团宣讲会")
    assert event.status == EventStatus.REQUESTED and event.employer_id == orchestra.pk
    bad = client.post(
        "/api/v1/employer/events",
        json.dumps(payload | {"starts_at": slot(8, 14, 20).isoformat()}),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert bad.status_code == 400 and "starts_at" in _json(bad)["errors"]
    listed = _json(client.get("/api/v1/employer/events", HTTP_AUTHORIZATION=header))
    assert [e["title"] for e in listed] == ["杭州爱乐乐团宣讲会"]
    unknown = client.post(
        "/api/v1/employer/events",
        json.dumps(payload | {"institution": "99999"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert unknown.status_code == 404


def test_wrong_method_is_405_in_the_api(client_for, school, session):
    client = client_for(school.graduate_user)
    assert client.get(f"/api/v1/events/{session.pk}/registrations").status_code == 405


def test_the_employer_session_sees_only_its_events(client_for, orchestra, session, other_school):
    from tests.factories import make_employer, make_user

    user = make_user("rival-admin")
    make_employer("别家剧院", serial=31, institution=other_school.institution, user=user)
    client = client_for(user)
    listed = _json(client.get("/api/v1/employer/events"))
    assert listed == []
    assert SESSION_EMPLOYER_KEY  # the session acts for the account's first organisation
