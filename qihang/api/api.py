"""Qihang's JSON API (django-ninja), version 1.

Every operation authenticates with a personal token or the signed-in session (qihang.api.auth), checks the same
permission as the corresponding page, and reads through the same selectors and scoping: an
object of another institution is a 404, a missing permission a 403, no or a bad token a 401.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError

from qihang.api.auth import SessionAuth, TokenAuth, api_requires
from qihang.api.schemas import (
    REPORT_DAYS,
    ErrorOut,
    GraduateDetailOut,
    GraduatePage,
    Grouping,
    Kind,
    NotificationPage,
    ReportDay,
    StatsOut,
    ValidationErrorOut,
)
from qihang.api.search import router as search_router
from qihang.audit.services import sensitive_reads_log
from qihang.destinations.workflow import DESTINATION_REVIEW
from qihang.graduates import selectors as graduate_selectors
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, ObjectId, actor_of, scoped, takes_ids
from qihang.notifications import selectors as notification_selectors
from qihang.notifications.delivery import rendered_body

PAGE_SIZE = 50


def docs_access(view: Callable[..., Any]) -> Callable[..., Any]:
    """The interactive docs are for signed-in staff; the schema also for token holders."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            actor = actor_of(request)
            if actor is None or actor.is_graduate_only:
                raise PermissionDenied("staff only")
            return view(request, *args, **kwargs)
        if request.path.endswith(".json") and TokenAuth()(request):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return api.create_response(request, {"detail": UNAUTHORIZED}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


UNAUTHORIZED = "需要有效的 API 令牌：请求头 Authorization: Bearer <令牌>。"

api = NinjaAPI(
    title="启航 Qihang API",
    version="1",
    description=(
        "高校毕业生就业创业工作平台的数据接口。用个人 API 令牌认证（在“我的账号 → API 令牌”创建），"
        "或在浏览器中用已登录的会话（写操作须带 X-CSRFToken 请求头）；"
        "权限和可见范围与网页一致；身份证号、手机号始终为脱敏形式。"
    ),
    urls_namespace="api",
    # A bearer token first: a script's token decides even if a browser session rides along.
    auth=[TokenAuth(), SessionAuth()],
    docs_decorator=docs_access,
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHORIZED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="qihang"'
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "没有执行此操作的权限。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Objects of another institution look exactly like missing ones.
    return api.create_response(request, {"detail": "不存在或无权访问。"}, status=404)


# Every operation authenticates (401), checks a permission (403), looks objects up through
# scoping (404) and validates its parameters (422): each says so in the OpenAPI document, which
# tests/api/test_openapi.py compares with what the server really answers.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _cohort(actor: Actor, year: int | None) -> Cohort:
    cohorts = graduate_selectors.cohorts(actor)
    if year is None:
        if not cohorts:
            raise Http404
        return cohorts[0]
    for cohort in cohorts:
        if cohort.year == year:
            return cohort
    raise Http404


def _destination(graduate: Graduate) -> dict[str, Any] | None:
    destination = graduate_selectors.current_destination(graduate)
    if destination is None:
        return None
    return {
        "id": destination.pk,
        "code": destination.code.code,
        "name": destination.code.name,
        "status": destination.status,
        "status_label": str(destination.get_status_display()),
        "employer_name": destination.employer_name,
        "updated_at": destination.updated_at,
        "awaiting_sign_off": destination.status in DESTINATION_REVIEW.sources_of("sign_off"),
    }


def _graduate(graduate: Graduate) -> dict[str, Any]:
    return {
        "id": graduate.pk,
        "cohort": graduate.cohort.year,
        "student_no": graduate.student_no,
        "name": graduate.name,
        "gender": graduate.gender,
        "gender_label": str(graduate.get_gender_display()),
        "department": {"id": graduate.department_id, "name": graduate.department.name},
        "major": {"id": graduate.major_id, "name": graduate.major.name},
        "degree_level": graduate.degree_level,
        "degree_level_label": str(graduate.get_degree_level_display()),
        "id_number_masked": graduate.id_number.masked,
        "phone_masked": graduate.phone.masked,
        "destination": _destination(graduate),
    }


@api.get(
    "/graduates",
    response={200: GraduatePage, **ERRORS},
    summary="毕业生名单（分页，脱敏）",
    tags=["毕业生"],
)
@api_requires(Perm.ROSTER_VIEW)
@takes_ids(
    cohort=ObjectId("institutions.Cohort", "year"), department=ObjectId("institutions.Department")
)
def graduates_list(
    request: HttpRequest,
    cohort: int | None = Query(None, description="届别，如 2020；缺省为最近一届"),
    department: int | None = Query(None, description="院系 id"),
    page: int = Query(1, ge=1, description="页码，每页 50 条"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    the_cohort = _cohort(actor, cohort)
    if department is not None:
        get_object_or_404(scoped(Department, actor), pk=department)
    filters = graduate_selectors.GraduateFilters(department=department)
    qs = graduate_selectors.graduate_list(actor=actor, cohort=the_cohort, filters=filters)
    paginator = Paginator(qs.select_related("cohort"), PAGE_SIZE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(404, "页码超出范围。")
    current = paginator.page(page)
    return {
        "cohort": the_cohort.year,
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages,
        "page_size": PAGE_SIZE,
        "results": [_graduate(g) for g in current.object_list],
    }


@api.get(
    "/graduates/{graduate_id}",
    response={200: GraduateDetailOut, **ERRORS},
    summary="毕业生详情（脱敏）",
    tags=["毕业生"],
)
@api_requires(Perm.ROSTER_VIEW)
@takes_ids()
def graduates_detail(request: HttpRequest, graduate_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = graduate_selectors.graduate_detail(actor=actor, graduate_id=graduate_id)
    data = _graduate(graduate)
    # Confirmed key groups, for those whose work needs them (Perm.KEYGROUP_VIEW), the read
    # logged as on the page; [] for everyone else.
    key_groups = [
        row.kind.name
        for row in graduate_selectors.key_groups_of(actor=actor, graduate=graduate)
        if row.kind is not None and row.membership.status == "confirmed"
    ]
    if key_groups:
        sensitive_reads_log(
            actor=actor,
            model=type(graduate),
            targets=[(graduate.pk, str(graduate))],
            field="key_groups",
            purpose="API：查看毕业生详情（重点群体）",
        )
    data.update(
        {
            "specialization": graduate.specialization,
            "origin_division": graduate.origin_division,
            "key_groups": key_groups,
            "mentor": str(graduate.mentor) if graduate.mentor else None,
            "account_status": graduate.user.account_status if graduate.user else "none",
        }
    )
    return data


@api.get(
    "/stats",
    response={200: StatsOut, **ERRORS},
    summary="就业率统计（毕业去向落实率、签约率、去向知晓率）",
    tags=["统计"],
)
@api_requires(Perm.STATS_VIEW)
@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
def stats(
    request: HttpRequest,
    cohort: int | None = Query(None, description="届别；缺省为最近一届"),
    by: Grouping = Query("department", description="分组方式"),
    as_of: ReportDay | None = Query(
        None,
        description=f"截至日期（含），YYYY-MM-DD，{REPORT_DAYS[0]} 至 {REPORT_DAYS[1]}；缺省为今天",
    ),
    kind: Kind = Query("official", description="official（已审批）或 reported（已填报）"),
) -> Any:
    from qihang.reports.selectors import cohort_stats  # written alongside the dashboards

    actor: Actor = request.auth  # type: ignore[attr-defined]
    the_cohort = _cohort(actor, cohort)
    return cohort_stats(actor=actor, cohort=the_cohort, by=by, as_of=as_of, kind=kind)


@api.get(
    "/notifications",
    # Personal: no object of an institution is looked up, so no 404 (a page past the end is
    # empty).
    response={200: NotificationPage, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我的通知（分页，未读在前）",
    tags=["通知"],
)
@api_requires(Perm.NOTIFICATIONS_OWN)
@takes_ids()
def notifications_list(
    request: HttpRequest, page: int = Query(1, ge=1, description="页码，每页 50 条")
) -> Any:
    """The token holder's own notifications, whichever institution sent them."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    paginator = Paginator(notification_selectors.inbox(user_id=actor.user_id), PAGE_SIZE)
    rows = paginator.page(page).object_list if page <= paginator.num_pages else []
    return {
        "count": paginator.count,
        "unread": notification_selectors.unread_count(user_id=actor.user_id),
        "page": page,
        "pages": paginator.num_pages,
        "page_size": PAGE_SIZE,
        "results": [
            {
                "id": n.pk,
                "kind": n.kind,
                "kind_label": str(n.get_kind_display()),
                "subject": n.subject,
                "body": rendered_body(n, for_inbox=True),
                "link": n.link,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in rows
        ],
    }


from qihang.api.jobs import router as jobs_router  # noqa: E402  (after `api` exists)

api.add_router("/", jobs_router)
from qihang.api.applications import router as applications_router  # noqa: E402  applications

api.add_router("/", applications_router)  # applications
api.add_router("", search_router)
# resumes (issue 8)
from qihang.resumes.api import router as resumes_router  # noqa: E402

api.add_router("/", resumes_router)
# events app
from qihang.events.api import router as events_router  # noqa: E402  (after `api` exists)

api.add_router("", events_router)
# appointments
from qihang.api.appointments import router as appointments_router  # noqa: E402

api.add_router("", appointments_router)
# ventures
from qihang.api.ventures import router as ventures_router  # noqa: E402

api.add_router("", ventures_router)
# guidance
from qihang.guidance.api import router as guidance_router  # noqa: E402

api.add_router("", guidance_router)
# documents (issue 9)
from qihang.documents.api import router as documents_router  # noqa: E402

api.add_router("", documents_router)
# verification (issue 9)
from qihang.verification.api import router as verification_router  # noqa: E402

api.add_router("", verification_router)

from qihang.api.agreements import router as agreements_router  # noqa: E402  agreements (issue 9)

api.add_router("", agreements_router)
# reporting to the education authorities (issue 9)
from qihang.reporting.api import router as reporting_router  # noqa: E402

api.add_router("", reporting_router)
