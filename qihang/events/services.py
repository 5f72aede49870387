"""Writes of events: rooms, an employer's request and the centre's decision (events.workflow),
the centre's own events (founders' events among them) and their edit, fairs' booths, sharing
with the paired institution, graduates' registrations (seat or waiting list, cancellation —
also on a graduate's behalf — with promotion, check-in), and the registration list's export.

Every write runs in one transaction with its audit row; messages go through the notification
outbox (qihang.notifications.services.notify) in the same transaction.

Capacity: registration takes a seat with one conditional UPDATE of `Event.seats_taken`
(`WHERE seats_taken < capacity`), and the CHECK `seats_taken <= capacity` makes overbooking
impossible whatever runs concurrently. A cancellation locks the event row first, so it and a
registration that found the event full are serialised: the seat it frees goes to the first of
the waiting list (or, with none, back to the counter), never lost and never given twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.employers.models import Employer, EmployerMember, EmployerStanding, StandingStatus
from qihang.events.eligibility import ineligible_reasons
from qihang.events.models import (
    LIVE_STATUSES,
    SLOT_MINUTES,
    Booth,
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Room,
    RoomBooking,
    slots_of,
)
from qihang.events.workflow import EDITABLE, EVENT_REVIEW, S_APPROVED, S_REQUESTED
from qihang.graduates.models import Graduate
from qihang.institutions.models import Department, Share
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.lib.workflow import TransitionConflict
from qihang.notifications.kinds import Kind
from qihang.notifications.services import notify
from qihang.ventures.models import Park

# The event's own fields, declared once: the forms, the API and the services use it.
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "online_link",
    "starts_at",
    "ends_at",
    "capacity",
    "cohort_year",
    "degree_levels",
)
# What the centre may change on an event it holds (event_update); kind, room, park and employer
# stay (another of those is another event: cancel it and create that one).
EDIT_FIELDS = tuple(f for f in EVENT_FIELDS if f != "kind")
# Changes registrants are told about.
TOLD_FIELDS = ("starts_at", "ends_at", "online_link")
ROOM_FIELDS = ("name", "location", "seats", "note", "is_active")

# Check-in codes: no 0/O, 1/I/L, so a code read aloud or typed from a phone is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


# --- Rooms ---------------------------------------------------------------------------------------
def room_save(*, actor: Actor, room: Room | None, data: dict[str, Any]) -> Room:
    """Create (`room` None) or change one of the institution's rooms."""
    actor.require(Perm.EVENT_MANAGE)
    creating = room is None
    room = room or Room(institution_id=actor.institution_id)
    if room.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's room")
    before = {f: getattr(room, f) for f in ROOM_FIELDS} if not creating else {}
    for name in ROOM_FIELDS:
        if name in data:
            setattr(room, name, data[name])
    room.full_clean()
    with transaction.atomic():
        room.save()
        audit_record(
            institution_id=room.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.ROOM_SAVE,
            target=room,
            summary=room.name,
            data={
                "changes": {
                    f: [before.get(f), getattr(room, f)]
                    for f in ROOM_FIELDS
                    if before.get(f) != getattr(room, f)
                }
            },
        )
    return room


