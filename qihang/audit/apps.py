from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _register_sqlite_guard(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The function the SQLite DELETE trigger asks (qihang.audit.triggers)."""
    if connection.vendor == "sqlite":
        from qihang.audit import chain

        connection.connection.create_function("qihang_audit_flushing", 0, chain.sqlite_flushing)


def _reinstall_triggers(sender: Any, using: str, **kwargs: Any) -> None:
    from django.db import connections

    from qihang.audit import triggers

    connection = connections[using]
    if triggers.TABLE in connection.introspection.table_names():
        triggers.install(connection)


class AuditConfig(AppConfig):
    name = "qihang.audit"
    label = "audit"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_guard, dispatch_uid="qihang_audit_guard")
        post_migrate.connect(_reinstall_triggers, sender=self, dispatch_uid="qihang_audit_triggers")
