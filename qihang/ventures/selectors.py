"""Reads for ventures, through scoping: a graduate's projects, the staff's list, one project, the
parks directory, and the parks that suit a project with the reasons in words (like
search.selectors.recommendations)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from qihang.graduates.models import Graduate
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.ventures.models import Field, Park, Project, ProjectMember, Stage

# How much each reason weighs: the project's field first, then the stage the park supports,
# then the district the founders would like.
FOCUS_WEIGHT, STAGE_WEIGHT, DISTRICT_WEIGHT = 3, 2, 1


def own_graduate(actor: Actor) -> Graduate | None:
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("department")
        .order_by("-cohort__year")
        .first()
    )


def _projects() -> QuerySet[Project]:
    return Project.objects.select_related("lead__department", "mentor").prefetch_related(
        Prefetch("members", queryset=ProjectMember.objects.select_related("graduate"))
    )


def my_projects(actor: Actor) -> QuerySet[Project]:
    return scoped(_projects(), actor).filter(members__graduate__user_id=actor.user_id)


def staff_projects(actor: Actor, *, stage: str = "") -> QuerySet[Project]:
    qs = scoped(_projects(), actor)
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    return qs


def project_for(actor: Actor, project_id: int) -> Project:
    return get_scoped_or_404(_projects(), actor, pk=project_id)


def parks(*, city: str = "") -> list[Park]:
    qs = Park.objects.filter(is_active=True)
    if city:
        qs = qs.filter(city=city)
    return list(qs)


def districts() -> list[tuple[str, str]]:
    """(city, district) of every active park, for the project form's choices."""
    return list(
        Park.objects.filter(is_active=True)
        .order_by("city", "district")
        .values_list("city", "district")
        .distinct()
    )


@dataclass(frozen=True)
class Match:
    park: Park
    score: int
    reasons: list[str]


def matches(project: Project, *, limit: int = 5) -> list[Match]:
    """The parks that suit the project, best first, each with its reasons in words: the park's
    focus against the project's field, the stages it supports against the project's, and the
    founders' district preference. A park with no reason is left out. One query."""
    found = []
    for park in parks():
        reasons, score = [], 0
        if project.field in park.focus:
            score += FOCUS_WEIGHT
            reasons.append(
                _("园区重点扶持“%(field)s”，与项目领域一致") % {"field": Field(project.field).label}
            )
        if project.stage in park.stages:
            score += STAGE_WEIGHT
            reasons.append(
                _("园区扶持“%(stage)s”的项目：%(support)s")
                % {"stage": Stage(project.stage).label, "support": park.support}
            )
        if park.district in project.districts:
            score += DISTRICT_WEIGHT
            reasons.append(_("位于您意向的%(district)s") % {"district": park.district})
        if score:
            found.append(Match(park=park, score=score, reasons=reasons))
    found.sort(key=lambda m: (-m.score, m.park.city, m.park.name))
    return found[:limit]
