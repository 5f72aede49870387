"""`qihang bench_audit [--entries N]`: what the hash chain costs per audit entry.

In a scratch database (qihang.lib.scratch, dropped at the end; `--in-place` for the tests), in
an institution of its own (code B0AUD), times:
- one entry per transaction, as services write them: `audit_record` (lock the chain head,
  hash, insert, advance the head) against a plain INSERT of the same row without the chain;
- N entries in one transaction, as the demo generator writes them: sealing (canonical JSON
  and SHA-256 for each) plus one bulk insert, against the bulk insert alone;
- `verify_audit`'s walk over the chain.
Prints entries/s for each. docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from qihang.audit import chain
from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent
from qihang.audit.services import audit_record
from qihang.demo.replay import AuditRows, Rows
from qihang.institutions.models import Institution
from qihang.lib.scratch import add_in_place_argument, benchmark_database

CODE = "B0AUD"


def _payload(i: int) -> dict[str, Any]:
    # About what a destination approval writes: a summary line and a few ids.
    return {
        "action": AuditAction.DESTINATION_APPROVE.value,
        "summary": f"2016{i:06d} 10 签就业协议形式就业",
        "data": {"destinations": [[100000 + i, 3]], "note": "审批通过"},
    }


class Command(BaseCommand):
    help = "Time the audit hash chain: entries/s per transaction and in bulk, with and without it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, default=2000)
        add_in_place_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["entries"]
        with benchmark_database(self, "audit", in_place=options["in_place"]):
            if Institution.objects.filter(code=CODE).exists():
                raise CommandError(
                    f"学校代码 {CODE} 已存在：请不加 --in-place，在临时数据库中运行。"
                )
            institution = Institution.objects.create(code=CODE, name="审计链基准测试（临时）")
            self._run(institution.pk, n)

    def _rate(self, label: str, count: int, seconds: float) -> float:
        rate = count / seconds if seconds else float("inf")
        self.stdout.write(f"{label:<48} {count:>7} entries  {seconds:7.2f} s  {rate:>9,.0f}/s")
        return rate

    def _run(self, institution_id: int, n: int) -> None:
        self.stdout.write(f"bench_audit on {connection.vendor}, {n} entries per run")
        started = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                audit_record(institution_id=institution_id, actor_id=None, **_payload(i))
        chained = self._rate("audit_record, one transaction each", n, time.perf_counter() - started)

        started = time.perf_counter()
        base = 10**9  # sequence numbers far from the chain's, never verified
        for i in range(n):
            with transaction.atomic():
                plain = Rows(AuditEvent)
                plain.add(**_payload(i), at=timezone.now(), seq=base + i, prev_hash="", hash="")
                plain.flush(institution_id=institution_id)
        bare = self._rate("plain INSERT, one transaction each", n, time.perf_counter() - started)
        self.stdout.write(f"  the chain costs {1 / chained - 1 / bare:.6f} s per entry")

        at = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
        started = time.perf_counter()
        with transaction.atomic():
            rows = AuditRows()
            for i in range(n):
                rows.add(**_payload(i), at=at)
            rows.flush(institution_id=institution_id)
        self._rate("bulk: seal + insert, one transaction", n, time.perf_counter() - started)

        started = time.perf_counter()
        with transaction.atomic():
            plain = Rows(AuditEvent)
            for i in range(n):
                plain.add(**_payload(i), at=at, seq=2 * base + i, prev_hash="", hash="")
            plain.flush(institution_id=institution_id)
        self._rate("bulk: insert alone, one transaction", n, time.perf_counter() - started)

        # The walk stops at the first unchained row (seq 10**9): it re-hashes the chained ones.
        started = time.perf_counter()
        checked, _broken = chain.verify(institution_id)
        self._rate("verify (walk and re-hash)", checked, time.perf_counter() - started)
