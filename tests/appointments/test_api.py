"""The appointments API beyond the graduate's operations: an adviser's calendar (who booked,
never the notes) and the centre's overview with the definition of its counts."""

import pytest
from django.test import Client

from qihang.appointments import services
from tests.api.conftest import token_for  # noqa: F401  (the API tests' token fixture)
from tests.appointments.helpers import actor, book, make_adviser, make_slot, soon

pytestmark = pytest.mark.django_db


def test_an_adviser_reads_their_calendar_with_who_booked_and_no_notes(
    school,
    token_for,  # noqa: F811
):
    adviser = make_adviser(school)
    booked = make_slot(school, adviser, starts_at=soon(2, 10))
    free = make_slot(school, adviser, starts_at=soon(2, 11))
    appointment = book(school, booked)
    services.note_save(
        actor=actor(school.centre, school),
        appointment=appointment,
        text="焦虑明显，建议转介",
        sensitive=True,
    )
    auth = {"Authorization": token_for(school.centre, school)}
    response = Client().get("/api/v1/adviser/slots", headers=auth)
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [booked.pk, free.pk]
    assert rows[0]["booking"]["graduate"] == school.graduates[0].name
    assert rows[0]["booking"]["topic"] == "想了解乐团招聘" and rows[1]["booking"] is None
    assert "焦虑明显" not in response.content.decode()


def test_staff_who_do_not_advise_are_refused_the_calendar(school, token_for):  # noqa: F811
    make_adviser(school)  # the centre advises; department staff do not
    auth = {"Authorization": token_for(school.dept_staff, school)}
    response = Client().get("/api/v1/adviser/slots", headers=auth)
    assert response.status_code == 403


def test_the_overview_counts_bookings_with_its_definition(school, token_for):  # noqa: F811
    adviser = make_adviser(school)
    book(school, make_slot(school, adviser, starts_at=soon(3, 10)))
    auth = {"Authorization": token_for(school.centre, school)}
    body = Client().get("/api/v1/staff/appointments/overview?days=30", headers=auth).json()
    assert "booked" in body["definition"] and body["since"] < body["until"]
    career = next(r for r in body["types"] if r["booked"])
    assert career["booked"] == 1 and career["cancelled"] == 0
    assert [r["booked"] for r in body["advisers"]] == [1]
    refused = Client().get("/api/v1/staff/appointments/overview?days=0", headers=auth)
    assert refused.status_code == 422
