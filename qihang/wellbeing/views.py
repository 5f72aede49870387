"""Wellbeing pages: the graduate's check-in, the psychological counsellors' referrals (each
read of a referral logged), their thresholds, and the counts-only overview for staff."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.audit.services import sensitive_reads_log
from qihang.graduates import selectors as graduate_selectors
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, requires, takes_ids
from qihang.lib.feedback import refuse_on_form
from qihang.wellbeing import selectors, services
from qihang.wellbeing.forms import CheckInForm, NoteForm, PolicyForm
from qihang.wellbeing.models import Referral, ReferralStatus
from qihang.wellbeing.workflow import REFERRAL


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@takes_ids()
@requires(Perm.WELLBEING_CHECKIN)
def checkin(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.checkin_submit(
                actor=actor,
                stress=data["stress"] if data["stress"] != "" else None,
                sleep=data["sleep"] if data["sleep"] != "" else None,
                support=data["support"],
                note=data["note"],
                contact=data["contact"],
                anonymous=data["anonymous"],
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(
                request,
                _("谢谢你的分享。")
                if data["anonymous"]
                else _("已收到。如你请求联系，心理老师会尽快与你联系。"),
            )
            return redirect("wellbeing:checkin")
    return _private(
        render(
            request,
            "wellbeing/checkin.html",
            {"form": form, "mine": selectors.my_checkins(actor)},
        )
    )


@takes_ids()
@requires(Perm.WELLBEING_CASES)
def referrals(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    rows = selectors.referral_queue(actor, status=status)
    recent = selectors.recent_checkins(actor)
    sensitive_reads_log(
        actor=actor,
        model=Referral,
        targets=[(r.pk, f"#{r.pk}") for r in rows],
        field="wellbeing",
        purpose=_("心理关怀转介列表"),
    )
    return _private(
        render(
            request,
            "wellbeing/referrals.html",
            {
                "rows": rows,
                "recent": recent,
                "status": status,
                "statuses": ReferralStatus.choices,
            },
        )
    )


@takes_ids()
@requires(Perm.WELLBEING_CASES)
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_of(request)
    view = selectors.referral_detail(actor, referral_id)
    sensitive_reads_log(
        actor=actor,
        model=Referral,
        targets=[(view.referral.pk, f"#{view.referral.pk} {view.referral.graduate}")],
        field="wellbeing",
        purpose=_("处理心理关怀转介"),
    )
    return _private(
        render(
            request,
            "wellbeing/referral.html",
            {
                "view": view,
                "actions": REFERRAL.available(view.referral, actor),
                "note_form": NoteForm(),
            },
        )
    )


@takes_ids()
@requires(Perm.WELLBEING_CASES)
@require_POST
def referral_action(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_of(request)
    selectors.referral_detail(actor, referral_id)  # 404 outside the actor's scope
    try:
        services.referral_act(
            actor=actor,
            referral_id=referral_id,
            action=request.POST.get("action", "")[:20],
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("wellbeing:referral", referral_id=referral_id)


@takes_ids()
@requires(Perm.WELLBEING_CASES)
@require_POST
def referral_note(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_of(request)
    selectors.referral_detail(actor, referral_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.referral_note_add(
                actor=actor, referral_id=referral_id, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    else:
        messages.error(request, _("请填写记录内容。"))
    return redirect("wellbeing:referral", referral_id=referral_id)


@takes_ids()
@requires(Perm.WELLBEING_CASES)
def policy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    current = services.policy_of(actor.institution_id)
    form = PolicyForm(
        request.POST or None,
        initial={
            "stress_at_least": current.stress_at_least,
            "sleep_at_most": current.sleep_at_most,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("wellbeing:policy")
    return render(request, "wellbeing/policy.html", {"form": form})


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.WELLBEING_OVERVIEW)
def overview(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    available = graduate_selectors.cohorts(actor)
    cohort = graduate_selectors.cohort_for(actor, request.GET.get("cohort"), available)
    result = selectors.overview(actor, cohort) if cohort else None
    return render(
        request,
        "wellbeing/overview.html",
        {"result": result, "cohort": cohort, "cohorts": available},
    )
