"""Reporting in the API (/api/v1/reporting/…), read-only: a cohort's reporting states and
report runs (the career centre), the records the authority returned and the correction
requests (department staff: their departments'). The same selectors and scoping as the pages;
writes (reports, imports, decisions) are the pages' (they need a reason, a file or both)."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, ObjectId, scoped, takes_ids
from qihang.reporting import corrections as correctable
from qihang.reporting import layout as layouts
from qihang.reporting import selectors

router = Router(tags=["上报主管部门"])
# reporting.models.CorrectionStatus's values (an enumeration in the document: a typo is a 422).
StatusName = Literal["pending", "confirmed", "refused"]
READ = {401: ErrorOut, 403: ErrorOut}
# ?cohort= names a year of the institution (404 when it has none) and must be a number (422).
BY_COHORT = {**READ, 404: ErrorOut, 422: ValidationErrorOut}


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
    return [
        {
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
        for run in selectors.runs(actor=actor, cohort=chosen)[:200]
    ]


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
    out = []
    for item in selectors.corrections(actor=actor, status=status)[:1000]:
        spec = correctable.spec(item.target, item.field)
        out.append(
            {
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
        )
    return out
