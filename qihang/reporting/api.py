"""Reporting in the API (/api/v1/reporting/…): a cohort's reporting states and report runs,
and a report run made (the career centre); the records the authority returned and the
correction requests, confirmed or refused (department staff: their departments'); a graduate's
check of their own data: confirmed, or a correction asked for (a signed-in session); the
authority's returned list imported (the file in the body, base64) and the check windows opened
and closed (the career centre). The same selectors, services and scoping as the pages; a
refusal of a service is a 400 with its messages per field (a refused file: every bad row and
column, "__all__")."""

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, RefusedOut, ValidationErrorOut, refused
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, ObjectId, get_scoped_or_404, scoped, takes_ids
from qihang.reporting import corrections as correctable
from qihang.reporting import layout as layouts
from qihang.reporting import selectors, services
from qihang.reporting.models import CheckWindow, CorrectionRequest, ReportRun

router = Router(tags=["上报主管部门"])
# reporting.models.CorrectionStatus's values (an enumeration in the document: a typo is a 422).
StatusName = Literal["pending", "confirmed", "refused"]
READ = {401: ErrorOut, 403: ErrorOut}
# ?cohort= names a year of the institution (404 when it has none) and must be a number (422).
BY_COHORT = {**READ, 404: ErrorOut, 422: ValidationErrorOut}
# A graduate's own operations name no object (no 404); a body, so a 422 without one.
OWN = {**READ, 400: RefusedOut, 422: ValidationErrorOut}
# A decision on a correction request named in the path.
DECIDE = {**READ, 400: RefusedOut, 404: ErrorOut, 422: ValidationErrorOut}


class StatesOut(Schema):
    cohort: int
    layout_version: str
    new: int
    changed: int
    reported: int
    returned: int
    not_approved: int  # no approved destination yet: not reported


class RunOut(Schema):
    id: int
    cohort: int
    extent: str
    rows: int
    fmt: str
    layout_version: str
    sha256: str
    backend: str
    receipt: str
    created_at: dt.datetime


class ReturnedOut(Schema):
    graduate: int
    student_no: str
    name: str
    department: str
    reason: str
    returned_at: dt.datetime


class CorrectionOut(Schema):
    id: int
    graduate: int
    student_no: str
    name: str
    target: str
    field: str
    label: str
    current_value: str
    requested_value: str
    reason: str
    status: str
    decision_reason: str
    created_at: dt.datetime


class RunIn(Schema):
    extent: Literal["all", "changed"] = Field(
        ..., description="all（全部已审批记录）或 changed（自上次上报以来新增、变更或退回的）"
    )
    fmt: Literal["xlsx", "csv"] = "xlsx"
    reason: str = Field(..., max_length=300, description="事由（上报文件含完整身份证号）")


class ReturnedListIn(Schema):
    filename: str = Field(..., max_length=200, description="文件名，.xlsx 或 .csv")
    content: str = Field(..., description="文件内容（base64）；请求体大小受服务器上传上限约束")


class ReturnedListOut(Schema):
    id: int
    cohort: int
    filename: str
    sha256: str
    rows: int
    imported_at: dt.datetime


class WindowIn(Schema):
    closes_on: dt.date = Field(..., description="核对截止日期（含当日）")
    note: str = Field("", max_length=300)


class WindowOut(Schema):
    id: int
    cohort: int
    closes_on: dt.date
    note: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


def _window(window: CheckWindow) -> dict[str, Any]:
    return {
        "id": window.pk,
        "cohort": window.cohort.year,
        "closes_on": window.closes_on,
        "note": window.note,
        "opened_at": window.opened_at,
        "closed_at": window.closed_at,
    }


class CheckOut(Schema):
    cohort: int
    answer: str
    at: dt.datetime


class CorrectionIn(Schema):
    target: Literal["roster", "destination"]
    field: str = Field(..., max_length=40, description="如 name、ethnicity、employer_name")
    value: str = Field("", max_length=200, description="更正为；专业为本校专业的 id")
    reason: str = Field(..., max_length=300)


class ConfirmIn(Schema):
    note: str = Field("", max_length=300)


class RefuseIn(Schema):
    reason: str = Field(..., max_length=300)


def _run(run: ReportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "cohort": run.cohort.year,
        "extent": run.extent,
        "rows": run.rows,
        "fmt": run.fmt,
        "layout_version": run.layout_version,
        "sha256": run.sha256,
        "backend": run.backend,
        "receipt": run.receipt,
        "created_at": run.created_at,
    }


