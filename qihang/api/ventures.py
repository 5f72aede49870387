"""Ventures in the API, for graduates (their signed-in session): their projects, and the parks
that suit one of them with the reasons in words. The same selectors and scoping as the pages
(qihang.ventures)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.ventures import selectors
from qihang.ventures.models import Project

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
