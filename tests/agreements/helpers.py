"""Agreements for tests, made through the services (the walk fixtures use them too)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from qihang.agreements import services
from qihang.agreements.models import Agreement
from qihang.applications.models import Application
from qihang.institutions.scoping import Actor, build_actor
from tests.factories import School, make_employer, make_job, make_user

TERMS = {
    "position": "大提琴演奏员",
    "employer_nature": "31",
    "work_division": "310104",
    "monthly_salary": 9000,
    "term": "三年",
    "terms": "试用期三个月。",
}


def employer_actor(user: Any) -> Actor:
    from qihang.employers.models import EmployerMember

    member = EmployerMember.objects.get(user=user)
    return build_actor(user, None, employer_id=member.employer_id)


def staff(school: School) -> dict[str, Actor]:
    pk = school.institution.pk
    return {
        "centre": build_actor(school.centre, pk),
        "dept": build_actor(school.dept_staff, pk),
        "graduate": build_actor(school.graduate_user, pk),
        "leader": build_actor(school.leader, pk),
    }


def application_for(school: School, graduate: Any, job: Any) -> Application:
    return Application.objects.create(
        institution=school.institution,
        job=job,
        graduate=graduate,
        employer=job.employer,
        status="offer",
        submitted_at=timezone.now(),
    )


def agreement_world(school: School, *, serial: int) -> dict[str, Any]:
    """A verified employer with an account and a full-time job, and an application of each of
    the school's graduates to it."""
    user = make_user(f"agreement-employer-{serial}")
    employer = make_employer(
        f"签约乐团{serial}", serial=serial, institution=school.institution, user=user
    )
    job = make_job(employer, school.institution, title="乐团演奏员")
    applications = [application_for(school, g, job) for g in school.graduates]
    return {
        "employer": employer,
        "employer_user": user,
        "employer_actor": employer_actor(user),
        "job": job,
        "applications": applications,
    }


def offer(world: dict[str, Any], index: int = 0, **terms: Any) -> Agreement:
    return services.agreement_offer(
        actor=world["employer_actor"],
        application=world["applications"][index],
        data={**TERMS, **terms},
    )


def sign(school: School, world: dict[str, Any], index: int = 0) -> Agreement:
    """An agreement offered, accepted by graduates[0] (index 0 only: the one with an account),
    reviewed and approved."""
    actors = staff(school)
    agreement = offer(world, index)
    services.agreement_act(actor=actors["graduate"], agreement=agreement, action="accept")
    services.agreement_act(actor=actors["centre"], agreement=agreement, action="review")
    services.agreement_act(actor=actors["centre"], agreement=agreement, action="approve")
    return agreement


def graduate_actor(school: School, index: int) -> Actor:
    """The actor of graduates[index], giving them an account when they have none."""
    from qihang.institutions.models import Membership
    from qihang.institutions.roles import Role
    from qihang.institutions.services import membership_grant

    graduate = school.graduates[index]
    if graduate.user_id is None:
        user = make_user(f"{graduate.student_no}-account")
        graduate.user = user
        graduate.save(update_fields=["user"])
        if not Membership.objects.filter(user=user, institution=school.institution).exists():
            membership_grant(institution=school.institution, user=user, role=Role.GRADUATE)
    return build_actor(graduate.user, school.institution.pk)


def walk_agreements(school: School) -> None:
    """For the route walks: the walk employer's offer to graduates[0] (from their application)
    and to graduates[2] of the other department."""
    actor = employer_actor(school.fixtures["employer_user"])
    for key, application in (
        ("agreement", school.fixtures["application"]),
        ("other_department_agreement", school.fixtures["other_department_application"]),
    ):
        school.fixtures[key] = services.agreement_offer(
            actor=actor, application=application, data=TERMS
        )
