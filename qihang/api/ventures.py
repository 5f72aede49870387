"""Ventures in the API. For graduates (their signed-in session): their projects, the parks that
suit one of them with the reasons in words, and the parks directory. For staff (token): the
projects of the graduates they look after. The same selectors and scoping as the pages
(qihang.ventures)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.ventures import selectors
from qihang.ventures.models import Project, Stage

router = Router(tags=["创新创业"])


class MemberOut(Schema):
    name: str
    student_no: str
    lead: bool


class ProjectOut(Schema):
    id: int
    name: str
    field: str
    field_label: str
    stage: str
    stage_label: str
    needs: str
    funding_sought: int
    funding_obtained: int
    districts: list[str]
    members: list[MemberOut]


class MatchOut(Schema):
    park: str
    city: str
    district: str
    contact: str
    score: int
    reasons: list[str]


def _project(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "field": p.field,
        "field_label": str(p.get_field_display()),
        "stage": p.stage,
        "stage_label": str(p.get_stage_display()),
        "needs": p.needs,
        "funding_sought": p.funding_sought,
        "funding_obtained": p.funding_obtained,
        "districts": list(p.districts),
        "members": [
            {
                "name": m.graduate.name,
                "student_no": m.graduate.student_no,
                "lead": m.graduate_id == p.lead_id,
            }
            for m in p.members.all()
        ],
    }


@router.get(
    "/ventures/projects",
    response={200: list[ProjectOut], 401: ErrorOut, 403: ErrorOut},
    summary="我的创业项目",
)
@api_requires(Perm.VENTURE_OWN)
@takes_ids()
def projects_mine(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [_project(p) for p in selectors.my_projects(actor)]


@router.get(
    "/ventures/projects/{project_id}/parks",
    response={
        200: list[MatchOut],
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="适合该项目的文创园区及理由",
)
@api_requires(Perm.VENTURE_OWN)
@takes_ids()
def project_parks(request: HttpRequest, project_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    project = selectors.project_for(actor, project_id)
    return [
        {
            "park": m.park.name,
            "city": m.park.city,
            "district": m.park.district,
            "contact": m.park.contact,
            "score": m.score,
            "reasons": m.reasons,
        }
        for m in selectors.matches(project)
    ]


class ParkOut(Schema):
    code: str
    name: str
    city: str
    district: str
    focus: list[str]  # the fields it supports, in words
    stages: list[str]  # the stages it supports, in words
    support: str
    contact: str
    version: int


@router.get(
    "/ventures/parks",
    response={200: list[ParkOut], 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="文创园区名录（重点领域、扶持阶段与政策、联系方式），可按城市筛选",
)
@api_requires(Perm.VENTURE_OWN)
@takes_ids()
def parks(request: HttpRequest, city: str = Query("", max_length=20)) -> Any:
    return [
        {
            "code": p.code,
            "name": p.name,
            "city": p.city,
            "district": p.district,
            "focus": p.focus_labels(),
            "stages": p.stage_labels(),
            "support": p.support,
            "contact": p.contact,
            "version": p.version,
        }
        for p in selectors.parks(city=city.strip())
    ]


class StaffProjectOut(ProjectOut):
    lead_department: str
    mentor: str
    summary: str


@router.get(
    "/staff/ventures/projects",
    response={200: list[StaffProjectOut], 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="我负责的毕业生的创业项目（院系看本院系，导师看所指导的），可按阶段筛选",
)
@api_requires(Perm.VENTURE_VIEW)
@takes_ids()
def staff_projects(request: HttpRequest, stage: Stage | None = None) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [
        _project(p)
        | {
            "lead_department": p.lead.department.name if p.lead.department_id else "",
            "mentor": (p.mentor.display_name or p.mentor.username) if p.mentor_id else "",
            "summary": p.summary,
        }
        for p in selectors.staff_projects(actor, stage=stage or "")[:500]
    ]
