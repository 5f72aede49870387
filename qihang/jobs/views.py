"""Job pages: the staff list, detail, posting on an employer's behalf, the review queue and
sharing (/jobs/); a graduate's published jobs (/jobs/browse/); the employer portal's postings
(/employer/jobs/); the guard rules (/jobs/guards/, platform administrator).

Thin views: a form, one service, render or redirect. Objects come through jobs.selectors
(scoping): another institution's or another employer's job is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.employers.models import Employer
from qihang.institutions.models import Institution, Share
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, requires, scoped, takes_ids
from qihang.jobs import selectors, services
from qihang.jobs.forms import GuardRuleForm, PortalJobForm, ReasonForm, StaffJobForm
from qihang.jobs.models import GuardRule, Job, JobKind, JobStatus
from qihang.jobs.workflow import BUTTON_ACTIONS, JOB_REVIEW, hold_reasons, may_edit
from qihang.lib.feedback import refusal
from qihang.lib.places import division_full_name

PAGE_SIZE = 30


def _place(code: str) -> str:
    if not code:
        return ""
    return division_full_name(code) or code


def _copy(job: Job | None) -> Job | None:
    return None if job is None else Job.objects.get(pk=job.pk)


def _buttons(job: Job, actor: Any) -> list[Any]:
    """The workflow's actions this person may take on the job now (the guards say who)."""
    shown = []
    for action in JOB_REVIEW.available(job, actor):
        if action.name not in BUTTON_ACTIONS:
            continue
        try:
            if action.guard is not None and action.name != "approve":
                action.guard(job, actor)
        except PermissionDenied:
            continue
        shown.append(action)
    return shown


def _detail_context(request: HttpRequest, job: Job) -> dict[str, Any]:
    actor = actor_of(request)
    from qihang.institutions.selectors import partner_ids

    shares = selectors.job_shares(actor=actor, job=job) if not actor.is_employer else []
    shared_to = {s.partner_id for s in shares if s.institution_id == actor.institution_id}
    can_share = (
        actor.has(Perm.SHARE_MANAGE)
        and job.institution_id == actor.institution_id
        and job.status == JobStatus.PUBLISHED
    )
    partners = (
        list(
            Institution.objects.filter(pk__in=partner_ids(actor.institution_id)).exclude(
                pk__in=shared_to
            )
        )
        if can_share
        else []
    )
    return {
        "job": job,
        "place": _place(job.division),
        "hold_reasons": hold_reasons(job),
        "buttons": _buttons(job, actor),
        "can_edit": may_edit(job, actor) and job.status in JOB_REVIEW.sources_of("close"),
        "revisions": selectors.revisions_of(job),
        "shares": shares,
        "partners": partners,
        "can_share": can_share,
        "shared_label": selectors.shared_label(job, actor),
        "reason_form": ReasonForm(),
    }


