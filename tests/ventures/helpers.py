"""Ventures objects for tests, through the services where there is one."""

from __future__ import annotations

from qihang.institutions.scoping import build_actor
from qihang.ventures import services
from qihang.ventures.models import Project, ProjectMember
from tests.factories import School

MUSIC_SCHOOL = {
    "name": "小音符音乐教育工作室",
    "field": "music_education",
    "stage": "prototype",
    "summary": "面向琴童的钢琴启蒙与视唱练耳小班课。",
    "needs": "场地、招生渠道",
    "funding_sought": 200000,
    "funding_obtained": 50000,
    "districts": ["徐汇区"],
}


def make_project(school: School, data=None, members=()) -> Project:
    actor = build_actor(school.graduate_user, school.institution.pk)
    return services.project_create(actor=actor, data=data or dict(MUSIC_SCHOOL), members=members)


def walk_ventures(school: School) -> None:
    school.fixtures["project"] = make_project(school)
    # graduates[2] has no account: their project is written directly.
    other = Project.objects.create(
        institution=school.institution,
        name="声乐工作坊",
        field="performance",
        stage="idea",
        lead=school.graduates[2],
    )
    ProjectMember.objects.create(
        institution=school.institution, project=other, graduate=school.graduates[2]
    )
    school.fixtures["other_department_project"] = other
