"""Appointment pages: the graduate's booking page and appointments (phone-friendly), the
adviser's calendar with the appointment detail and notes, the centre's overview with advisers
and rules. Thin views: a form, one service, render or redirect; objects through selectors."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.accounts.models import User
from qihang.appointments import forms, selectors, services
from qihang.appointments.models import Adviser, AppointmentStatus
from qihang.institutions.models import Department, Membership
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, get_scoped_or_404, requires, takes_ids
from qihang.lib.feedback import refusal


def _graduate(request: HttpRequest):  # noqa: ANN202
    graduate = selectors.own_graduate(actor_of(request))
    if graduate is None:
        raise PermissionDenied("no graduate record")
    return graduate


def _adviser(request: HttpRequest) -> Adviser:
    adviser = selectors.adviser_of(actor_of(request))
    if adviser is None:
        raise PermissionDenied("not an adviser")
    return adviser


# --- Graduates ----------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.APPOINTMENT_BOOK)
def book(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = _graduate(request)
    type_code = request.GET.get("type", "")
    slots = list(selectors.free_slots(actor, graduate=graduate, type_code=type_code)[:200])
    zone = selectors.zone_of(actor.institution_id)
    for slot in slots:
        slot.local_start = timezone.localtime(slot.starts_at, zone)
    return render(
        request,
        "appointments/book.html",
        {"slots": slots, "types": selectors.types(), "type_code": type_code},
    )


@takes_ids()
@requires(Perm.APPOINTMENT_BOOK)
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    _graduate(request)
    policy = selectors.policy_of(actor.institution_id)
    zone = ZoneInfo(policy.time_zone)
    rows = list(selectors.my_appointments(actor)[:100])
    now = timezone.now()
    for a in rows:
        a.local_start = timezone.localtime(a.slot.starts_at, zone)
        a.may_cancel = a.status == AppointmentStatus.BOOKED and now <= a.slot.starts_at - (
            dt.timedelta(hours=policy.cancel_cutoff_hours)
        )
    return render(request, "appointments/mine.html", {"appointments": rows, "policy": policy})


@takes_ids()
@requires(Perm.APPOINTMENT_BOOK)
@require_POST
def slot_book(request: HttpRequest, slot_id: int) -> HttpResponse:
    actor = actor_of(request)
    slot = selectors.bookable_slot(actor, graduate=_graduate(request), slot_id=slot_id)
    try:
        services.appointment_book(actor=actor, slot=slot, topic=request.POST.get("topic", ""))
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect("appointments:book")
    messages.success(request, _("预约成功，前一天会提醒您。"))
    return redirect("appointments:mine")


@takes_ids()
@requires(Perm.APPOINTMENT_BOOK)
@require_POST
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    appointment = selectors.appointment_for(actor, appointment_id)
    if appointment.graduate.user_id != actor.user_id:
        raise Http404
    try:
        services.appointment_transition(actor=actor, appointment=appointment, action="cancel")
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已取消预约。"))
    return redirect("appointments:mine")


# --- Advisers -----------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.APPOINTMENT_ADVISE)
def calendar(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    adviser = selectors.adviser_of(actor)
    if adviser is None:
        # Staff whose role may advise but whom the centre has not made an adviser yet: say so
        # (the other adviser pages refuse with 403).
        return render(
            request,
            "appointments/not_adviser.html",
            {"can_manage": actor.has(Perm.APPOINTMENT_MANAGE)},
        )
    zone = selectors.zone_of(actor.institution_id)
    since = dt.datetime.combine(timezone.localtime(timezone.now(), zone).date(), dt.time(0), zone)
    if request.GET.get("past"):
        since -= dt.timedelta(days=30)
    slots = selectors.adviser_slots(actor, adviser, since=since)
    for slot in slots:
        slot.local_start = timezone.localtime(slot.starts_at, zone)
    return render(
        request,
        "appointments/calendar.html",
        {
            "adviser": adviser,
            "slots": slots,
            "slot_form": forms.SlotForm(),
            "weekly_form": forms.WeeklyForm(),
            "zone": zone,
        },
    )


@takes_ids()
@requires(Perm.APPOINTMENT_ADVISE)
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    _adviser(request)
    zone = selectors.zone_of(actor.institution_id)
    weekly = request.POST.get("pattern") == "weekly"
    form = forms.WeeklyForm(request.POST) if weekly else forms.SlotForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(errors)}")
        return redirect("appointments:calendar")
    data = form.cleaned_data
    try:
        if weekly:
            slots = services.slots_publish_weekly(
                actor=actor,
                type=data["type"],
                weekday=data["weekday"],
                start=data["start"],
                minutes=data["minutes"],
                first_day=data["first_day"],
                weeks=data["weeks"],
                count=data["count"],
                location=data["location"],
            )
        else:
            slots = [
                services.slot_publish(
                    actor=actor,
                    type=data["type"],
                    starts_at=dt.datetime.combine(data["day"], data["start"], zone),
                    minutes=data["minutes"],
                    location=data["location"],
                )
            ]
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已发布 %(n)s 个时段。") % {"n": len(slots)})
    return redirect("appointments:calendar")


@takes_ids()
@requires(Perm.APPOINTMENT_ADVISE)
@require_POST
def slot_withdraw(request: HttpRequest, slot_id: int) -> HttpResponse:
    actor = actor_of(request)
    slot = selectors.adviser_slot(actor, _adviser(request), slot_id)
    try:
        services.slot_withdraw(actor=actor, slot=slot)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已撤回时段。"))
    return redirect("appointments:calendar")


def _advised(request: HttpRequest, appointment_id: int):  # noqa: ANN202
    """An appointment for an adviser: scoped (404), and one whose notes they may read (404:
    to anyone else it does not exist on these pages)."""
    actor = actor_of(request)
    appointment = selectors.appointment_for(actor, appointment_id)  # 404 first: unseen is unseen
    _adviser(request)
    if not selectors.notes_readable(actor, appointment):
        raise Http404
    return appointment


@takes_ids()
@requires(Perm.APPOINTMENT_ADVISE)
def detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    appointment = _advised(request, appointment_id)
    note = services.note_read(actor=actor, appointment=appointment)
    own = appointment.slot.adviser_id == selectors.adviser_of(actor).pk
    buttons = [a for a in services.APPOINTMENT_FLOW.available(appointment, actor) if own]
    zone = selectors.zone_of(actor.institution_id)
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "local_start": timezone.localtime(appointment.slot.starts_at, zone),
            "note": note,
            "own": own,
            "buttons": buttons,
            "note_form": forms.NoteForm(
                initial={"text": note.text, "sensitive": note.sensitive} if note else None
            ),
        },
    )


@takes_ids()
@requires(Perm.APPOINTMENT_ADVISE)
@require_POST
def action(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    appointment = _advised(request, appointment_id)
    name = request.POST.get("action", "")
    try:
        done = services.appointment_transition(actor=actor, appointment=appointment, action=name)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, done.get_status_display())
    return redirect("appointments:detail", appointment_id=appointment.pk)


@takes_ids()
@requires(Perm.APPOINTMENT_ADVISE)
@require_POST
def note(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    appointment = _advised(request, appointment_id)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("咨询记录：请填写内容。"))
        return redirect("appointments:detail", appointment_id=appointment.pk)
    try:
        services.note_save(
            actor=actor,
            appointment=appointment,
            text=form.cleaned_data["text"],
            sensitive=form.cleaned_data["sensitive"],
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已保存咨询记录。"))
    return redirect("appointments:detail", appointment_id=appointment.pk)


# --- The centre ---------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.APPOINTMENT_MANAGE)
def overview(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    policy = selectors.policy_of(actor.institution_id)
    zone = ZoneInfo(policy.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    kinds = selectors.types()
    try:
        days = max(1, min(int(request.GET.get("days", "90")), 730))
    except ValueError:
        days = 90
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(0), zone)
    until = dt.datetime.combine(today + dt.timedelta(days=60), dt.time(0), zone)
    staff = (
        User.objects.filter(
            memberships__institution_id=actor.institution_id,
            memberships__is_active=True,
            memberships__invitation="",
            memberships__role__in=services.ADVISER_ROLES,
        )
        .distinct()
        .order_by("display_name", "id")
    )
    return render(
        request,
        "appointments/overview.html",
        {
            "counts": selectors.overview(actor, since=since, until=until, kinds=kinds),
            "days": days,
            "advisers": list(selectors.advisers(actor)),
            "staff": list(staff),
            "departments": list(Department.objects.filter(institution_id=actor.institution_id)),
            "types": kinds,
            "policy_form": forms.PolicyForm(
                initial={
                    "time_zone": policy.time_zone,
                    "cancel_cutoff_hours": policy.cancel_cutoff_hours,
                }
            ),
        },
    )


@takes_ids(user=ObjectId("accounts.User"), department=ObjectId("institutions.Department"))
@requires(Perm.APPOINTMENT_MANAGE)
@require_POST
def adviser_save(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = forms.AdviserForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("设置咨询师：请选择人员和至少一种咨询类型。"))
        return redirect("appointments:overview")
    data = form.cleaned_data
    member = Membership.objects.filter(
        institution_id=actor.institution_id, user_id=data["user"]
    ).first()
    if member is None:
        raise Http404
    department = (
        get_scoped_or_404(Department, actor, pk=data["department"]) if data["department"] else None
    )
    try:
        services.adviser_save(
            actor=actor,
            user=member.user,
            types=data["types"],
            department=department,
            title=data["title"],
            is_active=data["is_active"],
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已保存咨询师。"))
    return redirect("appointments:overview")


@takes_ids()
@requires(Perm.APPOINTMENT_MANAGE)
@require_POST
def policy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = forms.PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("预约规则：最晚取消时间须为 0 至 336 之间的整数小时。"))
        return redirect("appointments:overview")
    try:
        services.policy_update(actor=actor, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已保存预约规则。"))
    return redirect("appointments:overview")
