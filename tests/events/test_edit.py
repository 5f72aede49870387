"""The centre edits an event (time with the room re-booked, capacity with the waiting list
promoted, eligibility, link) and works its registration list: cancel on a graduate's behalf,
export as xlsx (masked data, audited). Pages: query counts and the three endpoint answers."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from qihang.audit.models import AuditEvent
from qihang.events import services
from qihang.events.models import Event, RegistrationStatus, RoomBooking, slots_of
from qihang.lib.workflow import TransitionConflict
from qihang.notifications.kinds import Kind
from qihang.notifications.models import Notification
from tests.events.conftest import actor_for, event_data, slot

pytestmark = pytest.mark.django_db

S, W, C = RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED


@pytest.fixture
def small(centre, hall):
    return services.event_create(actor=centre, data=event_data(capacity=2), room=hall)


@pytest.fixture
def crowd(small, school, make_graduates):
    """Two seated, three waiting, in that order."""
    graduates = make_graduates(school, 5)
    regs = [
        services.registration_create(actor=actor_for(g), event=small, graduate=g) for g in graduates
    ]
    return graduates, regs


def edit(centre, event, **data):
    return services.event_update(actor=centre, event=event, data=data)


# --- Services ---------------------------------------------------------------------------------
def test_capacity_below_the_seats_taken_is_refused_with_the_number(centre, small, crowd):
    with pytest.raises(ValidationError) as exc:
        edit(centre, small, capacity=1)
    assert "已报名人数（2）" in exc.value.message_dict["capacity"][0]
    small.refresh_from_db()
    assert small.capacity == 2
    assert not AuditEvent.objects.filter(action="event.edit").exists()


def test_raising_capacity_promotes_the_waiting_list_in_order_and_tells_them(centre, small, crowd):
    graduates, regs = crowd
    _event, promoted = edit(centre, small, capacity=4)
    assert [r.pk for r in promoted] == [regs[2].pk, regs[3].pk]
    statuses = [r.status for r in type(regs[0]).objects.filter(event=small).order_by("pk")]
    assert statuses == [S, S, S, S, W]
    small.refresh_from_db()
    assert (small.capacity, small.seats_taken) == (4, 4)
    told = Notification.objects.get(recipient=graduates[2].user)
    assert (
        told.kind == Kind.EVENT_PROMOTED and regs[2].code in told.body and "增加了名额" in told.body
    )
    assert not Notification.objects.filter(recipient=graduates[4].user).exists()
    row = AuditEvent.objects.get(action="event.edit")
    assert row.data["changes"]["capacity"] == [2, 4]
    assert row.data["promoted"] == [regs[2].pk, regs[3].pk]
    assert AuditEvent.objects.filter(action="event.waitlist_promote").count() == 2


def test_raising_capacity_beyond_the_waiting_list_frees_seats(centre, small, crowd):
    _event, promoted = edit(centre, small, capacity=10)
    assert len(promoted) == 3
    small.refresh_from_db()
    assert small.seats_taken == 5 and small.seats_left == 5


def test_a_new_time_rebooks_the_room_and_tells_registrants(centre, small, crowd, hall):
    graduates, _regs = crowd
    start, end = slot(8, 9), slot(8, 10)
    edit(centre, small, starts_at=start, ends_at=end)
    booked = sorted(RoomBooking.objects.filter(event=small).values_list("slot_start", flat=True))
    assert booked == slots_of(start, end)
    for g in graduates:  # seated and waiting
        told = Notification.objects.get(recipient=g.user)
        assert told.kind == Kind.EVENT_CHANGED
        assert "时间或地点变更" in told.subject and "09:00" in told.body
    changes = AuditEvent.objects.get(action="event.edit").data["changes"]
    assert (
        set(changes) == {"starts_at", "ends_at"}
        and AuditEvent.objects.get(action="event.edit").data["rebooked"]
    )


def test_a_clash_names_the_other_event_and_nothing_is_written(centre, small, crowd, hall):
    other = services.event_create(
        actor=centre,
        data=event_data(title="另一场宣讲会", starts_at=slot(9, 14), ends_at=slot(9, 16)),
        room=hall,
    )
    before = sorted(RoomBooking.objects.filter(event=small).values_list("slot_start", flat=True))
    with pytest.raises(ValidationError) as exc:
        edit(centre, small, starts_at=slot(9, 15), ends_at=slot(9, 17), capacity=4, title="新")
    assert "另一场宣讲会" in " ".join(exc.value.messages)
    small.refresh_from_db()
    assert (small.title, small.capacity, small.seats_taken) != ("新", 4, 4)
    assert small.capacity == 2 and small.starts_at == slot(7, 14)
    after = sorted(RoomBooking.objects.filter(event=small).values_list("slot_start", flat=True))
    assert after == before and RoomBooking.objects.filter(event=other).count() == 4
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="event.edit").exists()
    assert type(crowd[1][2]).objects.get(pk=crowd[1][2].pk).status == W


def test_a_title_change_tells_nobody_and_keeps_the_bookings(centre, small, crowd):
    edit(centre, small, title="新标题", description="新介绍")
    small.refresh_from_db()
    assert small.title == "新标题" and RoomBooking.objects.filter(event=small).count() == 4
    assert not Notification.objects.exists()


def test_eligibility_and_departments_can_change(centre, small, school):
    department = school.graduates[0].department
    services.event_update(
        actor=centre,
        event=small,
        data={"cohort_year": 2026, "degree_levels": ["master"]},
        departments=[department],
    )
    small.refresh_from_db()
    assert small.cohort_year == 2026 and small.degree_levels == ["master"]
    assert list(small.departments.all()) == [department]
    assert AuditEvent.objects.get(action="event.edit").data["changes"]["departments"] == [
        [],
        [department.pk],
    ]


def test_only_the_centre_of_the_institution_edits_a_live_event(
    centre, small, other_school, school, orchestra_actor
):
    from qihang.institutions.scoping import build_actor

    with pytest.raises(PermissionDenied):
        edit(build_actor(other_school.centre, other_school.institution.pk), small, title="x")
    with pytest.raises(PermissionDenied):
        edit(build_actor(school.teacher, school.institution.pk), small, title="x")
    with pytest.raises(PermissionDenied):
        edit(orchestra_actor, small, title="x")
    services.event_transition(actor=centre, event=small, action="cancel")
    with pytest.raises(TransitionConflict):
        edit(centre, small, title="x")


def test_cancel_on_behalf_needs_a_reason_is_audited_and_promotes(centre, small, crowd):
    graduates, regs = crowd
    with pytest.raises(ValidationError):
        services.registration_cancel(actor=centre, registration=regs[0])
    promoted = services.registration_cancel(actor=centre, registration=regs[0], reason="重复报名")
    assert promoted.pk == regs[2].pk
    row = AuditEvent.objects.get(action="event.registration_cancel")
    assert row.data["on_behalf"] and row.data["reason"] == "重复报名"
    told = Notification.objects.get(recipient=graduates[0].user)
    assert "重复报名" in told.body


# --- Pages ------------------------------------------------------------------------------------
def test_the_edit_page_saves_and_explains_a_capacity_too_low(client_for, school, small, crowd):
    client = client_for(school.centre)
    url = reverse("events:edit", args=[small.pk])
    assert client.get(url).status_code == 200
    form = {
        "title": small.title,
        "description": "",
        "starts_at": slot(7, 14).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": slot(7, 16).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 1,
        "online_link": "",
    }
    page = client.post(url, form)
    assert page.status_code == 200 and "已报名人数（2）" in page.content.decode()
    assert client.post(url, form | {"capacity": 3}).status_code == 302
    small.refresh_from_db()
    assert small.capacity == 3 and small.seats_taken == 3


def test_the_edit_page_shows_a_clash(client_for, school, centre, small, hall):
    services.event_create(
        actor=centre,
        data=event_data(title="另一场宣讲会", starts_at=slot(9, 14), ends_at=slot(9, 16)),
        room=hall,
    )
    page = client_for(school.centre).post(
        reverse("events:edit", args=[small.pk]),
        {
            "title": small.title,
            "starts_at": slot(9, 14).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": slot(9, 16).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 2,
        },
    )
    assert page.status_code == 200 and "另一场宣讲会" in page.content.decode()


def test_the_registration_list_in_fixed_queries(
    client_for, school, small, crowd, django_assert_num_queries
):
    client = client_for(school.centre)
    url = reverse("events:registrations", args=[small.pk])
    client.get(url)
    # session, user, memberships (+ departments), the event (room, park joined), the count,
    # the page of registrations (graduate, department, institution joined), the current
    # institution, the navigation's unread count.
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        response = client.get(url)
    page = response.content.decode()
    assert page.count("代为取消") == 5 and crowd[0][0].name in page
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        assert client.get(url, {"status": "waitlisted"}).content.decode().count("代为取消") == 3


def test_cancel_on_behalf_through_the_page(client_for, school, small, crowd):
    _graduates, regs = crowd
    client = client_for(school.centre)
    url = reverse("events:registration_cancel", args=[small.pk, regs[0].pk])
    client.post(url, {"reason": ""})
    regs[0].refresh_from_db()
    assert regs[0].status == S
    response = client.post(url, {"reason": "本人电话请求取消"})
    assert response.status_code == 302
    regs[0].refresh_from_db()
    regs[2].refresh_from_db()
    assert (regs[0].status, regs[2].status) == (C, S)


def test_the_xlsx_export_reads_back_masked_and_is_audited(client_for, school, small, crowd):
    graduates, _regs = crowd
    graduate = graduates[0]
    graduate.phone = "13812345678"
    graduate.save()
    response = client_for(school.centre).get(
        reverse("events:registrations_export", args=[small.pk])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == small.title
    header = rows[5]
    assert header[:2] == ["姓名", "学号"]
    data = rows[6:]
    assert len(data) == 5
    names = [r[0] for r in data]
    assert graduate.name in names
    phone = data[names.index(graduate.name)][header.index("手机（脱敏）")]
    assert phone != "13812345678" and phone.startswith("138") and "*" in phone
    assert [r[header.index("状态")] for r in data].count("候补中") == 3
    row = AuditEvent.objects.get(action="event.registrations_export")
    assert row.data["rows"] == 5


def test_another_institutions_event_is_404(client_for, other_school, small, crowd):
    client = client_for(other_school.centre)
    for name in ("edit", "registrations", "registrations_export"):
        assert client.get(reverse(f"events:{name}", args=[small.pk])).status_code == 404
    url = reverse("events:registration_cancel", args=[small.pk, crowd[1][0].pk])
    assert client.post(url, {"reason": "试试看"}).status_code == 404
    assert client.post(reverse("events:edit", args=[small.pk]), {"title": "x"}).status_code == 404


def test_another_events_registration_is_404(client_for, school, centre, hall, small, crowd):
    other = services.event_create(
        actor=centre, data=event_data(starts_at=slot(10), ends_at=slot(10, 16)), room=hall
    )
    url = reverse("events:registration_cancel", args=[other.pk, crowd[1][0].pk])
    assert client_for(school.centre).post(url, {"reason": "试试看"}).status_code == 404


def test_lower_roles_get_403(client_for, school, small, crowd):
    for user in (school.teacher, school.leader, school.graduate_user):
        client = client_for(user)
        for name in ("edit", "registrations", "registrations_export"):
            assert client.get(reverse(f"events:{name}", args=[small.pk])).status_code == 403
        url = reverse("events:registration_cancel", args=[small.pk, crowd[1][0].pk])
        assert client.post(url, {"reason": "试试看"}).status_code == 403


def test_wrong_method_is_405(client_for, school, small, crowd):
    url = reverse("events:registration_cancel", args=[small.pk, crowd[1][0].pk])
    client = client_for(school.centre)
    assert client.get(url).status_code == 405
    for name in ("registrations", "registrations_export"):
        assert client.post(reverse(f"events:{name}", args=[small.pk])).status_code == 405
    assert client.put(reverse("events:edit", args=[small.pk])).status_code == 405
    assert Event.objects.get(pk=small.pk).seats_taken == 2


def test_the_employer_of_an_info_session_learns_of_a_new_time(centre, session, orchestra):
    start, end = slot(9, 9), slot(9, 11)
    edit(centre, session, starts_at=start, ends_at=end)
    told = Notification.objects.get(recipient=orchestra.admin)
    assert told.kind == Kind.EVENT_CHANGED and "宣讲会时间或地点变更" in told.subject
    assert "09:00" in told.body and f"/events/employer/{session.pk}/" in told.link
