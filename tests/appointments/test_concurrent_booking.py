"""Concurrent booking on PostgreSQL: graduates in separate processes book one slot at the same
moment; the partial unique index lets exactly one through, every other gets "already booked".

Processes, not threads: each has its own connection and its own transaction, as requests on
separate workers do. Forked after the test database exists, they inherit its settings."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connection, connections

from qihang.appointments.models import Appointment, AppointmentStatus
from qihang.institutions.roles import Role
from qihang.institutions.services import membership_grant
from tests.appointments.helpers import make_adviser, make_slot
from tests.factories import make_graduate, make_user

WORKERS = 6


def _book(user_id: int, institution_id: int, slot_id: int, barrier, results) -> None:
    from django.core.exceptions import ValidationError

    from qihang.accounts.models import User
    from qihang.appointments import services
    from qihang.appointments.models import Slot
    from qihang.institutions.scoping import build_actor

    connections.close_all()  # never share the parent's socket
    actor = build_actor(User.objects.get(pk=user_id), institution_id)
    slot = Slot.objects.get(pk=slot_id)
    barrier.wait(timeout=30)
    try:
        services.appointment_book(actor=actor, slot=slot, topic="并发")
    except ValidationError as exc:
        results.put(("refused", exc.messages[0]))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        results.put(("error", repr(exc)))
    else:
        results.put(("booked", user_id))
    finally:
        connections.close_all()


# The runner's threads (xdist's) make fork() warn; a child touches none of them, only a new
# connection of its own.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_bookings_of_one_slot_book_it_once(school):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL (SQLite serialises writers)")
    slot = make_slot(school, make_adviser(school))
    users = []
    for i in range(WORKERS):
        user = make_user(f"rush-{i}")
        membership_grant(institution=school.institution, user=user, role=Role.GRADUATE)
        make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[0],
            student_no=f"RUSH{i:03d}",
            name=f"抢约{i}",
            user=user,
        )
        users.append(user)
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_book, args=(u.pk, school.institution.pk, slot.pk, barrier, results))
        for u in users
    ]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=30)
    assert [o for o in outcomes if o[0] == "error"] == []
    booked = [o for o in outcomes if o[0] == "booked"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(booked) == 1, outcomes
    assert len(refused) == WORKERS - 1
    assert all("已被其他同学预约" in message for _kind, message in refused)
    live = Appointment.objects.filter(slot=slot).exclude(status=AppointmentStatus.CANCELLED)
    assert list(live.values_list("graduate__user_id", flat=True)) == [booked[0][1]]
