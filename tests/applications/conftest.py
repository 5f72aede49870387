import pytest

from qihang.institutions.scoping import build_actor
from tests.api.conftest import token_for  # noqa: F401 - the API's token fixture
from tests.factories import make_employer, make_job, make_user


@pytest.fixture
def orchestra(school):
    """A verified employer of the school, with an admin account."""
    user = make_user("orchestra-admin")
    employer = make_employer("上海交响乐团", serial=11, institution=school.institution, user=user)
    employer.admin = user
    return employer


@pytest.fixture
def job(orchestra, school):
    return make_job(orchestra, school.institution, title="大提琴演奏员", posted_by=school.centre)


@pytest.fixture
def graduate(school):
    return build_actor(school.graduate_user, school.institution.pk)


@pytest.fixture
def employer(orchestra):
    return build_actor(orchestra.admin, None, employer_id=orchestra.pk)
