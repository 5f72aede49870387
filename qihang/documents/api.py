"""Documents in the API: issued documents of the graduates one sees, the recommendation forms
(the graduate submits their own with a signed-in session; the department assesses or returns,
the centre approves, which issues the original, and re-issues), and a graduate's 档案/户口
(read, and set by staff with DOSSIER_EDIT). The same selectors, services, forms and scoping as
the pages (qihang.documents): a refusal of a service is a 400 with its messages per field."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import NOT_PROVIDED
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import create_model

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, RefusedOut, ValidationErrorOut, refused
from qihang.documents import dossier_display, selectors, services
from qihang.documents.forms import DossierForm
from qihang.documents.models import DOSSIER_FIELDS, Dossier, Recommendation
from qihang.documents.workflow import RECOMMENDATION
from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids

router = Router(tags=["就业文件"])
READ = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}
# A write on an object named in the path: refused by its service (400), or 401/403/404/422.
WRITE = {400: RefusedOut, 404: ErrorOut, **READ}


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    graduate: str
    student_no: str
    status: str
    issued_at: dt.datetime
    sha256: str
    reissue_of: int | None


class RecommendationOut(Schema):
    id: int
    graduate: str
    student_no: str
    department: str
    status: str
    intentions: str
    level: str
    number: str
    document_id: int | None


class RecommendationDetailOut(RecommendationOut):
    status_label: str
    self_assessment: str
    honours: str
    department_comments: str
    level_label: str
    return_reason: str
    submitted_at: dt.datetime | None
    actions: list[str]  # what the caller may do next (the workflow's available())


class DossierOut(Schema):
    student_no: str
    version: int | None
    fields: dict[str, str]  # DOSSIER_FIELDS → value as shown (labels for choices)
    values: dict[str, str]  # DOSSIER_FIELDS → the stored value (codes, dates YYYY-MM-DD): PUT's


class ApplyIn(Schema):
    """The graduate's part of the form (RecommendationApplyForm's fields)."""

    intentions: str
    self_assessment: str
    honours: str = ""


class AssessIn(Schema):
    department_comments: str = Field(..., max_length=2000)
    level: str = Field(..., description="strongly / recommended / reserved")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


def _dossier_default(name: str) -> Any:
    default = Dossier._meta.get_field(name).default
    return None if default is NOT_PROVIDED else default


# PUT's body: every field of DOSSIER_FIELDS (the page's form), as codes; a field left out takes
# the model's default (empty, or 待寄送 for file_status). The form checks the values.
DossierIn = create_model(
    "DossierIn",
    __base__=Schema,
    __doc__="The dossier's fields as the page's form takes them, and why it changes.",
    **{
        name: (
            (dt.date | None, None)
            if name == "report_card_issued_on"
            else (str, _dossier_default(name) or "")
        )
        for name in DOSSIER_FIELDS
    },
    reason=(str, Field("", description="修改已登记的档案信息时必填")),
)


def _recommendation(r: Recommendation, actor: Actor) -> dict[str, Any]:
    return {
        "id": r.pk,
        "graduate": r.graduate.name,
        "student_no": r.graduate.student_no,
        "department": r.graduate.department.name,
        "status": r.status,
        "intentions": r.intentions,
        "level": r.level,
        "number": r.number,
        "document_id": r.document_id,
        "status_label": str(r.get_status_display()),
        "self_assessment": r.self_assessment,
        "honours": r.honours,
        "department_comments": r.department_comments,
        "level_label": str(r.get_level_display()) if r.level else "",
        "return_reason": r.return_reason,
        "submitted_at": r.submitted_at,
        "actions": [a.name for a in RECOMMENDATION.available(r, actor)],
    }


def _own_graduate(actor: Actor) -> Graduate:
    """The caller's own graduate record; a caller without one may not use a graduate's
    operation (403: there is no object named in the path to be missing)."""
    try:
        return selectors.own_graduate(actor)
    except Http404:
        raise PermissionDenied("no graduate record of the caller") from None


def _dossier_out(graduate: Graduate) -> dict[str, Any]:
    found = selectors.dossier_of(graduate)
    values = {n: getattr(found, n) if found else None for n in DOSSIER_FIELDS}
    return {
        "student_no": graduate.student_no,
        "version": found.version if found else None,
        "fields": {n: dossier_display.shown(n, v) for n, v in values.items()},
        "values": {
            n: v.isoformat() if hasattr(v, "isoformat") else (v or "") for n, v in values.items()
        },
    }


@router.get(
    "/documents", response={200: list[DocumentOut], **READ}, summary="签发的文件（按权限范围）"
)
@api_requires(Perm.DOCUMENT_VIEW)
@takes_ids()
def documents(request: HttpRequest, kind: str = Query("", max_length=20)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    qs = selectors.documents_for(actor)
    if kind:
        qs = qs.filter(kind=kind)
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "number": d.number,
            "graduate": d.graduate.name,
            "student_no": d.graduate.student_no,
            "status": d.status,
            "issued_at": d.issued_at,
            "sha256": d.sha256,
            "reissue_of": d.reissue_of_id,
        }
        for d in qs[:500]
    ]


@router.get(
    "/recommendation-forms",
    response={200: list[RecommendationOut], **READ},
    summary="毕业生就业推荐表（可按状态筛选）",
)
@api_requires(Perm.RECOMMENDATION_ASSESS)
@takes_ids()
def recommendations(request: HttpRequest, status: str = Query("", max_length=12)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [
        {
            "id": r.pk,
            "graduate": r.graduate.name,
            "student_no": r.graduate.student_no,
            "department": r.graduate.department.name,
            "status": r.status,
            "intentions": r.intentions,
            "level": r.level,
            "number": r.number,
            "document_id": r.document_id,
        }
        for r in selectors.recommendations_for(actor, status=status)[:500]
    ]


@router.get(
    "/graduates/{graduate_id}/dossier",
    response={200: DossierOut, 404: ErrorOut, **READ},
    summary="毕业生的档案与户口去向",
)
@api_requires(Perm.DOSSIER_VIEW)
@takes_ids()
def dossier(request: HttpRequest, graduate_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _dossier_out(selectors.graduate_for(actor, graduate_id))


@router.put(
    "/graduates/{graduate_id}/dossier",
    response={200: DossierOut, **WRITE},
    summary="登记毕业生的档案与户口去向（整条记录；修改已登记的须填写原因）",
)
@api_requires(Perm.DOSSIER_EDIT)
@takes_ids()
def dossier_put(request: HttpRequest, graduate_id: int, body: DossierIn) -> Any:  # type: ignore[valid-type]
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = selectors.graduate_for(actor, graduate_id)
    sent = body.dict()  # type: ignore[attr-defined]
    form = DossierForm(
        {n: "" if v is None else str(v) for n, v in sent.items()},
        instance=selectors.dossier_of(graduate),
    )
    if not form.is_valid():
        return refused({k: [str(m) for m in v] for k, v in form.errors.items()})
    try:
        services.dossier_update(
            actor=actor,
            graduate=graduate,
            data={n: form.cleaned_data[n] for n in DOSSIER_FIELDS},
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        return refused(exc)
    return _dossier_out(graduate)


# --- The recommendation form: writes ---------------------------------------------------------------
def _acted(request: HttpRequest, recommendation_id: int, act: Callable[[Actor, Any], Any]) -> Any:
    """Look the form up through scoping (404), take the service's action on it (a refusal is a
    400 with its messages) and answer the form as it now stands."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    try:
        act(actor, selectors.recommendation_for(actor, recommendation_id))
    except ValidationError as exc:
        return refused(exc)
    return _recommendation(selectors.recommendation_for(actor, recommendation_id), actor)


