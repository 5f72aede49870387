"""Fast writes of many rows for the importers, below the ORM.

The ORM's bulk_create spends most of 100,000 rows preparing each field of each object; these
helpers take values already in database form (the importer encrypts sensitive fields itself)
and hand them to the driver in one go: COPY on PostgreSQL, executemany elsewhere. They run
inside the importer's transaction and bypass save() and signals, so they are only for tables
whose importer is the one writer of what it writes.

On PostgreSQL `copy_rows` streams: rows are sent while the caller still validates the next ones,
so the server builds its indexes on the second core meanwhile. With `background=True` the COPY
statements (one per batch) run in a thread of their own with the foreign keys checked as each
batch ends, so that work too overlaps the caller's instead of piling up at COMMIT. The caller's
transaction keeps the all-or-nothing rule: a failed import rolls the streamed rows back.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connections, models

RowWriter = Callable[[Sequence[Any]], None]


def _is_postgresql(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    qn = connections["default"].ops.quote_name
    return [qn(model._meta.get_field(name).column) for name in fields]


def _table(model: type[models.Model]) -> str:
    return connections["default"].ops.quote_name(model._meta.db_table)


@contextlib.contextmanager
def copy_rows(
    model: type[models.Model],
    fields: Sequence[str],
    *,
    using: str = "default",
    background: bool = False,
    batch_size: int = 10_000,
) -> Iterator[RowWriter]:
    """`with copy_rows(Model, fields) as write: write(values)` inserts one row per call.

    Values must be in database form (what the field's get_db_prep_value would give). Nothing
    else may use the connection until the block ends. `background` (PostgreSQL, inside a
    transaction): COPY each `batch_size` rows from a thread; see the module docstring.
    """
    connection = connections[using]
    table, columns = _table(model), ", ".join(_columns(model, fields))
    statement = f"COPY {table} ({columns}) FROM STDIN"
    if _is_postgresql(using) and background and connection.in_atomic_block:
        with connection.cursor() as cursor:
            # Check foreign keys as each batch ends (in the thread), not all at COMMIT.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            writer = _BackgroundCopy(connection, cursor, statement, batch_size)
            try:
                yield writer.write
            except BaseException:
                writer.close(abort=True)
                raise
            writer.close()
            # Back to Django's declared mode for whatever the transaction does next.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    if _is_postgresql(using):
        with connection.cursor() as cursor, connection.wrap_database_errors:
            with cursor.copy(statement) as copy:
                yield copy.write_row
        return
    # Other databases run in-process: collect, then one executemany (one statement to log).
    buffer: list[Sequence[Any]] = []
    yield buffer.append
    if buffer:
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - identifiers quoted, values bound
                buffer,
            )


class _BackgroundCopy:
    """Batches of rows, each sent by a writer thread as one COPY on the caller's connection.

    The caller does not touch the connection meanwhile, so the thread has it to itself; psycopg
    waits for the server without holding the GIL, so the caller's checks run on while the
    server inserts, indexes and checks the previous batch.
    """

    def __init__(self, connection: Any, cursor: Any, statement: str, batch_size: int) -> None:
        self.connection = connection
        self.cursor = cursor
        self.statement = statement
        self.batch_size = batch_size
        self.batch: list[Sequence[Any]] = []
        self.batches: queue.Queue[list[Sequence[Any]] | None] = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-rows", daemon=True)
        self.thread.start()

    def write(self, row: Sequence[Any]) -> None:
        self.batch.append(row)
        if len(self.batch) >= self.batch_size:
            if self.error is not None:
                raise self.error
            self.batches.put(self.batch)
            self.batch = []

    def close(self, *, abort: bool = False) -> None:
        if self.batch and not abort:
            self.batches.put(self.batch)
        self.batch = []
        self.batches.put(None)
        self.thread.join()
        if self.error is not None and not abort:
            raise self.error

    def _run(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is not None:
                continue  # drain the queue: the caller learns of the error and stops
            try:
                with self.connection.wrap_database_errors:
                    with self.cursor.copy(self.statement) as copy:
                        for row in batch:
                            copy.write_row(row)
            except BaseException as exc:  # handed to the caller's thread
                self.error = exc


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> None:
    """Insert already-prepared rows (see copy_rows)."""
    with copy_rows(model, fields, using=using) as write:
        for row in rows:
            write(row)


def update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = "default",
) -> None:
    """Update rows by primary key: each row is (pk, *values for fields), in database form."""
    if not rows:
        return
    connection = connections[using]
    qn = connection.ops.quote_name
    table = _table(model)
    pk = qn(model._meta.pk.column)
    columns = _columns(model, fields)
    if _is_postgresql(using):
        # COPY into a temporary table, then one UPDATE … FROM: far fewer round trips than
        # executemany, and the planner joins on the primary key.
        temp = qn(f"qh_update_{model._meta.db_table}")
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608 - identifiers quoted
                f"SELECT {pk}, {', '.join(columns)} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY {temp} ({pk}, {', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{c} = u.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {temp} AS u WHERE t.{pk} = u.{pk}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {temp}")
        return
    assignments = ", ".join(f"{c} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
            [(*row[1:], row[0]) for row in rows],
        )


def delete_where_in(
    model: type[models.Model],
    field: str,
    values: Sequence[Any],
    *,
    using: str = "default",
) -> None:
    """DELETE the rows whose `field` is one of `values` (any number of them, one statement)."""
    if not values:
        return
    connection = connections[using]
    table = _table(model)
    column = _columns(model, [field])[0]
    with connection.cursor() as cursor:
        if _is_postgresql(using):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [list(values)])  # noqa: S608
        else:
            cursor.executemany(
                f"DELETE FROM {table} WHERE {column} = %s",  # noqa: S608
                [(v,) for v in values],
            )
