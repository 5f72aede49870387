import pytest

from qihang.search.services import jobs_index
from tests.api.conftest import token_for  # noqa: F401 - the API's token fixture
from tests.factories import make_employer, make_job


@pytest.fixture
def orchestra(school):
    return make_employer("东方交响乐团", serial=101, institution=school.institution)


@pytest.fixture
def post(orchestra, school):
    """post(title, **fields) -> a published job of the school, indexed."""

    def make(title: str, *, employer=None, institution=None, **extra):
        job = make_job(
            employer or orchestra, institution or school.institution, title=title, **extra
        )
        jobs_index([job.pk])
        return job

    return make
