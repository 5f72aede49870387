"""Appointment objects for tests: an adviser, slots and bookings made through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qihang.appointments import services
from qihang.appointments.models import Adviser, Appointment, AppointmentType, Slot
from qihang.institutions.scoping import Actor, build_actor
from tests.factories import School


def actor(user, school: School) -> Actor:
    return build_actor(user, school.institution.pk)


def make_adviser(school: School, user=None, *, department=None, codes=("career", "resume")):
    user = user or school.centre
    return services.adviser_save(
        actor=actor(school.centre, school),
        user=user,
        types=AppointmentType.objects.filter(code__in=codes),
        department=department,
        title="就业指导老师",
    )


def soon(days: int = 2, hour: int = 10) -> dt.datetime:
    """A local time `days` from today (aware, in the default zone)."""
    today = timezone.localdate()
    return dt.datetime.combine(
        today + dt.timedelta(days=days), dt.time(hour), timezone.get_default_timezone()
    )


def make_slot(school: School, adviser: Adviser, *, starts_at=None, code="career", minutes=30):
    user = adviser.user
    return services.slot_publish(
        actor=actor(user, school),
        type=AppointmentType.objects.get(code=code),
        starts_at=starts_at or soon(),
        minutes=minutes,
        location="琴房楼 301",
    )


def book(school: School, slot: Slot, user=None) -> Appointment:
    return services.appointment_book(
        actor=actor(user or school.graduate_user, school), slot=slot, topic="想了解乐团招聘"
    )


def walk_appointments(school: School) -> None:
    adviser = make_adviser(school)
    slot = make_slot(school, adviser)
    school.fixtures["adviser"] = adviser
    school.fixtures["slot"] = slot
    school.fixtures["appointment"] = book(school, slot)
    other = make_slot(school, adviser, starts_at=soon(hour=14))
    # graduates[2] (声乐歌剧系) has no account to book with: the row is written directly.
    school.fixtures["other_department_appointment"] = Appointment.objects.create(
        institution=school.institution, slot=other, graduate=school.graduates[2]
    )
    school.fixtures["free_slot"] = make_slot(school, adviser, starts_at=soon(hour=16))
