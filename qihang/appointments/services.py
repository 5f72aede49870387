"""Writes for appointments: advisers and the institution's rules (the centre), slots (an
adviser), booking and cancelling (a graduate), attendance and notes (the adviser), and the
day-before reminders (the worker). Each writes its audit row in the same transaction; messages go
through the notifications outbox (sent after commit).

Double booking is refused by the database (see qihang.appointments.models): the services turn
the IntegrityError into a message; they never check-then-insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qihang.accounts.models import User
from qihang.appointments import selectors
from qihang.appointments.models import (
    OVERLAP_CONSTRAINT,
    Adviser,
    AdviserNote,
    Appointment,
    AppointmentPolicy,
    AppointmentStatus,
    AppointmentType,
    Slot,
)
from qihang.audit.kinds import AuditAction
from qihang.audit.models import SensitiveRead
from qihang.audit.services import audit_record
from qihang.institutions.models import Department, Membership
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor
from qihang.lib.workflow import Action, Workflow
from qihang.notifications.kinds import Kind
from qihang.notifications.services import Message, notify, notify_each

MAX_WEEKS = 26
ADVISER_ROLES = (Role.CAREER_CENTRE, Role.DEPARTMENT_STAFF, Role.TEACHER)


def _local(value: dt.datetime, zone: ZoneInfo) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")


# --- The centre -------------------------------------------------------------------------------
@transaction.atomic
def policy_update(*, actor: Actor, time_zone: str, cancel_cutoff_hours: int) -> AppointmentPolicy:
    actor.require(Perm.APPOINTMENT_MANAGE)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("未知的时区：%(tz)s") % {"tz": time_zone}}) from None
    if not 0 <= cancel_cutoff_hours <= 24 * 14:
        raise ValidationError({"cancel_cutoff_hours": _("最晚取消时间须在 0 至 336 小时之间。")})
    policy = selectors.policy_of(actor.institution_id)
    policy.time_zone = time_zone
    policy.cancel_cutoff_hours = cancel_cutoff_hours
    policy.full_clean()
    policy.save()
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.APPOINTMENT_POLICY_UPDATE,
        target=policy,
        data={"time_zone": time_zone, "cancel_cutoff_hours": cancel_cutoff_hours},
    )
    return policy


@transaction.atomic
def adviser_save(
    *,
    actor: Actor,
    user: User,
    types: Iterable[AppointmentType],
    department: Department | None = None,
    title: str = "",
    is_active: bool = True,
) -> Adviser:
    """Make (or change) a staff member of the institution an adviser: the centre decides."""
    actor.require(Perm.APPOINTMENT_MANAGE)
    is_staff = Membership.objects.filter(
        institution_id=actor.institution_id,
        user=user,
        is_active=True,
        invitation="",
        role__in=ADVISER_ROLES,
    ).exists()
    if not is_staff:
        raise ValidationError({"user": _("咨询师须是本校的就业指导中心、院系工作人员或教师。")})
    if department is not None and department.institution_id != actor.institution_id:
        raise ValidationError({"department": _("院系不属于本校。")})
    types = list(types)
    if not types:
        raise ValidationError({"types": _("请至少选择一种咨询类型。")})
    adviser, _created = Adviser.objects.update_or_create(
        institution_id=actor.institution_id,
        user=user,
        defaults={"department": department, "title": title.strip(), "is_active": is_active},
    )
    adviser.types.set(types)
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.ADVISER_SAVE,
        target=adviser,
        summary=str(adviser),
        data={
            "user": user.pk,
            "department": department.pk if department else None,
            "types": sorted(t.code for t in types),
            "is_active": is_active,
        },
    )
    return adviser


# --- Slots (the adviser) -----------------------------------------------------------------------
def _acting_adviser(actor: Actor) -> Adviser:
    actor.require(Perm.APPOINTMENT_ADVISE)
    adviser = selectors.adviser_of(actor)
    if adviser is None:
        raise PermissionDenied("not an adviser")
    return adviser


def _check_type(adviser: Adviser, kind: AppointmentType) -> None:
    if not adviser.types.filter(pk=kind.pk).exists():
        raise ValidationError({"type": _("您未被设置提供“%(type)s”咨询。") % {"type": kind.name}})


def _insert_slot(slot: Slot, zone: ZoneInfo) -> Slot:
    """Insert, letting the database refuse an overlap (slot_no_overlap)."""
    if timezone.is_naive(slot.starts_at) or timezone.is_naive(slot.ends_at):
        raise ValueError("slot times must be timezone-aware")
    slot.full_clean()
    try:
        with transaction.atomic():
            slot.save()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc):
            raise
        raise ValidationError(
            {
                "starts_at": _("%(when)s 与您已发布的时段重叠。")
                % {"when": _local(slot.starts_at, zone)}
            }
        ) from None
    return slot


@transaction.atomic
def slot_publish(
    *,
    actor: Actor,
    type: AppointmentType,
    starts_at: dt.datetime,
    minutes: int,
    location: str = "",
) -> Slot:
    """One slot of the acting adviser (`starts_at` aware; shown in the institution's zone)."""
    if timezone.is_naive(starts_at):
        raise ValueError("slot times must be timezone-aware")
    adviser = _acting_adviser(actor)
    _check_type(adviser, type)
    zone = selectors.zone_of(actor.institution_id)
    if not 10 <= minutes <= 240:
        raise ValidationError({"minutes": _("时长须在 10 至 240 分钟之间。")})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("开始时间须在将来。")})
    slot = _insert_slot(
        Slot(
            institution_id=actor.institution_id,
            adviser=adviser,
            type=type,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=minutes),
            location=location.strip(),
        ),
        zone,
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.SLOT_PUBLISH,
        target=slot,
        summary=str(slot),
        data={"type": type.code, "starts_at": slot.starts_at.isoformat(), "minutes": minutes},
    )
    return slot


