# ruff: noqa: S608 - raw SQL is what the attacker in these tests writes
"""The audit log is append-only and hash-chained per institution (docs/audit.md): entries keep
their whole payload, the model and the database refuse changes, and `qihang verify_audit`
names the first entry an attacker with raw SQL (triggers dropped) edited, deleted, inserted or
reordered. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from qihang.audit import chain, triggers
from qihang.audit.kinds import AuditAction
from qihang.audit.models import AppendOnly, AuditChainHead, AuditEvent
from qihang.audit.services import audit_record
from tests.audit import rawsql

pytestmark = pytest.mark.django_db


def append(school, n: int, **extra) -> list[AuditEvent]:
    return [
        audit_record(
            institution_id=school.institution.pk,
            actor_id=school.centre.pk,
            action=AuditAction.JOB_CREATE,
            summary=f"entry {i}",
            data={"i": i, **extra},
        )
        for i in range(n)
    ]


def verify(*args: str) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_entries_form_a_chain_per_institution(school, other_school):
    mine = append(school, 3)
    theirs = append(other_school, 2)
    rows = list(AuditEvent.objects.filter(institution=school.institution).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == chain.GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    assert mine[-1].hash == AuditChainHead.objects.get(institution=school.institution).hash
    assert theirs[0].prev_hash != mine[-1].hash  # separate chains
    ok, out = verify()
    assert ok, out
    assert "90001" in out and "intact" in out


def test_entries_keep_their_whole_payload_as_canonical_json(school):
    long = "长" * 2000
    data = {"b": [1, 2.5, "三"], "a": {"z": None, "y": True}, "big": 1e20, "one": 1.0}
    row = audit_record(
        institution_id=school.institution.pk,
        actor_id=None,
        action=AuditAction.JOB_CREATE,
        summary=long,
        data=data,
    )
    stored = AuditEvent.objects.get(pk=row.pk)
    assert stored.summary == long
    assert stored.data == {**data, "big": 10**20, "one": 1}
    assert chain.hash_of(stored) == stored.hash
    assert chain.canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    with pytest.raises(ValueError, match="NaN"):
        chain.canonical_json({"x": float("nan")})


def test_the_model_refuses_changes_and_deletions(school):
    row = append(school, 1)[0]
    row.summary = "rewritten"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=row.pk).update(summary="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_update([row], ["summary"])
    assert AuditEvent.objects.get(pk=row.pk).summary == "entry 0"


def test_an_institution_with_a_log_is_not_deleted_silently(school):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        school.institution.delete()


@pytest.mark.parametrize("statement", ["UPDATE {t} SET summary = 'x'", "DELETE FROM {t}"])
def test_the_database_refuses_raw_updates_and_deletes(school, statement):
    append(school, 2)
    assert triggers.installed(connection)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rawsql.execute(statement.format(t=rawsql.TABLE))
    assert AuditEvent.objects.filter(institution=school.institution, summary="x").count() == 0


@pytest.mark.parametrize("which", ["school", "other_school"])
def test_no_institution_s_entries_may_be_deleted(school, other_school, which):
    """No exception for any institution, a demo's or a benchmark's included: the triggers
    refuse a raw DELETE of any entry (docs/audit.md)."""
    append(school, 2)
    append(other_school, 2)
    victim = {"school": school, "other_school": other_school}[which].institution
    assert triggers.installed(connection)
    before = AuditEvent.objects.filter(institution=victim).count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rawsql.execute(f"DELETE FROM {rawsql.TABLE} WHERE institution_id = %s", [victim.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rawsql.execute(
            f"UPDATE {rawsql.TABLE} SET summary = 'x' WHERE institution_id = %s", [victim.pk]
        )
    assert AuditEvent.objects.filter(institution=victim).count() == before
    assert not hasattr(chain, "erase") and not hasattr(chain, "erasing")
    ok, out = verify()
    assert ok, out


def test_flush_refuses_a_database_that_is_not_a_test_database(school, monkeypatch):
    append(school, 1)
    monkeypatch.setitem(connection.settings_dict, "NAME", "qihang")
    with pytest.raises(CommandError, match="只能追加"):
        call_command("flush", interactive=False, verbosity=0)
    monkeypatch.undo()
    assert AuditEvent.objects.filter(institution=school.institution).exists()


def test_a_test_database_is_recognised():
    from qihang.audit.management.commands.flush import is_test_database

    assert is_test_database("postgresql", "test_qihang_gw0")
    assert is_test_database("sqlite", "file:memorydb_default?mode=memory&cache=shared")
    assert is_test_database("sqlite", ":memory:")
    assert is_test_database("sqlite", "/tmp/x/test_qihang.sqlite3")
    assert not is_test_database("postgresql", "qihang")
    assert not is_test_database("sqlite", "/var/lib/qihang/qihang.sqlite3")


def test_bench_audit_prints_the_rates():
    out = StringIO()
    call_command("bench_audit", entries=20, in_place=True, stdout=out)
    text = out.getvalue()
    for line in ("audit_record, one transaction each", "bulk: seal + insert", "verify"):
        assert line in text
    assert "临时数据库" not in text  # in place


# --- tampering ------------------------------------------------------------------------------------
@pytest.fixture
def tampered(school):
    """Five entries of the school's own, then the attacker drops the triggers."""
    append(school, 5)
    ok, out = verify()
    assert ok, out
    rawsql.drop_triggers()
    rows = list(AuditEvent.objects.filter(institution=school.institution).order_by("seq"))
    return rows