# --- Events --------------------------------------------------------------------------------------
def _validate(event: Event, *, now: dt.datetime, check_future: bool = True) -> None:
    """Refuse a slot that is not on the booking grid, in the past (`check_future`: an edit
    that keeps the time of an event under way is no new slot), or in a room too small."""
    errors: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at"):
        value = getattr(event, name)
        if value is not None and (value.minute % SLOT_MINUTES or value.second or value.microsecond):
            errors.setdefault(name, []).append(
                _("时间须为整点或半点（场地按 %(minutes)s 分钟一段预约）。")
                % {"minutes": SLOT_MINUTES}
            )
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors.setdefault("ends_at", []).append(_("结束时间须晚于开始时间。"))
    if check_future and event.starts_at and event.starts_at <= now:
        errors.setdefault("starts_at", []).append(_("开始时间须在将来。"))
    if event.kind != EventKind.FOUNDERS:
        event.park = None
    elif event.park_id is not None and not event.park.is_active:
        errors.setdefault("park", []).append(_("该园区已停用。"))
    if event.kind == EventKind.ONLINE:
        event.room = None
        if not event.online_link:
            errors.setdefault("online_link", []).append(_("线上宣讲会须填写线上链接。"))
    elif event.kind == EventKind.FOUNDERS and event.room_id is None:
        # Held at the park: no room of the institution to book.
        if event.park_id is None:
            errors.setdefault("room", []).append(_("创业活动请选择场地或文创园区。"))
    elif event.room_id is None:
        errors.setdefault("room", []).append(_("请选择场地。"))
    elif event.room.institution_id != event.institution_id or not event.room.is_active:
        errors.setdefault("room", []).append(_("该场地不可预约。"))
    elif event.capacity and event.capacity > event.room.seats:
        errors.setdefault("capacity", []).append(
            _("名额不能超过场地座位数（%(seats)s）。") % {"seats": event.room.seats}
        )
    if errors:
        raise ValidationError(errors)


def _book(event: Event) -> None:
    """Take the room's slots for an approved event; the unique (room, slot) refuses a clash."""
    if event.room_id is None:
        return
    slots = slots_of(event.starts_at, event.ends_at)
    try:
        with transaction.atomic():
            RoomBooking.objects.bulk_create(
                RoomBooking(
                    institution_id=event.institution_id,
                    room_id=event.room_id,
                    event=event,
                    slot_start=slot,
                )
                for slot in slots
            )
    except IntegrityError:
        clash = (
            RoomBooking.objects.filter(room_id=event.room_id, slot_start__in=slots)
            .select_related("event")
            .order_by("slot_start")
            .first()
        )
        raise ValidationError(
            {
                "room": _("%(room)s 在 %(time)s 已被“%(title)s”占用，请换场地或时间。")
                % {
                    "room": event.room.name,
                    "time": timezone.localtime(clash.slot_start).strftime("%Y-%m-%d %H:%M")
                    if clash
                    else "",
                    "title": clash.event.title if clash else "",
                }
            }
        ) from None


def _standing_verified(employer_id: int, institution_id: int) -> bool:
    return EmployerStanding.objects.filter(
        employer_id=employer_id, institution_id=institution_id, status=StandingStatus.VERIFIED
    ).exists()


def event_request(
    *, actor: Actor, institution_id: int, data: dict[str, Any], room: Room | None
) -> Event:
    """An employer requests a slot and a room (or an online session) at an institution where
    it is verified; the centre approves or declines (event_transition)."""
    actor.require(Perm.EVENT_REQUEST)
    if not actor.is_employer:
        raise PermissionDenied("employers request events")
    if not _standing_verified(actor.employer_id, institution_id):
        raise ValidationError({"institution": _("单位须先通过该校认证，才能申请宣讲会。")})
    if data.get("kind") == EventKind.JOB_FAIR:
        raise ValidationError({"kind": _("双选会由学校就业指导中心举办，单位可申请展位。")})
    if data.get("kind") == EventKind.FOUNDERS:
        raise ValidationError({"kind": _("创业活动由学校就业指导中心举办。")})
    event = Event(
        institution_id=institution_id,
        employer_id=actor.employer_id,
        status=S_REQUESTED,
        room=room,
        requested_by_id=actor.user_id,
        **{f: data[f] for f in EVENT_FIELDS if f in data},
    )
    _validate(event, now=timezone.now())
    event.full_clean()
    with transaction.atomic():
        event.save()
        audit_record(
            institution_id=institution_id,
            actor_id=actor.user_id,
            action=AuditAction.EVENT_REQUEST,
            target=event,
            summary=event.title,
            data={"employer_id": actor.employer_id, "room_id": event.room_id},
        )
    return event


