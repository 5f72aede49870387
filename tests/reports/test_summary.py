"""The PostgreSQL summaries (reports.PeriodFlow, DetailedPeriodFlow, PeriodTotal) stay exact
under every kind of write to destination and roster periods, and the selectors' summary path
gives the same numbers as counting directly."""

import datetime as dt
import random

import pytest
from django.conf import settings
from django.db import connection, transaction

from qihang.destinations.models import DestinationPeriod
from qihang.graduates.models import Graduate, RosterPeriod, RosterStatus
from qihang.graduates.services import roster_sync
from qihang.institutions.models import DegreeLevel
from qihang.institutions.services import major_get_or_create
from qihang.reports import selectors, summary
from tests.reports.conftest import T, at, graduate, period

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the summaries exist on PostgreSQL only"
    ),
]


def exact() -> bool:
    return summary.differences() == {"flows": 0, "totals": 0, "roster": 0}


def _clean(counts):
    return {key: {c: n for c, n in codes.items() if n} for key, codes in counts.items()}


def both_paths_agree(world, moments) -> None:
    """Every moment, kind and grouping the summaries serve, asked all at once (so several
    batches) and one by one, equals the direct count, for the centre and department staff."""
    cohort = world.school.cohort
    for actor in (world.centre, world.actor(world.school.dept_staff)):
        asks = [
            selectors._Ask(cohort, by, moment, kind)
            for moment in moments
            for kind in ("official", "reported")
            for by in selectors._SUMMARY_GROUPINGS
        ]
        together = selectors._counts_many(actor, asks)
        for ask, fast in zip(asks, together, strict=True):
            live = selectors._counts_live(actor, ask.cohort, ask.by, ask.moment, ask.kind)
            assert _clean(fast) == _clean(live), ask
        for ask in asks[:: max(1, len(asks) // 12)]:
            [alone] = selectors._counts_many(actor, [ask])
            assert _clean(alone) == _clean(selectors._counts_live(actor, *ask)), ask


def interesting_moments():
    """Week boundaries, both halves of weeks, and instants around the test periods' edges."""
    moments = [T, T - dt.timedelta(microseconds=1), T + dt.timedelta(microseconds=1)]
    day = dt.date(2019, 12, 20)
    while day <= dt.date(2020, 7, 20):
        moments.append(at(day.year, day.month, day.day))  # local midnight
        moments.append(at(day.year, day.month, day.day, 13, 30))
        day += dt.timedelta(days=5)
    edges = [
        *DestinationPeriod.objects.values_list("valid_from", "valid_to"),
        *RosterPeriod.objects.values_list("valid_from", "valid_to"),
    ]
    for edge_pair in edges:
        for edge in edge_pair:
            if edge is not None:
                moments += [edge, edge - dt.timedelta(microseconds=1)]
    return sorted(set(moments))


def test_triggers_installed_with_the_local_time_zone():
    assert summary.installed_time_zone() == settings.TIME_ZONE


def test_summary_path_equals_direct_count(world):
    assert exact()
    both_paths_agree(world, interesting_moments())


def test_writes_of_every_kind_keep_the_summaries_exact(world):
    g = world.graduates
    # A new approval closes the open period and opens the next one (the services' pattern).
    open_period = DestinationPeriod.objects.get(graduate=g[2], kind="official", valid_to=None)
    with transaction.atomic():
        open_period.valid_to = at(2020, 6, 10, 9)
        open_period.save(update_fields=["valid_to"])
        period(g[2], "10", at(2020, 6, 10, 9), province="310000")
    assert exact()
    # A transfer to another department moves the graduate (and what they hold) from then on.
    g[0].department = world.voice
    g[0].major = world.school.majors[1]
    g[0].save(update_fields=["department", "major"])
    assert summary.differences()["roster"] == 1  # a writer that forgot roster_sync is seen
    roster_sync(institution_id=g[0].institution_id, at=at(2020, 6, 15, 9))
    assert exact()
    # Bulk writes and QuerySet updates.
    extra = [
        graduate(world.school, world.school.majors[0], f"20209{i:02d}", "新生", male=True)
        for i in range(3)
    ]
    DestinationPeriod.objects.bulk_create(
        DestinationPeriod(
            institution_id=x.institution_id,
            cohort_id=x.cohort_id,
            graduate=x,
            kind="official",
            code="85",
            valid_from=at(2020, 5, 5 + i, 9),
        )
        for i, x in enumerate(extra)
    )
    DestinationPeriod.objects.filter(graduate__in=extra[:2], kind="official").update(
        valid_to=at(2020, 6, 1)
    )
    assert exact()
    # Deleting a period, and a graduate with its periods (Django deletes the periods first).
    DestinationPeriod.objects.filter(graduate=g[4], kind="reported").delete()
    g[3].delete()
    assert exact()
    # Graduate rows gone before their periods (the foreign key is only checked at commit).
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM graduates_graduate WHERE id = %s", [extra[2].pk])
            assert exact()
            cursor.execute(
                "DELETE FROM graduates_rosterperiod WHERE graduate_id = %s", [extra[2].pk]
            )
            assert exact()
            cursor.execute(
                "DELETE FROM destinations_destinationperiod WHERE graduate_id = %s", [extra[2].pk]
            )
        assert exact()
    both_paths_agree(world, interesting_moments())


def test_rolled_back_writes_leave_no_trace(world):
    before = summary.differences()
    with pytest.raises(RuntimeError), transaction.atomic():
        period(world.graduates[5], "80", at(2020, 8, 1))
        Graduate.objects.filter(pk=world.graduates[1].pk).update(
            department=world.voice, major=world.school.majors[1]
        )
        roster_sync(institution_id=world.school.institution.pk, at=at(2020, 8, 1))
        raise RuntimeError
    assert summary.differences() == before == {"flows": 0, "totals": 0, "roster": 0}


def test_random_histories_stay_exact(world):
    """Approvals, corrections, transfers, leavers, returns and deletions in random order
    (seeded), each roster change synchronised at its moment as the services do."""
    rng = random.Random(2020)
    codes = ["10", "11", "12", "70", "71", "76", "80", "85"]
    people = list(world.graduates)
    # A second major in the first department, at another level: transfers within a department.
    majors = [
        *world.school.majors,
        major_get_or_create(
            department=world.school.departments[0],
            degree_level=DegreeLevel.MASTER,
            name="钢琴演奏与教学",
        ),
    ]
    clock = at(2020, 7, 10, 8)  # after every period of the world
    for step in range(60):
        clock += dt.timedelta(hours=rng.randrange(1, 96))
        who = rng.choice(people)
        action = rng.random()
        if action < 0.6:  # a new period of a kind, closing the open one
            kind = rng.choice(("official", "reported"))
            open_ = DestinationPeriod.objects.filter(graduate=who, kind=kind, valid_to=None)
            open_.update(valid_to=clock)
            period(who, rng.choice(codes), clock, kind=kind)
        elif action < 0.65:  # the roster corrects a graduate's gender
            Graduate.objects.filter(pk=who.pk).update(
                gender="F" if Graduate.objects.get(pk=who.pk).gender == "M" else "M"
            )
        elif action < 0.75:  # leaves the cohort, or is back
            status = Graduate.objects.get(pk=who.pk).roster_status
            back = status != RosterStatus.ACTIVE
            Graduate.objects.filter(pk=who.pk).update(
                roster_status=RosterStatus.ACTIVE if back else RosterStatus.DEFERRED
            )
        elif action < 0.85:  # a transfer: another major, perhaps of another department
            major = rng.choice(majors)
            Graduate.objects.filter(pk=who.pk).update(
                major=major, department=major.department, degree_level=major.degree_level
            )
        elif action < 0.95 and len(people) > 2:  # removed from the database
            people.remove(who)
            who.delete()
        else:  # a new graduate joins
            people.append(
                graduate(
                    world.school,
                    rng.choice(majors),
                    f"2021{step:03d}",
                    "插班",
                    male=True,
                    roster_from=clock,
                )
            )
        roster_sync(institution_id=who.institution_id, at=clock)
        assert exact(), step
    both_paths_agree(world, [clock, clock - dt.timedelta(days=3), at(2020, 8, 15, 12), T])


def test_rebuild_recounts(world):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_periodflow SET starts = starts + 5")
    assert not exact()
    summary.rebuild()
    assert exact()
