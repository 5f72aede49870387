import datetime as dt

import pytest

from qihang.institutions.models import Pairing
from qihang.institutions.scoping import build_actor
from tests.api.conftest import token_for  # noqa: F401  (the API tests' token fixture)
from tests.factories import make_employer, make_user


@pytest.fixture
def paired(school, other_school):
    """东方 (90001) and 江城 (90002), paired since 2020."""
    Pairing.objects.create(
        first=school.institution, second=other_school.institution, starts_on=dt.date(2020, 1, 1)
    )
    return school, other_school


@pytest.fixture
def orchestra(school):
    """A verified employer of the school, with an admin account."""
    user = make_user("orchestra-admin")
    employer = make_employer("上海交响乐团", serial=11, institution=school.institution, user=user)
    employer.admin = user
    return employer


@pytest.fixture
def actor_of_user():
    def make(user, school=None):
        return build_actor(user, school.institution.pk if school else None)

    return make


@pytest.fixture
def employer_actor():
    def make(user, employer):
        return build_actor(user, None, employer_id=employer.pk)

    return make