def event_create(
    *,
    actor: Actor,
    data: dict[str, Any],
    room: Room | None,
    employer: Employer | None = None,
    departments: Iterable[Department] = (),
    park: Park | None = None,
) -> Event:
    """The centre's own event (a fair, a founders' event at a park or in a room, or a session
    it arranges for an employer): created and approved at once, through the workflow, its room
    booked (a founders' event at the park books none)."""
    actor.require(Perm.EVENT_MANAGE)
    if actor.is_employer:
        raise PermissionDenied("staff only")
    if employer is not None and not _standing_verified(employer.pk, actor.institution_id):
        raise ValidationError({"employer": _("该单位尚未通过本校认证。")})
    event = Event(
        institution_id=actor.institution_id,
        employer=employer,
        status=S_REQUESTED,
        room=room,
        park=park,
        requested_by_id=actor.user_id,
        **{f: data[f] for f in EVENT_FIELDS if f in data},
    )
    _validate(event, now=timezone.now())
    event.full_clean()
    with transaction.atomic():
        event.save()
        event.departments.set(list(departments))
        audit_record(
            institution_id=event.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.EVENT_CREATE,
            target=event,
            summary=event.title,
            data={
                "kind": event.kind,
                "room_id": event.room_id,
                "park_id": event.park_id,
                "capacity": event.capacity,
            },
        )
        event_transition(actor=actor, event=event, action="approve", notify_employer=False)
    return event


def _tell_employer(event: Event, *, kind: Kind, subject: str, body: str) -> None:
    if event.employer_id is None:
        return
    members = EmployerMember.objects.filter(employer_id=event.employer_id, is_active=True)
    notify(
        recipients=list(members.values_list("user_id", flat=True)),
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("events:portal_detail", args=[event.pk]),
        institution_id=event.institution_id,
    )


def _tell_registrants(event: Event) -> None:
    """Everyone holding a seat or a waiting-list place learns that the event is off."""
    users = Registration.objects.filter(
        event=event, status__in=[RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED]
    ).values_list("graduate__user_id", flat=True)
    notify(
        recipients=[u for u in users if u],
        kind=Kind.EVENT_CANCELLED,
        subject=_("【启航】活动取消：%(title)s") % {"title": event.title},
        body=_("您报名的“%(title)s”已取消。") % {"title": event.title},
        link=reverse("events:tickets"),
        institution_id=event.institution_id,
    )


def event_transition(
    *, actor: Actor, event: Event, action: str, reason: str = "", notify_employer: bool = True
) -> Event:
    """Approve (booking the room), decline (with a reason) or cancel an event."""
    changes: dict[str, Any] = {}
    if action in ("approve", "decline"):
        changes = {"decided_by_id": actor.user_id, "decided_at": timezone.now()}
    if action == "decline":
        changes["decline_reason"] = reason.strip()[:300]
    with transaction.atomic():
        EVENT_REVIEW.check(event, actor, action, reason=reason)
        if action == "approve":
            _book(event)
        elif action == "cancel":
            RoomBooking.objects.filter(event=event).delete()
        EVENT_REVIEW.apply(
            event,
            actor,
            action,
            institution_id=event.institution_id,
            reason=reason,
            changes=changes,
            summary=event.title,
        )
        values = {"title": event.title, "reason": reason.strip()}
        if action == "approve" and notify_employer:
            _tell_employer(
                event,
                kind=Kind.EVENT_APPROVED,
                subject=_("【启航】宣讲会申请已批准：%(title)s") % values,
                body=_("“%(title)s”已获批准，场地已预留。") % values,
            )
        elif action == "decline":
            _tell_employer(
                event,
                kind=Kind.EVENT_DECLINED,
                subject=_("【启航】宣讲会申请未通过：%(title)s") % values,
                body=_("“%(title)s”未获批准。理由：%(reason)s") % values,
            )
        elif action == "cancel":
            if not actor.is_employer:
                _tell_employer(
                    event,
                    kind=Kind.EVENT_CANCELLED,
                    subject=_("【启航】活动取消：%(title)s") % values,
                    body=_("学校取消了“%(title)s”。%(reason)s") % values,
                )
            _tell_registrants(event)
    return event


