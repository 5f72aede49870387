import pytest

from tests.agreements.helpers import agreement_world


@pytest.fixture
def world(school, media_root):
    from qihang.destinations.policy import policy_for

    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    return agreement_world(school, serial=7101)
