"""The event pages: each list's query count (independent of the number of rows), the
journeys through the forms, and the three endpoint answers (another institution's object 404,
too low a role 403, wrong method 405)."""

import pytest
from django.urls import reverse

from qihang.events import services
from qihang.events.models import Event, EventStatus, Registration, RegistrationStatus
from qihang.institutions.scoping import SESSION_EMPLOYER_KEY
from tests.events.conftest import actor_for, event_data, slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(centre, hall, small_room, school, make_graduates, orchestra):
    """Several events of this month and next with registrations, so that a page reading
    something per row would show it."""
    events = [
        services.event_create(
            actor=centre,
            data=event_data(title=f"宣讲会{i}", starts_at=slot(3 + i), ends_at=slot(3 + i, 15)),
            room=hall,
            employer=orchestra,
        )
        for i in range(4)
    ]
    graduates = make_graduates(school, 3)
    for event in events:
        for g in graduates:
            services.registration_create(actor=actor_for(g), event=event, graduate=g)
    return events, graduates


def employer_client(client_for, orchestra):
    client = client_for(orchestra.admin)
    session = client.session
    session[SESSION_EMPLOYER_KEY] = orchestra.pk
    session.save()
    return client


def test_the_calendar_reads_a_month_in_fixed_queries(
    client_for, school, many, django_assert_num_queries
):
    client = client_for(school.centre)
    month = many[0][0].starts_at.strftime("%Y-%m")
    client.get(reverse("events:list"))  # warm the session
    # session, user, memberships (+ departments), the count, the page of events with their
    # counts (one GROUP BY), the current institution, the navigation's unread count.
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        response = client.get(reverse("events:list"), {"month": month})
    assert response.status_code == 200
    assert "宣讲会0" in response.content.decode()


def test_the_request_queue_and_rooms(
    client_for, school, centre, hall, orchestra_actor, django_assert_num_queries
):
    for i in range(3):
        services.event_request(
            actor=orchestra_actor,
            institution_id=centre.institution_id,
            data=event_data(title=f"申请{i}", starts_at=slot(10 + i), ends_at=slot(10 + i, 15)),
            room=hall,
        )
    client = client_for(school.centre)
    client.get(reverse("events:requests"))
    # session, user, memberships (+ departments), count, the page (employer and room joined),
    # the current institution, the navigation's unread count.
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        response = client.get(reverse("events:requests"))
    assert response.content.decode().count("申请") >= 3
    # session, user, memberships (+ departments), the current institution, unread, the rooms.
    with django_assert_num_queries(8):  # + the session's OTP device (accounts.mfa)
        assert client.get(reverse("events:rooms")).status_code == 200


def test_a_graduates_upcoming_events_and_tickets(
    client_for, school, many, django_assert_num_queries
):
    _events, graduates = many
    client = client_for(graduates[0].user)
    client.get(reverse("events:upcoming"))
    # session, user, memberships (+ departments), the graduate, the events (employer, room,
    # institution joined), their departments (prefetch), the graduate's registrations, the
    # current institution, unread.
    with django_assert_num_queries(10):
        response = client.get(reverse("events:upcoming"))
    assert response.content.decode().count("查看电子票") == 4
    # session, user, memberships (+ departments), count, the current institution, unread, the
    # page of tickets (event, room, institution, employer joined).
    with django_assert_num_queries(8):
        assert client.get(reverse("events:tickets")).status_code == 200


def test_the_employers_events_with_counts(client_for, orchestra, many, django_assert_num_queries):
    client = employer_client(client_for, orchestra)
    client.get(reverse("events:portal_list"))
    # session, user, the employer membership, count, the page with its counts, unread.
    with django_assert_num_queries(6):
        response = client.get(reverse("events:portal_list"))
    assert "3/100" in response.content.decode()


def test_the_funnel_page(client_for, school, many, django_assert_num_queries):
    client = client_for(school.centre)
    client.get(reverse("events:funnel"))
    # session, user, memberships (+ departments), the started events (none with an employer
    # here, so no applications to read for them), per employer, the employers' events, their
    # registrants' applications (applied, hired), the current institution, unread.
    with django_assert_num_queries(11):  # + the session's OTP device (accounts.mfa)
        assert client.get(reverse("events:funnel")).status_code == 200


def test_attendance_reads_registrations_in_fixed_queries(
    client_for, school, many, django_assert_num_queries
):
    event = many[0][0]
    client = client_for(school.centre)
    url = reverse("events:attendance", args=[event.pk])
    client.get(url)
    # session, user, memberships (+ departments), the event (room joined), count, the current
    # institution, unread, the page of registrations (graduate, department, institution joined).
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        response = client.get(url)
    assert response.content.decode().count("学生") >= 3


