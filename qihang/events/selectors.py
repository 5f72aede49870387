"""Reads of events, through scoping only: the staff calendar and request queue, rooms, an
event's registrations (attendance), a graduate's upcoming events and tickets, an employer's
events, and the attendance funnel per event and per employer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qihang.applications.models import Application, ApplicationStatus
from qihang.events.eligibility import ineligible_reasons
from qihang.events.models import (
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Room,
)
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import Actor, owned, scoped

# How many upcoming founders' events a ventures page lists.
FOUNDERS_LIMIT = 20


def _with_counts(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Each event with its registrations counted in the same query (GROUP BY the event)."""
    return qs.annotate(
        n_seated=Count("registrations", filter=Q(registrations__status=RegistrationStatus.SEATED)),
        n_waitlisted=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        n_attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
    )


def staff_events(
    *, actor: Actor, status: str = "", month: dt.date | None = None
) -> QuerySet[Event]:
    """The institution's events and those a partner shares with it, with counts."""
    qs = scoped(Event, actor).select_related("employer", "room", "park", "institution")
    if status:
        qs = qs.filter(status=status)
    if month is not None:
        zone = timezone.get_current_timezone()
        start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
        end_month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = dt.datetime(end_month.year, end_month.month, 1, tzinfo=zone)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    return _with_counts(qs).order_by("starts_at", "id")


def request_queue(*, actor: Actor) -> QuerySet[Event]:
    """Employers' requests waiting for this institution's decision (its own events only)."""
    return (
        owned(Event, actor)
        .filter(status=EventStatus.REQUESTED)
        .select_related("employer", "room", "park")
        .order_by("created_at", "id")
    )


def rooms(*, actor: Actor) -> QuerySet[Room]:
    return scoped(Room, actor).order_by("-is_active", "name")


def event_registrations(*, actor: Actor, event: Event) -> QuerySet[Registration]:
    """Everyone registered for `event` whom the actor may see (the holding institution sees
    a partner's graduates at its joint event)."""
    return (
        scoped(Registration, actor)
        .filter(event=event)
        .select_related("graduate", "graduate__department", "institution")
        .order_by("status", "created_at", "id")
    )


# The registration list's filters: a status, or those checked in.
CHECKED_IN = "checked_in"


def registration_list(*, actor: Actor, event: Event, status: str = "") -> QuerySet[Registration]:
    """The staff registration list of `event` (seated, waiting, cancelled; or checked in),
    the waiting list in its order."""
    qs = event_registrations(actor=actor, event=event)
    if status == CHECKED_IN:
        qs = qs.filter(checked_in_at__isnull=False)
    elif status in RegistrationStatus.values:
        qs = qs.filter(status=status)
    return qs


def graduate_of(actor: Actor) -> Graduate | None:
    """The actor's own graduate record at their institution (None: not a graduate here)."""
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("cohort", "department")
        .first()
    )


def upcoming_for(*, actor: Actor, graduate: Graduate) -> list[Event]:
    """Approved events still to come that `graduate` may register for, own and shared, each
    with `my` (the graduate's live registration, or None)."""
    now = timezone.now()
    events = list(
        scoped(Event, actor)
        .filter(status=EventStatus.APPROVED, starts_at__gt=now)
        .filter(Q(cohort_year__isnull=True) | Q(cohort_year=graduate.cohort.year))
        .select_related("employer", "room", "park", "institution")
        .prefetch_related("departments")
        .order_by("starts_at", "id")[:200]
    )
    mine = {
        r.event_id: r
        for r in Registration.objects.filter(
            graduate=graduate,
            event_id__in=[e.pk for e in events],
            status__in=[RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED],
        )
    }
    shown = []
    for event in events:
        event.my = mine.get(event.pk)
        departments = {d.pk for d in event.departments.all()}
        if not ineligible_reasons(event, graduate, now=now, department_ids=departments):
            shown.append(event)
    return shown


def my_registrations(*, actor: Actor) -> QuerySet[Registration]:
    return (
        scoped(Registration, actor)
        .filter(graduate__user_id=actor.user_id)
        .select_related(
            "event", "event__room", "event__park", "event__institution", "event__employer"
        )
        .order_by("-event__starts_at", "-id")
    )


def employer_events(*, actor: Actor) -> QuerySet[Event]:
    """An employer's own events at every institution, with registration counts."""
    return _with_counts(
        scoped(Event, actor).select_related("room", "park", "institution")
    ).order_by("-starts_at", "-id")


