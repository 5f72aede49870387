"""The applications API: a graduate's session lists and applies; an employer's token answers."""

import pytest
from django.test import Client

from qihang.applications import services
from qihang.applications.models import Application

pytestmark = pytest.mark.django_db


def test_a_graduate_lists_their_applications_with_the_session(school, job, graduate, client_for):
    services.application_submit(actor=graduate, job=job, note="主修大提琴")
    listed = client_for(school.graduate_user).get("/api/v1/applications").json()
    assert listed["count"] == 1 and listed["items"][0]["job"]["name"] == "大提琴演奏员"
    assert listed["items"][0]["status"] == "submitted"


def test_an_employer_answers_through_the_api(school, orchestra, job, graduate, token_for):
    application = services.application_submit(actor=graduate, job=job)
    auth = {"Authorization": token_for(orchestra.admin, school)}
    listed = Client().get("/api/v1/employer/applications?status=submitted", headers=auth).json()
    assert [a["id"] for a in listed["items"]] == [application.pk]
    url = f"/api/v1/employer/applications/{application.pk}/actions"
    refused = Client().post(
        url, {"action": "decline"}, content_type="application/json", headers=auth
    )
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    invited = Client().post(
        url,
        {
            "action": "invite",
            "interview": {"kind": "audition", "at": "2027-03-01T14:00:00+08:00", "place": "排练厅"},
        },
        content_type="application/json",
        headers=auth,
    )
    assert invited.status_code == 200 and invited.json()["status"] == "interview"
    assert Application.objects.get().answered_at is not None


def test_another_employers_application_is_404(school, other_school, job, graduate, token_for):
    from tests.factories import make_employer, make_user

    application = services.application_submit(actor=graduate, job=job)
    other = make_employer(
        "别家乐团", serial=21, institution=school.institution, user=make_user("o")
    )
    auth = {"Authorization": token_for(other.members.get().user, school)}
    response = Client().post(
        f"/api/v1/employer/applications/{application.pk}/actions",
        {"action": "view"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 404
    assert Client().get("/api/v1/employer/applications", headers=auth).json()["count"] == 0
