"""Verification pages: rounds (draw one), a round's call sheet (masked phone with the roster's
reveal, one form per sample), the cohort report (page and xlsx), and the anomaly flags with
the enrolment-list upload. Thin: forms parse, services write, selectors read."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    ObjectId,
    actor_of,
    get_scoped_or_404,
    requires,
    scoped,
    takes_ids,
)
from qihang.lib.feedback import refusal, refuse_on_form
from qihang.lib.files import private_file_response
from qihang.lib.pdf import html_to_pdf
from qihang.lib.tabular import write_xlsx
from qihang.verification import selectors, services
from qihang.verification.enrolment import LocalFileSource
from qihang.verification.forms import CallForm, DecideForm, DrawForm, EnrolmentForm
from qihang.verification.models import CallResult, FlagStatus
from qihang.verification.workflow import SAMPLE_RESULT

MAX_UPLOAD = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _draw_form(request: HttpRequest, data=None) -> DrawForm:  # noqa: ANN001
    actor = actor_of(request)
    cohorts = list(scoped(Cohort, actor).order_by("-year"))
    departments = list(scoped(Department, actor).order_by("sort_order", "name"))
    initial = {"as_of": timezone.localdate(), "cohort": cohorts[0].pk if cohorts else None}
    return DrawForm(data, cohorts=cohorts, departments=departments, initial=initial)


@takes_ids()
@requires(Perm.VERIFICATION_VIEW)
@require_GET
def round_list(request: HttpRequest, form: DrawForm | None = None) -> HttpResponse:
    actor = actor_of(request)
    can_manage = actor.has(Perm.VERIFICATION_MANAGE)
    return render(
        request,
        "verification/rounds.html",
        {
            "rounds": selectors.rounds(actor),
            "form": form or (_draw_form(request) if can_manage else None),
            "can_manage": can_manage,
            "cohorts": list(scoped(Cohort, actor).order_by("-year")),
        },
    )


@takes_ids(cohort=ObjectId("institutions.Cohort"))
@requires(Perm.VERIFICATION_MANAGE)
@require_POST
def round_draw(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = _draw_form(request, request.POST)
    if form.is_valid():
        cohort = get_scoped_or_404(Cohort, actor, pk=form.cleaned_data["cohort"])
        try:
            round_ = services.round_draw(
                actor=actor,
                cohort=cohort,
                name=form.cleaned_data["name"],
                as_of=form.cleaned_data["as_of"],
                default_percent=form.cleaned_data["default_percent"],
                department_percents=form.department_percents(),
                seed=form.cleaned_data["seed"],
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已抽取核查样本。"))
            return redirect("verification:round", round_id=round_.pk)
    request.method = "GET"
    response = round_list(request, form=form)
    response.status_code = 400
    return response


@takes_ids()
@requires(Perm.VERIFICATION_VIEW)
@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = actor_of(request)
    round_ = selectors.round_for(actor, round_id)
    samples = list(selectors.samples_of(actor, round_))
    can_manage = actor.has(Perm.VERIFICATION_MANAGE)
    for s in samples:
        s.actions = SAMPLE_RESULT.available(s, actor) if can_manage else []
    return render(
        request,
        "verification/round.html",
        {
            "round": round_,
            "samples": samples,
            "can_manage": can_manage,
            "can_reveal": actor.has(Perm.SENSITIVE_REVEAL),
            "call_form": CallForm(),
            "phone_label": _("手机号码"),
        },
    )


@takes_ids()
@requires(Perm.VERIFICATION_MANAGE)
@require_POST
def sample_call(request: HttpRequest, sample_id: int) -> HttpResponse:
    actor = actor_of(request)
    sample = selectors.sample_for(actor, sample_id)
    form = CallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择核查结果。"))
    else:
        try:
            services.call_record(
                actor=actor,
                sample=sample,
                result=form.cleaned_data["result"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            sample.refresh_from_db(fields=["result", "returned_at"])
            text = _("已记录：%(name)s %(result)s") % {
                "name": sample.graduate.name, "result": CallResult(sample.result).label}  # fmt: skip
            if sample.result == CallResult.FALSE:
                text += (
                    _("；去向记录已退回更正。")
                    if sample.returned_at
                    else _("；该记录已审批，请在去向记录页更正。")
                )
            messages.success(request, text)
    return redirect("verification:round", round_id=sample.round_id)


def _report_context(request: HttpRequest, cohort_year: int) -> dict:
    actor = actor_of(request)
    cohort = get_scoped_or_404(Cohort, actor, year=cohort_year)
    return selectors.cohort_report(actor, cohort)


@takes_ids()
@requires(Perm.VERIFICATION_VIEW)
@require_GET
def report(request: HttpRequest, cohort_year: int) -> HttpResponse:
    return render(request, "verification/report.html", _report_context(request, cohort_year))


@takes_ids()
@requires(Perm.VERIFICATION_VIEW)
@require_GET
def report_xlsx(request: HttpRequest, cohort_year: int) -> HttpResponse:
    """The report as a workbook: one table of departments and codes, then the false findings.
    Names and student numbers of false findings are personal data: the export is audited."""
    actor = actor_of(request)
    context = _report_context(request, cohort_year)
    results = context["results"]
    headers = [_("分组"), _("名称"), _("抽样人数"), *[str(r.label) for r in results],
               _("已核实"), _("核查不实率")]  # fmt: skip
    rows: list[list] = []
    for group, tallies in ((_("院系"), context["departments"]), (_("去向代码"), context["codes"])):
        for t in tallies:
            rows.append([group, t.label, t.sampled, *[t.get(r) for r in results], t.verified,
                         t.false_rate])  # fmt: skip
    total = context["total"]
    rows.append([_("合计"), "", total.sampled, *[total.get(r) for r in results], total.verified,
                 total.false_rate])  # fmt: skip
    rows.append([])
    rows.append([context["quality_definition"]])
    rows.append([])
    rows.append([_("不属实记录"), _("学号"), _("姓名"), _("院系"), _("去向代码"), _("单位名称"),
                 _("核查记录"), _("已退回更正")])  # fmt: skip
    for s in context["false_samples"]:
        last = s.calls.all()[len(s.calls.all()) - 1] if s.calls.all() else None
        rows.append([s.round.name, s.graduate.student_no, s.graduate.name, s.department.name,
                     s.code, s.employer_name, last.notes if last else "",
                     _("是") if s.returned_at else _("否")])  # fmt: skip
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, sheet_title=_("核查报告"))
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.VERIFICATION_REPORT_EXPORT,
        target=context["cohort"],
        summary=_("%(year)s届就业核查报告（xlsx）") % {"year": cohort_year},
        data={"cohort": cohort_year, "false_findings": len(context["false_samples"])},
    )
    return private_file_response(
        buffer.getvalue(),
        filename=f"verification-{cohort_year}.xlsx",
        content_type=XLSX,
    )


@takes_ids()
@requires(Perm.VERIFICATION_VIEW)
@require_GET
def report_pdf(request: HttpRequest, cohort_year: int) -> HttpResponse:
    """The report printed (A4, the platform's CJK font), to sign and file with the cohort's
    records. It names the graduates of false findings, so it is audited like the workbook."""
    actor = actor_of(request)
    context = _report_context(request, cohort_year)
    context |= {
        "institution": context["cohort"].institution,
        "printed_at": timezone.localtime(),
        "printed_by": request.user,
    }
    content = html_to_pdf("verification/report_print.html", context)
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.VERIFICATION_REPORT_EXPORT,
        target=context["cohort"],
        summary=_("%(year)s届就业核查报告（PDF）") % {"year": cohort_year},
        data={
            "cohort": cohort_year,
            "format": "pdf",
            "false_findings": len(context["false_samples"]),
        },
    )
    return private_file_response(
        content, filename=f"verification-{cohort_year}.pdf", content_type="application/pdf"
    )


def _cohort_of(request: HttpRequest) -> Cohort | None:
    actor = actor_of(request)
    cohorts = scoped(Cohort, actor).order_by("-year")
    year = request.GET.get("cohort", "")
    if year.isdigit():
        return get_scoped_or_404(Cohort, actor, year=int(year))
    return cohorts.first()


@takes_ids()
@requires(Perm.VERIFICATION_MANAGE)
@require_GET
def anomaly_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohort = _cohort_of(request)
    context = {
        "cohort": cohort,
        "cohorts": list(scoped(Cohort, actor).order_by("-year")),
        "statuses": FlagStatus.choices,
        "enrolment_form": EnrolmentForm(),
    }
    if cohort is not None:
        context.update(selectors.anomaly_flags(actor, cohort))
        context["enrolments"] = selectors.enrolment_lists(actor, cohort)
    return render(request, "verification/anomalies.html", context)


@takes_ids()
@requires(Perm.VERIFICATION_MANAGE)
@require_POST
def flag_decide(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理方式并填写说明。"))
    else:
        try:
            services.flag_decide(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("已记录处理意见。"))
    year = request.POST.get("cohort", "")
    return redirect(
        reverse("verification:anomalies") + (f"?cohort={year}" if year.isdigit() else "")
    )


@takes_ids()
@requires(Perm.VERIFICATION_MANAGE)
@require_POST
def enrolment_upload(request: HttpRequest, cohort_year: int) -> HttpResponse:
    actor = actor_of(request)
    cohort = get_scoped_or_404(Cohort, actor, year=cohort_year)
    form = EnrolmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            messages.error(request, _("文件超过 20 MB。"))
        else:
            try:
                enrolment = services.enrolment_import(
                    actor=actor,
                    cohort=cohort,
                    source=LocalFileSource(upload.read(), upload.name),
                )
            except services.EnrolmentRejected as exc:
                messages.error(
                    request,
                    _("名单有 %(n)s 处错误，未导入：%(errors)s")
                    % {"n": len(exc.row_errors), "errors": "；".join(exc.messages[:20])},
                )
            except ValidationError as exc:
                messages.error(request, refusal(exc))
            else:
                messages.success(
                    request, _("已导入社保参保名单：%(n)s 行。") % {"n": enrolment.rows}
                )
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(reverse("verification:anomalies") + f"?cohort={cohort_year}")
