"""Reporting pages (/reporting/…): the centre's overview of a cohort (states, report runs, the
export, the returned-list import, the check window); the department's correction queue and
the records the authority returned; a graduate's check of their own data.

Thin views: a form, one service, render or redirect. Objects come through scoping.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qihang.destinations.models import Destination
from qihang.institutions.models import Cohort, Major
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    Actor,
    ObjectId,
    actor_of,
    get_scoped_or_404,
    requires,
    scoped,
    takes_ids,
)
from qihang.lib.feedback import refusal
from qihang.reporting import corrections, selectors, services
from qihang.reporting.forms import (
    ConfirmForm,
    CorrectionForm,
    ExportForm,
    ReasonedExportForm,
    RefuseForm,
    ReturnedImportForm,
    WindowForm,
)
from qihang.reporting.models import (
    CorrectionRequest,
    CorrectionStatus,
    ReportRun,
    ReturnedList,
    RunScope,
)

_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_COHORT = ObjectId("institutions.Cohort", "year")


def _cohort(actor: Actor, params: Any) -> Cohort:
    """The cohort named by ?cohort= (another institution's is not found), else the latest."""
    cohorts = scoped(Cohort, actor).order_by("-year")
    year = str(params.get("cohort", "")).strip()
    cohort = (cohorts.filter(year=year).first() if year.isdigit() else None) if year else None
    if year and cohort is None:
        raise Http404
    cohort = cohort or cohorts.first()
    if cohort is None:
        raise Http404
    return cohort


def _home(cohort: Cohort) -> str:
    return f"{reverse('reporting:home')}?cohort={cohort.year}"


def _file(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


# --- The career centre -----------------------------------------------------------------------------
@takes_ids(cohort=_COHORT)
@requires(Perm.REPORTING_MANAGE)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohort = _cohort(actor, request.GET)
    facts = selectors.report_facts(actor=actor, cohort=cohort)
    window = selectors.open_window(actor=actor, cohort=cohort)
    return render(
        request,
        "reporting/home.html",
        {
            "cohort": cohort,
            "cohorts": scoped(Cohort, actor).order_by("-year"),
            "counts": selectors.state_counts(facts),
            "to_report": sum(1 for f in facts if f.state in selectors.TO_REPORT),
            "not_approved": selectors.pending_approval_count(actor=actor, cohort=cohort),
            "runs": selectors.runs(actor=actor, cohort=cohort)[:20],
            "returned_lists": scoped(ReturnedList, actor).filter(cohort=cohort)[:10],
            "window": window,
            "window_counts": selectors.window_counts(actor=actor, window=window)
            if window
            else None,
            "export_form": ExportForm(),
            "run_form": ReasonedExportForm(initial={"extent": RunScope.CHANGED}),
            "import_form": ReturnedImportForm(),
            "window_form": WindowForm(),
            "may_unmask": actor.has(Perm.ROSTER_EXPORT_UNMASKED),
            "layout": services.layouts.load(),
        },
    )


@takes_ids(cohort=_COHORT)
@requires(Perm.REPORTING_MANAGE)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The file a report would carry, masked (身份证号 as 3101************3X), to check first."""
    actor = actor_of(request)
    cohort = _cohort(actor, request.GET)
    form = ExportForm(request.GET)
    if not form.is_valid():
        raise Http404
    data, filename, _rows = services.reporting_export(
        actor=actor, cohort=cohort, extent=form.cleaned_data["extent"], fmt=form.cleaned_data["fmt"]
    )
    return _file(data, filename, form.cleaned_data["fmt"])


@takes_ids(cohort=_COHORT)
@requires(Perm.ROSTER_EXPORT_UNMASKED)
@require_POST
def export_unmasked(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    actor.require(Perm.REPORTING_MANAGE)
    cohort = _cohort(actor, request.POST)
    form = ReasonedExportForm(request.POST)
    if form.is_valid():
        try:
            data, filename, _rows = services.reporting_export(
                actor=actor,
                cohort=cohort,
                extent=form.cleaned_data["extent"],
                fmt=form.cleaned_data["fmt"],
                unmasked=True,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            return _file(data, filename, form.cleaned_data["fmt"])
    else:
        messages.error(request, _("请填写导出事由。"))
    return redirect(_home(cohort))


@takes_ids(cohort=_COHORT)
@requires(Perm.REPORTING_MANAGE)
@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohort = _cohort(actor, request.POST)
    form = ReasonedExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择范围、格式并填写事由。"))
        return redirect(_home(cohort))
    if not actor.has(Perm.ROSTER_EXPORT_UNMASKED):
        messages.error(request, _("上报文件含完整身份证号，需要“不脱敏导出”权限。"))
        return redirect(_home(cohort))
    try:
        run = services.report_run_create(
            actor=actor,
            cohort=cohort,
            extent=form.cleaned_data["extent"],
            fmt=form.cleaned_data["fmt"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect(_home(cohort))
    messages.success(
        request, _("已上报%(n)s条记录（%(receipt)s）。") % {"n": run.rows, "receipt": run.receipt}
    )
    return redirect("reporting:run_detail", run_id=run.pk)


@takes_ids()
@requires(Perm.REPORTING_MANAGE)
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_of(request)
    run = get_scoped_or_404(
        ReportRun.objects.select_related("cohort", "created_by"), actor, pk=run_id
    )
    items = run.items.select_related("graduate__department").order_by(
        "graduate__department__sort_order", "graduate__student_no"
    )
    return render(request, "reporting/run.html", {"run": run, "items": items})


@takes_ids(cohort=_COHORT)
@requires(Perm.REPORTING_MANAGE)
@require_POST
def returned_import(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohort = _cohort(actor, request.POST)
    form = ReturnedImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择退回名单文件。"))
        return redirect(_home(cohort))
    upload = form.cleaned_data["file"]
    try:
        returned = services.returned_list_import(
            actor=actor, cohort=cohort, source=upload.read(), filename=upload.name
        )
    except services.ReturnedListInvalid as exc:
        return render(
            request,
            "reporting/returned_errors.html",
            {"cohort": cohort, "errors": exc.errors, "filename": upload.name},
            status=400,
        )
    messages.success(
        request, _("已导入退回名单，%(n)s条记录已转院系核查更正。") % {"n": returned.rows}
    )
    return redirect(_home(cohort))


@takes_ids(cohort=_COHORT)
@requires(Perm.REPORTING_MANAGE)
@require_POST
def window_open(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohort = _cohort(actor, request.POST)
    form = WindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写核对截止日期。"))
        return redirect(_home(cohort))
    try:
        services.check_window_open(
            actor=actor,
            cohort=cohort,
            closes_on=form.cleaned_data["closes_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已开放生源信息核对。"))
    return redirect(_home(cohort))


@takes_ids(cohort=_COHORT)
@requires(Perm.REPORTING_MANAGE)
@require_POST
def window_close(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohort = _cohort(actor, request.POST)
    window = selectors.open_window(actor=actor, cohort=cohort)
    if window is None:
        messages.error(request, _("本届没有正在进行的信息核对。"))
    else:
        try:
            services.check_window_close(actor=actor, window=window)
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("信息核对已结束。"))
    return redirect(_home(cohort))


# --- Department staff ------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.REPORTING_CORRECT)
@require_GET
def returned_list(request: HttpRequest) -> HttpResponse:
    """Records the authority returned that no report has carried since."""
    actor = actor_of(request)
    records = list(selectors.returned_records(actor=actor)[:500])
    return render(request, "reporting/returned.html", {"records": records})


@takes_ids()
@requires(Perm.REPORTING_CORRECT)
@require_GET
def correction_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", CorrectionStatus.PENDING)
    status = status if status in CorrectionStatus.values else CorrectionStatus.PENDING
    requests = list(selectors.corrections(actor=actor, status=status)[:500])
    for item in requests:
        spec = corrections.spec(item.target, item.field)
        item.label = spec.label if spec else item.field
    return render(
        request,
        "reporting/corrections.html",
        {
            "requests": requests,
            "status": status,
            "statuses": CorrectionStatus.choices,
            "refuse_form": RefuseForm(),
        },
    )


def _request(actor: Actor, correction_id: int) -> CorrectionRequest:
    return get_scoped_or_404(CorrectionRequest, actor, pk=correction_id)


@takes_ids()
@requires(Perm.REPORTING_CORRECT)
@require_POST
def correction_confirm(request: HttpRequest, correction_id: int) -> HttpResponse:
    actor = actor_of(request)
    correction = _request(actor, correction_id)
    form = ConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.correction_confirm(actor=actor, request=correction, note=note)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已按申请更正，并通知毕业生。"))
    return redirect("reporting:corrections")


@takes_ids()
@requires(Perm.REPORTING_CORRECT)
@require_POST
def correction_refuse(request: HttpRequest, correction_id: int) -> HttpResponse:
    actor = actor_of(request)
    correction = _request(actor, correction_id)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写不同意更正的理由。"))
        return redirect("reporting:corrections")
    try:
        services.correction_refuse(
            actor=actor, request=correction, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已答复毕业生。"))
    return redirect("reporting:corrections")


# --- Graduates -------------------------------------------------------------------------------------
def _mine(actor: Actor) -> Any:
    graduate = selectors.my_graduate(actor)
    if graduate is None:
        raise Http404
    return graduate


@takes_ids()
@requires(Perm.REPORTING_CHECK_OWN)
@require_GET
def my_check(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = _mine(actor)
    destination = (
        Destination.objects.filter(graduate=graduate)
        .select_related("code", "employer_nature")
        .first()
    )
    window = selectors.open_window(actor=actor, cohort=graduate.cohort)
    requests = list(scoped(CorrectionRequest, actor).filter(graduate=graduate))
    for item in requests:
        spec = corrections.spec(item.target, item.field)
        item.label = spec.label if spec else item.field
    roster = [
        (spec.label, spec.current(graduate))
        for spec in corrections.SPECS
        if spec.target == "roster"
    ]
    roster.insert(0, (_("学号"), graduate.student_no))
    roster.insert(4, (_("院系"), graduate.department.name))
    roster.insert(5, (_("学历层次"), graduate.get_degree_level_display()))
    dest_rows = (
        [
            (spec.label, spec.current(graduate, destination))
            for spec in corrections.SPECS
            if spec.target == "destination"
        ]
        if destination
        else []
    )
    return render(
        request,
        "reporting/mine.html",
        {
            "graduate": graduate,
            "destination": destination,
            "roster": roster,
            "dest_rows": dest_rows,
            "window": window,
            "requests": requests,
            "form": CorrectionForm(),
            "majors": Major.objects.filter(institution_id=graduate.institution_id)
            .select_related("department")
            .order_by("department__sort_order", "name"),
        },
    )


@takes_ids()
@requires(Perm.REPORTING_CHECK_OWN)
@require_POST
def my_confirm(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = _mine(actor)
    try:
        services.roster_check_confirm(actor=actor, graduate=graduate)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已确认信息无误，谢谢。"))
    return redirect("reporting:my_check")


@takes_ids(major=ObjectId("institutions.Major"))
@requires(Perm.REPORTING_CHECK_OWN)
@require_POST
def my_request(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = _mine(actor)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择更正项目并填写原因。"))
        return redirect("reporting:my_check")
    target, field = form.target_field()
    try:
        services.correction_request_create(
            actor=actor,
            graduate=graduate,
            target=target,
            field=field,
            value=form.requested(),
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("更正申请已提交，院系处理后会通知您。"))
    return redirect("reporting:my_check")