def founders_events(*, actor: Actor, park_ids: Iterable[int] | None = None) -> list[Event]:
    """Approved founders' events still to come that the actor may see (own and shared), for
    the ventures pages: all of them, or those at `park_ids`. One query.

    Here, not in ventures: events point at ventures.Park, so ventures' pages read the events
    through this selector and ventures' models never import events (one direction)."""
    qs = (
        scoped(Event, actor)
        .filter(kind=EventKind.FOUNDERS, status=EventStatus.APPROVED, starts_at__gt=timezone.now())
        .select_related("room", "park", "institution")
        .order_by("starts_at", "id")
    )
    if park_ids is not None:
        qs = qs.filter(park_id__in=list(park_ids))
    return list(qs[:FOUNDERS_LIMIT])


# --- The funnel ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Funnel:
    """registered → attended → applied → hired, for one event or one employer's events.

    registered: seats held (checked in or not; waiting-list places not counted);
    attended: seats checked in at the door; no_show: seats not checked in at an event that
    has ended. applied: seated registrants who applied to the event's employer after
    registering (an application not withdrawn); hired: those of them hired. None for an event
    without an employer (the pages show "—").
    """

    registered: int
    attended: int
    no_show: int
    applied: int | None = None
    hired: int | None = None

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.registered if self.registered else None


def outcomes_of(events: list[Event]) -> dict[int, tuple[int, int]]:
    """(applied, hired) per event with an employer: its seated registrants who applied to that
    employer after registering, and those hired. One query, whatever the number of events."""
    with_employer = [e.pk for e in events if e.employer_id]
    if not with_employer:
        return {}
    applications = Application.objects.filter(
        graduate_id=OuterRef("graduate_id"),
        employer_id=OuterRef("event__employer_id"),
        submitted_at__gte=OuterRef("created_at"),
    ).exclude(status=ApplicationStatus.WITHDRAWN)
    rows = (
        Registration.objects.filter(event_id__in=with_employer, status=RegistrationStatus.SEATED)
        .annotate(
            applied=Exists(applications),
            hired=Exists(applications.filter(status=ApplicationStatus.HIRED)),
        )
        .values_list("event_id", "applied", "hired")
    )
    found = {pk: [0, 0] for pk in with_employer}
    for event_id, applied, hired in rows:
        found[event_id][0] += bool(applied)
        found[event_id][1] += bool(hired)
    return {pk: (a, h) for pk, (a, h) in found.items()}


def funnel_of(
    event: Event,
    *,
    now: dt.datetime | None = None,
    outcomes: dict[int, tuple[int, int]] | None = None,
) -> Funnel:
    """From the counts `_with_counts` put on the event, and its applications (`outcomes_of`,
    read here when not given)."""
    now = now or timezone.now()
    registered = event.n_seated
    ended = event.ends_at <= now
    if outcomes is None:
        outcomes = outcomes_of([event])
    applied, hired = outcomes.get(event.pk, (None, None))
    return Funnel(
        registered=registered,
        attended=event.n_attended,
        no_show=(registered - event.n_attended) if ended else 0,
        applied=applied,
        hired=hired,
    )


@dataclass(frozen=True)
class EmployerFunnel:
    employer_id: int
    employer_name: str
    events: int
    funnel: Funnel


def funnel_by_employer(*, actor: Actor) -> list[EmployerFunnel]:
    """Each employer's events at the institution added up (one query, grouped)."""
    now = timezone.now()
    rows = (
        owned(Event, actor)
        .filter(status=EventStatus.APPROVED, employer__isnull=False)
        .values("employer_id", "employer__name")
        .annotate(
            events=Count("id", distinct=True),
            registered=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.SEATED)
            ),
            attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
            no_show=Count(
                "registrations",
                filter=Q(
                    registrations__status=RegistrationStatus.SEATED,
                    registrations__checked_in_at__isnull=True,
                    ends_at__lte=now,
                ),
            ),
        )
        .order_by("-registered", "employer__name")
    )
    rows = list(rows)
    events = list(
        owned(Event, actor)
        .filter(status=EventStatus.APPROVED, employer__isnull=False)
        .only("pk", "employer_id")
    )
    outcomes = outcomes_of(events)
    by_employer: dict[int, list[int]] = {}
    for event in events:
        applied, hired = outcomes.get(event.pk, (0, 0))
        totals = by_employer.setdefault(event.employer_id, [0, 0])
        totals[0] += applied
        totals[1] += hired
    return [
        EmployerFunnel(
            employer_id=r["employer_id"],
            employer_name=r["employer__name"],
            events=r["events"],
            funnel=Funnel(
                registered=r["registered"],
                attended=r["attended"],
                no_show=r["no_show"],
                applied=by_employer.get(r["employer_id"], [0, 0])[0],
                hired=by_employer.get(r["employer_id"], [0, 0])[1],
            ),
        )
        for r in rows
    ]


def shares_of(*, actor: Actor, event: Event) -> list:
    from qihang.institutions.models import Share

    return list(
        scoped(Share, actor)
        .active()
        .filter(kind=Event._meta.label_lower, object_id=event.pk)
        .select_related("partner", "institution")
    )
