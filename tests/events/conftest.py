import datetime as dt

import pytest
from django.utils import timezone

from qihang.events import services
from qihang.events.models import EventKind, Room
from qihang.institutions.models import Pairing
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import membership_grant
from tests.factories import make_employer, make_graduate, make_user


def slot(days: int, hour: int = 14, minute: int = 0) -> dt.datetime:
    """A moment on the booking grid `days` from today (local time)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def event_data(**extra):
    data = {
        "kind": EventKind.INFO_SESSION,
        "title": "上海交响乐团2026年校园宣讲会",
        "description": "乐团介绍与招聘岗位说明",
        "starts_at": slot(7, 14),
        "ends_at": slot(7, 16),
        "capacity": 100,
    }
    data.update(extra)
    return data


@pytest.fixture
def centre(school):
    return build_actor(school.centre, school.institution.pk)


@pytest.fixture
def hall(school):
    return Room.objects.create(institution=school.institution, name="贺绿汀音乐厅", seats=200)


@pytest.fixture
def small_room(school):
    return Room.objects.create(institution=school.institution, name="北楼报告厅", seats=30)


@pytest.fixture
def orchestra(school):
    """A verified employer of the school, with an admin account."""
    user = make_user("orchestra-admin")
    employer = make_employer("上海交响乐团", serial=11, institution=school.institution, user=user)
    employer.admin = user
    return employer


@pytest.fixture
def orchestra_actor(orchestra):
    return build_actor(orchestra.admin, None, employer_id=orchestra.pk)


@pytest.fixture
def session(centre, hall, orchestra):
    """An approved info session of the orchestra in the hall, a week from now."""
    return services.event_create(actor=centre, data=event_data(), room=hall, employer=orchestra)


@pytest.fixture
def paired(school, other_school):
    Pairing.objects.create(
        first=school.institution, second=other_school.institution, starts_on=dt.date(2020, 1, 1)
    )
    return school, other_school


@pytest.fixture
def make_graduates():
    """make_graduates(school, n, **kw) -> n graduates of the school, each with an account."""

    def make(school, n, *, major=None, prefix="g", cohort=None):
        graduates = []
        for i in range(n):
            user = make_user(f"{school.institution.code}-{prefix}{i}")
            membership_grant(institution=school.institution, user=user, role=Role.GRADUATE)
            graduates.append(
                make_graduate(
                    institution=school.institution,
                    cohort=cohort or school.cohort,
                    major=major or school.majors[0],
                    student_no=f"{school.institution.code}{prefix}{i:04d}",
                    name=f"学生{i}",
                    user=user,
                )
            )
        return graduates

    return make


def actor_for(graduate):
    return build_actor(graduate.user, graduate.institution_id)
