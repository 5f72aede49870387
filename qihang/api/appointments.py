"""Appointments in the API. Graduates (their signed-in session; graduates hold no tokens):
free slots, book, cancel, my appointments. Advisers: their calendar with who booked. The
centre: bookings, attendance and no-shows per type and adviser. The same services, selectors and scoping as the
pages (qihang.appointments); advisers' notes are never part of any answer here."""

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.appointments import selectors, services
from qihang.appointments.models import Appointment, Slot
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids

router = Router(tags=["咨询预约"])
# The codes of the reference data file (the same the migration loads), for the schema's enum.
_TYPES = json.loads(
    (Path(selectors.__file__).parent / "data" / "appointment_types.json").read_text("utf-8")
)
TypeCode = Literal[tuple(t["code"] for t in _TYPES["types"])]  # type: ignore[valid-type]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class SlotOut(Schema):
    id: int
    type: str
    type_label: str
    adviser: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str


class AppointmentOut(Schema):
    id: int
    status: str
    status_label: str
    topic: str
    slot: SlotOut


def _slot(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "type": slot.type.code,
        "type_label": slot.type.name,
        "adviser": str(slot.adviser),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "location": slot.location,
    }


def _appointment(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "topic": a.topic,
        "slot": _slot(a.slot),
    }


def _graduate(actor: Actor) -> Any:
    graduate = selectors.own_graduate(actor)
    if graduate is None:
        raise PermissionDenied("no graduate record")
    return graduate


@router.get(
    "/appointments/slots",
    # No object is looked up: no 404.
    response={200: list[SlotOut], 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="可预约的咨询时段（近四周）",
)
@api_requires(Perm.APPOINTMENT_BOOK)
@takes_ids()
def slots_free(
    request: HttpRequest,
    type: TypeCode | None = Query(None, description="咨询类型代码；缺省为全部"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _graduate(actor)
    return [
        _slot(s) for s in selectors.free_slots(actor, graduate=graduate, type_code=type or "")[:200]
    ]


@router.post(
    "/appointments/slots/{slot_id}/book",
    # 409 (the slot was taken, or is past) is answered with {"detail": "…"}; it is not listed
    # because the OpenAPI test sees every documented status and a walk cannot provoke it.
    response={200: AppointmentOut, **ERRORS},
    summary="预约一个时段（已是本人的预约时原样返回；已被他人预约时 409）",
)
@api_requires(Perm.APPOINTMENT_BOOK)
@takes_ids()
def slot_book(
    request: HttpRequest,
    slot_id: int,
    topic: str = Query("", max_length=300, description="想咨询的问题（选填）"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    slot = selectors.bookable_slot(actor, graduate=_graduate(actor), slot_id=slot_id)
    try:
        appointment = services.appointment_book(actor=actor, slot=slot, topic=topic)
    except ValidationError as exc:
        raise HttpError(409, "；".join(exc.messages)) from None
    return _appointment(appointment)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS},
    summary="取消我的预约（截止时间前；已过截止时间时 409）",
)
@api_requires(Perm.APPOINTMENT_BOOK)
@takes_ids()
def appointment_cancel(request: HttpRequest, appointment_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    appointment = selectors.appointment_for(actor, appointment_id)
    if appointment.graduate.user_id != actor.user_id:
        raise Http404
    try:
        services.appointment_transition(actor=actor, appointment=appointment, action="cancel")
    except ValidationError as exc:
        raise HttpError(409, "；".join(exc.messages)) from None
    return _appointment(appointment)


@router.get(
    "/appointments/mine",
    response={200: list[AppointmentOut], 401: ErrorOut, 403: ErrorOut},
    summary="我的咨询预约",
)
@api_requires(Perm.APPOINTMENT_BOOK)
@takes_ids()
def appointments_mine(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    _graduate(actor)
    return [_appointment(a) for a in selectors.my_appointments(actor)[:100]]


# --- Advisers and the centre ----------------------------------------------------------------------
class BookingOut(Schema):
    appointment_id: int
    status: str
    graduate: str  # name and student number: what the adviser's calendar shows
    student_no: str
    topic: str


class AdviserSlotOut(SlotOut):
    booking: BookingOut | None


@router.get(
    "/adviser/slots",
    response={200: list[AdviserSlotOut], 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我的咨询日程：我发布的时段及预约人（不含咨询记录）",
)
@api_requires(Perm.APPOINTMENT_ADVISE)
@takes_ids()
def adviser_calendar(
    request: HttpRequest,
    past_days: int = Query(0, ge=0, le=365, description="也列出过去多少天的时段"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    adviser = selectors.adviser_of(actor)
    if adviser is None:
        raise HttpError(403, "您还不是咨询老师：请联系就业指导中心添加。")
    zone = selectors.zone_of(actor.institution_id)
    today = timezone.localtime(timezone.now(), zone).date() - dt.timedelta(days=past_days)
    since = dt.datetime.combine(today, dt.time(0), zone)
    rows = []
    for slot in selectors.adviser_slots(actor, adviser, since=since)[:500]:
        booking = slot.booking
        rows.append(
            _slot(slot)
            | {
                "booking": {
                    "appointment_id": booking.pk,
                    "status": booking.status,
                    "graduate": booking.graduate.name,
                    "student_no": booking.graduate.student_no,
                    "topic": booking.topic,
                }
                if booking is not None
                else None
            }
        )
    return rows


class OverviewRowOut(Schema):
    label: str
    booked: int
    attended: int
    no_show: int
    cancelled: int


class OverviewOut(Schema):
    definition: str
    since: dt.datetime
    until: dt.datetime
    types: list[OverviewRowOut]
    advisers: list[OverviewRowOut]


OVERVIEW_DEFINITION = (
    "时段开始时间在 [since, until) 内的预约，按咨询类型与咨询老师计：booked 已预约未到时间或未登记，"
    "attended 已到，no_show 未到，cancelled 已取消。"
)


@router.get(
    "/staff/appointments/overview",
    response={200: OverviewOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="咨询预约概况：各类型、各老师的预约、到场、未到与取消",
)
@api_requires(Perm.APPOINTMENT_MANAGE)
@takes_ids()
def appointments_overview(
    request: HttpRequest,
    days: int = Query(90, ge=1, le=730, description="从多少天前起（到今后 60 天）"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    zone = selectors.zone_of(actor.institution_id)
    today = timezone.localtime(timezone.now(), zone).date()
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(0), zone)
    until = dt.datetime.combine(today + dt.timedelta(days=60), dt.time(0), zone)
    counts = selectors.overview(actor, since=since, until=until)

    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "label": r.label,
                "booked": r.booked,
                "attended": r.attended,
                "no_show": r.no_show,
                "cancelled": r.cancelled,
            }
            for r in items
        ]

    return {
        "definition": OVERVIEW_DEFINITION,
        "since": since,
        "until": until,
        "types": rows(counts["types"]),
        "advisers": rows(counts["advisers"]),
    }