def _correction(item: CorrectionRequest) -> dict[str, Any]:
    spec = correctable.spec(item.target, item.field)
    return {
        "id": item.pk,
        "graduate": item.graduate_id,
        "student_no": item.graduate.student_no,
        "name": item.graduate.name,
        "target": item.target,
        "field": item.field,
        "label": str(spec.label) if spec else item.field,
        "current_value": item.current_value,
        "requested_value": item.requested_value,
        "reason": item.reason,
        "status": item.status,
        "decision_reason": item.decision_reason,
        "created_at": item.created_at,
    }


def _mine(actor: Actor) -> Graduate:
    """The caller's own roster record; without one a graduate's operation is not theirs (403:
    no object is named in the path to be missing)."""
    graduate = selectors.my_graduate(actor)
    if graduate is None:
        raise PermissionDenied("no graduate record of the caller")
    return graduate


def _request(actor: Actor, correction_id: int) -> CorrectionRequest:
    return get_scoped_or_404(CorrectionRequest, actor, pk=correction_id)


def _cohort(actor: Actor, year: int | None) -> Cohort:
    cohorts = scoped(Cohort, actor).order_by("-year")
    cohort = cohorts.filter(year=year).first() if year is not None else cohorts.first()
    if cohort is None:
        raise Http404
    return cohort


@router.get("/reporting/states", response={200: StatesOut, **BY_COHORT}, summary="上报状态")
@api_requires(Perm.REPORTING_MANAGE)
@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
def states(request: HttpRequest, cohort: int | None = None) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    chosen = _cohort(actor, cohort)
    counts = selectors.state_counts(selectors.report_facts(actor=actor, cohort=chosen))
    return {
        "cohort": chosen.year,
        "layout_version": layouts.load().version,
        **counts,
        "not_approved": selectors.pending_approval_count(actor=actor, cohort=chosen),
    }


@router.get("/reporting/runs", response={200: list[RunOut], **BY_COHORT}, summary="上报批次")
@api_requires(Perm.REPORTING_MANAGE)
@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
def runs(request: HttpRequest, cohort: int | None = None) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    chosen = _cohort(actor, cohort)
    return [_run(run) for run in selectors.runs(actor=actor, cohort=chosen)[:200]]


