"""Key-group assistance pages: the caseload, one graduate's file (every view of it logged as a
read of key-group status and of the sealed texts), the forms that add to it, and the coverage
figures by department."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.accounts.models import User
from qihang.assistance import selectors, services
from qihang.assistance.forms import FileForm, FollowUpForm, ProgrammeForm, StepForm, SubsidyForm
from qihang.assistance.models import PlanStep
from qihang.audit.services import sensitive_reads_log
from qihang.graduates import selectors as graduate_selectors
from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import (
    ObjectId,
    actor_of,
    get_scoped_or_404,
    requires,
    scoped,
    takes_ids,
)
from qihang.reports.dashboard import default_as_of


def _staff(request: HttpRequest):  # noqa: ANN202
    return (
        User.objects.filter(
            memberships__institution_id=actor_of(request).institution_id,
            memberships__is_active=True,
            memberships__role__in=[
                Role.CAREER_CENTRE,
                Role.DEPARTMENT_STAFF,
                Role.TEACHER,
                Role.LEADERSHIP,
            ],
        )
        .distinct()
        .order_by("display_name", "id")
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.ASSISTANCE_VIEW)
def caseload(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    available = graduate_selectors.cohorts(actor)
    cohort = graduate_selectors.cohort_for(actor, request.GET.get("cohort"), available)
    # A season that is over is seen as of its last day (reports.dashboard.default_as_of).
    today = default_as_of(actor=actor, cohort=cohort) if cohort else timezone.localdate()
    rows = selectors.caseload(actor, cohort, today=today) if cohort else []
    if rows:
        sensitive_reads_log(
            actor=actor,
            model=Graduate,
            targets=[(r.graduate.pk, str(r.graduate)) for r in rows],
            field="key_groups",
            purpose=_("重点群体帮扶名单"),
        )
    return _private(
        render(
            request,
            "assistance/caseload.html",
            {
                "rows": rows,
                "cohort": cohort,
                "cohorts": available,
                "overdue": sum(r.overdue for r in rows),
                "planned": sum(bool(r.file and r.file.has_plan) for r in rows),
                "can_stats": actor.has(Perm.STATS_VIEW),
                "today": today,
            },
        )
    )


@takes_ids()
@requires(Perm.ASSISTANCE_VIEW)
def detail(request: HttpRequest, graduate_id: int) -> HttpResponse:
    actor = actor_of(request)
    page = selectors.assistance_page(actor, graduate_id)
    sensitive_reads_log(
        actor=actor,
        model=Graduate,
        targets=[(page.graduate.pk, str(page.graduate))],
        field="key_groups,assistance",
        purpose=_("查看重点群体帮扶档案"),
    )
    file = page.file
    initial = {"follow_up_days": 14}
    if file is not None:
        initial = {
            "situation": file.situation.reveal_unlogged(),
            "needs": file.needs.reveal_unlogged(),
            "goals": file.goals.reveal_unlogged(),
            "measures": file.measures.reveal_unlogged(),
            "consent_on": file.consent_on,
            "mentor": file.mentor_id,
            "leader": file.leader_id,
            "plan_due_on": file.plan_due_on,
            "follow_up_days": file.follow_up_days,
        }
    elif page.graduate.mentor_id:
        initial["mentor"] = page.graduate.mentor_id
    can_edit = actor.has(Perm.ASSISTANCE_EDIT)
    today = default_as_of(actor=actor, cohort=page.graduate.cohort)
    return _private(
        render(
            request,
            "assistance/detail.html",
            {
                "page": page,
                "today": today,
                "can_edit": can_edit,
                "file_form": FileForm(initial=initial, staff=_staff(request)) if can_edit else None,
                "step_form": StepForm(),
                "follow_up_form": FollowUpForm(initial={"on": today}),
                "programme_form": ProgrammeForm(),
                "subsidy_form": SubsidyForm(),
            },
        )
    )


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for error in exc.messages:
        messages.error(request, error)


def _form_refused(request: HttpRequest, form) -> None:  # noqa: ANN001
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def _back(graduate_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("assistance:detail", graduate_id=graduate_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _submit(
    request: HttpRequest,
    graduate_id: int,
    form: Any,
    write: Callable[..., Any],
    anchor: str,
    done: str = "",
) -> HttpResponse:
    """The forms of the assistance page: the graduate must be the actor's (404), the form
    valid (each error said with its field), the service's refusal said; back to the section."""
    actor = actor_of(request)
    get_scoped_or_404(Graduate, actor, pk=graduate_id)
    if form.is_valid():
        try:
            write(actor=actor, graduate_id=graduate_id, **form.cleaned_data)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            if done:
                messages.success(request, done)
    else:
        _form_refused(request, form)
    return _back(graduate_id, anchor)


