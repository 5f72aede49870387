import datetime as dt

import pytest

from qihang.institutions.models import Pairing
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import membership_grant
from tests.factories import make_graduate, make_user


@pytest.fixture(autouse=True)
def _media(media_root):
    """Uploaded recordings and PDFs go to a temporary MEDIA_ROOT."""
    return media_root


@pytest.fixture
def centre(school):
    return build_actor(school.centre, school.institution.pk)


@pytest.fixture
def graduate(school):
    return build_actor(school.graduate_user, school.institution.pk)


@pytest.fixture
def paired(school, other_school):
    first, second = sorted([school.institution, other_school.institution], key=lambda i: i.pk)
    return Pairing.objects.create(first=first, second=second, starts_on=dt.date(2020, 1, 1))


@pytest.fixture
def make_graduates():
    """make_graduates(school, n) -> n graduates of the school's first department, with accounts."""

    def make(school, n, *, prefix="g"):
        made = []
        for i in range(n):
            user = make_user(f"{school.institution.code}-{prefix}{i}")
            membership_grant(institution=school.institution, user=user, role=Role.GRADUATE)
            made.append(
                make_graduate(
                    institution=school.institution,
                    cohort=school.cohort,
                    major=school.majors[0],
                    student_no=f"{school.institution.code}{prefix}{i:04d}",
                    name=f"学生{i}",
                    user=user,
                )
            )
        return made

    return make
