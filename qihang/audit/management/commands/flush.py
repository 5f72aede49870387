"""Django's `flush`, for test databases only, with the audit log's SQLite trigger letting the
emptying through.

Flushing removes every row of every table (the test runner does it after each transactional
test). PostgreSQL flushes with TRUNCATE, which fires no row trigger; SQLite flushes with
DELETE FROM, which the append-only trigger would refuse (qihang.audit.triggers). The audit log
is append-only (docs/audit.md): outside a test database the command refuses — a database to
start again from is dropped and created anew (`qihang demo --reset` rebuilds it).
"""

import os
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from qihang.audit import chain


def is_test_database(vendor: str, name: str) -> bool:
    """A database the test runner made: its name starts with "test_" (Django's prefix), or
    an SQLite database in memory."""
    name = str(name or "")
    if vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        return True
    return os.path.basename(name).startswith("test_")


class Command(flush.Command):
    help = "清空测试数据库（仅限测试数据库：操作记录只能追加，不能删除）。"

    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        name = connection.settings_dict.get("NAME") or ""
        if not is_test_database(connection.vendor, name):
            raise CommandError(
                f"拒绝清空数据库 {name}：操作记录只能追加，不能删除。"
                "如需从头开始，请删除并重新创建数据库（演示数据：qihang demo --reset）。"
            )
        with chain.erasing_everything():
            super().handle(**options)
