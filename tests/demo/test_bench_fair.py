"""`qihang bench_fair` drives the production server with locust and checks the seats against
the database (tiny sizes: a few graduates for a few seats; the figures themselves are not
asserted beyond what makes the run correct).

PostgreSQL only, like the command: SQLite serialises every writer, so there is no race there.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from qihang.events.models import Registration
from qihang.graduates.models import Graduate

KEYS = {
    "users", "capacity", "seats_taken", "waitlisted", "requests", "errors",
    "p50_ms", "p95_ms", "p99_ms", "throughput_rps",
}  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the command needs PostgreSQL")
# The server in its own process reads what the command wrote: real transactions.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_fair_fills_exactly_the_seats(tmp_path):
    out = StringIO()
    path = tmp_path / "fair.json"
    call_command(
        "bench_fair",
        users=12,
        seats=5,
        spawn_rate=12,
        workers=2,
        json=str(path),
        in_place=True,
        stdout=out,
    )
    figures = json.loads(path.read_text())
    assert KEYS <= figures.keys()
    assert figures["users"] == 12 and figures["capacity"] == 5
    assert figures["seats_taken"] == 5 and figures["waitlisted"] == 7
    assert figures["errors"] == 0
    assert figures["requests"] == 12 * 5  # five steps a graduate
    assert figures["answered"] == {"seated": 5, "waitlisted": 7}
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert "名额 5，已报名 5（记录 5），候补 7" in out.getvalue()
    # In place: the test's database holds them until its flush.
    assert Registration.objects.count() == 12 and Graduate.objects.count() == 12


def test_bench_fair_refuses_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is SQLite's")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_fair", users=2, seats=1)