def event_share(*, actor: Actor, event: Event, partner_id: int) -> Share:
    """A joint event: the paired institution's graduates see it and may register."""
    from qihang.institutions.services import share_create

    if event.institution_id != actor.institution_id:
        raise PermissionDenied(_("只有举办学校可以共享该活动。"))
    if event.status != S_APPROVED:
        raise ValidationError(_("只能共享已批准的活动。"))
    return share_create(actor=actor, obj=event, partner_id=partner_id)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def event_update(
    *,
    actor: Actor,
    event: Event,
    data: dict[str, Any],
    departments: Iterable[Department] | None = None,
) -> tuple[Event, list[Registration]]:
    """The centre edits one of its events still requested or approved (EDITABLE): its title,
    description, time, capacity, eligibility, online link. Returns the event and the
    registrations promoted from the waiting list.

    One transaction, the event's row locked (as a cancellation does), so nothing is half
    written: a new time re-books the room's slots (a clash with another event refuses the
    whole edit, naming that event); capacity never drops below the seats taken (refused here
    with the number; the CHECK guarantees it anyway); a raised capacity gives the new seats to
    the waiting list in order (`_promote_next`, with its notification); registrants are told
    of a new time or link. Audited as EVENT_EDIT with each change (before, after)."""
    actor.require(Perm.EVENT_MANAGE)
    if actor.is_employer or actor.institution_id != event.institution_id:
        raise PermissionDenied("another institution's event")
    now = timezone.now()
    with transaction.atomic():
        current = (
            Event.objects.select_for_update(of=("self",))
            .select_related("room", "park")
            .filter(pk=event.pk)
            .first()
        )
        if current is None or current.status not in EDITABLE:
            raise TransitionConflict(_("只能修改待审核或已通过的活动。"))
        before = {f: getattr(current, f) for f in EDIT_FIELDS}
        for name in EDIT_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        changed = [f for f in EDIT_FIELDS if getattr(current, f) != before[f]]
        moved = "starts_at" in changed or "ends_at" in changed
        errors: dict[str, list[str]] = {}
        if current.capacity < current.seats_taken:
            errors["capacity"] = [
                _("名额不能少于已报名人数（%(seats)s）。") % {"seats": current.seats_taken}
            ]
        try:
            _validate(current, now=now, check_future=moved)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        current.full_clean(exclude=["departments"])
        current.save(update_fields=[*EDIT_FIELDS])
        if departments is not None:
            old_departments = sorted(current.departments.values_list("pk", flat=True))
            new_departments = sorted(d.pk for d in departments)
            if old_departments != new_departments:
                current.departments.set(new_departments)
                changed.append("departments")
        if moved and current.status == S_APPROVED and current.room_id is not None:
            RoomBooking.objects.filter(event=current).delete()
            _book(current)  # a clash raises: the whole edit rolls back
        promoted: list[Registration] = []
        while current.seats_taken < current.capacity:
            registration = _promote_next(current, now=now, cause="capacity")
            if registration is None:
                break
            Event.objects.filter(pk=current.pk).update(seats_taken=F("seats_taken") + 1)
            current.seats_taken += 1
            promoted.append(registration)
        changes = {
            f: [_json(before[f]), _json(getattr(current, f))] for f in changed if f in before
        }
        if "departments" in changed:
            changes["departments"] = [old_departments, new_departments]
        audit_record(
            institution_id=current.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.EVENT_EDIT,
            target=current,
            summary=current.title,
            data={
                "changes": changes,
                "rebooked": moved and current.room_id is not None,
                "promoted": [r.pk for r in promoted],
            },
        )
        if any(f in changed for f in TOLD_FIELDS):
            _tell_registrants_of_change(current, promoted=promoted)
    for name in EDIT_FIELDS:
        setattr(event, name, getattr(current, name))
    event.seats_taken = current.seats_taken
    return event, promoted


