"""The agreements API for each party, through the session (graduates and employers hold none
of the institution's tokens here): the same services and workflow as the pages."""

import pytest

from qihang.agreements.models import Agreement, AgreementStatus
from tests.agreements.helpers import TERMS

pytestmark = pytest.mark.django_db


def test_offer_accept_review_through_the_api(school, world, client_for):
    employer = client_for(world["employer_user"])
    application = world["applications"][0]
    made = employer.post(
        "/api/v1/employer/agreements",
        {"application_id": application.pk, **TERMS},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    agreement_id = made.json()["id"]
    refused = employer.post(
        "/api/v1/employer/agreements",
        {"application_id": application.pk, **TERMS, "work_division": "999999"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "work_division" in refused.json()["errors"]

    graduate = client_for(school.graduate_user)
    mine = graduate.get(f"/api/v1/agreements/{agreement_id}").json()
    assert set(mine["actions"]) == {"accept", "decline"}
    assert [s["party"] for s in mine["signatures"]] == ["employer"]
    accepted = graduate.post(
        f"/api/v1/agreements/{agreement_id}/actions",
        {"action": "accept", "version": 1},
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    dept = client_for(school.dept_staff)
    listed = dept.get("/api/v1/staff/agreements?status=accepted").json()
    assert [a["id"] for a in listed["items"]] == [agreement_id]
    reviewed = dept.post(
        f"/api/v1/staff/agreements/{agreement_id}/actions",
        {"action": "review"},
        content_type="application/json",
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    # The department cannot approve: the career centre's permission.
    assert (
        dept.post(
            f"/api/v1/staff/agreements/{agreement_id}/actions",
            {"action": "approve"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert Agreement.objects.get(pk=agreement_id).status == AgreementStatus.REVIEWED


def test_another_employers_agreement_is_404(school, world, client_for):
    from tests.agreements.helpers import agreement_world, offer

    other = agreement_world(school, serial=7102)
    agreement = offer(other)
    employer = client_for(world["employer_user"])
    assert employer.get(f"/api/v1/employer/agreements/{agreement.pk}").status_code == 404
