"""Application pages: the graduate's own (/applications/), the employer portal's
(/employer/applications/), the staff's follow-up and employers' response times
(/applications/staff/, /applications/employers/). Thin views: a form, one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.applications import selectors, services
from qihang.applications.forms import (
    ApplyForm,
    DeclineForm,
    InviteForm,
    MessageForm,
    OfferForm,
    PolicyForm,
)
from qihang.applications.models import Application, ApplicationStatus
from qihang.applications.workflow import APPLICATION
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, requires, takes_ids
from qihang.jobs import selectors as job_selectors
from qihang.lib.feedback import refusal

PAGE_SIZE = 30


# --- Graduates --------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.APPLICATION_APPLY)
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    items = list(selectors.applications_for(actor).filter(graduate__user_id=actor.user_id))
    return render(request, "applications/mine.html", {"items": items})


@takes_ids()
@requires(Perm.APPLICATION_APPLY)
def apply(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = actor_of(request)
    job = job_selectors.job_detail(actor=actor, posting_id=posting_id, published_only=True)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                actor=actor, job=job, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已投递，单位答复后会通知你。"))
            return redirect("applications:detail", application_id=application.pk)
    return render(request, "applications/apply.html", {"form": form, "job": job})


def _detail_context(actor: Any, application: Application) -> dict[str, Any]:
    return {
        "application": application,
        "events": selectors.timeline(application),
        "actions": APPLICATION.available(application, actor),
        "message_form": MessageForm(),
        "counts_as_employment": selectors.counts_as_employment(application),
        "destination_link": selectors.destination_link(application),
    }


@takes_ids()
@requires(Perm.APPLICATION_APPLY)
def detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = actor_of(request)
    application = selectors.application_detail(actor, application_id)
    return render(request, "applications/detail.html", _detail_context(actor, application))


@takes_ids()
@requires(Perm.APPLICATION_APPLY)
@require_POST
def graduate_action(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = actor_of(request)
    application = selectors.application_detail(actor, application_id)
    action = request.POST.get("action", "")
    try:
        if action == "message":
            form = MessageForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get("text", [_("请填写留言内容。")]))
            services.application_message(
                actor=actor, application=application, text=form.cleaned_data["text"]
            )
        elif action in ("accept", "withdraw"):
            services.application_act(actor=actor, application=application, action=action)
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已完成。"))
    return redirect("applications:detail", application_id=application.pk)


# --- Employers (portal) ---------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    qs = selectors.applications_for(actor, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/portal_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "counts": selectors.counts_by_status(selectors.applications_for(actor)),
        },
    )


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = actor_of(request)
    application = selectors.application_detail(actor, application_id)
    context = _detail_context(actor, application)
    context |= {
        "portal": True,
        "invite_form": InviteForm(initial={"kind": "audition"}),
        "offer_form": OfferForm(),
        "decline_form": DeclineForm(),
    }
    return render(request, "applications/portal_detail.html", context)


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
@require_POST
def portal_action(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = actor_of(request)
    application = selectors.application_detail(actor, application_id)
    action = request.POST.get("action", "")
    try:
        if action == "viewed":  # sent by the page itself when an employer opens it
            services.application_mark_viewed(actor=actor, application=application)
            return HttpResponse(status=204)
        if action == "message":
            form: Any = MessageForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get("text", [_("请填写留言内容。")]))
            services.application_message(
                actor=actor, application=application, text=form.cleaned_data["text"]
            )
        elif action == "invite":
            form = InviteForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errs in form.errors.values() for e in errs])
            services.application_act(
                actor=actor, application=application, action="invite", interview=form.cleaned_data
            )
        elif action == "offer":
            form = OfferForm(request.POST)
            form.is_valid()
            services.application_act(
                actor=actor,
                application=application,
                action="offer",
                offer_note=form.cleaned_data.get("offer_note", ""),
            )
        elif action == "decline":
            services.application_act(
                actor=actor,
                application=application,
                action="decline",
                reason=request.POST.get("reason", ""),
            )
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已完成，毕业生会收到通知。"))
    return redirect("employer_applications:detail", application_id=application.pk)


# --- Staff ----------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.APPLICATION_VIEW)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    page = Paginator(selectors.applications_for(actor, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "applications/staff_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "counts": selectors.counts_by_status(selectors.applications_for(actor)),
        },
    )


@takes_ids()
@requires(Perm.APPLICATION_VIEW)
def staff_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = actor_of(request)
    application = selectors.application_detail(actor, application_id)
    context = _detail_context(actor, application) | {"staff": True, "actions": []}
    return render(request, "applications/detail.html", context)


@takes_ids()
@requires(Perm.APPLICATION_VIEW)
def employer_responses(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    days = services.remind_after_days(actor.institution_id)
    rows = selectors.employer_responses(
        actor, now=timezone.now(), overdue_after=dt.timedelta(days=days)
    )
    return render(
        request,
        "applications/employer_responses.html",
        {"rows": rows, "days": days, "can_set": actor.has(Perm.SETTINGS_MANAGE)},
    )


@takes_ids()
@requires(Perm.SETTINGS_MANAGE)
def policy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    days = services.remind_after_days(actor.institution_id)
    form = PolicyForm(request.POST or None, initial={"remind_after_days": days})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_policy_update(
                actor=actor, remind_after_days=form.cleaned_data["remind_after_days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("applications:employers")
    return render(request, "applications/policy.html", {"form": form})
