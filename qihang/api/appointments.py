"""Appointments in the API, for graduates (their signed-in session; graduates hold no tokens):
free slots, book, cancel, my appointments. The same services, selectors and scoping as the
pages (qihang.appointments); advisers' notes are never part of any answer here."""

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
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