def entry(row: AuditEvent) -> str:
    return f"entry {row.pk} (seq {row.seq})"


def test_an_edited_entry_is_named(tampered):
    victim = tampered[-3]
    rawsql.execute(
        f"UPDATE {rawsql.TABLE} SET summary = 'nothing happened' WHERE id = %s", [victim.pk]
    )
    ok, out = verify("--institution", "90001")
    assert not ok
    assert entry(victim) in out and "does not match its hash" in out


def test_an_edited_and_rehashed_entry_breaks_the_next_link(tampered):
    victim, after = tampered[-3], tampered[-2]
    victim.summary, victim.actor_id = "nothing happened", None
    rawsql.execute(
        f"UPDATE {rawsql.TABLE} SET summary = %s, actor_id = NULL, hash = %s WHERE id = %s",
        [victim.summary, chain.hash_of(victim), victim.pk],
    )
    ok, out = verify()
    assert not ok
    assert entry(after) in out and "does not link" in out


def test_an_edited_time_is_named(tampered):
    victim = tampered[-2]
    rawsql.execute(
        f"UPDATE {rawsql.TABLE} SET at = %s WHERE id = %s",
        [rawsql._db_at(victim.at - dt.timedelta(days=30)), victim.pk],
    )
    ok, out = verify()
    assert not ok and entry(victim) in out


def test_a_deleted_entry_is_named(tampered):
    victim, after = tampered[-3], tampered[-2]
    rawsql.execute(f"DELETE FROM {rawsql.TABLE} WHERE id = %s", [victim.pk])
    ok, out = verify()
    assert not ok
    assert entry(after) in out and f"seq {victim.seq} missing" in out


def test_a_deleted_last_entry_is_named(tampered):
    last = tampered[-1]
    rawsql.execute(f"DELETE FROM {rawsql.TABLE} WHERE id = %s", [last.pk])
    ok, out = verify()
    assert not ok
    assert f"entries after seq {last.seq - 1} were deleted" in out


def test_an_inserted_entry_is_named(tampered, school):
    """The attacker makes room at seq k and inserts a correctly hashed entry linking to k-1."""
    k = tampered[-3].seq
    rawsql.execute(
        f"UPDATE {rawsql.TABLE} SET seq = seq + 1000000 WHERE seq >= %s AND institution_id = %s",
        [k, school.institution.pk],
    )
    rawsql.execute(
        f"UPDATE {rawsql.TABLE} SET seq = seq - 999999 WHERE seq >= 1000000 AND institution_id = %s",
        [school.institution.pk],
    )
    forged = {
        "institution_id": school.institution.pk,
        "actor_id": school.centre.pk,
        "action": "destination.approve",
        "target_type": "",
        "target_id": "",
        "summary": "forged",
        "data": {},
        "at": tampered[-3].at,
        "seq": k,
        "prev_hash": tampered[-4].hash,
    }
    forged["hash"] = chain.hash_of(forged)
    rawsql.insert(**forged)
    ok, out = verify()
    assert not ok
    shifted = tampered[-3]
    assert f"entry {shifted.pk} (seq {k + 1})" in out and "does not link" in out


def test_an_appended_entry_is_named(tampered, school):
    last = tampered[-1]
    forged = {
        "institution_id": school.institution.pk,
        "action": "job.create",
        "summary": "forged",
        "at": last.at,
        "seq": last.seq + 1,
        "prev_hash": last.hash,
        "actor_id": None,
        "target_type": "",
        "target_id": "",
        "data": {},
    }
    forged["hash"] = chain.hash_of(forged)
    rawsql.insert(**forged)
    ok, out = verify()
    assert not ok and "chain head" in out


def test_reordered_entries_are_named(tampered, school):
    a, b = tampered[-3], tampered[-2]
    for pk, seq in ((a.pk, 10**9), (b.pk, a.seq), (a.pk, b.seq)):
        rawsql.execute(f"UPDATE {rawsql.TABLE} SET seq = %s WHERE id = %s", [seq, pk])
    ok, out = verify()
    assert not ok
    assert f"entry {b.pk} (seq {a.seq})" in out and "does not link" in out


def test_verify_audit_checks_one_institution_on_request(tampered, other_school):
    append(other_school, 1)
    rawsql.execute(f"UPDATE {rawsql.TABLE} SET summary = 'x' WHERE id = %s", [tampered[0].pk])
    assert verify("--institution", "90002")[0]
    assert not verify("--institution", "90001")[0]
    ok, out = verify("--institution", "99999")
    assert not ok and "no institution" in out


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_fork_the_chain(school):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on its own")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(20):
                with transaction.atomic():
                    audit_record(
                        institution_id=school.institution.pk,
                        actor_id=None,
                        action=AuditAction.JOB_CREATE,
                        summary=f"writer {n} entry {i}",
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = list(AuditEvent.objects.filter(institution=school.institution).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert sum(r.summary.startswith("writer") for r in rows) == 40
    assert chain.verify(school.institution.pk)[1] is None
