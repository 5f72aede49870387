"""Tripartite agreements in the API, for each party: a graduate (signed-in session) lists and
answers their offers and asks to cancel; an employer (token or session) offers, withdraws and
answers cancellations; staff list the agreements of the graduates they see, review, approve
and decide cancellations. The same services, workflow tables, selectors and scoping as the
pages; `actions` lists what the caller may do next (the workflow's available())."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from qihang.agreements import selectors, services
from qihang.agreements.models import Agreement
from qihang.agreements.workflow import CANCELLATION, buttons
from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut, field_errors
from qihang.applications.models import Application
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, takes_ids

router = Router(tags=["三方协议"])
PAGE_SIZE = 50
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class Ref(Schema):
    id: int
    name: str


class SignatureOut(Schema):
    party: str
    version: int
    sha256: str
    backend: str
    signed_at: dt.datetime


class CancellationOut(Schema):
    id: int
    status: str
    status_label: str
    reason: str
    refuse_reason: str
    requested_at: dt.datetime


class AgreementOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    graduate: Ref
    employer: Ref
    position: str
    employer_nature: str
    work_division: str
    monthly_salary: int | None
    term: str
    terms: str
    version: int
    reason: str
    offered_at: dt.datetime
    signed_at: dt.datetime | None


class AgreementDetailOut(AgreementOut):
    signatures: list[SignatureOut]
    cancellations: list[CancellationOut]
    actions: list[str]


class AgreementPage(Schema):
    count: int
    page: int
    pages: int
    items: list[AgreementOut]


class RefusedOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class TermsIn(Schema):
    position: str
    employer_nature: str  # a national employer-nature code ("31")
    work_division: str  # a GB/T 2260 division code ("310104")
    monthly_salary: int | None = None
    term: str = ""
    terms: str = ""


class OfferIn(TermsIn):
    application_id: int  # an application the employer received


class GraduateActionIn(Schema):
    action: Literal["accept", "decline", "cancel_request", "cancel_withdraw"]
    reason: str = ""  # decline and cancel_request: why (required)
    version: int | None = None  # accept/decline: the version one read


class EmployerActionIn(Schema):
    action: Literal["withdraw", "employer_approve", "employer_refuse"]
    reason: str = ""


class StaffActionIn(Schema):
    action: Literal[
        "review",
        "approve",
        "reject",
        "department_approve",
        "department_refuse",
        "centre_approve",
        "centre_refuse",
    ]
    reason: str = ""


StatusName = Literal[
    "offered", "withdrawn", "declined", "accepted", "reviewed", "rejected", "signed", "cancelled"
]


def _out(a: Agreement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "graduate": {"id": a.graduate_id, "name": a.graduate.name},
        "employer": {"id": a.employer_id, "name": a.employer.name},
        "position": a.position,
        "employer_nature": a.employer_nature,
        "work_division": a.work_division,
        "monthly_salary": a.monthly_salary,
        "term": a.term,
        "terms": a.terms,
        "version": a.version,
        "reason": a.reason,
        "offered_at": a.offered_at,
        "signed_at": a.signed_at,
    }


def _detail(a: Agreement, actor: Actor) -> dict[str, Any]:
    cancellation = selectors.open_cancellation(a)
    actions = [x.name for x in buttons(a, actor)]
    if cancellation is not None:
        actions += [x.name for x in CANCELLATION.available(cancellation, actor)]
    return _out(a) | {
        "signatures": [
            {
                "party": s.party,
                "version": s.version,
                "sha256": s.sha256,
                "backend": s.backend,
                "signed_at": s.signed_at,
            }
            for s in selectors.signatures_of(a)
        ],
        "cancellations": [
            {
                "id": c.pk,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "reason": c.reason,
                "refuse_reason": c.refuse_reason,
                "requested_at": c.requested_at,
            }
            for c in selectors.cancellations_of(a)
        ],
        "actions": actions,
    }


def _page(qs: Any, page: int) -> dict[str, Any]:
    paginator = Paginator(qs, PAGE_SIZE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(404, "页码超出范围。")
    return {
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages,
        "items": [_out(a) for a in paginator.page(page).object_list],
    }


def _refused(exc: ValidationError) -> Status:
    errors = field_errors(exc)
    return Status(
        400, {"detail": "；".join(m for ms in errors.values() for m in ms), "errors": errors}
    )


def _cancellation_act(actor: Actor, agreement: Agreement, action: str, reason: str) -> None:
    cancellation = selectors.open_cancellation(agreement)
    if cancellation is None:
        raise ValidationError("没有待处理的解约申请。")
    services.cancellation_act(actor=actor, cancellation=cancellation, action=action, reason=reason)


# --- Graduates --------------------------------------------------------------------------------------
@router.get(
    "/agreements",
    response={200: AgreementPage, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我的三方协议（毕业生，登录会话）",
)
@api_requires(Perm.AGREEMENT_OWN)
@takes_ids()
def my_agreements(request: HttpRequest, page: int = Query(1, ge=1)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.agreements_for(actor).filter(graduate__user_id=actor.user_id), page)


@router.get(
    "/agreements/{agreement_id}",
    response={200: AgreementDetailOut, **ERRORS},
    summary="我的一份三方协议：内容、签署记录、解约申请，以及我可做的操作",
)
@api_requires(Perm.AGREEMENT_OWN)
@takes_ids()
def my_agreement(request: HttpRequest, agreement_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _detail(selectors.own_agreement(actor, agreement_id), actor)


@router.post(
    "/agreements/{agreement_id}/actions",
    response={200: AgreementDetailOut, 400: RefusedOut, **ERRORS},
    summary="对自己的协议：接受、拒绝（须说明原因）、申请解约（须说明原因）或撤回解约申请",
)
@api_requires(Perm.AGREEMENT_OWN)
@takes_ids()
def my_action(request: HttpRequest, agreement_id: int, body: GraduateActionIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    agreement = selectors.own_agreement(actor, agreement_id)
    try:
        if body.action in ("accept", "decline"):
            services.agreement_act(
                actor=actor,
                agreement=agreement,
                action=body.action,
                reason=body.reason,
                version=body.version,
            )
        elif body.action == "cancel_request":
            services.cancellation_request(actor=actor, agreement=agreement, reason=body.reason)
        else:
            _cancellation_act(actor, agreement, "withdraw", "")
    except ValidationError as exc:
        return _refused(exc)
    return _detail(selectors.own_agreement(actor, agreement_id), actor)


# --- Employers ----------------------------------------------------------------------------------------
@router.get(
    "/employer/agreements",
    response={200: AgreementPage, **ERRORS},
    summary="本单位发出的三方协议，按状态筛选",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_agreements(
    request: HttpRequest,
    status: StatusName | None = Query(None, description="状态；缺省为全部"),
    page: int = Query(1, ge=1),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.agreements_for(actor, status=status or ""), page)


@router.post(
    "/employer/agreements",
    response={201: AgreementOut, 400: RefusedOut, **ERRORS},
    summary="向投递过本单位的毕业生发出三方协议（实习岗位不可；须已通过该校认证）",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_offer(request: HttpRequest, body: OfferIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    application = get_scoped_or_404(
        Application.objects.select_related("job", "graduate", "employer"),
        actor,
        pk=body.application_id,
    )
    try:
        agreement = services.agreement_offer(
            actor=actor, application=application, data=body.dict(exclude={"application_id"})
        )
    except ValidationError as exc:
        return _refused(exc)
    return Status(201, _out(selectors.agreement_detail(actor, agreement.pk)))


@router.get(
    "/employer/agreements/{agreement_id}",
    response={200: AgreementDetailOut, **ERRORS},
    summary="本单位的一份三方协议：内容、签署记录、解约申请与可做的操作",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_agreement(request: HttpRequest, agreement_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _detail(selectors.agreement_detail(actor, agreement_id), actor)


@router.post(
    "/employer/agreements/{agreement_id}/actions",
    response={200: AgreementDetailOut, 400: RefusedOut, **ERRORS},
    summary="撤回协议（毕业生接受前），或对解约申请表态（不同意须说明原因）",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_act(request: HttpRequest, agreement_id: int, body: EmployerActionIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    agreement = selectors.agreement_detail(actor, agreement_id)
    try:
        if body.action == "withdraw":
            services.agreement_act(
                actor=actor, agreement=agreement, action="withdraw", reason=body.reason
            )
        else:
            _cancellation_act(actor, agreement, body.action, body.reason)
    except ValidationError as exc:
        return _refused(exc)
    return _detail(selectors.agreement_detail(actor, agreement_id), actor)


# --- Staff ------------------------------------------------------------------------------------------
@router.get(
    "/staff/agreements",
    response={200: AgreementPage, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我所见毕业生的三方协议（院系看本院系），按状态筛选",
)
@api_requires(Perm.AGREEMENT_VIEW)
@takes_ids()
def staff_agreements(
    request: HttpRequest,
    status: StatusName | None = Query(None, description="状态；缺省为全部"),
    q: str = Query("", description="学号、姓名、单位或编号"),
    page: int = Query(1, ge=1),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.agreements_for(actor, status=status or "", q=q), page)


@router.get(
    "/staff/agreements/{agreement_id}",
    response={200: AgreementDetailOut, **ERRORS},
    summary="一份三方协议：内容、签署记录、解约申请与可做的操作",
)
@api_requires(Perm.AGREEMENT_VIEW)
@takes_ids()
def staff_agreement(request: HttpRequest, agreement_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _detail(selectors.agreement_detail(actor, agreement_id), actor)


@router.post(
    "/staff/agreements/{agreement_id}/actions",
    response={200: AgreementDetailOut, 400: RefusedOut, **ERRORS},
    summary="院系审核、中心审批（签约）、不予通过（须说明原因），或对解约申请表态",
)
@api_requires(Perm.AGREEMENT_REVIEW)
@takes_ids()
def staff_act(request: HttpRequest, agreement_id: int, body: StaffActionIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    agreement = selectors.agreement_detail(actor, agreement_id)
    try:
        if body.action in ("review", "approve", "reject"):
            services.agreement_act(
                actor=actor, agreement=agreement, action=body.action, reason=body.reason
            )
        else:
            _cancellation_act(actor, agreement, body.action, body.reason)
    except ValidationError as exc:
        return _refused(exc)
    return _detail(selectors.agreement_detail(actor, agreement_id), actor)
