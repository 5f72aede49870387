import datetime as dt

import pytest
from stdnum.cn import uscc

from qihang.destinations.policy import policy_for
from qihang.institutions.scoping import Actor, build_actor


def credit_code(body: str = "91310104MA1FL0000") -> str:
    """A valid unified social credit code: 17 characters plus the computed check character."""
    return body + uscc.calc_check_digit(body)


CREDIT = credit_code()
OTHER_CREDIT = "91110000600037341L"  # python-stdnum's documented valid example


def employment(**overrides) -> dict:
    """Valid data for code 10 (tripartite agreement)."""
    data = {
        "code": "10",
        "employer_name": "上海交响乐团",
        "employer_credit_code": CREDIT,
        "employer_nature": "29",
        "employer_division": "310104",
        "agreement_no": "2020-310-0001",
        "signed_on": dt.date(2020, 5, 20),
        "note": "",
        "confirmed_not_internship": True,
    }
    data.update(overrides)
    return data


def actor(user, school) -> Actor:
    return build_actor(user, school.institution.pk)


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture(autouse=True)
def _registration_open(request):
    """The test cohort is 2020: keep its registration open unless a test closes it."""
    for name in ("school", "other_school"):
        if name in request.fixturenames:
            policy = policy_for(request.getfixturevalue(name).cohort)
            policy.registration_deadline = None
            policy.save(update_fields=["registration_deadline"])
