"""Job search and recommendations in the API: the same selectors and scoping as /search/jobs/
and /recommendations/."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ReportDay, ValidationErrorOut
from qihang.institutions.models import DegreeLevel
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.jobs.models import Job, JobKind
from qihang.search.selectors import JobFilters, job_search, recommendations
from qihang.search.services import place_name

router = Router(tags=["岗位搜索"])

PAGE_SIZE = 50
KindParam = Literal[tuple(JobKind.values)]  # type: ignore[valid-type]
DegreeParam = Literal[tuple(DegreeLevel.values)]  # type: ignore[valid-type]


class EmployerRef(Schema):
    id: int
    name: str


class LocationOut(Schema):
    division: str
    name: str
    text: str


class JobHitOut(Schema):
    id: int
    external_id: str
    source: str
    title: str
    employer: EmployerRef
    kind: str
    kind_label: str
    status: str
    location: LocationOut
    degree_levels: list[str]
    salary_min: int | None
    salary_max: int | None
    deadline: dt.date | None
    published_at: dt.datetime | None
    flags: list[dict[str, Any]]


class JobSearchOut(Schema):
    items: list[JobHitOut]
    count: int


class RecommendationOut(Schema):
    job: JobHitOut
    score: float
    reasons: list[str]
    pushed: bool


class RecommendationsOut(Schema):
    items: list[RecommendationOut]


def job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "external_id": job.external_id,
        "source": job.source,
        "title": job.title,
        "employer": {"id": job.employer_id, "name": job.employer.name},
        "kind": job.kind,
        "kind_label": str(job.get_kind_display()),
        "status": job.status,
        "location": {
            "division": job.division,
            "name": place_name(job.division),
            "text": job.location_text,
        },
        "degree_levels": list(job.degree_levels or []),
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "deadline": job.deadline,
        "published_at": job.published_at,
        "flags": list(job.flags or []),
    }


@router.get(
    "/jobs",
    response={200: JobSearchOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="岗位搜索（中文分词，相关度排序，再按发布时间）",
)
@api_requires(Perm.JOB_SEARCH)
@takes_ids()
def jobs(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="关键词，如 大提琴、钢琴老师、声乐 上海"),
    kind: KindParam | None = Query(None, description="岗位类型"),
    division: str = Query(
        "", max_length=6, description="工作地点行政区划代码（前缀匹配，如 310000）"
    ),
    degree: DegreeParam | None = Query(None, description="学历层次：要求含此层次或不限"),
    specialty: str = Query("", max_length=30, description="专长标签代码"),
    region: str = Query("", max_length=30, description="战略区域代码（如 yangtze_delta）"),
    salary_min: int | None = Query(None, ge=0, description="期望月薪下限（元）：薪资范围可达"),
    open_on: ReportDay | None = Query(None, description="在该日期仍开放（YYYY-MM-DD）"),
    page: int = Query(1, ge=1, description="页码，每页 50 条"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    filters = JobFilters(
        kind=kind or "",
        division=division,
        degree=degree or "",
        specialty=specialty,
        region=region,
        salary_min=salary_min,
        open_on=open_on,
    )
    found = job_search(actor, q, filters)
    start = (page - 1) * PAGE_SIZE
    return {
        "items": [job_out(job) for job in found.jobs[start : start + PAGE_SIZE]],
        "count": found.count(),
    }


@router.get(
    "/recommendations",
    response={200: RecommendationsOut, 401: ErrorOut, 403: ErrorOut},
    summary="为我推荐的岗位（毕业生；导师推荐在前，每条附推荐理由）",
)
@api_requires(Perm.JOB_BROWSE)
@takes_ids()
def recommended(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    today = timezone.localdate()
    return {
        "items": [
            {
                "job": job_out(r.job),
                "score": r.score if r.push is None else 1000.0,
                "reasons": r.reasons,
                "pushed": r.push is not None,
            }
            for r in recommendations(actor, today=today)
        ]
    }