def _tell_registrants_of_change(event: Event, *, promoted: list[Registration]) -> None:
    """Everyone holding a seat or a waiting-list place learns the new time and place (the
    promoted have just been told, with the new time)."""
    told = {r.pk for r in promoted}
    users = (
        Registration.objects.filter(event=event, status__in=LIVE_STATUSES)
        .exclude(pk__in=told)
        .values_list("graduate__user_id", flat=True)
    )
    start = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(event.ends_at).strftime("%H:%M")
    place = event.online_link if event.is_online else event.place
    notify(
        recipients=[u for u in users if u],
        kind=Kind.EVENT_CHANGED,
        subject=_("【启航】活动时间或地点变更：%(title)s") % {"title": event.title},
        body=_("您报名的“%(title)s”改为 %(start)s–%(end)s，地点：%(place)s。")
        % {"title": event.title, "start": start, "end": end, "place": place},
        link=reverse("events:tickets"),
        institution_id=event.institution_id,
    )
    # The employer whose info session it is learns it too (its portal's event page).
    _tell_employer(
        event,
        kind=Kind.EVENT_CHANGED,
        subject=_("【启航】宣讲会时间或地点变更：%(title)s") % {"title": event.title},
        body=_("学校把“%(title)s”改为 %(start)s–%(end)s，地点：%(place)s。")
        % {"title": event.title, "start": start, "end": end, "place": place},
    )


def booth_add(*, actor: Actor, event: Event, employer: Employer, label: str = "") -> Booth:
    """Place a verified employer's booth at one of the institution's fairs."""
    actor.require(Perm.EVENT_MANAGE)
    if event.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's event")
    if event.kind != EventKind.JOB_FAIR:
        raise ValidationError(_("只有双选会设展位。"))
    if not _standing_verified(employer.pk, event.institution_id):
        raise ValidationError({"employer": _("该单位尚未通过本校认证。")})
    try:
        with transaction.atomic():
            booth = Booth.objects.create(
                institution_id=event.institution_id,
                event=event,
                employer=employer,
                label=label.strip()[:20],
            )
            audit_record(
                institution_id=event.institution_id,
                actor_id=actor.user_id,
                action=AuditAction.EVENT_BOOTH_ADD,
                target=booth,
                summary=f"{event.title} · {employer.name}",
                data={"event_id": event.pk, "employer_id": employer.pk, "label": booth.label},
            )
    except IntegrityError:
        raise ValidationError({"employer": _("该单位已有展位。")}) from None
    return booth


def registrations_export(
    *,
    actor: Actor,
    event: Event,
    registrations: Iterable[Registration],
    exported_by: str,
    filters: str = "",
) -> bytes:
    """The event's registration list as xlsx (masked personal data only), audited as an
    export with the number of rows and the filter."""
    from qihang.events.exporting import registrations_workbook

    actor.require(Perm.EVENT_MANAGE)
    if actor.is_employer or actor.institution_id != event.institution_id:
        raise PermissionDenied("another institution's event")
    rows = list(registrations)
    data = registrations_workbook(event, rows, exported_by=exported_by, exported_at=timezone.now())
    audit_record(
        institution_id=event.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.EVENT_REGISTRATIONS_EXPORT,
        target=event,
        summary=event.title,
        data={"rows": len(rows), "filter": filters},
    )
    return data


