"""Events in the API (/api/v1/): a graduate lists the upcoming events they may register for,
registers, cancels and reads their tickets (/events…, the signed-in session: graduates hold no
tokens); an employer requests an info session and lists its events with registration counts
(/employer/events…, its token or session). The same services, selectors and scoping as the
pages (qihang.events): another institution's or another employer's event is a 404.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import StringConstraints

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut, field_errors
from qihang.employers import selectors as employer_selectors
from qihang.employers.models import EmployerStanding, StandingStatus
from qihang.events import selectors, services
from qihang.events.models import Event, Registration, RegistrationStatus, Room
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, takes_ids

router = Router(tags=["宣讲会与双选会"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class ParkOut(Schema):
    """The cultural-creative park of a founders' event (qihang.ventures)."""

    name: str
    city: str
    district: str


class EventOut(Schema):
    id: int
    institution: str
    kind: str
    kind_label: str
    title: str
    employer: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    park: ParkOut | None  # a founders' event's park (None: none)
    online_link: str
    capacity: int
    seats_taken: int
    seats_left: int


class RegistrationOut(Schema):
    id: int
    event: EventOut
    status: str
    status_label: str
    code: str  # the check-in code (empty on a waiting-list place)
    checked_in_at: dt.datetime | None


class EmployerEventOut(EventOut):
    waitlisted: int
    attended: int
    decline_reason: str


class EventRequestIn(Schema):
    institution: str  # the school's code (学校代码)
    kind: Literal["info_session", "online"] = "info_session"
    title: str
    description: str = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    room: int | None = None  # a room id of that school (none for an online session)
    online_link: str = ""


class FieldErrorsOut(Schema):
    """400: refused; `errors` names each field and why."""

    detail: str
    errors: dict[str, list[str]]


def _event(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "institution": event.institution.name,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "title": event.title,
        "employer": event.employer.name if event.employer_id else "",
        "status": event.status,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "room": event.room.name if event.room_id else "",
        "park": {"name": event.park.name, "city": event.park.city, "district": event.park.district}
        if event.park_id
        else None,
        "online_link": event.online_link,
        "capacity": event.capacity,
        "seats_taken": event.seats_taken,
        "seats_left": event.seats_left,
    }


def _registration(r: Registration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "event": _event(r.event),
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "code": r.code if r.status == "seated" else "",
        "checked_in_at": r.checked_in_at,
    }


def _graduate(actor: Actor) -> Any:
    graduate = selectors.graduate_of(actor)
    if graduate is None:
        raise Http404
    return graduate


# --- Graduates ---------------------------------------------------------------------------------
GRADUATE_READ = {401: ErrorOut, 403: ErrorOut}
GRADUATE_WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _refused(exc: ValidationError, name: str) -> Any:
    """422 in the shape of a refused parameter: the registration rules said no (the object
    named by `name` is why), each reason its own item."""
    return Status(
        422,
        {"detail": [{"type": "refused", "loc": ["path", name], "msg": m} for m in exc.messages]},
    )


