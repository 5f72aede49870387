"""`qihang demo`: loads, refuses to load twice, reloads with --reset (same seed, same data),
and never touches an institution that is not the demo's."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qihang.accounts.models import User
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


def test_load_refuse_reset_and_reload_the_same(db):
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

    reloaded = run("--reset")
    assert "已删除演示数据" in reloaded
    assert snapshot() == first  # same seed: the same people, codes and timestamps, no duplicates

    run("--reset", "--seed", "7")
    other = snapshot()
    assert other["graduates"] != first["graduates"]
    assert len(other["graduates"]) == len(first["graduates"])
    # Nothing of the deleted schools is left behind (a roster period would fail at commit).
    assert RosterPeriod.objects.count() == len(other["graduates"])
    assert summary.differences() == {"flows": 0, "totals": 0, "roster": 0}


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


def test_bad_date_is_explained(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "15/07/2020")
