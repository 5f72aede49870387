"""The read-only reporting API: the centre's states and runs, a department's queue."""

import pytest

from qihang.accounts.services import api_token_create
from tests.reporting.helpers import approve, open_registration, report, walk_reporting

pytestmark = pytest.mark.django_db


def bearer(user, school):
    from qihang.institutions.scoping import build_actor

    _token, secret = api_token_create(actor=build_actor(user, school.institution.pk), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_states_runs_and_the_department_queue(school, client):
    open_registration(school)
    approve(school, school.graduates[0])
    report(school)
    walk_reporting(school)
    centre = bearer(school.centre, school)
    states = client.get("/api/v1/reporting/states", {"cohort": 2020}, **centre).json()
    assert states["reported"] == 2 and states["not_approved"] == 1
    runs = client.get("/api/v1/reporting/runs", **centre).json()
    assert [r["rows"] for r in runs] == [2, 1]  # the walk's run of everything, then the first
    queue = client.get("/api/v1/reporting/corrections", **bearer(school.dept_staff, school))
    assert [r["requested_value"] for r in queue.json()] == ["李明明"]
    bad = client.get("/api/v1/reporting/corrections", {"status": "x"}, **centre)
    assert bad.status_code == 422


def test_the_api_status_names_are_the_models():
    from typing import get_args

    from qihang.reporting.api import StatusName
    from qihang.reporting.models import CorrectionStatus

    assert set(get_args(StatusName)) == set(CorrectionStatus.values)
