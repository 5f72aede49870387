"""DestinationPeriod semantics, as the rates read them: half-open periods, one open per kind,
official ones opened only by approval, reported ones by every submission/record/import."""

import contextlib
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q

from qihang.destinations import services
from qihang.destinations.models import DestinationPeriod, PeriodKind
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextlib.contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def code_at(graduate, kind: str, t: dt.datetime) -> str | None:
    """The documented rule: a period holds at t when valid_from <= t < valid_to (or open)."""
    codes = list(
        DestinationPeriod.objects.filter(graduate=graduate, kind=kind, valid_from__lte=t)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=t))
        .values_list("code", flat=True)
    )
    assert len(codes) <= 1, "at most one period of a kind holds at any instant"
    return codes[0] if codes else None


def code_as_of_day(graduate, kind: str, day: dt.date) -> str | None:
    """ "As of a day": at the end of it, i.e. t0 = next local midnight, valid_from < t0 and
    (valid_to is None or valid_to >= t0)."""
    t0 = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), SHANGHAI)
    codes = list(
        DestinationPeriod.objects.filter(graduate=graduate, kind=kind, valid_from__lt=t0)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=t0))
        .values_list("code", flat=True)
    )
    assert len(codes) <= 1
    return codes[0] if codes else None


def moment(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2020, 6, day, hour, 0, tzinfo=SHANGHAI)


def test_timeline_as_of_any_instant(school):
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    centre = actor(school.centre, school)
    dept = actor(school.dept_staff, school)
    with clock(moment(1)):
        services.destination_submit(actor=me, graduate=graduate, data={"code": "70"})
    with clock(moment(2)):
        destination = services.destination_submit(
            actor=me, graduate=graduate, data=employment(signed_on=dt.date(2020, 6, 1))
        )
    with clock(moment(3)):
        services.destination_review(actor=dept, destination=destination)
    with clock(moment(4)):
        services.destination_approve(actor=centre, destination=destination)
    with clock(moment(5)):
        services.destination_submit(
            actor=me, graduate=graduate, data={"code": "801"}, reason="考研录取"
        )
    with clock(moment(6)):
        services.destination_return(
            actor=centre, destination=destination, reason="请上传录取通知书"
        )
    with clock(moment(7)):
        services.destination_approve(
            actor=centre,
            destination=services.destination_submit(
                actor=me, graduate=graduate, data={"code": "801", "note": "已上传"}, reason="补充"
            ),
        )

    reported, official = PeriodKind.REPORTED, PeriodKind.OFFICIAL
    assert code_at(graduate, reported, moment(1, 9)) is None
    assert code_at(graduate, reported, moment(1)) == "70"  # valid_from is included
    assert code_at(graduate, reported, moment(2)) == "10"  # valid_to is excluded
    assert code_at(graduate, official, moment(3)) is None  # review opens nothing official
    assert code_at(graduate, official, moment(4)) == "10"
    assert code_at(graduate, reported, moment(5)) == "80"  # 801 reports under 80
    assert code_at(graduate, official, moment(5)) == "10"  # the approved one stays official
    assert code_at(graduate, official, moment(6)) == "10"  # a return changes no period
    assert code_at(graduate, reported, moment(6)) == "80"
    assert code_at(graduate, official, moment(7)) == "80"

    assert code_as_of_day(graduate, official, dt.date(2020, 6, 3)) is None
    assert code_as_of_day(graduate, official, dt.date(2020, 6, 4)) == "10"
    assert code_as_of_day(graduate, official, dt.date(2020, 6, 6)) == "10"
    assert code_as_of_day(graduate, official, dt.date(2020, 6, 7)) == "80"
    assert code_as_of_day(graduate, reported, dt.date(2020, 6, 1)) == "70"

    # Contiguous: each closed period ends where the next one starts.
    for kind in (reported, official):
        rows = list(
            DestinationPeriod.objects.filter(graduate=graduate, kind=kind).order_by("valid_from")
        )
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.valid_to == after.valid_from
        assert rows[-1].valid_to is None
    assert DestinationPeriod.objects.filter(graduate=graduate, kind=reported).count() == 4
    assert DestinationPeriod.objects.filter(graduate=graduate, kind=official).count() == 2


def test_period_carries_the_employer_province(school):
    graduate = school.graduates[0]
    services.destination_record(
        actor=actor(school.centre, school),
        graduate=graduate,
        data=employment(employer_division="440304"),
    )
    assert DestinationPeriod.objects.get(graduate=graduate).employer_province == "440000"


def test_one_open_period_per_graduate_and_kind_is_a_constraint(school):
    graduate = school.graduates[0]
    services.destination_record(
        actor=actor(school.centre, school), graduate=graduate, data={"code": "70"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DestinationPeriod.objects.create(
            institution=school.institution,
            cohort=school.cohort,
            graduate=graduate,
            kind=PeriodKind.REPORTED,
            code="10",
            valid_from=moment(1),
        )


def test_returning_an_approved_record_withdraws_it_from_that_moment(school):
    """The career centre returns an approved record (a false placement): its official period
    ends then, earlier days keep it, and a corrected version counts again once approved."""
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    centre = actor(school.centre, school)
    with clock(moment(1)):
        destination = services.destination_submit(actor=me, graduate=graduate, data=employment())
        services.destination_approve(actor=centre, destination=destination)
    with pytest.raises(PermissionDenied):  # the department cannot undo the centre's approval
        services.destination_return(
            actor=actor(school.dept_staff, school), destination=destination, reason="单位不实"
        )
    with clock(moment(3)):
        services.destination_return(
            actor=centre, destination=destination, reason="核查不实：单位称无此人"
        )
    destination.refresh_from_db()
    assert destination.status == "returned" and destination.official_code_id is None
    assert code_as_of_day(graduate, PeriodKind.OFFICIAL, dt.date(2020, 6, 2)) == "10"
    assert code_as_of_day(graduate, PeriodKind.OFFICIAL, dt.date(2020, 6, 3)) is None
    with clock(moment(5)):
        again = services.destination_submit(
            actor=me, graduate=graduate, data={"code": "70"}, reason="如实更正"
        )
        services.destination_approve(actor=centre, destination=again)
    assert code_as_of_day(graduate, PeriodKind.OFFICIAL, dt.date(2020, 6, 5)) == "70"
    assert code_as_of_day(graduate, PeriodKind.OFFICIAL, dt.date(2020, 6, 2)) == "10"
