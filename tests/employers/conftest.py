import datetime as dt

import pytest
from django.core.cache import cache

from qihang.employers.models import EmployerStanding
from qihang.institutions.models import Pairing
from qihang.institutions.scoping import build_actor
from tests.factories import make_employer, make_user


@pytest.fixture(autouse=True)
def fresh_cache(media_root):
    """Registration counts per client address in the cache; files go to a temporary root."""
    cache.clear()
    yield
    cache.clear()


def centre(school):
    return build_actor(school.centre, school.institution.pk)


@pytest.fixture
def paired(school, other_school):
    first, second = sorted([school.institution, other_school.institution], key=lambda i: i.pk)
    Pairing.objects.create(first=first, second=second, starts_on=dt.date(2020, 1, 1))
    return school, other_school


@pytest.fixture
def orchestra(school):
    """An employer with a pending standing at `school` and its admin account."""
    user = make_user("hr-orchestra", email="hr@orchestra.example")
    employer = make_employer(
        "沪上交响乐团", serial=501, institution=school.institution, status="pending", user=user
    )
    employer.contact_phone = "13912345678"
    employer.contact_email = "hr@orchestra.example"
    employer.save(update_fields=["contact_phone", "contact_email"])
    return employer, user


def standing(employer, school) -> EmployerStanding:
    return EmployerStanding.objects.get(employer=employer, institution=school.institution)