@transaction.atomic
def slots_publish_weekly(
    *,
    actor: Actor,
    type: AppointmentType,
    weekday: int,
    start: dt.time,
    minutes: int,
    first_day: dt.date,
    weeks: int,
    count: int = 1,
    location: str = "",
) -> list[Slot]:
    """A weekly pattern: on `weekday` (0 = Monday) from `first_day`, for `weeks` weeks, `count`
    back-to-back slots from the local time `start` in the institution's time zone (so 14:00
    stays 14:00 whatever the UTC offset). All or nothing: one overlap refuses the whole pattern."""
    adviser = _acting_adviser(actor)
    _check_type(adviser, type)
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": _("星期须为周一至周日。")})
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError({"weeks": _("周数须在 1 至 %(max)s 之间。") % {"max": MAX_WEEKS}})
    if not 1 <= count <= 8:
        raise ValidationError({"count": _("每次的时段数须在 1 至 8 之间。")})
    if not 10 <= minutes <= 240:
        raise ValidationError({"minutes": _("时长须在 10 至 240 分钟之间。")})
    zone = selectors.zone_of(actor.institution_id)
    day = first_day + dt.timedelta(days=(weekday - first_day.weekday()) % 7)
    now = timezone.now()
    slots = []
    for _week in range(weeks):
        begin = dt.datetime.combine(day, start, tzinfo=zone)
        for n in range(count):
            starts_at = begin + dt.timedelta(minutes=minutes * n)
            if starts_at <= now:
                continue
            slots.append(
                _insert_slot(
                    Slot(
                        institution_id=actor.institution_id,
                        adviser=adviser,
                        type=type,
                        starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(minutes=minutes),
                        location=location.strip(),
                    ),
                    zone,
                )
            )
        day += dt.timedelta(days=7)
    if not slots:
        raise ValidationError({"first_day": _("所选日期内没有将来的时段。")})
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.SLOT_PUBLISH,
        target=slots[0],
        summary=_("每周时段 %(n)s 个") % {"n": len(slots)},
        data={
            "type": type.code,
            "weekday": weekday,
            "start": start.isoformat(),
            "minutes": minutes,
            "weeks": weeks,
            "count": count,
            "slots": [s.pk for s in slots],
        },
    )
    return slots


@transaction.atomic
def slot_withdraw(*, actor: Actor, slot: Slot) -> Slot:
    """Take back an unbooked slot (a booked one is cancelled first, with the graduate told)."""
    adviser = _acting_adviser(actor)
    if slot.adviser_id != adviser.pk:
        raise PermissionDenied("not your slot")
    if slot.appointments.filter(status=AppointmentStatus.BOOKED).exists():
        raise ValidationError(_("该时段已有预约，请先取消预约。"))
    updated = Slot.objects.filter(pk=slot.pk, withdrawn=False).update(withdrawn=True)
    if updated != 1:
        raise ValidationError(_("该时段已撤回。"))
    slot.withdrawn = True
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.SLOT_WITHDRAW,
        target=slot,
        summary=str(slot),
    )
    return slot


