"""Reads for appointments, all through scoping. Free slots for a graduate, one's own
appointments, an adviser's calendar, the centre's overview, and who may read adviser notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qihang.appointments.models import (
    Adviser,
    AdviserNote,
    Appointment,
    AppointmentPolicy,
    AppointmentStatus,
    AppointmentType,
    Slot,
)
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped

LIVE = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)


def policy_of(institution_id: int) -> AppointmentPolicy:
    """The institution's rules (the defaults until the centre changes them)."""
    policy, _created = AppointmentPolicy.objects.get_or_create(institution_id=institution_id)
    return policy


def zone_of(institution_id: int) -> ZoneInfo:
    return ZoneInfo(policy_of(institution_id).time_zone)


def types() -> list[AppointmentType]:
    return list(AppointmentType.objects.filter(is_active=True))


def own_graduate(actor: Actor) -> Graduate | None:
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("department")
        .order_by("-cohort__year")
        .first()
    )


def adviser_of(actor: Actor) -> Adviser | None:
    """The actor's adviser row here, if the centre made them an adviser and it is active."""
    if actor.institution_id is None:
        return None
    return (
        Adviser.objects.filter(
            institution_id=actor.institution_id, user_id=actor.user_id, is_active=True
        )
        .select_related("user", "department")
        .first()
    )


def advisers(actor: Actor) -> QuerySet[Adviser]:
    return (
        scoped(Adviser, actor)
        .select_related("user", "department")
        .prefetch_related("types")
        .order_by("department__sort_order", "id")
    )


def _live_booking(slot_ref: str = "pk") -> Exists:
    return Exists(
        Appointment.objects.filter(slot_id=OuterRef(slot_ref)).exclude(
            status=AppointmentStatus.CANCELLED
        )
    )


def free_slots(
    actor: Actor, *, graduate: Graduate, type_code: str = "", days: int = 28
) -> QuerySet[Slot]:
    """Slots the graduate may book: upcoming, live, unbooked, of an active adviser who serves
    the whole institution or the graduate's department."""
    now = timezone.now()
    qs = (
        scoped(Slot, actor)
        .filter(
            withdrawn=False,
            starts_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=days),
            adviser__is_active=True,
        )
        .filter(Q(adviser__department__isnull=True) | Q(adviser__department=graduate.department_id))
        .exclude(_live_booking())
        .select_related("type", "adviser__user")
        .order_by("starts_at", "id")
    )
    if type_code:
        qs = qs.filter(type__code=type_code)
    return qs


def bookable_slot(actor: Actor, *, graduate: Graduate, slot_id: int) -> Slot:
    """A slot for booking: 404 unless the graduate's institution holds it and its adviser
    serves them (whether it is still free is the database's to say)."""
    return get_scoped_or_404(
        Slot.objects.filter(
            Q(adviser__department__isnull=True) | Q(adviser__department=graduate.department_id)
        ).select_related("type", "adviser__user"),
        actor,
        pk=slot_id,
    )


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "slot__type", "slot__adviser__user", "graduate__department"
    )


def my_appointments(actor: Actor) -> QuerySet[Appointment]:
    """The graduate's own appointments, newest first (what scoping gives a graduate)."""
    return (
        scoped(_appointments(), actor)
        .filter(graduate__user_id=actor.user_id)
        .order_by("-slot__starts_at", "-id")
    )


def appointment_for(actor: Actor, appointment_id: int) -> Appointment:
    return get_scoped_or_404(_appointments(), actor, pk=appointment_id)


def adviser_slots(actor: Actor, adviser: Adviser, *, since: dt.datetime) -> list[Slot]:
    """The adviser's calendar from `since`: slots with their live appointment (or none)."""
    slots = list(
        scoped(Slot, actor)
        .filter(adviser=adviser, starts_at__gte=since)
        .select_related("type", "adviser__user")
        .order_by("starts_at", "id")
    )
    booked = {
        a.slot_id: a
        for a in scoped(_appointments(), actor).filter(
            slot__in=[s.pk for s in slots], status__in=LIVE
        )
    }
    for slot in slots:
        slot.booking = booked.get(slot.pk)
    return slots


def adviser_slot(actor: Actor, adviser: Adviser, slot_id: int) -> Slot:
    return get_scoped_or_404(Slot.objects.filter(adviser=adviser), actor, pk=slot_id)


@dataclass(frozen=True)
class OverviewRow:
    label: str
    booked: int
    attended: int
    no_show: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.booked + self.attended + self.no_show


def _counts(qs: QuerySet[Appointment], key: str) -> dict[object, dict[str, int]]:
    rows: dict[object, dict[str, int]] = {}
    for row in qs.values(key, "status").annotate(n=Count("id")).order_by():
        rows.setdefault(row[key], {})[row["status"]] = row["n"]
    return rows


def overview(
    actor: Actor,
    *,
    since: dt.datetime,
    until: dt.datetime,
    kinds: list[AppointmentType] | None = None,
) -> dict[str, list]:
    """Bookings per type and per adviser in [since, until), with no-shows (two queries for the
    counts, one for the advisers' names; `kinds`: the types, if the caller has them)."""
    qs = scoped(Appointment, actor).filter(slot__starts_at__gte=since, slot__starts_at__lt=until)

    def row(label: str, counts: dict[str, int]) -> OverviewRow:
        return OverviewRow(
            label=label,
            booked=counts.get(AppointmentStatus.BOOKED, 0),
            attended=counts.get(AppointmentStatus.ATTENDED, 0),
            no_show=counts.get(AppointmentStatus.NO_SHOW, 0),
            cancelled=counts.get(AppointmentStatus.CANCELLED, 0),
        )

    by_type = _counts(qs, "slot__type_id")
    by_adviser = _counts(qs, "slot__adviser_id")
    names = {
        a.pk: str(a) for a in Adviser.objects.filter(pk__in=list(by_adviser)).select_related("user")
    }
    return {
        "types": [row(t.name, by_type.get(t.pk, {})) for t in (kinds or types())],
        "advisers": [row(names[pk], counts) for pk, counts in sorted(by_adviser.items())],
    }


def notes_readable(actor: Actor, appointment: Appointment) -> bool:
    """Adviser notes are for advisers only: the appointment's own adviser, an adviser of the
    whole institution (no department), or one of the graduate's department. Never the graduate,
    nor a counsellor of another department, nor staff who do not advise."""
    adviser = adviser_of(actor)
    if adviser is None or appointment.institution_id != actor.institution_id:
        return False
    if appointment.slot.adviser_id == adviser.pk:
        return True
    return adviser.department_id in (None, appointment.graduate.department_id)


def note_of(actor: Actor, appointment: Appointment) -> AdviserNote | None:
    """The note, for a reader `notes_readable` allows (the caller logs sensitive reads through
    services.note_read)."""
    if not notes_readable(actor, appointment):
        return None
    return scoped(AdviserNote, actor).filter(appointment=appointment).first()