@takes_ids(mentor=ObjectId("accounts.User"), leader=ObjectId("accounts.User"))
@requires(Perm.ASSISTANCE_EDIT)
@require_POST
def file_edit(request: HttpRequest, graduate_id: int) -> HttpResponse:
    form = FileForm(request.POST, staff=_staff(request))

    def write(*, actor: Any, graduate_id: int, **data: Any) -> Any:
        return services.file_save(actor=actor, graduate_id=graduate_id, data=data)

    return _submit(request, graduate_id, form, write, "file", _("帮扶档案已保存。"))


@takes_ids()
@requires(Perm.ASSISTANCE_EDIT)
@require_POST
def step_new(request: HttpRequest, graduate_id: int) -> HttpResponse:
    return _submit(request, graduate_id, StepForm(request.POST), services.step_add, "plan")


@takes_ids()
@requires(Perm.ASSISTANCE_EDIT)
@require_POST
def step_complete(request: HttpRequest, graduate_id: int, step_id: int) -> HttpResponse:
    actor = actor_of(request)
    if not scoped(PlanStep, actor).filter(pk=step_id, file__graduate_id=graduate_id).exists():
        raise Http404
    services.step_done(actor=actor, step_id=step_id)
    return _back(graduate_id, "plan")


@takes_ids()
@requires(Perm.ASSISTANCE_EDIT)
@require_POST
def follow_up_new(request: HttpRequest, graduate_id: int) -> HttpResponse:
    form = FollowUpForm(request.POST)
    done = _("跟进记录已保存。")
    return _submit(request, graduate_id, form, services.follow_up_log, "follow-ups", done)


@takes_ids()
@requires(Perm.ASSISTANCE_EDIT)
@require_POST
def programme_new(request: HttpRequest, graduate_id: int) -> HttpResponse:
    form = ProgrammeForm(request.POST)
    return _submit(request, graduate_id, form, services.programme_save, "programmes")


@takes_ids()
@requires(Perm.ASSISTANCE_EDIT)
@require_POST
def subsidy_new(request: HttpRequest, graduate_id: int) -> HttpResponse:
    form = SubsidyForm(request.POST)
    return _submit(request, graduate_id, form, services.subsidy_save, "subsidies")


def _cohort_and_day(request: HttpRequest, actor: Any) -> tuple[list, Any, dt.date | None]:
    """The cohort asked for (else the latest) and the day (else the dashboard's default)."""
    available = graduate_selectors.cohorts(actor)
    cohort = graduate_selectors.cohort_for(actor, request.GET.get("cohort"), available)
    try:
        as_of = dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = default_as_of(actor=actor, cohort=cohort) if cohort else None
    return available, cohort, as_of


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.STATS_VIEW)
def coverage(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    available, cohort, as_of = _cohort_and_day(request, actor)
    result = selectors.coverage(actor, cohort, as_of=as_of) if cohort else None
    return render(
        request,
        "assistance/coverage.html",
        {"result": result, "cohort": cohort, "cohorts": available, "as_of": as_of},
    )


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.STATS_VIEW)
def coverage_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's key-group card (loaded by htmx after the page): the totals of coverage."""
    actor = actor_of(request)
    _available, cohort, as_of = _cohort_and_day(request, actor)
    result = selectors.coverage(actor, cohort, as_of=as_of) if cohort else None
    return render(
        request,
        "assistance/_coverage_panel.html",
        {"result": result, "cohort": cohort, "as_of": as_of},
    )
