"""Résumés in the API (/api/v1/resume, /api/v1/employer/graduates…): the graduate reads and
updates their own résumé; an employer lists consenting graduates and reads one résumé. The
same services, selectors and consent rule (selectors.resume_visible_to_employer) as the pages;
every employer read is logged like a page read."""

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.resumes import selectors, services
from qihang.resumes.models import ReadPart

router = Router(tags=["简历"])
PAGE_SIZE = 50
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# The graduate's own résumé: no object to miss and no parameters (a bad body is ninja's 422).
OWN_ERRORS = {401: ErrorOut, 403: ErrorOut}

Value = str | int | None


class ResumeGraduateRef(Schema):
    id: int
    name: str
    institution: str
    department: str
    major: str
    degree_level: str
    cohort_year: int


class ResumeOut(Schema):
    graduate: ResumeGraduateRef
    headline: str
    summary: str
    discoverable: bool
    has_pdf: bool
    # Section key (resumes.sections.SECTIONS) → its rows, each with "id" and the section's fields.
    sections: dict[str, list[dict[str, Value]]]


class ResumeIn(Schema):
    """What to change; a field left out stays as it is."""

    headline: str | None = Field(None, max_length=120)
    summary: str | None = Field(None, max_length=2000)
    # Consent to be found by employers: false withdraws it at once.
    discoverable: bool | None = None


class ResumeCard(Schema):
    graduate: ResumeGraduateRef
    headline: str
    updated_at: dt.datetime


class ResumeGraduatePage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[ResumeCard]


def _ref(g: Graduate) -> dict[str, Any]:
    return {
        "id": g.pk,
        "name": g.name,
        "institution": g.institution.name,
        "department": g.department.name,
        "major": g.major.name,
        "degree_level": g.degree_level,
        "cohort_year": g.cohort.year,
    }


def _plain(value: Any) -> Value:
    if value is None or isinstance(value, int):
        return value
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _resume(graduate: Graduate) -> dict[str, Any]:
    view = selectors.resume_view(graduate)
    sections: dict[str, list[dict[str, Value]]] = {}
    for part in (*view.resume_sections, *view.portfolio_sections):
        names = part.section.fields + (("kind", "platform") if part.key == "media" else ())
        sections[part.key] = [
            {"id": item.row.pk, **{n: _plain(getattr(item.row, n)) for n in names}}
            for item in part.items
        ]
    return {
        "graduate": _ref(graduate),
        "headline": view.resume.headline,
        "summary": view.resume.summary,
        "discoverable": view.resume.discoverable,
        "has_pdf": bool(view.resume.pdf_file),
        "sections": sections,
    }


@router.get("/resume", response={200: ResumeOut, **OWN_ERRORS}, summary="我的简历与作品集")
@api_requires(Perm.RESUME_OWN)
@takes_ids()
def resume_mine(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return _resume(selectors.own_graduate(actor))


@router.patch(
    "/resume",
    response={200: ResumeOut, **OWN_ERRORS},
    summary="修改我的简历（求职意向、简介、是否允许用人单位查看）",
)
@api_requires(Perm.RESUME_OWN)
@takes_ids()
def resume_update(request: HttpRequest, payload: ResumeIn | None = None) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = selectors.own_graduate(actor)
    resume = services.resume_of(graduate)
    payload = payload or ResumeIn()
    data = {k: v for k, v in payload.dict().items() if v is not None and k != "discoverable"}
    if data:
        services.resume_update(actor=actor, resume=resume, data=data)
    if payload.discoverable is not None:
        services.resume_consent_set(actor=actor, resume=resume, granted=payload.discoverable)
    return _resume(graduate)


@router.get(
    "/employer/graduates",
    response={200: ResumeGraduatePage, **ERRORS},
    summary="允许本单位查看简历的毕业生（在本单位已认证的学校）",
)
@api_requires(Perm.RESUME_BROWSE)
@takes_ids()
def employer_graduates(request: HttpRequest, q: str = "", page: int = Query(1, ge=1)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    paginator = Paginator(selectors.employer_graduates(actor, q=q), PAGE_SIZE)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "page_size": PAGE_SIZE,
        "results": [
            {"graduate": _ref(g), "headline": g.resume.headline, "updated_at": g.resume.updated_at}
            for g in current
        ],
    }


@router.get(
    "/employer/graduates/{graduate_id}/resume",
    response={200: ResumeOut, **ERRORS},
    summary="一位毕业生的简历与作品集（查看会告知毕业生）",
)
@api_requires(Perm.RESUME_BROWSE)
@takes_ids()
def employer_resume(request: HttpRequest, graduate_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = selectors.graduate_for_employer(actor, graduate_id)
    services.resume_read_record(
        actor=actor, resume=selectors.resume_for_reading(graduate), part=ReadPart.RESUME
    )
    return _resume(graduate)
