"""Appointments: slots, booking and cancelling, the database's guarantees against double
booking, reminders, advisers' notes, and the pages' access and query counts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from qihang.appointments import selectors, services
from qihang.appointments.models import (
    AdviserNote,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Slot,
)
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.institutions.roles import Role
from qihang.institutions.services import membership_grant
from qihang.notifications.kinds import Kind
from qihang.notifications.models import Notification
from tests.appointments.helpers import actor, book, make_adviser, make_slot, soon
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def second_graduate(school):
    """graduates[1] (钢琴系) with an account of its own."""
    user = make_user(f"{school.institution.code}-grad2")
    membership_grant(institution=school.institution, user=user, role=Role.GRADUATE)
    graduate = school.graduates[1]
    graduate.user = user
    graduate.save(update_fields=["user"])
    return user


def test_types_are_reference_data_without_psychological_support():
    codes = set(AppointmentType.objects.values_list("code", flat=True))
    assert codes == {"career", "resume", "mock_audition", "entrepreneurship"}
    assert not AppointmentType.objects.filter(name__contains="心理").exists()
    assert AppointmentType.objects.filter(version=1).count() == 4


def test_a_graduate_books_and_both_sides_are_told(school, committed):
    adviser = make_adviser(school)
    slot = make_slot(school, adviser)
    appointment = book(school, slot)
    assert appointment.status == AppointmentStatus.BOOKED
    assert AuditEvent.objects.filter(action="appointment.book", target_id=str(appointment.pk))
    told = set(
        Notification.objects.filter(kind=Kind.APPOINTMENT_BOOKED).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {school.graduate_user.pk, school.centre.pk}


def test_two_graduates_cannot_book_one_slot(school):
    adviser = make_adviser(school)
    slot = make_slot(school, adviser)
    book(school, slot)
    other = second_graduate(school)
    with pytest.raises(ValidationError, match="已被其他同学预约"):
        book(school, slot, other)
    # The database itself refuses a second live booking, whatever the code above it does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            institution=school.institution, slot=slot, graduate=school.graduates[1]
        )
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_booking_twice_is_booking_once(school):
    slot = make_slot(school, make_adviser(school))
    assert book(school, slot).pk == book(school, slot).pk


def test_a_cancelled_slot_can_be_booked_again(school):
    slot = make_slot(school, make_adviser(school), starts_at=soon(days=5))
    first = book(school, slot)
    services.appointment_transition(
        actor=actor(school.graduate_user, school), appointment=first, action="cancel"
    )
    again = book(school, slot, second_graduate(school))
    assert again.pk != first.pk
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count() == 1


def test_an_advisers_slots_never_overlap(school):
    adviser = make_adviser(school)
    make_slot(school, adviser, starts_at=soon(hour=10), minutes=60)
    with pytest.raises(ValidationError, match="重叠"):
        make_slot(school, adviser, starts_at=soon(hour=10) + dt.timedelta(minutes=30))
    # Back to back is fine.
    make_slot(school, adviser, starts_at=soon(hour=11))
    # The database refuses it without the service too (exclusion constraint / trigger) …
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(
            institution=school.institution,
            adviser=adviser,
            type=AppointmentType.objects.get(code="career"),
            starts_at=soon(hour=10) + dt.timedelta(minutes=15),
            ends_at=soon(hour=10) + dt.timedelta(minutes=45),
        )
    # … also when an existing slot is moved onto another.
    late = make_slot(school, adviser, starts_at=soon(hour=15))
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=late.pk).update(
            starts_at=soon(hour=10, days=2), ends_at=soon(hour=11, days=2)
        )
    # A withdrawn slot frees its time; another adviser's slot never collides.
    services.slot_withdraw(actor=actor(school.centre, school), slot=late)
    other = make_adviser(school, school.teacher)
    make_slot(school, other, starts_at=soon(hour=10))


def test_a_weekly_pattern_keeps_local_times_of_the_institutions_zone(school):
    services.policy_update(
        actor=actor(school.centre, school), time_zone="Asia/Shanghai", cancel_cutoff_hours=12
    )
    make_adviser(school)
    first = timezone.localdate() + dt.timedelta(days=1)
    slots = services.slots_publish_weekly(
        actor=actor(school.centre, school),
        type=AppointmentType.objects.get(code="resume"),
        weekday=2,
        start=dt.time(14, 0),
        minutes=30,
        first_day=first,
        weeks=3,
        count=2,
        location="就业指导中心",
    )
    assert len(slots) == 6
    shanghai = ZoneInfo("Asia/Shanghai")
    local = [timezone.localtime(s.starts_at, shanghai) for s in slots]
    assert {t.weekday() for t in local} == {2}
    assert sorted({t.strftime("%H:%M") for t in local}) == ["14:00", "14:30"]
    assert all(s.starts_at.utcoffset() is not None for s in slots)
    # All or nothing: a pattern meeting an existing slot publishes none of its slots.
    with pytest.raises(ValidationError, match="重叠"):
        services.slots_publish_weekly(
            actor=actor(school.centre, school),
            type=AppointmentType.objects.get(code="resume"),
            weekday=2,
            start=dt.time(14, 15),
            minutes=30,
            first_day=first,
            weeks=3,
        )
    assert Slot.objects.count() == 6


def test_naive_datetimes_are_refused(school):
    make_adviser(school)
    with pytest.raises(ValueError, match="aware"):
        services.slot_publish(
            actor=actor(school.centre, school),
            type=AppointmentType.objects.get(code="career"),
            starts_at=dt.datetime(2099, 1, 5, 10, 0),  # noqa: DTZ001 - the point of the test
            minutes=30,
        )


def test_cancelling_stops_at_the_institutions_cut_off(school):
    centre = actor(school.centre, school)
    services.policy_update(actor=centre, time_zone="Asia/Shanghai", cancel_cutoff_hours=72)
    adviser = make_adviser(school)
    near = book(school, make_slot(school, adviser, starts_at=soon(days=2)))
    with pytest.raises(ValidationError, match="72 小时内"):
        services.appointment_transition(
            actor=actor(school.graduate_user, school), appointment=near, action="cancel"
        )
    far = book(school, make_slot(school, adviser, starts_at=soon(days=6)))
    services.appointment_transition(
        actor=actor(school.graduate_user, school), appointment=far, action="cancel"
    )
    far.refresh_from_db()
    assert far.status == AppointmentStatus.CANCELLED and far.cancelled_at is not None
    # The adviser may still cancel before the start, and the graduate is told.
    services.appointment_transition(actor=centre, appointment=near, action="cancel")
    assert Notification.objects.filter(
        kind=Kind.APPOINTMENT_CANCELLED, recipient=school.graduate_user
    ).exists()


def test_only_an_adviser_the_centre_named_publishes(school):
    with pytest.raises(PermissionDenied):
        make_slot(school, type("A", (), {"user": school.teacher})())
    with pytest.raises(ValidationError, match="咨询师须是本校"):
        make_adviser(school, school.graduate_user)


def test_reminders_go_once_the_day_before(school, committed):
    adviser = make_adviser(school)
    tomorrow = book(school, make_slot(school, adviser, starts_at=soon(days=1, hour=15)))
    later = make_slot(school, adviser, starts_at=soon(days=3))
    book(school, later, second_graduate(school))
    call_command("send_appointment_reminders")
    call_command("send_appointment_reminders")
    reminders = Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER)
    assert list(reminders.values_list("recipient_id", flat=True)) == [school.graduate_user.pk]
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is not None


def test_the_task_sends_the_reminders(school):
    from qihang.appointments.tasks import send_appointment_reminders

    book(school, make_slot(school, make_adviser(school), starts_at=soon(days=1)))
    assert send_appointment_reminders.enqueue().return_value == 1


def test_attendance_is_recorded_after_the_start(school):
    adviser = make_adviser(school)
    appointment = book(school, make_slot(school, adviser))
    centre = actor(school.centre, school)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.appointment_transition(actor=centre, appointment=appointment, action="no_show")
    Slot.objects.filter(pk=appointment.slot_id).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    appointment = Appointment.objects.get(pk=appointment.pk)
    services.appointment_transition(actor=centre, appointment=appointment, action="no_show")
    counts = selectors.overview(
        centre,
        since=timezone.now() - dt.timedelta(days=1),
        until=timezone.now() + dt.timedelta(days=1),
    )
    career = next(r for r in counts["types"] if r.label == "职业生涯咨询")
    assert (career.no_show, career.total) == (1, 1)
    assert counts["advisers"][0].no_show == 1


# --- Notes --------------------------------------------------------------------------------------
def department_counsellor(school, department):
    """A teacher the centre made an adviser of `department`."""
    user = make_user(f"{school.institution.code}-counsellor-{department.pk}")
    membership_grant(institution=school.institution, user=user, role=Role.TEACHER)
    make_adviser(school, user, department=department)
    return user


def test_notes_are_for_advisers_only_and_sensitive_reads_are_logged(school, client_for):
    appointment = book(school, make_slot(school, make_adviser(school)))
    centre = actor(school.centre, school)
    services.note_save(
        actor=centre, appointment=appointment, text="焦虑明显，建议转介", sensitive=True
    )
    # The adviser reads them; the read is logged.
    response = client_for(school.centre).get(f"/appointments/{appointment.pk}/")
    assert "焦虑明显" in response.content.decode()
    assert SensitiveRead.objects.filter(target_type="appointments.advisernote").count() == 1
    # The graduate never: not the adviser pages, not their own list, not the API.
    graduate = client_for(school.graduate_user)
    assert graduate.get(f"/appointments/{appointment.pk}/").status_code == 403
    assert "焦虑明显" not in graduate.get("/appointments/mine/").content.decode()
    assert "焦虑明显" not in graduate.get("/api/v1/appointments/mine").content.decode()
    # A counsellor advising another department: the appointment does not exist for them.
    voice = department_counsellor(school, school.departments[1])
    assert client_for(voice).get(f"/appointments/{appointment.pk}/").status_code == 404
    assert selectors.note_of(actor(voice, school), appointment) is None
    # Staff who do not advise: refused.
    assert client_for(school.dept_staff).get(f"/appointments/{appointment.pk}/").status_code == 403
    # Writing them is the appointment's adviser's alone.
    with pytest.raises(PermissionDenied):
        services.note_save(
            actor=actor(voice, school), appointment=appointment, text="x", sensitive=False
        )
    assert AdviserNote.objects.get().text == "焦虑明显，建议转介"
    assert "焦虑明显" not in str(AuditEvent.objects.values_list("data", "summary"))


def test_plain_notes_are_read_without_a_log(school):
    appointment = book(school, make_slot(school, make_adviser(school)))
    centre = actor(school.centre, school)
    services.note_save(actor=centre, appointment=appointment, text="简历结构清晰", sensitive=False)
    assert services.note_read(actor=centre, appointment=appointment).text == "简历结构清晰"
    assert not SensitiveRead.objects.exists()


# --- Pages: the three endpoint checks and the query counts ---------------------------------------
def test_booking_another_institutions_slot_is_404(school, other_school, client_for):
    theirs = make_slot(other_school, make_adviser(other_school))
    response = client_for(school.graduate_user).post(f"/appointments/slots/{theirs.pk}/book/")
    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_booking_needs_the_graduates_permission(school, client_for):
    slot = make_slot(school, make_adviser(school))
    assert (
        client_for(school.teacher).post(f"/appointments/slots/{slot.pk}/book/").status_code == 403
    )
    assert client_for(school.leader).get("/appointments/calendar/").status_code == 403
    assert client_for(school.graduate_user).get("/appointments/overview/").status_code == 403


def test_booking_is_post_only(school, client_for):
    slot = make_slot(school, make_adviser(school))
    assert (
        client_for(school.graduate_user).get(f"/appointments/slots/{slot.pk}/book/").status_code
        == 405
    )


def test_a_department_adviser_serves_only_their_departments_graduates(school, client_for):
    voice = department_counsellor(school, school.departments[1])
    slot = make_slot(school, selectors.adviser_of(actor(voice, school)))
    # graduates[0] studies piano: the voice department's slot is not theirs to book.
    assert (
        client_for(school.graduate_user).post(f"/appointments/slots/{slot.pk}/book/").status_code
        == 404
    )


def test_the_booking_flow_through_the_pages(school, client_for):
    slot = make_slot(school, make_adviser(school), starts_at=soon(days=4))
    graduate = client_for(school.graduate_user)
    page = graduate.get("/appointments/").content.decode()
    assert "琴房楼 301" in page
    response = graduate.post(f"/appointments/slots/{slot.pk}/book/", {"topic": "乐团面试"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.topic == "乐团面试"
    assert "琴房楼 301" not in graduate.get("/appointments/").content.decode()
    assert graduate.post(f"/appointments/{appointment.pk}/cancel/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_publishing_through_the_page_says_what_is_wrong(school, client_for):
    make_adviser(school)
    client = client_for(school.centre)
    response = client.post(
        "/appointments/calendar/publish/", {"type": "career", "minutes": "5"}, follow=True
    )
    text = response.content.decode()
    assert "日期" in text and "时长" in text
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    client.post(
        "/appointments/calendar/publish/",
        {"type": "career", "day": day, "start": "09:00", "minutes": "45"},
    )
    assert Slot.objects.count() == 1


def many(school, n: int = 6) -> None:
    adviser = make_adviser(school)
    for i in range(n):
        slot = make_slot(school, adviser, starts_at=soon(days=2 + i))
        if i % 2:
            book(school, slot)


def test_query_counts_of_the_graduates_pages(school, client_for, django_assert_num_queries):
    many(school)
    client = client_for(school.graduate_user)
    client.get("/appointments/")  # warm the session
    # session, user, memberships (+ departments prefetch), graduate, free slots with their type
    # and adviser, policy (zone), the types, institution (the switcher), unread count.
    with django_assert_num_queries(10):
        assert client.get("/appointments/").status_code == 200
    # session, user, memberships (+ departments), graduate, policy, appointments with slot, type
    # and adviser, institution, unread count.
    with django_assert_num_queries(9):
        assert client.get("/appointments/mine/").status_code == 200


def test_query_counts_of_the_advisers_and_centres_pages(
    school, client_for, django_assert_num_queries
):
    many(school)
    client = client_for(school.centre)
    client.get("/appointments/calendar/")
    # session, user, memberships (+ departments), adviser with user, policy, slots, their
    # bookings, institution, unread count, the type choices of the two forms.
    with django_assert_num_queries(13):  # + the session's OTP device (accounts.mfa)
        assert client.get("/appointments/calendar/").status_code == 200
    # session, user, memberships (+ departments), policy, types, counts by type, by adviser,
    # adviser names, advisers (+ their types), staff, departments,
    # institution, unread count.
    with django_assert_num_queries(16):  # + the session's OTP device (accounts.mfa)
        assert client.get("/appointments/overview/").status_code == 200
