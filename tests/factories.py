"""Small builders for test data. Volume data comes from the demo generator instead."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.utils import timezone
from stdnum.cn import ric

from qihang.accounts.models import User
from qihang.employers.models import Employer
from qihang.graduates.models import Graduate
from qihang.graduates.services import roster_sync
from qihang.institutions.models import Cohort, DegreeLevel, Department, Institution, Major
from qihang.institutions.roles import Role
from qihang.institutions.services import (
    cohort_get_or_create,
    department_get_or_create,
    institution_create,
    major_get_or_create,
    membership_grant,
)

_serial = itertools.count(1)


def make_id_number(*, division: str = "310104", birth: str = "19980512", male: bool = True) -> str:
    """A valid resident ID number (check digit computed by python-stdnum)."""
    seq = next(_serial) % 100  # two digits: more would make a 19-character number
    body = f"{division}{birth}{seq:02d}{(2 * (seq % 5) + (1 if male else 0)) % 10}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def make_user(username: str, *, email: str = "", password: str = "Qihang-test-2020") -> User:
    user = User.objects.create_user(username=username, email=email, password=password)
    user.display_name = username
    user.save(update_fields=["display_name"])
    return user


def make_graduate(
    *,
    institution: Institution,
    cohort: Cohort,
    major: Major,
    student_no: str,
    name: str = "张三",
    male: bool = True,
    user: User | None = None,
    mentor: User | None = None,
    origin: str = "310104",
    roster_from: dt.datetime | None = None,
) -> Graduate:
    """A graduate on the roster from `roster_from` (default: 1 September before graduation,
    so figures of the season count them; pass a later moment to test a late addition)."""
    id_number = make_id_number(male=male, division=origin)
    graduate = Graduate.objects.create(
        institution=institution,
        cohort=cohort,
        student_no=student_no,
        name=name,
        gender="M" if male else "F",
        id_number=id_number,
        degree_level=major.degree_level,
        department=major.department,
        major=major,
        origin_division=origin,
        origin_province=origin[:2] + "0000",
        phone="13812345678",
        email=f"{student_no}@example.edu.cn",
        user=user,
        mentor=mentor,
    )
    roster_sync(
        institution_id=institution.pk,
        at=roster_from or roster_start(cohort),
        graduate_ids=[graduate.pk],
    )
    return graduate


def roster_start(cohort: Cohort) -> dt.datetime:
    """When test graduates join the roster: the start of their final year."""
    tz = timezone.get_default_timezone()
    return dt.datetime(cohort.year - 1, 9, 1, tzinfo=tz)


@dataclass
class School:
    """One institution with two departments and a persona for every role."""

    institution: Institution
    cohort: Cohort
    departments: list[Department]
    majors: list[Major]
    centre: User
    dept_staff: User  # department staff of departments[0] only
    teacher: User  # mentor of graduates[0]
    leader: User
    graduate_user: User  # the account of graduates[0]
    graduates: list[Graduate] = field(default_factory=list)
    fixtures: dict[str, object] = field(default_factory=dict)  # more objects, added by tests


def make_school(code: str, name: str, *, prefix: str) -> School:
    institution = institution_create(code=code, name=name)
    cohort = cohort_get_or_create(institution=institution, year=2020)
    piano = department_get_or_create(institution=institution, name="钢琴系", sort_order=1)
    voice = department_get_or_create(institution=institution, name="声乐歌剧系", sort_order=2)
    majors = [
        major_get_or_create(department=piano, degree_level=DegreeLevel.BACHELOR, name="音乐表演"),
        major_get_or_create(department=voice, degree_level=DegreeLevel.BACHELOR, name="音乐表演"),
    ]
    users = {r: make_user(f"{prefix}-{r}") for r in ("centre", "dept", "teacher", "leader", "grad")}
    membership_grant(institution=institution, user=users["centre"], role=Role.CAREER_CENTRE)
    membership_grant(
        institution=institution, user=users["dept"], role=Role.DEPARTMENT_STAFF, departments=[piano]
    )
    membership_grant(institution=institution, user=users["teacher"], role=Role.TEACHER)
    membership_grant(institution=institution, user=users["leader"], role=Role.LEADERSHIP)
    membership_grant(institution=institution, user=users["grad"], role=Role.GRADUATE)
    graduates = [
        make_graduate(
            institution=institution,
            cohort=cohort,
            major=majors[0],
            student_no=f"{prefix}2020001",
            name="李明",
            user=users["grad"],
            mentor=users["teacher"],
        ),
        make_graduate(
            institution=institution,
            cohort=cohort,
            major=majors[0],
            student_no=f"{prefix}2020002",
            name="王芳",
            male=False,
        ),
        make_graduate(
            institution=institution,
            cohort=cohort,
            major=majors[1],
            student_no=f"{prefix}2020003",
            name="赵强",
        ),
    ]
    return School(
        institution=institution,
        cohort=cohort,
        departments=[piano, voice],
        majors=majors,
        centre=users["centre"],
        dept_staff=users["dept"],
        teacher=users["teacher"],
        leader=users["leader"],
        graduate_user=users["grad"],
        graduates=graduates,
    )


def make_credit_code(serial: int, *, region: str = "310000") -> str:
    """A valid unified social credit code (统一社会信用代码) for test employers."""
    from stdnum.cn import uscc

    base = f"91{region}MA{serial:07d}"[:17]
    return base + uscc.calc_check_digit(base)


def make_employer(
    name: str,
    *,
    serial: int,
    institution: Institution | None = None,
    status: str = "verified",
    user: User | None = None,
    division: str = "310104",
) -> Employer:
    """An employer (optionally with a standing at `institution` and an admin account `user`)."""
    from qihang.employers.models import EmployerMember, EmployerStanding
    from qihang.institutions.roles import EmployerRole

    employer = Employer.objects.create(
        name=name, credit_code=make_credit_code(serial), division=division
    )
    if institution is not None:
        EmployerStanding.objects.create(institution=institution, employer=employer, status=status)
    if user is not None:
        EmployerMember.objects.create(employer=employer, user=user, role=EmployerRole.ADMIN)
    return employer


def make_job(employer: Employer, institution: Institution, *, title: str = "大提琴演奏员", **extra):
    from qihang.jobs.models import Job, JobKind, JobStatus

    values = {"kind": JobKind.FULL_TIME, "status": JobStatus.PUBLISHED, "division": "310104"}
    values.update(extra)
    return Job.objects.create(institution=institution, employer=employer, title=title, **values)


def confirm_key_group(graduate: Graduate, kind, *, at: dt.datetime | None = None):
    """A confirmed key-group membership from `at` (default: the graduate's roster start)."""
    from qihang.graduates.models import GraduateKeyGroup

    at = at or roster_start(graduate.cohort)
    return GraduateKeyGroup.objects.create(
        institution_id=graduate.institution_id,
        graduate=graduate,
        kind_digest=kind.digest,
        source="staff",
        basis="测试",
        status="confirmed",
        suggested_at=at,
        decided_at=at,
        valid_from=at,
    )


def key_group_codes(graduate_id: int, *statuses: str, source: str = "") -> set[str]:
    """The kind codes of a graduate's memberships (of these statuses, default the open ones;
    of one source if given)."""
    from qihang.graduates.models import GraduateKeyGroup, KeyGroupKind

    codes = {kind.digest: kind.code for kind in KeyGroupKind.objects.all()}
    rows = GraduateKeyGroup.objects.filter(
        graduate_id=graduate_id, status__in=statuses or ("suggested", "confirmed")
    )
    if source:
        rows = rows.filter(source=source)
    return {codes[d] for d in rows.values_list("kind_digest", flat=True)}
