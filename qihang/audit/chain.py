"""The audit log as one hash chain per institution (docs/audit.md).

Every entry carries its institution's next sequence number, the hash of the entry before it
(GENESIS for the first) and its own hash: SHA-256 over the canonical JSON of (institution,
seq, prev_hash, at, actor, action, target, summary, data). Appends lock the institution's
chain head row (select_for_update) in the writer's transaction, so two writers never take the
same sequence number or the same predecessor. `verify()` walks a chain and names the first
entry that does not fit.

This module is the only place that computes hashes: audit_record, the demo's bulk writer and
`qihang verify_audit` all go through `canonical_json` and `entry_hash`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from qihang.audit.kinds import AuditAction

GENESIS = "0" * 64
KINDS = frozenset(AuditAction.values)  # (AuditAction.values builds a list on every call)

# The audit clock: when set, what time an entry of a given kind is written with, given the
# real time (the demo replays service calls at the moments of its timeline; see `clock`).
# Unset, entries take now().
Rule = Callable[[str, dt.datetime], dt.datetime]
_clock: contextvars.ContextVar[Rule | None] = contextvars.ContextVar(
    "qihang_audit_clock", default=None
)
# Set while the project's `flush` empties a test database (SQLite flushes with DELETE FROM);
# read by the SQLite trigger's guard function. Nothing else deletes an entry.
_flushing: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "qihang_audit_flushing", default=False
)


def _normal(value: Any) -> Any:
    """JSON values as both databases give them back: integral floats as integers (PostgreSQL's
    jsonb prints 1e20 as an integer), tuples as lists; NaN and infinities refused."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("audit data may not hold NaN or infinity")
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"audit data keys must be strings, not {key!r}")
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    raise TypeError(f"audit data must be JSON values, not {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """The one canonical JSON form: sorted keys, no whitespace, UTF-8 text (not \\u escapes),
    integral floats as integers. Hashes are taken over its UTF-8 bytes."""
    return json.dumps(
        _normal(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def normal_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """`data` as it is stored and read back (what the hash covers)."""
    return json.loads(canonical_json(data or {}))


def stamp(at: dt.datetime) -> str:
    """An entry's time in the canonical JSON: UTC, microseconds, ISO 8601."""
    if timezone.is_naive(at):
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    institution_id: int,
    seq: int,
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str,
    summary: str,
    data: dict[str, Any],
) -> str:
    payload = {
        "institution": institution_id,
        "seq": seq,
        "prev_hash": prev_hash,
        "at": stamp(at),
        "actor": actor_id,
        "action": action,
        "target": {"type": target_type, "id": target_id},
        "summary": summary,
        "data": data,
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def hash_of(row: Any) -> str:
    """The hash an entry (a model instance or a dict of attnames) should carry."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return entry_hash(
        institution_id=get("institution_id"),
        seq=get("seq"),
        prev_hash=get("prev_hash"),
        at=get("at"),
        actor_id=get("actor_id"),
        action=get("action"),
        target_type=get("target_type"),
        target_id=get("target_id"),
        summary=get("summary"),
        data=get("data"),
    )


@contextlib.contextmanager
def clock(rule: dt.datetime | Rule) -> Iterator[None]:
    """Entries appended inside the block are dated by `rule`: a fixed time, or a function of
    (kind, real time) — see `dating`. For the demo, which tells a past season."""
    if isinstance(rule, dt.datetime):
        if timezone.is_naive(rule):
            raise ValueError("the audit clock takes timezone-aware datetimes")
        fixed = rule
        rule = lambda action, real: fixed  # noqa: E731
    token = _clock.set(rule)
    try:
        yield
    finally:
        _clock.reset(token)


def dating(
    at: dt.datetime,
    *,
    kinds: Sequence[str] = (),
    prefixes: Sequence[str] = (),
    later_only: bool = False,
) -> Rule:
    """A clock rule: entries of `kinds` (or kinds starting with one of `prefixes`) are dated
    `at` (with `later_only`, only those whose real time is after `at`); others keep real time."""

    def rule(action: str, real: dt.datetime) -> dt.datetime:
        if action in kinds or action.startswith(tuple(prefixes)):
            return at if not later_only or real > at else real
        return real

    return rule


def now(action: str = "") -> dt.datetime:
    """The time an entry of kind `action` is written with."""
    real = timezone.now()
    rule = _clock.get()
    return real if rule is None else rule(action, real)


def _lock_head(institution_id: int) -> Any:
    """The institution's chain head, locked until the writer's transaction ends."""
    from qihang.audit.models import AuditChainHead

    heads = AuditChainHead.objects.select_for_update()
    head = heads.filter(institution_id=institution_id).first()
    if head is None:
        # First entry: create the head; a concurrent creator makes this a no-op, and the
        # locking read below then waits for its transaction.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(institution_id=institution_id, seq=0, hash=GENESIS)],
            ignore_conflicts=True,
        )
        head = heads.get(institution_id=institution_id)
    return head


def seal(institution_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Give `rows` (dicts of AuditEvent attnames, in the order they happen) the next sequence
    numbers and hashes of the institution's chain and advance its head. Call in the
    transaction that inserts them (the head stays locked until it ends)."""
    from qihang.audit.models import AuditChainHead

    if not rows:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are sealed inside the transaction that writes them")
    head = _lock_head(institution_id)
    seq, prev = head.seq, head.hash
    for row in rows:
        if row.get("action") not in KINDS:
            raise ValueError(f"unknown audit action {row.get('action')!r}")
        seq += 1
        row["institution_id"] = institution_id
        row.setdefault("actor_id", None)
        row.setdefault("target_type", "")
        row.setdefault("target_id", "")
        row.setdefault("summary", "")
        row["data"] = normal_data(row.get("data"))
        if row.get("at") is None:
            row["at"] = now(row["action"])
        row["seq"], row["prev_hash"] = seq, prev
        row["hash"] = prev = hash_of(row)
    AuditChainHead.objects.filter(institution_id=institution_id).update(seq=seq, hash=prev)


# --- the test database flush ---------------------------------------------------------------------
@contextlib.contextmanager
def erasing_everything() -> Iterator[None]:
    """The test database flush (SQLite: DELETE FROM every table; PostgreSQL TRUNCATEs): the
    only DELETE the SQLite trigger lets through, and only the project's `flush` command asks
    for it, only on a test database (qihang/audit/management/commands/flush.py)."""
    token = _flushing.set(True)
    try:
        yield
    finally:
        _flushing.reset(token)


def sqlite_flushing() -> int:
    """The SQLite DELETE trigger's guard (registered on each connection as
    qihang_audit_flushing): 1 inside `erasing_everything`, else 0."""
    return 1 if _flushing.get() else 0


# --- verifying ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Break:
    """The first entry of a chain that does not fit, and how."""

    institution_id: int
    entry_id: int | None
    seq: int | None
    problem: str


def verify(institution_id: int, *, batch: int = 5000) -> tuple[int, Break | None]:
    """Walk one institution's chain in sequence order: (entries checked, first break or None).

    Edited entries no longer match their hash; a deleted one leaves a gap in the sequence (or,
    at the end, a head that points past the last entry); an inserted one repeats a sequence
    number or does not link to its predecessor; reordered ones link to the wrong predecessor
    (their seq and prev_hash no longer agree with their neighbours')."""
    from qihang.audit.models import AuditChainHead, AuditEvent

    entries = AuditEvent.objects.filter(institution_id=institution_id).order_by("seq", "id")
    expected_seq, prev, count = 1, GENESIS, 0
    for row in entries.iterator(chunk_size=batch):

        def broken(problem: str, row: Any = row, count: int = count) -> tuple[int, Break]:
            return count, Break(
                institution_id, row.pk, row.seq, f"entry {row.pk} (seq {row.seq}) {problem}"
            )

        if row.seq < expected_seq:
            return broken(f"repeats sequence number {row.seq}: an entry was inserted or copied")
        if row.seq > expected_seq:
            gap = (
                str(expected_seq)
                if row.seq == expected_seq + 1
                else f"{expected_seq}–{row.seq - 1}"
            )
            return broken(f"follows a gap: seq {gap} missing (entries deleted)")
        if row.prev_hash != prev:
            return broken(
                f"does not link to the entry before it (prev_hash {row.prev_hash[:12]}…, "
                f"expected {prev[:12]}…): entries were reordered, inserted or re-hashed"
            )
        actual = hash_of(row)
        if row.hash != actual:
            return broken(
                f"does not match its hash: its content was edited "
                f"(stored {row.hash[:12]}…, its content hashes to {actual[:12]}…)"
            )
        prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
    head = AuditChainHead.objects.filter(institution_id=institution_id).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (expected_seq - 1, prev):
        if head_seq > expected_seq - 1:
            problem = (
                f"the chain ends at seq {expected_seq - 1} but its head records seq {head_seq}: "
                f"entries after seq {expected_seq - 1} were deleted"
            )
        else:
            problem = (
                f"the chain head (seq {head_seq}, {head_hash[:12]}…) does not match the last "
                f"entry (seq {expected_seq - 1}, {prev[:12]}…)"
            )
        return count, Break(institution_id, None, head_seq, problem)
    return count, None
