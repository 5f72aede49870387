"""What an attacker with database access does to the audit table: raw SQL, triggers dropped."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection

from qihang.audit import chain, triggers
from qihang.audit.models import AuditChainHead, AuditEvent

TABLE = AuditEvent._meta.db_table


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def drop_triggers() -> None:
    triggers.drop(connection)


def _db_at(at: dt.datetime) -> Any:
    if connection.vendor == "sqlite":
        return str(at.astimezone(dt.UTC).replace(tzinfo=None))
    return at


def insert(institution_id: int, **values: Any) -> int:
    """Insert an entry by raw SQL (no kind check, no chain unless the values carry one)."""
    row = {
        "institution_id": institution_id,
        "actor_id": None,
        "action": "job.create",
        "target_type": "",
        "target_id": "",
        "summary": "",
        "data": {},
        "at": dt.datetime(2020, 5, 1, 8, 0, tzinfo=dt.UTC),
        "seq": 1,
        "prev_hash": chain.GENESIS,
        "hash": "f" * 64,
    } | values
    columns = list(row)
    params = [
        json.dumps(v) if k == "data" else _db_at(v) if k == "at" else v for k, v in row.items()
    ]
    execute(
        f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
        params,
    )
    return AuditEvent.objects.get(
        institution_id=institution_id, seq=row["seq"], hash=row["hash"]
    ).pk


def append_chained(institution_id: int, **values: Any) -> int:
    """Append a correctly chained entry by raw SQL, bypassing the model (and its kind check):
    a row written before kinds were enumerated, as the migration chained it."""
    head = AuditChainHead.objects.get(institution_id=institution_id)
    row = {
        "institution_id": institution_id,
        "actor_id": None,
        "action": "job.create",
        "target_type": "",
        "target_id": "",
        "summary": "",
        "data": {},
        "at": dt.datetime(2020, 5, 1, 8, 0, tzinfo=dt.UTC),
        "seq": head.seq + 1,
        "prev_hash": head.hash,
    } | values
    row["hash"] = chain.hash_of(row)
    pk = insert(**row)
    AuditChainHead.objects.filter(pk=institution_id).update(seq=row["seq"], hash=row["hash"])
    return pk
