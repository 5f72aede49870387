"""The benchmark entry point: any size, a constant number of queries; `--scale … --reset`
rebuilds the database (the demo schools go too)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qihang.accounts.models import User
from qihang.demo import generator
from qihang.demo.generator import check_only_demo, generate_institution, load_demo
from qihang.destinations.models import Destination
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution, Membership

pytestmark = pytest.mark.django_db


def queries_for(code: str, graduates: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        generate_institution(code, f"测试学校{code}", graduates_per_cohort=graduates)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_graduates(monkeypatch):
    # One batch each: the queries are per batch (a few inserts), never per graduate.
    monkeypatch.setattr(generator, "BATCH", 1000)
    small = queries_for("91801", 40)
    large = queries_for("91802", 400)
    assert small == large
    assert Graduate.objects.filter(institution__code="91802").count() == 800


def test_generate_makes_accounts_and_staff(db):
    before_users = User.objects.count()
    institution = generate_institution(
        "91803", "规模测试学校03", graduates_per_cohort=150, cohorts=(2020,)
    )
    assert Graduate.objects.filter(institution=institution).count() == 150
    assert Destination.objects.filter(institution=institution).exists()
    assert User.objects.count() > before_users + 150  # graduates' accounts and the staff
    # Student numbers are unique and the staff can act for the whole institution.
    numbers = Graduate.objects.filter(institution=institution).values_list("student_no", flat=True)
    assert len(set(numbers)) == 150
    assert Membership.objects.filter(
        institution=institution, user__email="centre@i91803.example"
    ).exists()

    check_only_demo()  # all of it counts as demo data (`--reset` may rebuild)


def test_without_destinations_or_accounts(db):
    institution = generate_institution(
        "91804",
        "测试学校",
        graduates_per_cohort=50,
        cohorts=(2020,),
        with_destinations=False,
        with_accounts=False,
    )
    assert Graduate.objects.filter(institution=institution, user__isnull=True).count() == 50
    assert not Destination.objects.filter(institution=institution).exists()


def test_scale_command(db):
    call_command("demo", "--scale", "2", "30", stdout=None)
    assert Graduate.objects.filter(institution__code__in=["91001", "91002"]).count() == 120
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", "--scale", "2", "30")


# Real transactions: the rebuild's migrate cannot run inside the test's transaction on SQLite.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scale_reset_rebuilds_the_database_demo_schools_included():
    load_demo()
    call_command("demo", "--scale", "2", "20", stdout=None)
    out = StringIO()
    call_command("demo", "--scale", "1", "20", "--reset", stdout=out)
    assert "数据库已重建" in out.getvalue()
    assert list(Institution.objects.values_list("code", flat=True)) == ["91001"]
    assert Graduate.objects.count() == 40
    assert not User.objects.filter(email__iendswith="@dfcm.example").exists()
