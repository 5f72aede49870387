"""Event pages: the centre's calendar, request queue, rooms, an event's page with its
decision, booths and sharing, its edit, its registration list (cancel on a graduate's behalf,
xlsx export), attendance with check-in, and the funnel (/events/); a
graduate's upcoming events and tickets (/events/mine/…); an employer's requests and events
(/events/employer/…).

Thin views: a form, one service, render or redirect. Objects come through scoping: another
institution's or another employer's event is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qihang.employers.models import Employer, EmployerStanding, StandingStatus
from qihang.events import selectors, services
from qihang.events.forms import (
    CancelOnBehalfForm,
    CheckInForm,
    EventEditForm,
    RequestForm,
    RoomForm,
    StaffEventForm,
)
from qihang.events.models import (
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Room,
)
from qihang.events.workflow import EDITABLE, EVENT_REVIEW
from qihang.institutions.models import Department, Institution
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    ObjectId,
    actor_of,
    get_owned_or_404,
    get_scoped_or_404,
    owned,
    requires,
    scoped,
    takes_ids,
)
from qihang.lib.feedback import as_int, refusal, refuse_on_form

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
    except ValueError:
        return None


def _verified_employers(actor: Any) -> Any:
    verified = EmployerStanding.objects.filter(
        institution_id=actor.institution_id, status=StandingStatus.VERIFIED
    ).values("employer_id")
    return scoped(Employer, actor).filter(pk__in=verified).order_by("name")


# --- Staff --------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EVENT_VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    """The calendar: one month's events (this month by default), grouped by day."""
    actor = actor_of(request)
    month = _month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    status = request.GET.get("status", "")
    status = status if status in EventStatus.values else ""
    page = Paginator(
        selectors.staff_events(actor=actor, status=status, month=month), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    days: dict[dt.date, list[Event]] = {}
    for event in page.object_list:
        event.shared_in = event.institution_id != actor.institution_id
        days.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "events/list.html",
        {
            "days": sorted(days.items()),
            "page": page,
            "month": month,
            "previous": previous,
            "following": following,
            "status": status,
            "statuses": EventStatus.choices,
            "can_manage": actor.has(Perm.EVENT_MANAGE),
        },
    )


