"""Capacity holds under concurrent requests: graduates register at the same moment from
separate PROCESSES, each with its own PostgreSQL connection to the test database, and exactly
`capacity` get a seat; the rest are on the waiting list.

PostgreSQL only: SQLite serialises every writer, so there is no race to show there (its own
guarantee is the same CHECK constraint, tested in test_registration.py).
"""

import multiprocessing

import pytest
from django.db import connection, connections

from qihang.events import services
from qihang.events.models import Event, Registration, RegistrationStatus
from tests.events.conftest import actor_for, event_data

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent processes need PostgreSQL"
    ),
    # serialized_rollback: the flush after it must not leave the next transactional test to
    # reload reference data on top of what post_migrate recreated.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CAPACITY = 5
GRADUATES = 16


def _register(graduate_id: int, event_id: int, barrier, results) -> None:
    """In a child process: its own connection (the parent closed its own before forking)."""
    from qihang.graduates.models import Graduate

    try:
        graduate = Graduate.objects.select_related("cohort", "user").get(pk=graduate_id)
        event = Event.objects.get(pk=event_id)
        barrier.wait(timeout=60)
        registration = services.registration_create(
            actor=actor_for(graduate), event=event, graduate=graduate
        )
        results.put((graduate_id, registration.status))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put((graduate_id, f"error: {exc!r}"))
    finally:
        connections.close_all()


def test_exactly_capacity_seats_under_concurrent_processes(centre, hall, school, make_graduates):
    event = services.event_create(actor=centre, data=event_data(capacity=CAPACITY), room=hall)
    graduates = make_graduates(school, GRADUATES)
    # Each child opens its own connection: none may inherit the parent's socket.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(GRADUATES)
    results = context.Queue()
    processes = [
        context.Process(target=_register, args=(g.pk, event.pk, barrier, results))
        for g in graduates
    ]
    for p in processes:
        p.start()
    outcomes = dict(results.get(timeout=120) for _ in processes)
    for p in processes:
        p.join(timeout=60)
    assert all(p.exitcode == 0 for p in processes)

    assert sorted(set(outcomes.values())) == [
        RegistrationStatus.SEATED,
        RegistrationStatus.WAITLISTED,
    ]
    seated = [g for g, status in outcomes.items() if status == RegistrationStatus.SEATED]
    assert len(seated) == CAPACITY
    event.refresh_from_db()
    assert event.seats_taken == CAPACITY
    rows = Registration.objects.filter(event=event)
    assert rows.filter(status=RegistrationStatus.SEATED).count() == CAPACITY
    assert rows.filter(status=RegistrationStatus.WAITLISTED).count() == GRADUATES - CAPACITY
