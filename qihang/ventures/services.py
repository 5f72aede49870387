"""Writes for ventures: a founder registers and edits a project and its team (graduates of the
same institution, by student number); the centre edits a park (the version goes up, the old
values are kept). Audit rows in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.graduates.models import Graduate
from qihang.institutions.models import Membership
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor
from qihang.ventures import selectors
from qihang.ventures.models import Field, Park, ParkChange, Project, ProjectMember, Stage

PROJECT_FIELDS = (
    "name",
    "field",
    "summary",
    "stage",
    "needs",
    "funding_sought",
    "funding_obtained",
    "districts",
)
PARK_FIELDS = ("name", "city", "district", "focus", "stages", "support", "contact", "is_active")


def _team(actor: Actor, student_nos: Sequence[str], lead: Graduate) -> list[Graduate]:
    """The team's graduates, found through scoping in the lead's institution."""
    wanted = [n.strip() for n in student_nos if n.strip() and n.strip() != lead.student_no]
    found = {
        g.student_no: g
        for g in Graduate.objects.filter(institution_id=lead.institution_id, student_no__in=wanted)
    }
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ValidationError(
            {"members": _("本校没有这些学号的毕业生：%(nos)s") % {"nos": "、".join(missing)}}
        )
    return [lead, *found.values()]


def _mentor_ok(actor: Actor, mentor_id: int | None) -> None:
    if mentor_id is None:
        return
    ok = Membership.objects.filter(
        institution_id=actor.institution_id,
        user_id=mentor_id,
        is_active=True,
        invitation="",
        role__in=[Role.CAREER_CENTRE, Role.DEPARTMENT_STAFF, Role.TEACHER],
    ).exists()
    if not ok:
        raise ValidationError({"mentor": _("创业导师须是本校教职工。")})


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("field") not in Field.values:
        raise ValidationError({"field": _("请选择项目领域。")})
    if data.get("stage") not in Stage.values:
        raise ValidationError({"stage": _("请选择项目阶段。")})
    known = {d for _c, d in selectors.districts()}
    unknown = [d for d in data.get("districts", []) if d not in known]
    if unknown:
        raise ValidationError({"districts": _("未知的区域：%(d)s") % {"d": "、".join(unknown)}})
    return {k: data[k] for k in PROJECT_FIELDS if k in data}


@transaction.atomic
def project_create(
    *, actor: Actor, data: dict[str, Any], members: Sequence[str] = (), mentor_id: int | None = None
) -> Project:
    """A graduate registers a project; they are its lead and first member."""
    actor.require(Perm.VENTURE_OWN)
    lead = selectors.own_graduate(actor)
    if lead is None:
        raise PermissionDenied("no graduate record")
    values = _clean(data)
    _mentor_ok(actor, mentor_id)
    team = _team(actor, members, lead)
    project = Project(institution_id=lead.institution_id, lead=lead, mentor_id=mentor_id, **values)
    project.full_clean()
    project.save()
    ProjectMember.objects.bulk_create(
        ProjectMember(institution_id=lead.institution_id, project=project, graduate=g) for g in team
    )
    audit_record(
        institution_id=lead.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.PROJECT_CREATE,
        target=project,
        summary=project.name,
        data={**values, "members": [g.pk for g in team], "mentor": mentor_id},
    )
    return project


@transaction.atomic
def project_update(
    *,
    actor: Actor,
    project: Project,
    data: dict[str, Any],
    members: Sequence[str] = (),
    mentor_id: int | None = None,
) -> Project:
    """A member edits the project (fetched through scoping) and its team."""
    actor.require(Perm.VENTURE_OWN)
    if not project.members.filter(graduate__user_id=actor.user_id).exists():
        raise PermissionDenied("not a member")
    values = _clean(data)
    _mentor_ok(actor, mentor_id)
    team = _team(actor, members, project.lead)
    for key, value in values.items():
        setattr(project, key, value)
    project.mentor_id = mentor_id
    project.full_clean()
    project.save()
    project.members.exclude(graduate__in=team).delete()
    have = set(project.members.values_list("graduate_id", flat=True))
    ProjectMember.objects.bulk_create(
        ProjectMember(institution_id=project.institution_id, project=project, graduate=g)
        for g in team
        if g.pk not in have
    )
    audit_record(
        institution_id=project.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.PROJECT_UPDATE,
        target=project,
        summary=project.name,
        data={**values, "members": [g.pk for g in team], "mentor": mentor_id},
    )
    return project


@transaction.atomic
def park_update(*, actor: Actor, park: Park, data: dict[str, Any]) -> Park:
    """Edit a park of the directory: the old values are kept as ParkChange of the old version."""
    actor.require(Perm.VENTURE_PARKS_EDIT)
    locked = Park.objects.select_for_update().get(pk=park.pk)
    before = model_to_dict(locked, fields=PARK_FIELDS)
    bad_focus = [f for f in data.get("focus", []) if f not in Field.values]
    bad_stage = [s for s in data.get("stages", []) if s not in Stage.values]
    if bad_focus or bad_stage:
        raise ValidationError(
            _("未知的领域或阶段：%(v)s") % {"v": "、".join(bad_focus + bad_stage)}
        )
    ParkChange.objects.create(
        park=locked, version=locked.version, data=before, changed_by_id=actor.user_id
    )
    for key in PARK_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    locked.version += 1
    locked.full_clean()
    locked.save()
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.PARK_UPDATE,
        target=locked,
        summary=locked.name,
        data={"version": locked.version, "before": before},
    )
    return locked