@takes_ids()
@requires(Perm.EVENT_MANAGE)
def event_requests(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(selectors.request_queue(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "events/requests.html", {"events": page.object_list, "page": page})


@takes_ids(
    room=ObjectId("events.Room"),
    employer=ObjectId("employers.Employer"),
    departments=ObjectId("institutions.Department"),
)
@requires(Perm.EVENT_MANAGE)
def event_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    kind = request.GET.get("kind", "")
    form = StaffEventForm(
        request.POST or None,
        initial={"kind": kind} if kind in EventKind.values else None,
        rooms=owned(Room, actor).filter(is_active=True),
        departments=scoped(Department, actor),
        employers=_verified_employers(actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=actor,
                data=form.event_data()
                | {
                    "cohort_year": form.cleaned_data["cohort_year"],
                    "degree_levels": form.cleaned_data["degree_levels"],
                },
                room=form.cleaned_data["room"],
                employer=form.cleaned_data["employer"],
                departments=form.cleaned_data["departments"],
                park=form.cleaned_data["park"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/form.html", {"form": form, "portal": False})


@takes_ids()
@requires(Perm.EVENT_VIEW)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    from qihang.institutions.selectors import partner_ids

    actor = actor_of(request)
    event = get_scoped_or_404(selectors.staff_events(actor=actor), actor, pk=event_id)
    own = event.institution_id == actor.institution_id
    shares = selectors.shares_of(actor=actor, event=event)
    shared_to = {s.partner_id for s in shares}
    can_share = own and actor.has(Perm.SHARE_MANAGE) and event.status == EventStatus.APPROVED
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "own": own,
            "buttons": [a for a in EVENT_REVIEW.available(event, actor)] if own else [],
            "funnel": selectors.funnel_of(event),
            "booths": event.booths.select_related("employer") if own else [],
            "employers": _verified_employers(actor)
            if own and event.kind == EventKind.JOB_FAIR and actor.has(Perm.EVENT_MANAGE)
            else [],
            "shares": shares,
            "partners": Institution.objects.filter(pk__in=partner_ids(actor.institution_id))
            .exclude(pk__in=shared_to)
            .order_by("code")
            if can_share
            else [],
            "departments": event.departments.all(),
            "can_edit": own and actor.has(Perm.EVENT_MANAGE) and event.status in EDITABLE,
        },
    )


@takes_ids(departments=ObjectId("institutions.Department"))
@requires(Perm.EVENT_MANAGE)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    """The centre edits one of its requested or approved events (title, description, time,
    capacity, eligibility, online link)."""
    actor = actor_of(request)
    event = get_owned_or_404(Event.objects.select_related("room", "park"), actor, pk=event_id)
    if event.status not in EDITABLE:
        messages.error(request, _("只能修改待审核或已通过的活动。"))
        return redirect("events:detail", event_id=event.pk)
    form = EventEditForm(request.POST or None, event=event, departments=scoped(Department, actor))
    if request.method == "POST" and form.is_valid():
        try:
            _event, promoted = services.event_update(
                actor=actor,
                event=event,
                data=form.event_data(),
                departments=form.cleaned_data["departments"],
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("活动已修改。"))
            if promoted:
                messages.info(
                    request,
                    _("增加的名额已按顺序给了 %(n)s 位候补同学，并已通知他们。")
                    % {"n": len(promoted)},
                )
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/edit.html", {"event": event, "form": form})


@takes_ids()
@requires(Perm.EVENT_MANAGE)
@require_GET
def registrations(request: HttpRequest, event_id: int) -> HttpResponse:
    """Who is seated, waiting, cancelled or checked in (masked personal data only), with
    cancellation on a graduate's behalf and the xlsx export of the list."""
    actor = actor_of(request)
    event = get_owned_or_404(Event.objects.select_related("room", "park"), actor, pk=event_id)
    status = request.GET.get("status", "")
    page = Paginator(
        selectors.registration_list(actor=actor, event=event, status=status), 100
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "events/registrations.html",
        {
            "event": event,
            "registrations": page.object_list,
            "page": page,
            "status": status,
            "statuses": [*RegistrationStatus.choices, (selectors.CHECKED_IN, _("已签到"))],
            "cancel_form": CancelOnBehalfForm(),
        },
    )


@takes_ids()
@requires(Perm.EVENT_MANAGE)
@require_GET
def registrations_export(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_owned_or_404(Event.objects.select_related("room", "park"), actor, pk=event_id)
    status = request.GET.get("status", "")
    data = services.registrations_export(
        actor=actor,
        event=event,
        registrations=selectors.registration_list(actor=actor, event=event, status=status),
        exported_by=str(request.user),
        filters=status,
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{event.title}-报名名单.xlsx"
    )
    response["Cache-Control"] = "no-store"
    return response


@takes_ids()
@requires(Perm.EVENT_MANAGE)
@require_POST
def registration_cancel(request: HttpRequest, event_id: int, registration_id: int) -> HttpResponse:
    """Cancel a registration on the graduate's behalf, with a reason; the freed seat goes to
    the first on the waiting list."""
    actor = actor_of(request)
    event = get_owned_or_404(Event, actor, pk=event_id)
    registration = get_scoped_or_404(
        selectors.event_registrations(actor=actor, event=event), actor, pk=registration_id
    )
    form = CancelOnBehalfForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("代为取消须填写理由。"))
    else:
        try:
            promoted = services.registration_cancel(
                actor=actor, registration=registration, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(
                request, _("已取消 %(name)s 的报名。") % {"name": registration.graduate.name}
            )
            if promoted is not None:
                messages.info(
                    request,
                    _("空出的名额已给候补的 %(name)s，并已通知。")
                    % {"name": promoted.graduate.name},
                )
    return redirect("events:registrations", event_id=event.pk)


@takes_ids()
@requires(Perm.EVENT_MANAGE)
@require_POST
def event_action(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_owned_or_404(Event, actor, pk=event_id)
    action = request.POST.get("action", "")
    try:
        EVENT_REVIEW.action(action)
        services.event_transition(
            actor=actor, event=event, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request, _("已%(action)s。") % {"action": EVENT_REVIEW.action(action).label}
        )
    if request.POST.get("next") == "queue":
        return redirect("events:requests")
    return redirect("events:detail", event_id=event.pk)


@takes_ids(partner=ObjectId("institutions.Institution"))
@requires(Perm.SHARE_MANAGE)
@require_POST
def event_share(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_owned_or_404(Event, actor, pk=event_id)
    try:
        services.event_share(
            actor=actor, event=event, partner_id=as_int(request.POST.get("partner", ""))
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已与结对学校联合举办，对方毕业生可以报名。"))
    return redirect("events:detail", event_id=event.pk)


@takes_ids(employer=ObjectId("employers.Employer"))
@requires(Perm.EVENT_MANAGE)
@require_POST
def booth_add(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_owned_or_404(Event, actor, pk=event_id)
    employer = scoped(Employer, actor).filter(pk=as_int(request.POST.get("employer", ""))).first()
    if employer is None:
        messages.error(request, _("请选择本校已认证的用人单位。"))
        return redirect("events:detail", event_id=event.pk)
    try:
        services.booth_add(
            actor=actor, event=event, employer=employer, label=request.POST.get("label", "")
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已安排展位。"))
    return redirect("events:detail", event_id=event.pk)


@takes_ids()
@requires(Perm.EVENT_CHECKIN)
def attendance(request: HttpRequest, event_id: int) -> HttpResponse:
    """The door: check in by typed code (or the phone's camera filling it), and who came."""
    actor = actor_of(request)
    event = get_owned_or_404(Event.objects.select_related("room", "park"), actor, pk=event_id)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_check_in(
                actor=actor, event=event, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(
                request, _("%(name)s 签到成功。") % {"name": registration.graduate.name}
            )
        return redirect("events:attendance", event_id=event.pk)
    registrations = selectors.event_registrations(actor=actor, event=event)
    page = Paginator(registrations, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "events/attendance.html",
        {"event": event, "form": form, "registrations": page.object_list, "page": page},
    )


@takes_ids()
@requires(Perm.EVENT_VIEW)
def funnel(request: HttpRequest) -> HttpResponse:
    """registered → attended (→ applied → hired) per event and per employer."""
    actor = actor_of(request)
    now = timezone.now()
    events = list(
        selectors.staff_events(actor=actor, status=EventStatus.APPROVED)
        .filter(institution_id=actor.institution_id, starts_at__lte=now)
        .order_by("-starts_at")[:100]
    )
    outcomes = selectors.outcomes_of(events)
    rows = [(e, selectors.funnel_of(e, now=now, outcomes=outcomes)) for e in events]
    return render(
        request,
        "events/funnel.html",
        {"rows": rows, "employers": selectors.funnel_by_employer(actor=actor)},
    )


@takes_ids()
@requires(Perm.EVENT_MANAGE)
def room_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_save(actor=actor, room=None, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("场地已保存。"))
            return redirect("events:rooms")
    return render(
        request, "events/rooms.html", {"rooms": selectors.rooms(actor=actor), "form": form}
    )


@takes_ids()
@requires(Perm.EVENT_MANAGE)
def room_edit(request: HttpRequest, room_id: int) -> HttpResponse:
    actor = actor_of(request)
    room = get_owned_or_404(Room, actor, pk=room_id)
    form = RoomForm(request.POST or None, instance=Room.objects.get(pk=room.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.room_save(actor=actor, room=room, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("场地已保存。"))
            return redirect("events:rooms")
    return render(request, "events/room_form.html", {"room": room, "form": form})


# --- Graduates ----------------------------------------------------------------------------------
def _graduate(actor: Any) -> Any:
    graduate = selectors.graduate_of(actor)
    if graduate is None:
        raise Http404("no graduate record")
    return graduate


@takes_ids()
@requires(Perm.EVENT_REGISTER)
def upcoming(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = _graduate(actor)
    return render(
        request,
        "events/upcoming.html",
        {"events": selectors.upcoming_for(actor=actor, graduate=graduate)},
    )


@takes_ids()
@requires(Perm.EVENT_REGISTER)
@require_POST
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_scoped_or_404(Event, actor, pk=event_id)
    graduate = _graduate(actor)
    try:
        registration = services.registration_create(actor=actor, event=event, graduate=graduate)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect("events:upcoming")
    if registration.status == "seated":
        messages.success(request, _("报名成功，签到码 %(code)s。") % {"code": registration.code})
    else:
        messages.info(request, _("名额已满，已加入候补；有人取消时将自动为您转正并通知您。"))
    return redirect("events:ticket", registration_id=registration.pk)


def _my_registration(actor: Any, registration_id: int) -> Registration:
    return get_scoped_or_404(selectors.my_registrations(actor=actor), actor, pk=registration_id)


@takes_ids()
@requires(Perm.EVENT_REGISTER)
def tickets(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(selectors.my_registrations(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/tickets.html",
        {"registrations": page.object_list, "page": page, "now": timezone.now()},
    )


@takes_ids()
@requires(Perm.EVENT_REGISTER)
def ticket(request: HttpRequest, registration_id: int) -> HttpResponse:
    actor = actor_of(request)
    registration = _my_registration(actor, registration_id)
    qr = ""
    if registration.status == "seated":
        # segno draws the SVG from the code alone (no user text): safe to inline. A full QR
        # code, never a Micro QR (which segno.make picks for short data): phones read only QR.
        qr = mark_safe(  # noqa: S308
            segno.make_qr(registration.code, error="m").svg_inline(
                scale=8, title=_("签到码 %(code)s") % {"code": registration.code}
            )
        )
    position = None
    if registration.status == "waitlisted":
        position = (
            Registration.objects.filter(event_id=registration.event_id, status="waitlisted")
            .filter(created_at__lte=registration.created_at)
            .count()
        )
    return render(
        request,
        "events/ticket.html",
        {"registration": registration, "event": registration.event, "qr": qr, "position": position},
    )


@takes_ids()
@requires(Perm.EVENT_REGISTER)
@require_POST
def ticket_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    actor = actor_of(request)
    registration = _my_registration(actor, registration_id)
    try:
        services.registration_cancel(actor=actor, registration=registration)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已取消报名。"))
    return redirect("events:tickets")


# --- Employers ----------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EVENT_REQUEST)
def portal_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(selectors.employer_events(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "events/portal_list.html", {"events": page.object_list, "page": page})


@takes_ids(institution=ObjectId("institutions.Institution"), room=ObjectId("events.Room"))
@requires(Perm.EVENT_REQUEST)
def portal_request(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    verified = EmployerStanding.objects.filter(
        employer_id=actor.employer_id, status=StandingStatus.VERIFIED
    ).values("institution_id")
    institutions = Institution.objects.filter(pk__in=verified).order_by("code")
    rooms = (
        Room.objects.filter(institution_id__in=verified, is_active=True)
        .select_related("institution")
        .order_by("institution__code", "name")
    )
    form = RequestForm(request.POST or None, rooms=rooms, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_request(
                actor=actor,
                institution_id=form.cleaned_data["institution"].pk,
                data=form.event_data(),
                room=form.cleaned_data["room"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("申请已提交，学校审核后会通知您。"))
            return redirect("events:portal_detail", event_id=event.pk)
    return render(
        request,
        "events/form.html",
        {"form": form, "portal": True, "no_institution": not institutions},
    )


@takes_ids()
@requires(Perm.EVENT_REQUEST)
def portal_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_scoped_or_404(selectors.employer_events(actor=actor), actor, pk=event_id)
    return render(
        request,
        "events/portal_detail.html",
        {
            "event": event,
            "funnel": selectors.funnel_of(event),
            "can_cancel": EVENT_REVIEW.can(event, actor, "cancel"),
        },
    )


@takes_ids()
@requires(Perm.EVENT_REQUEST)
@require_POST
def portal_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_of(request)
    event = get_scoped_or_404(Event, actor, pk=event_id)
    try:
        services.event_transition(actor=actor, event=event, action="cancel")
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已撤回。"))
    return redirect("events:portal_detail", event_id=event.pk)
