"""The API: rounds and samples to read, a result to record; scoped like the pages."""

import json

import pytest
from django.test import Client

from qihang.accounts.services import api_token_create
from qihang.destinations.models import ReviewStatus
from qihang.institutions.scoping import build_actor
from tests.verification.helpers import draw, more_graduates, place

pytestmark = pytest.mark.usefixtures("media_root")


def bearer(user, school) -> dict:
    _token, plaintext = api_token_create(
        actor=build_actor(user, school.institution.pk), name="test"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_read_and_record(school, other_school):
    [graduate] = more_graduates(school, 1)
    place(school, graduate)
    round_ = draw(school)
    sample = round_.samples.get()
    client = Client()
    rounds = client.get("/api/v1/verification/rounds", **bearer(school.centre, school)).json()
    assert [(r["id"], r["sampled"], r["seed"]) for r in rounds] == [(round_.pk, 1, "7")]
    answer = client.post(
        f"/api/v1/verification/samples/{sample.pk}/result",
        data=json.dumps({"result": "false", "notes": "本人称未就业"}),
        content_type="application/json",
        **bearer(school.centre, school),
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["result"] == "false"
    graduate.destination.refresh_from_db()
    assert graduate.destination.status == ReviewStatus.RETURNED  # its approval withdrawn
    outsider = client.get(
        f"/api/v1/verification/rounds/{round_.pk}/samples",
        **bearer(other_school.centre, other_school),
    )
    assert outsider.status_code == 404
    staff = client.post(
        f"/api/v1/verification/samples/{sample.pk}/result",
        data=json.dumps({"result": "confirmed"}),
        content_type="application/json",
        **bearer(school.dept_staff, school),
    )
    assert staff.status_code == 403