def test_a_graduate_registers_sees_the_qr_and_cancels(client_for, school, session):
    client = client_for(school.graduate_user)
    response = client.post(reverse("events:register", args=[session.pk]))
    registration = Registration.objects.get(event=session)
    assert response.status_code == 302 and response["Location"] == reverse(
        "events:ticket", args=[registration.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and registration.code in page
    client.post(reverse("events:ticket_cancel", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_staff_check_in_by_typed_code(client_for, school, session):
    reg = services.registration_create(
        actor=actor_for(school.graduates[0]), event=session, graduate=school.graduates[0]
    )
    client = client_for(school.centre)
    url = reverse("events:attendance", args=[session.pk])
    response = client.post(url, {"code": reg.code.lower()}, follow=True)
    assert "签到成功" in response.content.decode()
    response = client.post(url, {"code": "XXXXXX"}, follow=True)
    assert "不是本场活动" in response.content.decode()


def test_the_employer_requests_and_the_centre_approves(client_for, school, hall, orchestra):
    client = employer_client(client_for, orchestra)
    response = client.post(
        reverse("events:portal_request"),
        {
            "institution": school.institution.pk,
            "kind": "info_session",
            "title": "苏州民族管弦乐团专场宣讲",
            "starts_at": slot(9, 10).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": slot(9, 11).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 80,
            "room": hall.pk,
        },
    )
    event = Event.objects.get(title="苏州民族管弦乐团专场宣讲")
    assert response.status_code == 302 and event.status == EventStatus.REQUESTED
    centre = client_for(school.centre)
    centre.post(reverse("events:action", args=[event.pk]), {"action": "approve"})
    event.refresh_from_db()
    assert event.status == EventStatus.APPROVED
    assert "已通过" in client.get(reverse("events:portal_detail", args=[event.pk])).content.decode()


def test_a_bad_slot_is_explained_on_the_form(client_for, school, hall, orchestra):
    client = employer_client(client_for, orchestra)
    response = client.post(
        reverse("events:portal_request"),
        {
            "institution": school.institution.pk,
            "kind": "info_session",
            "title": "时间不对",
            "starts_at": slot(9, 10, 15).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": slot(9, 11).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 80,
            "room": hall.pk,
        },
    )
    assert response.status_code == 200 and "整点或半点" in response.content.decode()


def test_the_centre_creates_a_fair_adds_a_booth_and_shares_it(
    client_for, school, hall, orchestra, paired, other_school
):
    client = client_for(school.centre)
    response = client.post(
        reverse("events:create"),
        {
            "kind": "job_fair",
            "title": "长三角文艺院团双选会",
            "starts_at": slot(12, 9).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": slot(12, 12).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 150,
            "room": hall.pk,
        },
    )
    fair = Event.objects.get(title="长三角文艺院团双选会")
    assert response.status_code == 302 and fair.status == EventStatus.APPROVED
    client.post(
        reverse("events:booth_add", args=[fair.pk]), {"employer": orchestra.pk, "label": "A01"}
    )
    assert fair.booths.get().employer_id == orchestra.pk
    client.post(reverse("events:share", args=[fair.pk]), {"partner": other_school.institution.pk})
    partner = client_for(other_school.graduate_user)
    assert "长三角文艺院团双选会" in partner.get(reverse("events:upcoming")).content.decode()


# --- The three endpoint answers --------------------------------------------------------------
def test_another_institutions_event_is_404(client_for, other_school, session, school):
    client = client_for(other_school.centre)
    for name in ("detail", "attendance"):
        assert client.get(reverse(f"events:{name}", args=[session.pk])).status_code == 404
    for name in ("action", "share", "booth_add"):
        assert (
            client.post(
                reverse(f"events:{name}", args=[session.pk]), {"action": "cancel"}
            ).status_code
            == 404
        )
    graduate = client_for(other_school.graduate_user)
    assert graduate.post(reverse("events:register", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.status == EventStatus.APPROVED


def test_another_graduates_ticket_is_404(client_for, school, session):
    reg = services.registration_create(
        actor=actor_for(school.graduates[0]), event=session, graduate=school.graduates[0]
    )
    from qihang.institutions.roles import Role
    from qihang.institutions.services import membership_grant
    from tests.factories import make_user

    other = make_user("another-grad")
    membership_grant(institution=school.institution, user=other, role=Role.GRADUATE)
    client = client_for(other)
    assert client.get(reverse("events:ticket", args=[reg.pk])).status_code == 404
    assert client.post(reverse("events:ticket_cancel", args=[reg.pk])).status_code == 404


def test_lower_roles_get_403(client_for, school, session):
    assert (
        client_for(school.teacher)
        .post(reverse("events:action", args=[session.pk]), {"action": "cancel"})
        .status_code
        == 403
    )
    assert client_for(school.graduate_user).get(reverse("events:list")).status_code == 403
    assert (
        client_for(school.leader).get(reverse("events:attendance", args=[session.pk])).status_code
        == 403
    )
    assert client_for(school.centre).get(reverse("events:upcoming")).status_code == 403


def test_wrong_method_is_405(client_for, school, session):
    client = client_for(school.centre)
    for name in ("action", "share", "booth_add"):
        assert client.get(reverse(f"events:{name}", args=[session.pk])).status_code == 405
    assert (
        client_for(school.graduate_user)
        .get(reverse("events:register", args=[session.pk]))
        .status_code
        == 405
    )
