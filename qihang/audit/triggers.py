"""Database triggers that keep audit entries append-only (docs/audit.md).

PostgreSQL: one row trigger refusing UPDATE and DELETE on audit_auditevent, except DELETE of
the entries of the one institution whose chain `chain.erasing` names in the transaction-local
setting qihang.audit_erase. SQLite: the same as two triggers that RAISE(ABORT); the DELETE one
asks qihang_audit_may_erase(), a function the application registers on its connections (in
any other client the function does not exist and the DELETE fails all the same).

TRUNCATE (the test database flush on PostgreSQL) fires no row trigger and stays allowed.
Installed by migration audit 0002 and again after every migrate (SQLite drops a table's
triggers when a migration rebuilds the table).
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION qihang_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('qihang.audit_erase', true) = OLD.institution_id::text THEN
            RETURN OLD;
        END IF;
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

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
    WHEN qihang_audit_may_erase(OLD.institution_id) = 0
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]


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
