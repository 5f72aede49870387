"""Jobs in the API: employers post jobs and read their own postings' status
(/employer/jobs…); institutions read their jobs feed (/jobs/feed). The same services,
selectors and scoping as the pages (qihang.jobs).

Employer operations authenticate like every other: an employer account's token (ApiToken
holding the employer) or its signed-in browser session, with CSRF for writes (qihang.api.auth).
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut, field_errors
from qihang.employers import selectors as employer_selectors
from qihang.employers.models import Employer
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.jobs import selectors, services
from qihang.jobs.models import Job, JobKind, JobStatus, SpecialtyTag
from qihang.jobs.workflow import hold_reasons
from qihang.lib.places import division_full_name, resolve_division_detailed

router = Router(tags=["岗位"])
PAGE_SIZE = 50


class FlagOut(Schema):
    ground: str
    ground_label: str
    phrase: str
    reason: str
    basis: str


class Ref(Schema):
    id: int
    name: str


class JobOut(Schema):
    id: int
    institution: Ref
    employer: Ref
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    source: str
    external_id: str
    division: str
    location: str
    location_text: str
    salary_min: int | None
    salary_max: int | None
    headcount: int | None
    deadline: dt.date | None
    degree_levels: list[str]
    majors: str
    description: str
    contact: str
    flags: list[FlagOut]
    hold_reasons: list[str]
    review_note: str
    version: int
    published_at: dt.datetime | None
    shared: bool


class JobPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[JobOut]


class JobIn(Schema):
    institution: str  # the school's code (学校代码)
    title: str
    kind: Literal["full_time", "part_time", "internship"] = "full_time"
    specialties: list[str] = []  # SpecialtyTag codes
    degree_levels: list[Literal["associate", "bachelor", "master", "doctor"]] = []
    majors: str = ""
    location: str = ""  # a division code or a place name (上海市徐汇区)
    location_text: str = ""
    salary_min: int | None = None
    salary_max: int | None = None
    headcount: int | None = None
    deadline: dt.date | None = None
    description: str = ""
    contact: str = ""
    submit: bool = True  # submit for review at once (else a draft)


class FieldErrorsOut(Schema):
    """400: the posting was refused; `errors` names each field and why."""

    detail: str
    errors: dict[str, list[str]]


def _job(job: Job, actor: Actor, standing: Any = None, *, lookup: bool = True) -> dict[str, Any]:
    reasons = hold_reasons(job) if lookup else hold_reasons(job, standing)
    return {
        "id": job.pk,
        "institution": {"id": job.institution_id, "name": job.institution.name},
        "employer": {"id": job.employer_id, "name": job.employer.name},
        "title": job.title,
        "kind": job.kind,
        "kind_label": str(job.get_kind_display()),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "source": job.source,
        "external_id": job.external_id,
        "division": job.division,
        "location": division_full_name(job.division) if job.division else "",
        "location_text": job.location_text,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "headcount": job.headcount,
        "deadline": job.deadline,
        "degree_levels": list(job.degree_levels or []),
        "majors": job.majors,
        "description": job.description,
        "contact": job.contact,
        "flags": [
            {k: str(f.get(k, "")) for k in ("ground", "ground_label", "phrase", "reason", "basis")}
            for f in job.flags or []
        ],
        "hold_reasons": reasons
        if job.status in (JobStatus.DRAFT, JobStatus.PENDING, JobStatus.RETURNED)
        else [],
        "review_note": job.review_note,
        "version": job.version,
        "published_at": job.published_at,
        "shared": actor.institution_id is not None and job.institution_id != actor.institution_id,
    }


def _page(qs: Any, page: int, actor: Actor) -> dict[str, Any]:
    paginator = Paginator(qs, PAGE_SIZE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(404, "页码超出范围。")
    jobs = list(paginator.page(page).object_list)
    standings = selectors.standings_of(jobs)
    return {
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages,
        "page_size": PAGE_SIZE,
        "items": [
            _job(j, actor, standings.get((j.institution_id, j.employer_id)), lookup=False)
            for j in jobs
        ],
    }


StatusName = Literal["draft", "pending", "published", "returned", "closed", "expired"]


@router.get(
    "/jobs/feed",
    response={200: JobPage, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="本校岗位（含结对学校共享的岗位），按状态筛选",
)
@api_requires(Perm.JOB_VIEW)
@takes_ids()
def jobs_feed(
    request: HttpRequest,
    status: StatusName | None = Query(None, description="状态；缺省为全部"),
    page: int = Query(1, ge=1, description="页码，每页 50 条"),
) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    qs = selectors.staff_jobs(actor=actor, filters=selectors.JobFilters(status=status or ""))
    return _page(qs, page, actor)


EMPLOYER_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/employer/jobs",
    response={200: JobPage, **EMPLOYER_ERRORS},
    summary="本单位发布的岗位及审核状态",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_jobs(request: HttpRequest, page: int = Query(1, ge=1)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _page(selectors.employer_jobs(actor=actor), page, actor)


@router.get(
    "/employer/jobs/{posting_id}",
    response={200: JobOut, **EMPLOYER_ERRORS},
    summary="本单位一个岗位的审核状态与风险提示",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_job(request: HttpRequest, posting_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _job(selectors.job_detail(actor=actor, posting_id=posting_id), actor)


@router.post(
    "/employer/jobs",
    response={201: JobOut, 400: FieldErrorsOut, **EMPLOYER_ERRORS},
    summary="发布岗位（提交所选学校审核）",
)
@api_requires(Perm.EMPLOYER_PORTAL)
@takes_ids()
def employer_job_create(request: HttpRequest, payload: JobIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    institution = employer_selectors.portal_institution(actor, payload.institution)
    errors: dict[str, list[str]] = {}
    division = ""
    if payload.location.strip():
        found = resolve_division_detailed(payload.location.strip())
        if found.code is None:
            errors["location"] = [found.reason]
        division = found.code or ""
    tags = list(SpecialtyTag.objects.filter(code__in=payload.specialties, is_active=True))
    unknown = sorted(set(payload.specialties) - {t.code for t in tags})
    if unknown:
        errors["specialties"] = [f"未知的专长标签：{'、'.join(unknown)}"]
    data = payload.dict(include=set(services.JOB_FIELDS))
    data.update(division=division, kind=JobKind(payload.kind))
    if not errors:
        try:
            job = services.job_create(
                actor=actor,
                employer=Employer.objects.get(pk=actor.employer_id),
                institution_id=institution.pk,
                data=data,
                specialties=tags,
                submit=payload.submit,
            )
        except ValidationError as exc:
            errors = field_errors(exc)
    if errors:
        return Status(400, {"detail": "岗位信息有误。", "errors": errors})
    job = Job.objects.select_related("institution", "employer").get(pk=job.pk)
    return Status(201, _job(job, actor))