# --- Booking (the graduate) --------------------------------------------------------------------
@transaction.atomic
def appointment_book(*, actor: Actor, slot: Slot, topic: str = "") -> Appointment:
    """Book `slot` (fetched through selectors.bookable_slot) for the actor's graduate record.

    Two graduates at once: the partial unique index lets one insert through; the other's waits
    and then fails, and gets "already booked"."""
    actor.require(Perm.APPOINTMENT_BOOK)
    graduate = selectors.own_graduate(actor)
    if graduate is None:
        raise PermissionDenied("no graduate record")
    if slot.institution_id != graduate.institution_id:
        raise PermissionDenied("another institution's slot")
    if slot.withdrawn or slot.starts_at <= timezone.now():
        raise ValidationError(_("该时段已不可预约。"))
    appointment = Appointment(
        institution_id=graduate.institution_id,
        slot=slot,
        graduate=graduate,
        topic=topic.strip()[:300],
    )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        mine = slot.appointments.filter(graduate=graduate, status=AppointmentStatus.BOOKED)
        if (own := mine.first()) is not None:
            return own  # booking twice is booking once
        raise ValidationError(_("该时段已被其他同学预约，请选择其他时段。")) from None
    zone = selectors.zone_of(graduate.institution_id)
    when = _local(slot.starts_at, zone)
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.APPOINTMENT_BOOK,
        target=appointment,
        summary=f"{slot.type.name} {when}",
        data={"slot": slot.pk, "graduate": graduate.pk},
    )
    notify_each(
        kind=Kind.APPOINTMENT_BOOKED,
        institution_id=graduate.institution_id,
        messages=[
            Message(
                actor_user(actor),
                _("已预约：%(type)s") % {"type": slot.type.name},
                _("您已预约 %(when)s 的%(type)s（%(adviser)s），地点：%(where)s。")
                % {
                    "when": when,
                    "type": slot.type.name,
                    "adviser": slot.adviser,
                    "where": slot.location or _("待定"),
                },
                reverse("appointments:mine"),
            ),
            Message(
                slot.adviser.user,
                _("新的预约：%(name)s") % {"name": graduate.name},
                _("%(name)s 预约了 %(when)s 的%(type)s。")
                % {"name": graduate.name, "when": when, "type": slot.type.name},
                reverse("appointments:calendar"),
            ),
        ],
    )
    return appointment


def actor_user(actor: Actor) -> User:
    return User.objects.get(pk=actor.user_id)


def _may_cancel(appointment: Appointment, actor: Actor) -> None:
    """A graduate cancels their own until the institution's cut-off; the adviser before the
    start."""
    now = timezone.now()
    if appointment.graduate.user_id == actor.user_id and actor.has(Perm.APPOINTMENT_BOOK):
        policy = selectors.policy_of(appointment.institution_id)
        cutoff = appointment.slot.starts_at - dt.timedelta(hours=policy.cancel_cutoff_hours)
        if now > cutoff:
            raise ValidationError(
                _("开始前 %(h)s 小时内不能在线取消，请直接联系咨询师。")
                % {"h": policy.cancel_cutoff_hours}
            )
        return
    _may_advise(appointment, actor)
    if now >= appointment.slot.starts_at:
        raise ValidationError(_("咨询已开始，不能取消。"))


def _may_advise(appointment: Appointment, actor: Actor) -> None:
    adviser = _acting_adviser(actor)
    if appointment.slot.adviser_id != adviser.pk:
        raise PermissionDenied("not your appointment")


def _has_started(appointment: Appointment, actor: Actor) -> None:
    _may_advise(appointment, actor)
    if timezone.now() < appointment.slot.starts_at:
        raise ValidationError(_("咨询尚未开始，不能登记到场情况。"))


APPOINTMENT_FLOW = Workflow(
    "appointment",
    field="status",
    actions=[
        Action(
            "cancel",
            gettext_lazy("取消预约"),
            {AppointmentStatus.BOOKED},
            AppointmentStatus.CANCELLED,
            None,  # the graduate's or the adviser's: the guard says which
            audit=AuditAction.APPOINTMENT_CANCEL,
            guard=_may_cancel,
            style="outline-danger",
        ),
        Action(
            "attend",
            gettext_lazy("已到场"),
            {AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW},
            AppointmentStatus.ATTENDED,
            Perm.APPOINTMENT_ADVISE,
            audit=AuditAction.APPOINTMENT_ATTEND,
            guard=_has_started,
            style="outline-success",
        ),
        Action(
            "no_show",
            gettext_lazy("未到场"),
            {AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED},
            AppointmentStatus.NO_SHOW,
            Perm.APPOINTMENT_ADVISE,
            audit=AuditAction.APPOINTMENT_NO_SHOW,
            guard=_has_started,
            style="outline-warning",
        ),
    ],
)


