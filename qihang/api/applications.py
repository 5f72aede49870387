"""Applications in the API: a graduate (their signed-in session — graduates hold no tokens)
lists theirs, reads one with its timeline, applies to a job and withdraws, accepts an offer or
writes to the employer; an employer lists the applications it received, reads one and answers
it (token or session). The same services, workflow, selectors and scoping as the pages."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut, field_errors
from qihang.applications import selectors, services
from qihang.applications.models import Application
from qihang.applications.workflow import APPLICATION
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.jobs import selectors as job_selectors

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


class TimelineOut(Schema):
    action: str  # a workflow action, "submit" or "message"
    status: str  # the status after it
    side: str  # graduate, employer or staff
    text: str
    at: dt.datetime


class ApplicationDetailOut(ApplicationOut):
    timeline: list[TimelineOut]
    actions: list[str]  # what this caller may do next (the workflow's actions)


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


class ApplyIn(Schema):
    note: str = ""  # a few words to the employer (at most 2,000 characters are kept)


class GraduateActionIn(Schema):
    action: Literal["accept", "withdraw", "message"]
    text: str = ""  # message


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


def _detail(a: Application, actor: Actor) -> dict[str, Any]:
    return _out(a) | {
        "timeline": [
            {"action": e.action, "status": e.status, "side": e.side, "text": e.text, "at": e.at}
            for e in selectors.timeline(a)
        ],
        "actions": [action.name for action in APPLICATION.available(a, actor)],
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
    "/applications/{application_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="我的一份求职申请：状态、面试/试奏安排、往来记录，以及我可做的操作",
)
@api_requires(Perm.APPLICATION_APPLY)
@takes_ids()
def my_application(request: HttpRequest, application_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _detail(_own(actor, application_id), actor)


def _own(actor: Actor, application_id: int) -> Application:
    """The graduate's own application (404 for anyone else's, staff included: staff read
    applications on their pages, not through the graduate's operations)."""
    application = selectors.application_detail(actor, application_id)
    if application.graduate.user_id != actor.user_id:
        raise HttpError(404, "Not Found")
    return application


@router.post(
    "/jobs/{posting_id}/applications",
    response={201: ApplicationOut, 400: RefusedOut, **ERRORS},
    summary="投递岗位（毕业生，登录会话）；每个岗位一份进行中的申请",
)
@api_requires(Perm.APPLICATION_APPLY)
@takes_ids()
def apply(request: HttpRequest, posting_id: int, body: ApplyIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    job = job_selectors.job_detail(actor=actor, posting_id=posting_id, published_only=True)
    try:
        application = services.application_submit(actor=actor, job=job, note=body.note)
    except ValidationError as exc:
        return _refused(exc)
    return Status(201, _out(selectors.application_detail(actor, application.pk)))


@router.post(
    "/applications/{application_id}/actions",
    response={200: ApplicationDetailOut, 400: RefusedOut, **ERRORS},
    summary="对自己的申请：接受录用、撤回申请或给单位留言",
)
@api_requires(Perm.APPLICATION_APPLY)
@takes_ids()
def my_action(request: HttpRequest, application_id: int, body: GraduateActionIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    application = _own(actor, application_id)
    try:
        if body.action == "message":
            services.application_message(actor=actor, application=application, text=body.text)
        else:
            services.application_act(actor=actor, application=application, action=body.action)
    except ValidationError as exc:
        return _refused(exc)
    return _detail(_own(actor, application_id), actor)


@router.get(
    "/employer/applications/{application_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="本单位收到的一份申请：状态、往来记录与可做的操作（查看不改变状态，用 view 操作标记已查看）",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_application(request: HttpRequest, application_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _detail(selectors.application_detail(actor, application_id), actor)


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


# --- Staff: the applications of the graduates one looks after, and employers' answers -------------
@router.get(
    "/staff/applications",
    response={200: ApplicationPage, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我负责的毕业生的求职申请（院系看本院系，导师看所带学生），按状态筛选",
)
@api_requires(Perm.APPLICATION_VIEW)
@takes_ids()
def staff_applications(
    request: HttpRequest,
    status: StatusName | None = Query(None, description="状态；缺省为全部"),
    page: int = Query(1, ge=1),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.applications_for(actor, status=status or ""), page)


class EmployerResponseOut(Schema):
    employer: Ref
    applications: int
    answered: int
    answer_rate: float | None  # percent of applications answered
    median_hours_to_answer: float | None
    waiting: int
    overdue: int
    oldest_waiting_since: dt.datetime | None


class EmployerResponsesOut(Schema):
    definition: str
    overdue_after_days: int
    as_of: dt.datetime
    employers: list[EmployerResponseOut]


RESPONSES_DEFINITION = (
    "每家单位：收到的申请数（所见毕业生的）；已答复 = 有首次答复（邀请面试/试奏、拟录用、未录用或留言）；"
    "答复用时中位数按已答复的申请计；待答复 = 未撤回且从未答复；超期 = 待答复超过本校设置的提醒天数。"
    "按超期、待答复从多到少排列。"
)


@router.get(
    "/staff/applications/employers",
    response={200: EmployerResponsesOut, 401: ErrorOut, 403: ErrorOut},
    summary="各单位的答复情况：答复率、答复用时中位数、待答复与超期未答复的申请",
)
@api_requires(Perm.APPLICATION_VIEW)
@takes_ids()
def employer_responses(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    days = services.remind_after_days(actor.institution_id)
    now = timezone.now()
    rows = selectors.employer_responses(actor, now=now, overdue_after=dt.timedelta(days=days))
    return {
        "definition": RESPONSES_DEFINITION,
        "overdue_after_days": days,
        "as_of": now,
        "employers": [
            {
                "employer": {"id": r.employer_id, "name": r.name},
                "applications": r.total,
                "answered": r.answered,
                "answer_rate": r.answer_rate,
                "median_hours_to_answer": r.median_hours,
                "waiting": r.waiting,
                "overdue": r.overdue,
                "oldest_waiting_since": r.oldest_waiting,
            }
            for r in rows
        ],
    }