def _transition(request: HttpRequest, job: Job, redirect_to: str) -> HttpResponse:
    actor = actor_of(request)
    action = request.POST.get("action", "")
    if action not in BUTTON_ACTIONS:
        messages.error(request, _("未知的操作。"))
        return redirect(redirect_to)
    try:
        services.job_transition(
            actor=actor, job=job, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已%(action)s。") % {"action": JOB_REVIEW.action(action).label})
    return redirect(redirect_to)


# --- Staff --------------------------------------------------------------------------------------
@takes_ids(employer=ObjectId("employers.Employer"))
@requires(Perm.JOB_VIEW)
def job_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    employer_id = request.GET.get("employer", "")
    filters = selectors.JobFilters(
        status=request.GET.get("status", "") if request.GET.get("status") in JobStatus else "",
        kind=request.GET.get("kind", "") if request.GET.get("kind") in JobKind else "",
        employer=int(employer_id) if employer_id.isdigit() else None,
        source=request.GET.get("source", ""),
        flagged=request.GET.get("flagged", ""),
    )
    page = Paginator(selectors.staff_jobs(actor=actor, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    jobs = list(page.object_list)
    for job in jobs:
        job.shared_label = selectors.shared_label(job, actor)
    return render(
        request,
        "jobs/list.html",
        {
            "jobs": jobs,
            "page": page,
            "filters": filters,
            "statuses": JobStatus.choices,
            "kinds": JobKind.choices,
            "sources": selectors.sources(actor=actor),
            "employers": scoped(Employer, actor).order_by("name").only("pk", "name"),
            "can_post": actor.has(Perm.JOB_POST),
            "can_review": actor.has(Perm.JOB_REVIEW),
        },
    )


@takes_ids()
@requires(Perm.JOB_VIEW)
def job_detail(request: HttpRequest, posting_id: int) -> HttpResponse:
    job = selectors.job_detail(actor=actor_of(request), posting_id=posting_id)
    return render(request, "jobs/detail.html", _detail_context(request, job))


def _posting_form(
    request: HttpRequest,
    job: Job | None,
    form: StaffJobForm | PortalJobForm,
    *,
    created: Callable[[dict[str, Any]], dict[str, Any]],
    namespace: str,
    template: str,
) -> HttpResponse:
    """The staff and the portal posting forms' one save: create (`created` gives job_create
    the form's employer, institution and channel) or update, then back to the detail page."""
    if request.method == "POST" and form.is_valid():
        actor = actor_of(request)
        data, specialties = form.job_data(), form.cleaned_data["specialties"]
        try:
            if job is None:
                job = services.job_create(
                    actor=actor,
                    data=data,
                    specialties=specialties,
                    submit="submit" in request.POST,
                    **created(form.cleaned_data),
                )
            else:
                services.job_update(actor=actor, job=job, data=data, specialties=specialties)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("岗位已保存。"))
            return redirect(f"{namespace}:detail", posting_id=job.pk)
    portal = namespace == "employer_jobs"
    return render(request, template, {"form": form, "job": job, "portal": portal})


def _staff_form(request: HttpRequest, job: Job | None) -> HttpResponse:
    actor = actor_of(request)
    initial = {"employer": job.employer_id, "channel": job.channel_id} if job else {}
    # The form gets a copy: a ModelForm writes the cleaned values onto its instance, and
    # job_update compares them with the job as saved.
    form = StaffJobForm(
        request.POST or None,
        instance=_copy(job),
        employers=scoped(Employer, actor).order_by("name"),
        initial=initial,
    )
    return _posting_form(
        request,
        job,
        form,
        created=lambda cleaned: {
            "employer": cleaned["employer"],
            "institution_id": actor.institution_id,
            "channel_id": cleaned["channel"].pk if cleaned["channel"] else None,
        },
        namespace="jobs",
        template="jobs/form.html",
    )


@takes_ids(
    employer=ObjectId("employers.Employer"),
    channel=ObjectId("employers.Channel"),
    specialties=ObjectId("jobs.SpecialtyTag"),
)
@requires(Perm.JOB_POST)
def job_create(request: HttpRequest) -> HttpResponse:
    return _staff_form(request, None)


@takes_ids(
    employer=ObjectId("employers.Employer"),
    channel=ObjectId("employers.Channel"),
    specialties=ObjectId("jobs.SpecialtyTag"),
)
@requires(Perm.JOB_POST)
def job_edit(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = actor_of(request)
    job = selectors.job_for_write(actor=actor, posting_id=posting_id)
    if not may_edit(job, actor):
        raise PermissionDenied("job.edit")
    return _staff_form(request, job)


@takes_ids()
@requires(Perm.JOB_VIEW)
@require_POST
def job_action(request: HttpRequest, posting_id: int) -> HttpResponse:
    job = selectors.job_for_write(actor=actor_of(request), posting_id=posting_id)
    to_queue = request.POST.get("next") == "queue"
    target = reverse("jobs:review_queue") if to_queue else reverse("jobs:detail", args=[job.pk])
    return _transition(request, job, target)


@takes_ids()
@requires(Perm.JOB_REVIEW)
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(selectors.review_queue(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    jobs = selectors.with_hold_reasons(list(page.object_list))
    return render(request, "jobs/review_queue.html", {"jobs": jobs, "page": page})


@takes_ids(partner=ObjectId("institutions.Institution"))
@requires(Perm.SHARE_MANAGE)
@require_POST
def job_share(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = actor_of(request)
    job = selectors.job_for_write(actor=actor, posting_id=posting_id)
    partner = request.POST.get("partner", "")
    try:
        services.job_share(
            actor=actor, job=job, partner_id=int(partner) if partner.isdigit() else 0
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已共享给结对学校。"))
    return redirect("jobs:detail", posting_id=job.pk)


@takes_ids(share=ObjectId("institutions.Share"))
@requires(Perm.SHARE_MANAGE)
@require_POST
def job_unshare(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = actor_of(request)
    job = selectors.job_for_write(actor=actor, posting_id=posting_id)
    share_id = request.POST.get("share", "")
    share = get_object_or_404(
        scoped(Share.objects.active(), actor).filter(kind=job._meta.label_lower, object_id=job.pk),
        pk=int(share_id) if share_id.isdigit() else 0,
    )
    services.job_unshare(actor=actor, job=job, share=share)
    messages.success(request, _("已撤回共享。"))
    return redirect("jobs:detail", posting_id=job.pk)


# --- Graduates ----------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.JOB_BROWSE)
def browse(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(selectors.published_jobs(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    jobs = list(page.object_list)
    for job in jobs:
        job.shared_label = selectors.shared_label(job, actor)
        job.place = _place(job.division)
    return render(request, "jobs/browse.html", {"jobs": jobs, "page": page})


@takes_ids()
@requires(Perm.JOB_BROWSE)
def browse_detail(request: HttpRequest, posting_id: int) -> HttpResponse:
    actor = actor_of(request)
    job = selectors.job_detail(actor=actor, posting_id=posting_id, published_only=True)
    return render(
        request,
        "jobs/browse_detail.html",
        {
            "job": job,
            "place": _place(job.division),
            "shared_label": selectors.shared_label(job, actor),
        },
    )


# --- Employer portal ----------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    page = Paginator(selectors.employer_jobs(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    jobs = selectors.with_hold_reasons(list(page.object_list))
    return render(request, "jobs/portal_list.html", {"jobs": jobs, "page": page})


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def portal_detail(request: HttpRequest, posting_id: int) -> HttpResponse:
    job = selectors.job_detail(actor=actor_of(request), posting_id=posting_id)
    return render(request, "jobs/portal_detail.html", _detail_context(request, job))


def _portal_form(request: HttpRequest, job: Job | None) -> HttpResponse:
    actor = actor_of(request)
    institutions = Institution.objects.filter(
        pk__in=scoped(Job.employer.field.related_model, actor).values("standings__institution")
    ).order_by("code")
    initial = {"institution": job.institution_id} if job else {}
    form = PortalJobForm(
        request.POST or None, instance=_copy(job), institutions=institutions, initial=initial
    )
    if job is not None:
        form.fields["institution"].disabled = True
    return _posting_form(
        request,
        job,
        form,
        created=lambda cleaned: {
            "employer": Employer.objects.get(pk=actor.employer_id),
            "institution_id": cleaned["institution"].pk,
        },
        namespace="employer_jobs",
        template="jobs/portal_form.html",
    )


@takes_ids(
    institution=ObjectId("institutions.Institution"), specialties=ObjectId("jobs.SpecialtyTag")
)
@requires(Perm.EMPLOYER_PORTAL)
def portal_create(request: HttpRequest) -> HttpResponse:
    return _portal_form(request, None)


@takes_ids(
    institution=ObjectId("institutions.Institution"), specialties=ObjectId("jobs.SpecialtyTag")
)
@requires(Perm.EMPLOYER_PORTAL)
def portal_edit(request: HttpRequest, posting_id: int) -> HttpResponse:
    job = selectors.job_for_write(actor=actor_of(request), posting_id=posting_id)
    return _portal_form(request, job)


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
@require_POST
def portal_action(request: HttpRequest, posting_id: int) -> HttpResponse:
    job = selectors.job_for_write(actor=actor_of(request), posting_id=posting_id)
    return _transition(request, job, reverse("employer_jobs:detail", args=[job.pk]))


# --- Guard rules (platform administrator) ---------------------------------------------------------
@takes_ids()
@requires(Perm.GUARD_MANAGE)
def guard_list(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/guard_list.html", {"rules": list(selectors.guard_rules())})


def _guard_form(request: HttpRequest, rule: GuardRule | None) -> HttpResponse:
    form = GuardRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.guard_rule_save(
                actor=actor_of(request),
                rule=rule,
                data={f: form.cleaned_data[f] for f in services.GUARD_FIELDS},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("规则已保存；此后提交和审核的岗位按新规则检查。"))
            return redirect("jobs:guard_list")
    return render(request, "jobs/guard_form.html", {"form": form, "rule": rule})


@takes_ids()
@requires(Perm.GUARD_MANAGE)
def guard_create(request: HttpRequest) -> HttpResponse:
    return _guard_form(request, None)


@takes_ids()
@requires(Perm.GUARD_MANAGE)
def guard_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _guard_form(request, get_object_or_404(GuardRule, pk=rule_id))
