"""Database triggers that keep audit entries append-only (docs/audit.md).

PostgreSQL: one row trigger refusing every UPDATE and DELETE on audit_auditevent, with no
exception. SQLite: the same as two triggers that RAISE(ABORT); the DELETE one lets through
only the test database flush (Django's flush there is DELETE FROM each table): it asks
qihang_audit_flushing(), a function the application registers on its connections, true only
inside `chain.erasing_everything()`, which only the project's `flush` command enters, and only
on a test database. In any other client the function does not exist and the DELETE fails.

TRUNCATE (the test database flush on PostgreSQL) fires no row trigger and stays allowed.
Installed by migrations audit 0002 and 0003 (which replaced the earlier definitions, which let
one institution's whole chain be erased) and again after every migrate (SQLite drops a table's
triggers when a migration rebuilds the table). `install` replaces what is there.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION qihang_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only: % of {TABLE} id % refused', TG_OP, OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION qihang_audit_append_only()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS qihang_audit_append_only()",
]

SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]
SQLITE_INSTALL = [
    *SQLITE_DROP,
    f"""
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
    WHEN qihang_audit_flushing() = 0
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END
    """,
]


def _statements(connection: Any, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_DROP
    if connection.vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_DROP
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, True):
            cursor.execute(sql)


def drop(connection: Any) -> None:
    """Remove the triggers (tests that tamper with the table as an attacker would)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, False):
            cursor.execute(sql)


def installed(connection: Any) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_append_only' "
                "AND tgrelid = %s::regclass AND tgenabled <> 'D'",
                [TABLE],
            )
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND name IN ('audit_no_update', 'audit_no_delete')",
                [TABLE],
            )
            return cursor.fetchone()[0] == 2
    return False
