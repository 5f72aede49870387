import pytest

from qihang.destinations.policy import policy_for


@pytest.fixture(autouse=True)
def _registration_open(request):
    """The test cohort is 2020: keep its registration open (as the destination tests do)."""
    for name in ("school", "other_school"):
        if name in request.fixturenames:
            policy = policy_for(request.getfixturevalue(name).cohort)
            policy.registration_deadline = None
            policy.save(update_fields=["registration_deadline"])