# --- Registrations -------------------------------------------------------------------------------
def _take_seat(event_id: int) -> bool:
    return bool(
        Event.objects.filter(pk=event_id, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
    )


def _lock_event(event_id: int) -> None:
    list(Event.objects.select_for_update().filter(pk=event_id).values_list("pk", flat=True))


def registration_create(*, actor: Actor, event: Event, graduate: Graduate) -> Registration:
    """The graduate's seat, or a place on the waiting list when the event is full.

    One transaction, few queries: the conditional UPDATE of the seat counter, the INSERT, the
    audit row (with the waiting list: the event row's lock and the UPDATE once more first, so a
    seat freed by a cancellation at that moment is not missed)."""
    actor.require(Perm.EVENT_REGISTER)
    if graduate.user_id != actor.user_id:
        raise PermissionDenied("one's own registration")
    reasons = ineligible_reasons(event, graduate, now=timezone.now())
    if reasons:
        raise ValidationError(reasons)
    try:
        with transaction.atomic():
            seated = _take_seat(event.pk)
            if not seated:
                _lock_event(event.pk)
                seated = _take_seat(event.pk)
            registration = Registration.objects.create(
                institution_id=graduate.institution_id,
                event=event,
                graduate=graduate,
                status=RegistrationStatus.SEATED if seated else RegistrationStatus.WAITLISTED,
                code=new_code(),
            )
            audit_record(
                institution_id=graduate.institution_id,
                actor_id=actor.user_id,
                action=AuditAction.EVENT_REGISTER,
                target=registration,
                summary=event.title,
                data={"event_id": event.pk, "status": registration.status},
            )
    except IntegrityError:
        raise ValidationError(_("你已报名该活动。")) from None
    return registration


def _may_cancel(actor: Actor, registration: Registration) -> bool:
    if actor.is_employer:
        return False
    if actor.has(Perm.EVENT_REGISTER) and registration.graduate.user_id == actor.user_id:
        return True
    return (
        actor.has(Perm.EVENT_MANAGE) and actor.institution_id == registration.event.institution_id
    )


def registration_cancel(
    *, actor: Actor, registration: Registration, reason: str = ""
) -> Registration | None:
    """Cancel a seat or a waiting-list place; a freed seat goes to the first on the waiting
    list, who is told. Returns the promoted registration (None: nobody was waiting).

    The centre cancels on a graduate's behalf with a reason (audited, and the graduate told)."""
    if not _may_cancel(actor, registration):
        raise PermissionDenied("registration.cancel")
    on_behalf = registration.graduate.user_id != actor.user_id
    reason = reason.strip()[:300]
    if on_behalf and len(reason) < 2:
        raise ValidationError({"reason": _("代为取消须填写理由。")})
    if registration.checked_in_at is not None:
        raise ValidationError(_("已签到的报名不能取消。"))
    event = registration.event
    now = timezone.now()
    promoted = None
    with transaction.atomic():
        _lock_event(event.pk)
        status, checked_in_at = (
            Registration.objects.filter(pk=registration.pk)
            .values_list("status", "checked_in_at")
            .get()
        )
        if checked_in_at is not None:
            raise ValidationError(_("已签到的报名不能取消。"))
        updated = Registration.objects.filter(
            pk=registration.pk, status=status, checked_in_at__isnull=True
        ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
        if status not in (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED) or not updated:
            raise TransitionConflict(_("该报名已取消。"))
        registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, now
        audit_record(
            institution_id=registration.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.EVENT_REGISTRATION_CANCEL,
            target=registration,
            summary=event.title,
            data={"event_id": event.pk, "was": status}
            | ({"on_behalf": True, "reason": reason} if on_behalf else {}),
        )
        if on_behalf and registration.graduate.user_id:
            notify(
                recipients=[registration.graduate.user_id],
                kind=Kind.EVENT_CANCELLED,
                subject=_("【启航】报名已取消：%(title)s") % {"title": event.title},
                body=_("就业指导中心取消了您对“%(title)s”的报名。理由：%(reason)s")
                % {"title": event.title, "reason": reason},
                link=reverse("events:tickets"),
                institution_id=event.institution_id,
            )
        if status == RegistrationStatus.SEATED:
            promoted = _promote_next(event, now=now)
            if promoted is None:
                Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)
    return promoted


def _promote_next(
    event: Event, *, now: dt.datetime, cause: str = "cancellation"
) -> Registration | None:
    """Give the freed seat (`cause`: a cancellation, or the centre raised the capacity) to the
    first on the waiting list (the caller holds the event's lock, so no other cancellation
    promotes at the same time)."""
    first = (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        .select_related("graduate")
        .order_by("created_at", "id")
        .first()
    )
    if first is None:
        return None
    if not Registration.objects.filter(pk=first.pk, status=RegistrationStatus.WAITLISTED).update(
        status=RegistrationStatus.SEATED, promoted_at=now
    ):
        return None
    first.status, first.promoted_at = RegistrationStatus.SEATED, now
    audit_record(
        institution_id=first.institution_id,
        actor_id=None,
        action=AuditAction.EVENT_WAITLIST_PROMOTE,
        target=first,
        summary=event.title,
        data={"event_id": event.pk},
    )
    if first.graduate.user_id:
        start = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
        values = {"title": event.title, "start": start, "code": first.code}
        if cause == "capacity":
            body = (
                _(
                    "活动增加了名额，您已从候补转为正式报名“%(title)s”（%(start)s），签到码 %(code)s。"
                )
                % values
            )
        else:
            body = (
                _(
                    "有同学取消了报名，您已从候补转为正式报名“%(title)s”（%(start)s），签到码 %(code)s。"
                )
                % values
            )
        notify(
            recipients=[first.graduate.user_id],
            kind=Kind.EVENT_PROMOTED,
            subject=_("【启航】候补成功：%(title)s") % {"title": event.title},
            body=body,
            link=reverse("events:ticket", args=[first.pk]),
            institution_id=first.institution_id,
        )
    return first


def registration_check_in(*, actor: Actor, event: Event, code: str) -> Registration:
    """Check a graduate in at the door by the code on their ticket (typed, or read from its QR
    code by the scanner). Only the institution holding the event checks in."""
    actor.require(Perm.EVENT_CHECKIN)
    if actor.is_employer or actor.institution_id != event.institution_id:
        raise PermissionDenied("another institution's event")
    code = normalise_code(code)
    if not code:
        raise ValidationError({"code": _("请输入签到码。")})
    registration = (
        Registration.objects.filter(event=event, code=code).select_related("graduate").first()
    )
    if registration is None:
        raise ValidationError({"code": _("签到码 %(code)s 不是本场活动的报名。") % {"code": code}})
    if registration.status != RegistrationStatus.SEATED:
        raise ValidationError(
            {
                "code": _("%(name)s 的报名状态为“%(status)s”，不能签到。")
                % {"name": registration.graduate.name, "status": registration.get_status_display()}
            }
        )
    if registration.checked_in_at is not None:
        raise ValidationError(
            {
                "code": _("%(name)s 已于 %(time)s 签到。")
                % {
                    "name": registration.graduate.name,
                    "time": timezone.localtime(registration.checked_in_at).strftime("%H:%M"),
                }
            }
        )
    now = timezone.now()
    with transaction.atomic():
        if not Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.SEATED, checked_in_at__isnull=True
        ).update(checked_in_at=now, checked_in_by_id=actor.user_id):
            raise TransitionConflict(_("该报名已签到或已取消，请刷新后重试。"))
        registration.checked_in_at, registration.checked_in_by_id = now, actor.user_id
        audit_record(
            institution_id=event.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.EVENT_CHECKIN,
            target=registration,
            summary=f"{event.title} · {registration.graduate.name}",
            data={"event_id": event.pk, "code": code},
        )
    return registration
