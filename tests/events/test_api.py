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


def test_staff_list_events_with_seats_and_the_funnel_and_its_definition(
    client_for,
    school,
    centre,
    session,
    make_graduates,
    token_for,  # noqa: F811
):
    from django.test import Client

    from qihang.events import services

    graduates = make_graduates(school, 2)
    for graduate in graduates:
        services.registration_create(actor=actor_for(graduate), event=session, graduate=graduate)
    auth = {"Authorization": token_for(school.centre, school)}
    body = _json(Client().get("/api/v1/staff/events", headers=auth))
    assert "registered" in body["definition"] and body["as_of"]
    [row] = [e for e in body["events"] if e["id"] == session.pk]
    assert row["seats_taken"] == 2 and row["waitlisted"] == 0
    assert row["funnel"] == {"registered": 2, "attended": 0, "no_show": 0, "applied": 0, "hired": 0}
    month = session.starts_at.astimezone().strftime("%Y-%m")
    assert [
        e["id"]
        for e in _json(Client().get(f"/api/v1/staff/events?month={month}", headers=auth))["events"]
    ] == [session.pk]
    assert Client().get("/api/v1/staff/events?month=2027-13", headers=auth).status_code == 422
    employers = _json(Client().get("/api/v1/staff/events/employers", headers=auth))
    assert [e["employer"] for e in employers["employers"]] == [session.employer.name]
    assert employers["employers"][0]["funnel"]["registered"] == 2
    # A graduate has no staff operation.
    assert client_for(school.graduate_user).get("/api/v1/staff/events").status_code == 403


def test_the_staff_events_list_reads_a_fixed_number_of_queries(
    school,
    centre,
    hall,
    session,
    make_graduates,
    token_for,  # noqa: F811
):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from qihang.events import services

    auth = {"Authorization": token_for(school.centre, school)}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/api/v1/staff/events", headers=auth).status_code == 200
        return len(captured.captured_queries)

    queries()  # the token's last use is written once a minute: not in the counts below
    # The token, the membership and its departments, the events with their counts (one
    # GROUP BY), the registrants' applications to the events' employers (one query).
    one = queries()
    assert one == 5
    for day in (9, 10, 11):
        data = event_data(starts_at=slot(day), ends_at=slot(day, 16))
        services.event_create(actor=centre, data=data, room=hall)
    graduates = make_graduates(school, 3)
    for graduate in graduates:
        services.registration_create(actor=actor_for(graduate), event=session, graduate=graduate)
    assert queries() == one
