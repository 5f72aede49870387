"""Databases made and unmade whole: a scratch database for a benchmark, and the demo's rebuild.

The audit log is append-only (docs/audit.md): no code path deletes an entry, so data that
wrote entries cannot be removed row by row afterwards. What is temporary therefore lives in a
database of its own that goes as a whole:

- `scratch_database(label)`: a new, migrated database the default connection points at for
  the duration of the block, dropped afterwards (the benchmarks; docs/benchmarks.md);
- `rebuild_database()`: every table of the current database dropped and migrated afresh
  (`qihang demo --reset`, once it has checked that the database holds nothing but the demo).
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

PG_NAME_MAX = 63  # PostgreSQL truncates identifiers longer than this


@dataclass
class Scratch:
    """The scratch database of a `scratch_database` block."""

    vendor: str
    name: str  # the database's name (PostgreSQL) or file (SQLite)
    seconds: float = 0.0  # creating and migrating it
    kept: bool = False

    def report(self) -> str:
        """The line a benchmark prints about it (after the block)."""
        made = f"创建并迁移用时 {self.seconds:.1f} s，不计入以上结果"
        if self.kept:
            return f"基准测试在临时数据库 {self.name} 中运行（{made}）；按 --keep 保留了该数据库。"
        return f"基准测试在临时数据库 {self.name} 中运行（{made}），结束后已删除该数据库。"


def _migrate(alias: str) -> None:
    # The reference data (code sets, key group kinds, regions) comes with the data migrations.
    call_command("migrate", database=alias, interactive=False, verbosity=0, stdout=io.StringIO())


def _pg_name(current: str, label: str) -> str:
    suffix = f"_scratch_{label}_{secrets.token_hex(3)}"
    return (current[: PG_NAME_MAX - len(suffix)] + suffix)[:PG_NAME_MAX]


@contextlib.contextmanager
def scratch_database(
    label: str, *, keep: bool = False, alias: str = DEFAULT_DB_ALIAS
) -> Iterator[Scratch]:
    """Run the block against a new, migrated database, dropped afterwards (also on error).

    The connection `alias` is closed and, for the block, replaced by one to the new database
    (PostgreSQL: `CREATE DATABASE <current name>_scratch_<label>_<random>`; SQLite: a file in a
    temporary directory); everything that uses `django.db.connection` works on it. Afterwards
    that connection is closed, the original one put back and the scratch database dropped
    (`DROP DATABASE … WITH (FORCE)`: a server the block started may still hold a connection),
    unless `keep`. Cannot run inside a transaction (a test's included: pass the benchmarks
    `--in-place` there)."""
    original = connections[alias]
    if original.in_atomic_block:
        raise RuntimeError("a scratch database cannot be made inside a transaction")
    vendor = original.vendor
    started = time.perf_counter()
    settings_dict = copy.deepcopy(original.settings_dict)
    directory: Path | None = None
    if vendor == "postgresql":
        name = _pg_name(str(original.settings_dict["NAME"]), label)
        quoted = original.ops.quote_name(name)
        with original._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted}")
    elif vendor == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix=f"qihang-scratch-{label}-"))
        name = str(directory / "scratch.sqlite3")
    else:
        raise RuntimeError(f"no scratch databases on {vendor}")
    settings_dict["NAME"] = name
    settings_dict.setdefault("TEST", {})
    # (The SQLite test database lives in memory: closing it would lose it, and Django ignores
    # the request. The original connection is therefore set aside, not reconfigured.)
    original.close()
    scratch_connection = original.__class__(settings_dict, alias)
    connections[alias] = scratch_connection
    scratch = Scratch(vendor=vendor, name=name, kept=keep)
    try:
        _migrate(alias)
        scratch.seconds = time.perf_counter() - started
        yield scratch
    finally:
        connections[alias].close()
        connections[alias] = original
        if not keep:
            if vendor == "postgresql":
                with original._nodb_cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            elif directory is not None:
                shutil.rmtree(directory, ignore_errors=True)


def scratch_exists(scratch: Scratch, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a scratch database is still there (tests)."""
    if scratch.vendor == "sqlite":
        return os.path.exists(scratch.name)
    with connections[alias]._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch.name])
        return cursor.fetchone() is not None


# --- the benchmarks' option -----------------------------------------------------------------------
IN_PLACE_HELP = (
    "run in the current database and leave its data there: for the test suite, whose "
    "database is rolled back or flushed after each test"
)


def add_in_place_argument(parser: CommandParser) -> None:
    parser.add_argument("--in-place", action="store_true", help=IN_PLACE_HELP)


@contextlib.contextmanager
def benchmark_database(
    command: BaseCommand, label: str, *, in_place: bool, keep: bool = False
) -> Iterator[Scratch | None]:
    """A benchmark's database: a scratch one (`scratch_database`), reported in one line after
    the block, or with `in_place` the current one. The last scratch database is remembered on
    the command (`command.scratch`) for the tests."""
    if in_place:
        yield None
        return
    with scratch_database(label, keep=keep) as scratch:
        command.scratch = scratch  # type: ignore[attr-defined]
        yield scratch
    command.stdout.write(scratch.report())


# --- rebuilding the current database --------------------------------------------------------------
def rebuild_database(alias: str = DEFAULT_DB_ALIAS) -> float:
    """Drop every table of the database and migrate it afresh; returns the seconds it took.

    Why not delete rows: the audit log has no deletion path (docs/audit.md) — its triggers
    refuse every DELETE of an entry, so data that wrote entries (the demo) can only go with the
    whole database. The caller checks first that nothing in it is worth keeping
    (`qihang demo --reset`: only the demo's institutions and accounts).

    PostgreSQL: `DROP SCHEMA public CASCADE; CREATE SCHEMA public` (tables, functions, triggers
    and the extensions the migrations created; needs the schema's owner). SQLite: every table,
    the FTS5 virtual tables first (their shadow tables go with them), with foreign keys off.
    """
    connection = connections[alias]
    if connection.in_atomic_block:
        raise RuntimeError("the database cannot be rebuilt inside a transaction")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            try:
                for kind in ("virtual", "view", "table"):
                    for name in _sqlite_objects(cursor, kind):
                        drop = "VIEW" if kind == "view" else "TABLE"
                        cursor.execute(f"DROP {drop} IF EXISTS {connection.ops.quote_name(name)}")
            finally:
                cursor.execute("PRAGMA foreign_keys = ON")
        else:
            raise RuntimeError(f"cannot rebuild a {connection.vendor} database")
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # the ids are new
    _migrate(alias)
    ContentType.objects.clear_cache()
    return time.perf_counter() - started


def _sqlite_objects(cursor: Any, kind: str) -> list[str]:
    if kind == "virtual":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
    elif kind == "view":
        sql = "SELECT name FROM sqlite_master WHERE type = 'view'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    cursor.execute(sql)
    return [row[0] for row in cursor.fetchall()]
