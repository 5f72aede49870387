"""`qihang demo`: loads, refuses to load twice, reloads with --reset (same seed, same data),
and never touches an institution or account that is not the demo's.

`--reset` rebuilds the database (every table dropped, migrated afresh: the audit log has no
deletion path). On SQLite migrate cannot run inside the test's transaction, so the tests that
rebuild are transactional; each rebuild costs a migrate (~20 s), so there are few of them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qihang.accounts.models import User
from qihang.audit import chain
from qihang.audit.models import AuditEvent
from qihang.destinations.models import Destination, DestinationChange, DestinationPeriod
from qihang.graduates.models import Graduate, RosterPeriod
from qihang.institutions.models import Institution
from qihang.institutions.services import institution_create
from qihang.reports import summary

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    graduates = sorted(
        (g.institution.code, g.student_no, g.name, g.id_number.reveal_unlogged(), g.origin_division)
        for g in Graduate.objects.select_related("institution")
    )
    destinations = sorted(
        Destination.objects.values_list(
            "graduate__student_no",
            "code__code",
            "employer_name",
            "employer_credit_code",
            "status",
            "updated_at",
        )
    )
    return {
        "graduates": graduates,
        "destinations": destinations,
        "changes": DestinationChange.objects.count(),
        "periods": DestinationPeriod.objects.count(),
        "users": User.objects.count(),
        "institutions": Institution.objects.count(),
    }


# Real transactions: the rebuild's migrate cannot run inside the test's transaction on SQLite.
# serialized_rollback restores the reference data afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_refuse_reset_and_reload_the_same():
    output = run()
    assert "演示数据已加载" in output
    for text in ("centre@dfcm.example", "qihang-demo-2020", "平台管理员", "学号"):
        assert text in output
    first = snapshot()
    assert first["institutions"] == 2
    assert len(first["graduates"]) == 729 + 650 + 450 + 430

    again = run()
    assert "没有重复加载" in again and "qihang demo --reset" in again
    assert "centre@dfcm.example" in again  # the logins are printed again
    assert snapshot() == first

    run("--reset", "--seed", "7")
    other = snapshot()
    assert other["graduates"] != first["graduates"]
    assert len(other["graduates"]) == len(first["graduates"])
    # Nothing of the earlier load is left behind: the database was rebuilt.
    assert RosterPeriod.objects.count() == len(other["graduates"])
    assert summary.differences() == {"flows": 0, "totals": 0, "roster": 0}

    reloaded = run("--reset")
    assert "已删除演示数据" in reloaded and "数据库已重建" in reloaded
    assert snapshot() == first  # same seed: the same people, codes and timestamps, no duplicates
    # One chain per demo school, intact, from its first entry: no entry was ever deleted.
    for institution in Institution.objects.all():
        checked, broken = chain.verify(institution.pk)
        assert (
            broken is None and checked == AuditEvent.objects.filter(institution=institution).count()
        )


def test_an_earlier_day_has_less_and_nothing_later(db):
    run("--today", "2020-03-31")
    cutoff = dt.datetime(2020, 4, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert not DestinationChange.objects.filter(at__gte=cutoff).exists()
    early = Destination.objects.filter(cohort__year=2020).count()
    assert 0 < early < 300
    assert Destination.objects.filter(cohort__year=2019).count() > 1000


def test_refuses_to_touch_an_institution_that_is_not_the_demo(db):
    institution_create(code="90001", name="某某大学")
    with pytest.raises(CommandError, match="某某大学"):
        run()
    with pytest.raises(CommandError, match="不是演示数据"):
        run("--reset")
    assert Institution.objects.get(code="90001").name == "某某大学"
    assert not Graduate.objects.exists()


def test_reset_refuses_any_institution_that_is_not_the_demo_s(db):
    institution_create(code="10280", name="上海大学")
    with pytest.raises(CommandError, match="上海大学.*不是演示数据"):
        run("--reset")
    with pytest.raises(CommandError, match="上海大学"):
        call_command("demo", "--scale", "1", "20", "--reset", stdout=StringIO())
    assert Institution.objects.filter(code="10280").exists()


def test_reset_refuses_an_account_that_is_not_the_demo_s(db):
    User.objects.create_user(username="zhang.san@example.com", email="zhang.san@example.com")
    with pytest.raises(CommandError, match="zhang.san@example.com"):
        run("--reset")
    assert User.objects.filter(username="zhang.san@example.com").exists()


def test_bad_date_is_explained(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "15/07/2020")
