"""Migration 0007: periods written before the division was carried get what held while they
held — the record's division on the open periods, the province on the closed ones."""

import importlib

import pytest
from django.apps import apps

from qihang.destinations.models import Destination, DestinationPeriod, ReviewStatus
from tests.graduates.test_views_list import make_destination
from tests.reports.conftest import at, period

pytestmark = pytest.mark.django_db

backfill = importlib.import_module(
    "qihang.destinations.migrations.0007_destinationperiod_employer_division"
).backfill


def test_backfill_keeps_as_of_values(school):
    g0, g1, g2 = school.graduates
    d0 = make_destination(g0, "10", status=ReviewStatus.APPROVED)
    Destination.objects.filter(pk=d0.pk).update(
        employer_division="440305",
        employer_province="440000",
        official_values={"code": "10", "employer_division": "440106"},  # approved: 广州天河
    )
    # g0 was in 四川 until May, then in 广东 (officially 广州; the pending version says 深圳).
    closed = period(g0, "10", at(2020, 3, 1, 9), at(2020, 5, 1, 9), province="510000")
    official = period(g0, "10", at(2020, 5, 1, 9), province="440000")
    reported = period(g0, "10", at(2020, 6, 1, 9), kind="reported", province="440000")
    # g1's open period lies in another province than the record says now: left at its province.
    make_destination(g1, "10")
    Destination.objects.filter(graduate=g1).update(employer_division="310104")
    other = period(g1, "10", at(2020, 5, 1, 9), kind="reported", province="320000")
    nothing = period(g2, "70", at(2020, 5, 1, 9))
    DestinationPeriod.objects.update(employer_division="")  # as before the field existed

    backfill(apps, None)

    def division(p):
        return DestinationPeriod.objects.get(pk=p.pk).employer_division

    assert division(closed) == "510000"
    assert division(official) == "440106"
    assert division(reported) == "440305"
    assert division(other) == "320000"
    assert division(nothing) == ""