def appointment_transition(*, actor: Actor, appointment: Appointment, action: str) -> Appointment:
    """Cancel, or record attendance, through APPOINTMENT_FLOW (one conditional UPDATE)."""
    with transaction.atomic():
        changes = {"cancelled_at": timezone.now()} if action == "cancel" else None
        APPOINTMENT_FLOW.apply(
            appointment,
            actor,
            action,
            institution_id=appointment.institution_id,
            changes=changes,
            summary=str(appointment.slot),
        )
        if action == "cancel":
            by_graduate = appointment.graduate.user_id == actor.user_id
            zone = selectors.zone_of(appointment.institution_id)
            when = _local(appointment.slot.starts_at, zone)
            recipient = (
                appointment.slot.adviser.user_id if by_graduate else appointment.graduate.user_id
            )
            if recipient is not None:
                notify(
                    recipients=[recipient],
                    kind=Kind.APPOINTMENT_CANCELLED,
                    subject=_("预约已取消：%(when)s") % {"when": when},
                    body=_("%(when)s 的%(type)s预约已取消。")
                    % {"when": when, "type": appointment.slot.type.name},
                    link=reverse("appointments:calendar" if by_graduate else "appointments:mine"),
                    institution_id=appointment.institution_id,
                )
    return appointment


# --- Notes (advisers only) ---------------------------------------------------------------------
@transaction.atomic
def note_save(*, actor: Actor, appointment: Appointment, text: str, sensitive: bool) -> AdviserNote:
    """The appointment's adviser writes the notes; the graduate never sees them."""
    _may_advise(appointment, actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写咨询记录。")})
    note, _created = AdviserNote.objects.update_or_create(
        appointment=appointment,
        defaults={
            "institution_id": appointment.institution_id,
            "text": text,
            "sensitive": sensitive,
            "written_by_id": actor.user_id,
        },
    )
    audit_record(
        institution_id=appointment.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.APPOINTMENT_NOTE_SAVE,
        target=appointment,
        summary=str(appointment.slot),
        data={"sensitive": sensitive},  # never the text: the log is read by others
    )
    return note


@transaction.atomic
def note_read(*, actor: Actor, appointment: Appointment) -> AdviserNote | None:
    """The notes for an adviser allowed to read them; a read of sensitive notes is logged."""
    note = selectors.note_of(actor, appointment)
    if note is not None and note.sensitive:
        SensitiveRead.objects.create(
            institution_id=appointment.institution_id,
            actor_id=actor.user_id,
            target_type=AdviserNote._meta.label_lower,
            target_id=str(note.pk),
            target_label=str(appointment)[:120],
            field="text",
            reason=_("查看咨询师记录"),
        )
    return note


# --- Reminders (the worker) --------------------------------------------------------------------
def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind each graduate of tomorrow's appointments (tomorrow in each institution's zone),
    through the outbox. Safe to run twice: an appointment is reminded once (reminded_at)."""
    now = now or timezone.now()
    sent = 0
    institutions = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminded_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lt=now + dt.timedelta(days=3),
        )
        .values_list("institution_id", flat=True)
        .distinct()
        .order_by()
    )
    for institution_id in list(institutions):
        zone = selectors.zone_of(institution_id)
        tomorrow = timezone.localtime(now, zone).date() + dt.timedelta(days=1)
        begin = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone)
        end = begin + dt.timedelta(days=1)
        with transaction.atomic():
            due = list(
                Appointment.objects.select_for_update(of=("self",))
                .filter(
                    institution_id=institution_id,
                    status=AppointmentStatus.BOOKED,
                    reminded_at__isnull=True,
                    slot__starts_at__gte=begin,
                    slot__starts_at__lt=end,
                    graduate__user__isnull=False,
                )
                .select_related("slot__type", "slot__adviser__user", "graduate__user")
            )
            if not due:
                continue
            notify_each(
                kind=Kind.APPOINTMENT_REMINDER,
                institution_id=institution_id,
                messages=[
                    Message(
                        a.graduate.user,
                        _("明天的咨询：%(type)s") % {"type": a.slot.type.name},
                        _("提醒：您预约了 %(when)s 的%(type)s（%(adviser)s），地点：%(where)s。")
                        % {
                            "when": _local(a.slot.starts_at, zone),
                            "type": a.slot.type.name,
                            "adviser": a.slot.adviser,
                            "where": a.slot.location or _("待定"),
                        },
                        reverse("appointments:mine"),
                    )
                    for a in due
                ],
            )
            Appointment.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=now)
            sent += len(due)
    return sent