@router.get("/events", response={200: list[EventOut], **GRADUATE_READ}, summary="我可报名的活动")
@api_requires(Perm.EVENT_REGISTER)
@takes_ids()
def upcoming(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = selectors.graduate_of(actor)
    if graduate is None:  # a graduate account with no record on the roster: nothing to offer
        return []
    return [_event(e) for e in selectors.upcoming_for(actor=actor, graduate=graduate)]


@router.get(
    "/events/registrations",
    response={200: list[RegistrationOut], **GRADUATE_READ},
    summary="我的电子票",
)
@api_requires(Perm.EVENT_REGISTER)
@takes_ids()
def my_registrations(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [_registration(r) for r in selectors.my_registrations(actor=actor)[:200]]


@router.post(
    "/events/{event_id}/registrations",
    response={200: RegistrationOut, **GRADUATE_WRITE},
    summary="报名（名额已满时加入候补；已报名时返回原报名）",
)
@api_requires(Perm.EVENT_REGISTER)
@takes_ids()
def register(request: HttpRequest, event_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    event = get_scoped_or_404(
        Event.objects.select_related("institution", "employer", "room", "park"), actor, pk=event_id
    )
    graduate = _graduate(actor)
    try:
        registration = services.registration_create(actor=actor, event=event, graduate=graduate)
    except ValidationError as exc:
        # Registering twice is answered with the registration one has (a retried request).
        live = (
            selectors.my_registrations(actor=actor)
            .filter(
                event=event, status__in=[RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED]
            )
            .first()
        )
        if live is None:
            return _refused(exc, "event_id")
        return _registration(live)
    event.refresh_from_db(fields=["seats_taken"])
    registration.event = event
    return _registration(registration)


@router.post(
    "/events/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **GRADUATE_WRITE},
    summary="取消报名（空出的名额自动给候补第一位；已取消时返回原状）",
)
@api_requires(Perm.EVENT_REGISTER)
@takes_ids()
def cancel(request: HttpRequest, registration_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    registration = get_scoped_or_404(
        selectors.my_registrations(actor=actor), actor, pk=registration_id
    )
    if registration.status != RegistrationStatus.CANCELLED:
        try:
            services.registration_cancel(actor=actor, registration=registration)
        except ValidationError as exc:
            return _refused(exc, "registration_id")
    return _registration(registration)


# --- Employers ---------------------------------------------------------------------------------
def _employer_event(event: Event) -> dict[str, Any]:
    return _event(event) | {
        "waitlisted": event.n_waitlisted,
        "attended": event.n_attended,
        "decline_reason": event.decline_reason,
    }


@router.get(
    "/employer/events",
    response={200: list[EmployerEventOut], **ERRORS},
    summary="本单位的宣讲会及报名人数",
)
@api_requires(Perm.EVENT_REQUEST)
@takes_ids()
def employer_events(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    events = selectors.employer_events(actor=actor).select_related("employer")[:200]
    return [_employer_event(e) for e in events]


@router.post(
    "/employer/events",
    response={201: EmployerEventOut, 400: FieldErrorsOut, **ERRORS},
    summary="申请宣讲会（时段与场地，学校审核）",
)
@api_requires(Perm.EVENT_REQUEST)
@takes_ids()
def employer_event_request(request: HttpRequest, payload: EventRequestIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    institution = employer_selectors.portal_institution(actor, payload.institution)
    room = None
    if payload.room is not None:
        room = Room.objects.filter(pk=payload.room, institution=institution).first()
        if room is None:
            return Status(400, {"detail": "申请有误。", "errors": {"room": ["该校没有这个场地。"]}})
    verified = EmployerStanding.objects.filter(
        institution=institution, employer_id=actor.employer_id, status=StandingStatus.VERIFIED
    ).exists()
    if not verified:
        return Status(
            400,
            {"detail": "申请有误。", "errors": {"institution": ["单位须先通过该校认证。"]}},
        )
    data = payload.dict(include=set(services.EVENT_FIELDS))
    try:
        event = services.event_request(
            actor=actor, institution_id=institution.pk, data=data, room=room
        )
    except ValidationError as exc:
        return Status(400, {"detail": "申请有误。", "errors": field_errors(exc)})
    event = selectors.employer_events(actor=actor).select_related("employer").get(pk=event.pk)
    return Status(201, _employer_event(event))


# --- Staff: the institution's events and what came of them --------------------------------------
class FunnelOut(Schema):
    registered: int
    attended: int
    no_show: int
    applied: int | None  # None: an event without an employer
    hired: int | None


class StaffEventOut(EventOut):
    waitlisted: int
    funnel: FunnelOut


class StaffEventsOut(Schema):
    definition: str
    as_of: dt.datetime
    events: list[StaffEventOut]


class EmployerFunnelOut(Schema):
    employer: str
    employer_id: int
    events: int
    funnel: FunnelOut


class EmployerFunnelsOut(Schema):
    definition: str
    as_of: dt.datetime
    employers: list[EmployerFunnelOut]


# The Funnel's definition (events.selectors.Funnel), stated with every figure.
FUNNEL_DEFINITION = (
    "registered：已占名额的报名（候补不计）；attended：到场签到的；no_show：已结束活动中报名未签到的；"
    "applied：报名后向该活动的单位投递且未撤回的；hired：其中已录用的（无单位的活动为空）。"
)


def _funnel(f: selectors.Funnel) -> dict[str, Any]:
    return {
        "registered": f.registered,
        "attended": f.attended,
        "no_show": f.no_show,
        "applied": f.applied,
        "hired": f.hired,
    }


MonthText = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


@router.get(
    "/staff/events",
    response={200: StaffEventsOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="本校（及结对学校共享）的活动：名额、候补，以及报名→签到→投递→录用",
)
@api_requires(Perm.EVENT_VIEW)
@takes_ids()
def staff_events(
    request: HttpRequest,
    status: Literal["requested", "approved", "declined", "cancelled"] | None = None,
    month: MonthText | None = None,
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    first = dt.date.fromisoformat(f"{month}-01") if month else None
    events = list(selectors.staff_events(actor=actor, status=status or "", month=first)[:500])
    now = timezone.now()
    outcomes = selectors.outcomes_of(events)
    return {
        "definition": FUNNEL_DEFINITION,
        "as_of": now,
        "events": [
            _event(e)
            | {
                "waitlisted": e.n_waitlisted,
                "funnel": _funnel(selectors.funnel_of(e, now=now, outcomes=outcomes)),
            }
            for e in events
        ],
    }


@router.get(
    "/staff/events/employers",
    response={200: EmployerFunnelsOut, 401: ErrorOut, 403: ErrorOut},
    summary="各单位在本校的活动合计：报名→签到→投递→录用",
)
@api_requires(Perm.EVENT_VIEW)
@takes_ids()
def staff_event_employers(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return {
        "definition": FUNNEL_DEFINITION,
        "as_of": timezone.now(),
        "employers": [
            {
                "employer": row.employer_name,
                "employer_id": row.employer_id,
                "events": row.events,
                "funnel": _funnel(row.funnel),
            }
            for row in selectors.funnel_by_employer(actor=actor)
        ],
    }
