"""Migration 0008: records and periods from before the country was carried get it from their
division (CN; HK, MO, TW for theirs); without a division it stays unknown."""

import importlib

import pytest
from django.apps import apps

from qihang.destinations.models import (
    Destination,
    DestinationCode,
    DestinationPeriod,
    ReviewStatus,
)
from tests.graduates.test_views_list import make_destination
from tests.reports.conftest import at, period

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("qihang.destinations.migrations.0008_employer_country").backfill


def test_backfill_gives_domestic_rows_their_country(school):
    g0, g1, g2 = school.graduates
    d0 = make_destination(g0, "10", status=ReviewStatus.APPROVED)
    Destination.objects.filter(pk=d0.pk).update(
        employer_division="310104",
        official_values={"code": "10", "employer_division": "810000"},  # approved: 香港
    )
    d1 = make_destination(g1, "85")
    d2 = make_destination(g2, "10")
    Destination.objects.filter(pk=d2.pk).update(employer_division="820000")
    closed = period(g0, "10", at(2020, 3, 1, 9), at(2020, 5, 1, 9), division="810000")
    open_ = period(g0, "10", at(2020, 5, 1, 9), division="310104")
    abroad = period(g1, "85", at(2020, 5, 1, 9))
    DestinationPeriod.objects.update(employer_country="")  # as before the field existed
    Destination.objects.update(employer_country="")
    DestinationCode.objects.update(abroad=False)

    backfill(apps, None)

    def country(model, pk):
        return str(model.objects.get(pk=pk).employer_country)

    assert [country(Destination, d.pk) for d in (d0, d1, d2)] == ["CN", "", "MO"]
    assert Destination.objects.get(pk=d0.pk).official_values["employer_country"] == "HK"
    assert [country(DestinationPeriod, p.pk) for p in (closed, open_, abroad)] == ["HK", "CN", ""]
    assert list(DestinationCode.objects.filter(abroad=True).values_list("code", flat=True)) == [
        "85"
    ]
    assert DestinationCode.objects.get(code="85").required_fields == ["employer_country"]
