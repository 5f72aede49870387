"""Applications in the API: a graduate lists theirs (their signed-in session — graduates hold
no tokens; they apply on the job's page); an employer lists the applications it received and
answers them (token or session). The same services, selectors and scoping as the pages."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut, field_errors
from qihang.applications import selectors, services
from qihang.applications.models import Application
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids

router = Router(tags=["求职申请"])
PAGE_SIZE = 50
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class Ref(Schema):
    id: int
    name: str


class ApplicationOut(Schema):
    id: int
    job: Ref
    employer: Ref
    graduate: Ref
    status: str
    status_label: str
    note: str
    interview_kind: str
    interview_at: dt.datetime | None
    interview_place: str
    interview_link: str
    offer_note: str
    decline_reason: str
    submitted_at: dt.datetime
    answered_at: dt.datetime | None


class ApplicationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ApplicationOut]


class InterviewIn(Schema):
    kind: Literal["interview", "audition"] = "interview"
    at: dt.datetime
    place: str = ""
    link: str = ""
    note: str = ""


class EmployerActionIn(Schema):
    action: Literal["view", "invite", "offer", "decline", "message"]
    reason: str = ""  # decline: why (required)
    offer_note: str = ""
    text: str = ""  # message
    interview: InterviewIn | None = None  # invite


class RefusedOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "job": {"id": a.job_id, "name": a.job.title},
        "employer": {"id": a.employer_id, "name": a.employer.name},
        "graduate": {"id": a.graduate_id, "name": a.graduate.name},
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "note": a.note,
        "interview_kind": a.interview_kind,
        "interview_at": a.interview_at,
        "interview_place": a.interview_place,
        "interview_link": a.interview_link,
        "offer_note": a.offer_note,
        "decline_reason": a.decline_reason,
        "submitted_at": a.submitted_at,
        "answered_at": a.answered_at,
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


StatusName = Literal["submitted", "viewed", "interview", "offer", "hired", "declined", "withdrawn"]


@router.get(
    "/applications",
    response={200: ApplicationPage, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我的求职申请（毕业生，登录会话）",
)
@api_requires(Perm.APPLICATION_APPLY)
@takes_ids()
def my_applications(request: HttpRequest, page: int = Query(1, ge=1)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.applications_for(actor).filter(graduate__user_id=actor.user_id), page)


@router.get(
    "/employer/applications",
    response={200: ApplicationPage, **ERRORS},
    summary="本单位收到的求职申请，按状态筛选",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_applications(
    request: HttpRequest,
    status: StatusName | None = Query(None, description="状态；缺省为全部"),
    page: int = Query(1, ge=1),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.applications_for(actor, status=status or ""), page)


@router.post(
    "/employer/applications/{application_id}/actions",
    response={200: ApplicationOut, 400: RefusedOut, **ERRORS},
    summary="答复求职申请：查看、邀请面试/试奏、拟录用、未录用（须说明原因）或留言",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_act(request: HttpRequest, application_id: int, body: EmployerActionIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    application = selectors.application_detail(actor, application_id)
    try:
        if body.action == "message":
            services.application_message(actor=actor, application=application, text=body.text)
        else:
            services.application_act(
                actor=actor,
                application=application,
                action=body.action,
                reason=body.reason,
                offer_note=body.offer_note,
                interview=body.interview.dict() if body.interview else None,
            )
    except ValidationError as exc:
        return _refused(exc)
    return _out(selectors.application_detail(actor, application_id))
