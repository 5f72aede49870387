"""A hand-built cohort whose rates are known exactly, as of T = the end of 30 June 2020.

Periods are created directly (the destination services would create the same rows): a
period holds at t when valid_from <= t < valid_to (valid_to None: still open).

    graduate  dept   official periods                                   at T (official)
    g0 李明   piano  10 from 03-01 (employer 上海市), open                 10
    g1 王芳   piano  70 02-01..05-01 (ended before T); 80 from 07-05 (after T)   —
    g2 赵强   voice  71 from 04-01, open                                   71
    g3 孙丽   voice  11 from exactly T                                     11
    g4 周红   voice  76 01-10 .. 07-01 00:00 (ends after T)                76
    g5 吴刚   piano  12 01-10 .. exactly T (ends at T: not held at T)      —

Official at T: total 6, known 4, placed 3 (10, 11, 76), signed 2 (10, 11).
Reported at T: g0 10, g1 80, g2 71, g3 11, g4 76, g5 85 -> known 6, placed 5, signed 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from qihang.destinations.models import DestinationPeriod
from qihang.destinations.policy import policy_for
from qihang.graduates.models import Graduate
from qihang.graduates.services import roster_sync
from qihang.institutions.models import Cohort, Major
from qihang.institutions.scoping import Actor, build_actor
from tests.factories import School, make_graduate, roster_start

T_DATE = dt.date(2020, 6, 30)


def at(year: int, month: int, day: int, *time: int) -> dt.datetime:
    """An aware local (Asia/Shanghai) datetime."""
    return dt.datetime(year, month, day, *time, tzinfo=timezone.get_default_timezone())


T = at(2020, 6, 30, 23, 59, 59, 999999)  # the end of T_DATE


def period(
    graduate: Graduate,
    code: str,
    start: dt.datetime,
    end: dt.datetime | None = None,
    *,
    kind: str = "official",
    province: str = "",
    division: str = "",
    country: str = "",
) -> DestinationPeriod:
    return DestinationPeriod.objects.create(
        institution_id=graduate.institution_id,
        cohort_id=graduate.cohort_id,
        graduate=graduate,
        kind=kind,
        code=code,
        valid_from=start,
        valid_to=end,
        employer_province=province or (division[:2] + "0000" if division else ""),
        employer_division=division,
        employer_country=country or ("CN" if division else ""),
    )


def graduate(
    school: School,
    major: Major,
    no: str,
    name: str,
    *,
    male: bool,
    cohort: Cohort | None = None,
    roster_from: dt.datetime | None = None,
) -> Graduate:
    return make_graduate(
        institution=school.institution,
        cohort=cohort or school.cohort,
        major=major,
        student_no=f"{school.institution.code}{no}",
        name=name,
        male=male,
        roster_from=roster_from,
    )


def many_graduates(school: School, count: int, *, prefix: str) -> list[Graduate]:
    """`count` more graduates (bulk; no ID numbers), alternating departments and genders."""
    rows = [
        Graduate(
            institution=school.institution,
            cohort=school.cohort,
            student_no=f"{prefix}{i:05d}",
            name="批量",
            gender="M" if i % 3 == 0 else "F",
            id_number=f"{prefix}-{i}",  # unique stand-in: its digest is unique
            degree_level=school.majors[i % 2].degree_level,
            department=school.majors[i % 2].department,
            major=school.majors[i % 2],
            origin_division="310104",
            origin_province="310000",
        )
        for i in range(count)
    ]
    created = Graduate.objects.bulk_create(rows)
    if created and created[0].pk is None:
        created = list(Graduate.objects.filter(student_no__startswith=prefix).order_by("pk"))
    roster_sync(
        institution_id=school.institution.pk,
        at=roster_start(school.cohort),
        graduate_ids=[g.pk for g in created],
    )
    DestinationPeriod.objects.bulk_create(
        DestinationPeriod(
            institution_id=g.institution_id,
            cohort_id=g.cohort_id,
            graduate=g,
            kind="official",
            code=("10", "76", "80", "70")[i % 4],
            valid_from=at(2020, 3, 1 + i % 27, 9),
        )
        for i, g in enumerate(created)
    )
    return created


@dataclass
class RatesWorld:
    school: School
    graduates: list[Graduate]
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def piano(self):
        return self.school.departments[0]

    @property
    def voice(self):
        return self.school.departments[1]

    def actor(self, user) -> Actor:
        return build_actor(user, self.school.institution.pk)

    @property
    def centre(self) -> Actor:
        return self.actor(self.school.centre)


@pytest.fixture
def world(school) -> RatesWorld:
    policy_for(school.cohort)  # created once here, not inside a counted request
    g0, g1, g2 = school.graduates
    piano_major, voice_major = school.majors
    g3 = graduate(school, voice_major, "2020004", "孙丽", male=False)
    g4 = graduate(school, voice_major, "2020005", "周红", male=False)
    g5 = graduate(school, piano_major, "2020006", "吴刚", male=True)

    period(g0, "10", at(2020, 3, 1, 10), province="310000")
    period(g1, "70", at(2020, 2, 1, 9), at(2020, 5, 1, 9))
    period(g1, "80", at(2020, 7, 5, 9))
    period(g2, "71", at(2020, 4, 1, 9))
    period(g3, "11", T, province="320000")
    period(g4, "76", at(2020, 1, 10, 9), at(2020, 7, 1))
    period(g5, "12", at(2020, 1, 10, 9), T, province="310000")

    period(g0, "10", at(2020, 2, 25, 9), kind="reported", province="310000")
    period(g1, "80", at(2020, 6, 20, 9), kind="reported")
    period(g2, "71", at(2020, 3, 28, 9), kind="reported")
    period(g3, "11", at(2020, 6, 29, 9), kind="reported", province="320000")
    period(g4, "76", at(2020, 1, 5, 9), kind="reported")
    period(g5, "12", at(2020, 1, 5, 9), at(2020, 6, 30, 10), kind="reported")
    period(g5, "85", at(2020, 6, 30, 10), kind="reported")
    return RatesWorld(school=school, graduates=[g0, g1, g2, g3, g4, g5])
