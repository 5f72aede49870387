"""GET /api/v1/stats?by=region: the same grouping as the dashboard and `qihang stats`."""

import pytest
from django.test import Client

from tests.reports.conftest import T_DATE
from tests.reports.test_regions import REGIONS, regions_world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_api_groups_by_region(regions_world, token_for):  # noqa: F811
    response = Client().get(
        "/api/v1/stats",
        {"cohort": 2020, "by": "region", "as_of": T_DATE.isoformat()},
        headers={"Authorization": token_for(regions_world.centre, regions_world)},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [r["key"] for r in data["rows"]] == [*REGIONS, ""]
    assert data["total"]["placed"] == 5