@router.post(
    "/reporting/runs",
    response={201: RunOut, 400: RefusedOut, **BY_COHORT},
    summary="上报：把本届已审批的去向记录（全部或变更的）报送主管部门，返回批次与回执",
)
@api_requires(Perm.REPORTING_MANAGE)  # and roster.export_unmasked: the file has ID numbers
@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
def run_create(
    request: HttpRequest,
    body: RunIn,
    cohort: int | None = Query(None, description="届别；缺省为最近一届"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    chosen = _cohort(actor, cohort)
    try:
        run = services.report_run_create(
            actor=actor, cohort=chosen, extent=body.extent, fmt=body.fmt, reason=body.reason
        )
    except ValidationError as exc:
        return refused(exc)
    return Status(201, _run(selectors.runs(actor=actor).get(pk=run.pk)))


@router.get(
    "/reporting/returned", response={200: list[ReturnedOut], **READ}, summary="主管部门退回待核记录"
)
@api_requires(Perm.REPORTING_CORRECT)
@takes_ids()
def returned(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [
        {
            "graduate": r.graduate_id,
            "student_no": r.graduate.student_no,
            "name": r.graduate.name,
            "department": r.graduate.department.name,
            "reason": r.returned_reason,
            "returned_at": r.returned_at,
        }
        for r in selectors.returned_records(actor=actor)[:1000]
    ]


@router.get(
    "/reporting/corrections",
    response={200: list[CorrectionOut], **READ, 422: ValidationErrorOut},
    summary="信息更正申请",
)
@api_requires(Perm.REPORTING_CORRECT)
@takes_ids()
def correction_list(
    request: HttpRequest, status: StatusName = Query("pending", description="状态，缺省为待处理")
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [_correction(item) for item in selectors.corrections(actor=actor, status=status)[:1000]]


def _decided(correction: CorrectionRequest) -> dict[str, Any]:
    """The request as it is now, with its graduate as the decision left them (a confirmed
    correction may change the name, or the department that had it in scope)."""
    return _correction(CorrectionRequest.objects.select_related("graduate").get(pk=correction.pk))


@router.post(
    "/reporting/corrections/{correction_id}/confirm",
    response={200: CorrectionOut, **DECIDE},
    summary="同意更正：按申请修改花名册或去向记录（去向记录的更正还需中心审批），并通知毕业生",
)
@api_requires(Perm.REPORTING_CORRECT)
@takes_ids()
def correction_confirm(request: HttpRequest, correction_id: int, body: ConfirmIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    correction = _request(actor, correction_id)
    try:
        services.correction_confirm(actor=actor, request=correction, note=body.note)
    except ValidationError as exc:
        return refused(exc)
    return _decided(correction)


@router.post(
    "/reporting/corrections/{correction_id}/refuse",
    response={200: CorrectionOut, **DECIDE},
    summary="不同意更正（须说明理由），并通知毕业生",
)
@api_requires(Perm.REPORTING_CORRECT)
@takes_ids()
def correction_refuse(request: HttpRequest, correction_id: int, body: RefuseIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    correction = _request(actor, correction_id)
    try:
        services.correction_refuse(actor=actor, request=correction, reason=body.reason)
    except ValidationError as exc:
        return refused(exc)
    return _decided(correction)


# --- Graduates: their own data (a signed-in session) ------------------------------------------------
@router.post(
    "/reporting/mine/confirm",
    response={200: CheckOut, 400: RefusedOut, **READ},
    summary="确认本人的生源与去向信息无误（信息核对开放期间，且没有待处理的更正申请）",
)
@api_requires(Perm.REPORTING_CHECK_OWN)
@takes_ids()
def my_confirm(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _mine(actor)
    try:
        check = services.roster_check_confirm(actor=actor, graduate=graduate)
    except ValidationError as exc:
        return refused(exc)
    return {"cohort": graduate.cohort.year, "answer": check.answer, "at": check.at}


@router.post(
    "/reporting/mine/corrections",
    response={201: CorrectionOut, **OWN},
    summary="申请更正本人的一项生源或去向信息（信息核对开放期间；院系处理后通知）",
)
@api_requires(Perm.REPORTING_CHECK_OWN)
@takes_ids()
def my_correction(request: HttpRequest, body: CorrectionIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _mine(actor)
    try:
        created = services.correction_request_create(
            actor=actor,
            graduate=graduate,
            target=body.target,
            field=body.field,
            value=body.value,
            reason=body.reason,
        )
    except ValidationError as exc:
        return refused(exc)
    return Status(201, _decided(created))


# --- The career centre: the authority's returned list, the check windows -----------------------------
@router.post(
    "/reporting/returned",
    response={201: ReturnedListOut, 400: RefusedOut, **BY_COHORT},
    summary="导入主管部门的退回名单（学号或身份证号、退回原因）：全部通过校验才导入，记录转院系核查更正",
)
@api_requires(Perm.REPORTING_MANAGE)
@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
def returned_import(
    request: HttpRequest,
    body: ReturnedListIn,
    cohort: int | None = Query(None, description="届别；缺省为最近一届"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    chosen = _cohort(actor, cohort)
    try:
        data = base64.b64decode(body.content, validate=True)
    except (binascii.Error, ValueError):
        return refused({"content": ["文件内容不是有效的 base64。"]})
    try:
        returned = services.returned_list_import(
            actor=actor, cohort=chosen, source=data, filename=body.filename
        )
    except ValidationError as exc:  # ReturnedListInvalid among them: every bad row, in words
        return refused(exc)
    return Status(
        201,
        {
            "id": returned.pk,
            "cohort": chosen.year,
            "filename": returned.original_name,
            "sha256": returned.sha256,
            "rows": returned.rows,
            "imported_at": returned.imported_at,
        },
    )


@router.post(
    "/reporting/windows",
    response={201: WindowOut, 400: RefusedOut, **BY_COHORT},
    summary="开放本届毕业生的生源信息与去向核对，至截止日期（含）",
)
@api_requires(Perm.REPORTING_MANAGE)
@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
def window_open(
    request: HttpRequest,
    body: WindowIn,
    cohort: int | None = Query(None, description="届别；缺省为最近一届"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    chosen = _cohort(actor, cohort)
    try:
        window = services.check_window_open(
            actor=actor, cohort=chosen, closes_on=body.closes_on, note=body.note
        )
    except ValidationError as exc:
        return refused(exc)
    return Status(201, _window(window))


@router.post(
    "/reporting/windows/{window_id}/close",
    response={200: WindowOut, **DECIDE},
    summary="结束信息核对",
)
@api_requires(Perm.REPORTING_MANAGE)
@takes_ids()
def window_close(request: HttpRequest, window_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    window = get_scoped_or_404(CheckWindow.objects.select_related("cohort"), actor, pk=window_id)
    try:
        window = services.check_window_close(actor=actor, window=window)
    except ValidationError as exc:
        return refused(exc)
    return _window(window)