@router.post(
    "/recommendation-forms",
    response={200: RecommendationDetailOut, 400: RefusedOut, **READ},
    summary="提交（或退回后重新提交）自己的毕业生就业推荐表（毕业生，登录会话）",
)
@api_requires(Perm.RECOMMENDATION_APPLY)
@takes_ids()
def recommendation_submit(request: HttpRequest, body: ApplyIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _own_graduate(actor)
    try:
        services.recommendation_submit(
            actor=actor,
            graduate=graduate,
            self_assessment=body.self_assessment,
            intentions=body.intentions,
            honours=body.honours,
        )
    except ValidationError as exc:
        return refused(exc)
    return _recommendation(selectors.recommendation_of(graduate), actor)  # type: ignore[arg-type]


@router.post(
    "/recommendation-forms/{recommendation_id}/assess",
    response={200: RecommendationDetailOut, **WRITE},
    summary="院系评议：填写评议并给出推荐意见，提交中心审批",
)
@api_requires(Perm.RECOMMENDATION_ASSESS)
@takes_ids()
def recommendation_assess(request: HttpRequest, recommendation_id: int, body: AssessIn) -> Any:
    return _acted(
        request,
        recommendation_id,
        lambda actor, form: services.recommendation_assess(
            actor=actor, recommendation=form, comments=body.department_comments, level=body.level
        ),
    )


@router.post(
    "/recommendation-forms/{recommendation_id}/return",
    response={200: RecommendationDetailOut, **WRITE},
    summary="退回推荐表（须说明原因），毕业生可修改后重新提交",
)
@api_requires(Perm.RECOMMENDATION_ASSESS)
@takes_ids()
def recommendation_return(request: HttpRequest, recommendation_id: int, body: ReasonIn) -> Any:
    return _acted(
        request,
        recommendation_id,
        lambda actor, form: services.recommendation_return(
            actor=actor, recommendation=form, reason=body.reason
        ),
    )


@router.post(
    "/recommendation-forms/{recommendation_id}/approve",
    response={200: RecommendationDetailOut, **WRITE},
    summary="中心审批并签发推荐表（生成带核验二维码的 PDF 原件）",
)
@api_requires(Perm.RECOMMENDATION_APPROVE)
@takes_ids()
def recommendation_approve(request: HttpRequest, recommendation_id: int) -> Any:
    return _acted(
        request,
        recommendation_id,
        lambda actor, form: services.recommendation_approve(actor=actor, recommendation=form),
    )


@router.post(
    "/recommendation-forms/{recommendation_id}/reissue",
    response={200: RecommendationDetailOut, **WRITE},
    summary="补发推荐表（须说明原因）：原件作废，签发新的原件（编号不变）",
)
@api_requires(Perm.DOCUMENT_MANAGE)
@takes_ids()
def recommendation_reissue(request: HttpRequest, recommendation_id: int, body: ReasonIn) -> Any:
    return _acted(
        request,
        recommendation_id,
        lambda actor, form: services.recommendation_reissue(
            actor=actor, recommendation=form, reason=body.reason
        ),
    )
