"""Agreement pages: the graduate's (/agreements/), the staff's review and approval queues, the
cancellation queue and settings (/agreements/staff/…), and the employer portal's
(/employer/agreements/). Thin views: a form, one service; the buttons come from the workflow
tables (agreements.workflow)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.agreements import selectors, services
from qihang.agreements.forms import FilterForm, OfferForm, PolicyForm, TermsForm
from qihang.agreements.models import Agreement, AgreementStatus
from qihang.agreements.printing import agreement_pdf
from qihang.agreements.workflow import AGREEMENT, CANCELLATION, buttons
from qihang.documents.services import document_bytes
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, requires, takes_ids
from qihang.lib.feedback import as_int, refusal, refuse_on_form
from qihang.lib.files import private_file_response

PAGE_SIZE = 30


def _context(actor: Any, agreement: Agreement) -> dict[str, Any]:
    cancellation = selectors.open_cancellation(agreement)
    return {
        "agreement": agreement,
        "actions": buttons(agreement, actor),
        "signatures": selectors.signatures_of(agreement),
        "cancellations": selectors.cancellations_of(agreement),
        "cancellation": cancellation,
        "cancellation_actions": CANCELLATION.available(cancellation, actor) if cancellation else [],
    }


def _done(request: HttpRequest, call: Any) -> None:
    try:
        call()
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已完成。"))


def _act(
    request: HttpRequest,
    agreement_id: int,
    *,
    agreement_actions: tuple[str, ...],
    cancellation_actions: tuple[str, ...],
) -> Agreement:
    """Take the posted action on the agreement (one of this side's `agreement_actions`) or on
    its open cancellation (`cancellation_actions`); the outcome is a message. The services
    check who may do what; these lists only say which form posts which service."""
    actor = actor_of(request)
    agreement = selectors.agreement_detail(actor, agreement_id)
    name = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    if name in agreement_actions:
        _done(
            request,
            lambda: services.agreement_act(
                actor=actor, agreement=agreement, action=name, reason=reason
            ),
        )
    elif name in cancellation_actions:
        cancellation = selectors.open_cancellation(agreement)
        if cancellation is None:
            messages.error(request, _("没有待处理的解约申请。"))
        else:
            _done(
                request,
                lambda: services.cancellation_act(
                    actor=actor, cancellation=cancellation, action=name, reason=reason
                ),
            )
    else:
        messages.error(request, _("未知的操作。"))
    return agreement


def _pdf(actor: Any, agreement: Agreement) -> HttpResponse:
    """The issued original (its download audited), or for an agreement signed before
    documents were issued, the PDF made now."""
    if agreement.document is not None:
        data = document_bytes(actor=actor, document=agreement.document)
    else:
        data = agreement_pdf(agreement)
    return private_file_response(
        data,
        filename=f"三方协议{agreement.number}.pdf",
        content_type="application/pdf",
    )


# --- Graduates --------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.AGREEMENT_OWN)
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    items = list(selectors.agreements_for(actor).filter(graduate__user_id=actor.user_id))
    return render(request, "agreements/mine.html", {"items": items})


@takes_ids()
@requires(Perm.AGREEMENT_OWN)
def detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_of(request)
    agreement = selectors.own_agreement(actor, agreement_id)
    return render(request, "agreements/detail.html", _context(actor, agreement) | {"side": "own"})


@takes_ids()
@requires(Perm.AGREEMENT_OWN)
@require_POST
def action(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_of(request)
    agreement = selectors.own_agreement(actor, agreement_id)
    name = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    if name in ("accept", "decline"):
        version = as_int(request.POST.get("version")) or None
        _done(
            request,
            lambda: services.agreement_act(
                actor=actor, agreement=agreement, action=name, reason=reason, version=version
            ),
        )
    elif name == "cancel_request":
        _done(
            request,
            lambda: services.cancellation_request(actor=actor, agreement=agreement, reason=reason),
        )
    elif name == "cancel_withdraw":
        cancellation = selectors.open_cancellation(agreement)
        if cancellation is None:
            messages.error(request, _("没有待处理的解约申请。"))
        else:
            _done(
                request,
                lambda: services.cancellation_act(
                    actor=actor, cancellation=cancellation, action="withdraw"
                ),
            )
    else:
        messages.error(request, _("未知的操作。"))
    return redirect("agreements:detail", agreement_id=agreement.pk)


@takes_ids()
@requires(Perm.AGREEMENT_OWN)
def pdf(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.own_agreement(actor_of(request), agreement_id)
    if agreement.status != AgreementStatus.SIGNED:
        messages.error(request, _("协议签约生效后才能下载。"))
        return redirect("agreements:detail", agreement_id=agreement.pk)
    return _pdf(actor_of(request), agreement)


# --- Staff --------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.AGREEMENT_VIEW)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.agreements_for(actor, status=data.get("status", ""), q=data.get("q", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agreements/staff_list.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.counts_by_status(selectors.agreements_for(actor)),
            "statuses": AgreementStatus.choices,
        },
    )


@takes_ids()
@requires(Perm.AGREEMENT_VIEW)
def staff_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_of(request)
    agreement = selectors.agreement_detail(actor, agreement_id)
    return render(request, "agreements/detail.html", _context(actor, agreement) | {"side": "staff"})


@takes_ids()
@requires(Perm.AGREEMENT_REVIEW)
@require_POST
def staff_action(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _act(
        request,
        agreement_id,
        agreement_actions=("review", "approve", "reject"),
        cancellation_actions=(
            "department_approve",
            "department_refuse",
            "centre_approve",
            "centre_refuse",
        ),
    )
    return redirect("agreements:staff_detail", agreement_id=agreement.pk)


@takes_ids()
@requires(Perm.AGREEMENT_VIEW)
def staff_pdf(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_detail(actor_of(request), agreement_id)
    if agreement.status != AgreementStatus.SIGNED:
        messages.error(request, _("协议签约生效后才能下载。"))
        return redirect("agreements:staff_detail", agreement_id=agreement.pk)
    return _pdf(actor_of(request), agreement)


@takes_ids()
@requires(Perm.AGREEMENT_VIEW)
def cancellations(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    every = request.GET.get("all") == "1"
    items = list(selectors.cancellations_for(actor, open_only=not every)[:200])
    return render(request, "agreements/cancellations.html", {"items": items, "every": every})


@takes_ids()
@requires(Perm.SETTINGS_MANAGE)
def policy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    current = services.max_cancellations(actor.institution_id)
    form = PolicyForm(request.POST or None, initial={"max_cancellations": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_policy_update(
                actor=actor, max_cancellations=form.cleaned_data["max_cancellations"]
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("agreements:policy")
    return render(request, "agreements/policy.html", {"form": form, "current": current})


# --- Employers (portal) ---------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    page = Paginator(selectors.agreements_for(actor, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "agreements/portal_list.html",
        {"page": page, "status": status, "statuses": AgreementStatus.choices},
    )


@takes_ids(application=ObjectId("applications.Application"))
@requires(Perm.EMPLOYER_PORTAL)
def portal_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    applications = selectors.offerable_applications(actor)
    chosen = request.GET.get("application", "")
    form = OfferForm(
        request.POST or None, applications=applications, initial={"application": chosen}
    )
    if request.method == "POST" and form.is_valid():
        wanted = as_int(form.cleaned_data["application"])
        application = next((a for a in applications if a.pk == wanted), None)
        if application is None:
            form.add_error("application", _("请选择本单位收到的申请。"))
        else:
            try:
                agreement = services.agreement_offer(
                    actor=actor, application=application, data=form.cleaned_data
                )
            except ValidationError as exc:
                refuse_on_form(form, exc)
            else:
                messages.success(request, _("三方协议已发出，等待毕业生确认。"))
                return redirect("employer_agreements:detail", agreement_id=agreement.pk)
    return render(request, "agreements/portal_form.html", {"form": form, "agreement": None})


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_of(request)
    agreement = selectors.agreement_detail(actor, agreement_id)
    context = _context(actor, agreement) | {"side": "employer"}
    context["can_edit"] = AGREEMENT.can(agreement, actor, "edit")
    return render(request, "agreements/portal_detail.html", context)


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_of(request)
    agreement = selectors.agreement_detail(actor, agreement_id)
    initial = {
        f: getattr(agreement, f)
        for f in ("position", "employer_nature", "work_division", "monthly_salary", "term", "terms")
    }
    form = TermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_edit(actor=actor, agreement=agreement, data=form.cleaned_data)
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已修改，毕业生将看到新版本。"))
            return redirect("employer_agreements:detail", agreement_id=agreement.pk)
    return render(request, "agreements/portal_form.html", {"form": form, "agreement": agreement})


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
@require_POST
def portal_action(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _act(
        request,
        agreement_id,
        agreement_actions=("withdraw",),
        cancellation_actions=("employer_approve", "employer_refuse"),
    )
    return redirect("employer_agreements:detail", agreement_id=agreement.pk)


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_pdf(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_detail(actor_of(request), agreement_id)
    if agreement.status != AgreementStatus.SIGNED:
        messages.error(request, _("协议签约生效后才能下载。"))
        return redirect("employer_agreements:detail", agreement_id=agreement.pk)
    return _pdf(actor_of(request), agreement)
