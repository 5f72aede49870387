"""Django's `flush`, with the audit log's SQLite trigger letting the emptying through.

Flushing removes every row of every table (the test runner does it after each transactional
test). PostgreSQL flushes with TRUNCATE, which fires no row trigger; SQLite flushes with
DELETE FROM, which the append-only trigger would refuse (qihang.audit.triggers). docs/audit.md.
"""

from typing import Any

from django.core.management.commands import flush

from qihang.audit import chain


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with chain.erasing_everything():
            super().handle(**options)
