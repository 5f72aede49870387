"""Writes for institutions, their structure and memberships."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qihang.accounts.models import User
from qihang.audit.services import audit_record
from qihang.institutions.models import (
    Cohort,
    DegreeLevel,
    Department,
    Institution,
    Major,
    Membership,
)
from qihang.institutions.roles import Role


@transaction.atomic
def institution_create(
    *, code: str, name: str, short_name: str = "", actor_id: int | None = None
) -> Institution:
    code, name = code.strip(), name.strip()
    if not code.isdigit() or not 4 <= len(code) <= 10:
        raise ValidationError({"code": _("学校代码应为4到10位数字。")})
    if Institution.objects.filter(code=code).exists():
        raise ValidationError({"code": _("学校代码 %(code)s 已存在。") % {"code": code}})
    institution = Institution(code=code, name=name, short_name=short_name)
    institution.full_clean()
    institution.save()
    audit_record(
        institution_id=institution.pk,
        actor_id=actor_id,
        action="institution.create",
        target=institution,
        summary=f"{code} {name}",
    )
    return institution


def department_get_or_create(*, institution: Institution, name: str, **extra: object) -> Department:
    department, _created = Department.objects.get_or_create(
        institution=institution, name=name.strip(), defaults=extra
    )
    return department


def major_get_or_create(
    *, department: Department, degree_level: DegreeLevel | str, name: str
) -> Major:
    major, _created = Major.objects.get_or_create(
        institution_id=department.institution_id,
        department=department,
        degree_level=degree_level,
        name=name.strip(),
    )
    return major


def cohort_get_or_create(*, institution: Institution, year: int) -> Cohort:
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("届别 %(year)s 不合理。") % {"year": year}})
    cohort, _created = Cohort.objects.get_or_create(institution=institution, year=year)
    return cohort


@transaction.atomic
def membership_grant(
    *,
    institution: Institution,
    user: User,
    role: Role | str,
    departments: list[Department] | None = None,
    title: str = "",
    actor_id: int | None = None,
) -> Membership:
    if role == Role.DEPARTMENT_STAFF and not departments:
        raise ValidationError({"departments": _("院系工作人员至少要负责一个院系。")})
    for department in departments or []:
        if department.institution_id != institution.pk:
            raise ValidationError({"departments": _("院系不属于该学校。")})
    membership, _created = Membership.objects.update_or_create(
        institution=institution,
        user=user,
        role=role,
        defaults={"title": title, "is_active": True},
    )
    if departments is not None:
        membership.departments.set(departments)
    audit_record(
        institution_id=institution.pk,
        actor_id=actor_id,
        action="membership.grant",
        target=membership,
        summary=f"{user} {role}",
    )
    return membership
