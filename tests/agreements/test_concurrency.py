"""Two acceptances at once on PostgreSQL: the graduate accepts two offers in two requests at
the same moment; the partial unique index (one active agreement per graduate) lets exactly one
through. Threads, each with its own connection and transaction, as two requests would be."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from qihang.agreements.models import Agreement, AgreementStatus
from tests.agreements.helpers import agreement_world, offer, staff


def _accept(user_id: int, institution_id: int, agreement_id: int, barrier, results) -> None:
    from django.core.exceptions import ValidationError

    from qihang.accounts.models import User
    from qihang.agreements import services
    from qihang.institutions.scoping import build_actor

    try:
        actor = build_actor(User.objects.get(pk=user_id), institution_id)
        agreement = Agreement.objects.select_related("graduate").get(pk=agreement_id)
        barrier.wait(timeout=30)
        services.agreement_act(actor=actor, agreement=agreement, action="accept")
    except ValidationError as exc:
        results.append(("refused", exc.messages[0]))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails
        results.append(("error", repr(exc)))
    else:
        results.append(("accepted", agreement_id))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_acceptances_cannot_both_succeed(school, media_root):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL (SQLite serialises writers)")
    world = agreement_world(school, serial=7301)
    first, second = offer(world), offer(world)
    graduate = staff(school)["graduate"]
    barrier = threading.Barrier(2)
    results: list[tuple[str, object]] = []
    threads = [
        threading.Thread(
            target=_accept,
            args=(graduate.user_id, school.institution.pk, a.pk, barrier, results),
        )
        for a in (first, second)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["accepted", "refused"], results
    refused = next(value for kind, value in results if kind == "refused")
    assert "生效中" in refused or "他人处理" in refused
    statuses = sorted(
        Agreement.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == [AgreementStatus.ACCEPTED, AgreementStatus.OFFERED]
