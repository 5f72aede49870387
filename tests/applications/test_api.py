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


def _post(client: Client, url: str, body: dict) -> object:
    # A session's unsafe method carries the CSRF token (the test client skips the check
    # unless asked; SessionAuth checks it itself, so send it as a page's script would).
    return client.post(url, body, content_type="application/json")


def test_a_graduate_applies_reads_the_timeline_and_withdraws(school, job, client_for):
    client = client_for(school.graduate_user)
    created = _post(client, f"/api/v1/jobs/{job.pk}/applications", {"note": "主修大提琴"})
    assert created.status_code == 201, created.content
    application_id = created.json()["id"]
    assert created.json()["status"] == "submitted"
    again = _post(client, f"/api/v1/jobs/{job.pk}/applications", {"note": ""})
    assert again.status_code == 400 and "已投递" in again.json()["detail"]

    detail = client.get(f"/api/v1/applications/{application_id}").json()
    assert [e["action"] for e in detail["timeline"]] == ["submit"]
    assert detail["timeline"][0]["text"] == "主修大提琴"
    assert detail["actions"] == ["withdraw"]

    said = _post(
        client,
        f"/api/v1/applications/{application_id}/actions",
        {"action": "message", "text": "  "},
    )
    assert said.status_code == 400 and "text" in said.json()["errors"]
    said = _post(
        client,
        f"/api/v1/applications/{application_id}/actions",
        {"action": "message", "text": "请问何时试奏？"},
    )
    assert said.status_code == 200 and said.json()["timeline"][-1]["text"] == "请问何时试奏？"
    withdrawn = _post(
        client, f"/api/v1/applications/{application_id}/actions", {"action": "withdraw"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["actions"] == []
    # Accepting needs an offer: refused with the workflow's reason, nothing changes.
    refused = _post(client, f"/api/v1/applications/{application_id}/actions", {"action": "accept"})
    assert refused.status_code in (400, 409)
    assert Application.objects.get().status == "withdrawn"


def test_the_graduate_accepts_an_offer_through_the_api(school, job, graduate, employer, client_for):
    import datetime as dt

    from django.utils import timezone

    application = services.application_submit(actor=graduate, job=job)
    at = timezone.now() + dt.timedelta(days=3)
    services.application_act(
        actor=employer,
        application=application,
        action="invite",
        interview={"kind": "audition", "at": at, "place": "排练厅"},
    )
    services.application_act(actor=employer, application=application, action="offer")
    client = client_for(school.graduate_user)
    detail = client.get(f"/api/v1/applications/{application.pk}").json()
    assert "accept" in detail["actions"]
    accepted = _post(client, f"/api/v1/applications/{application.pk}/actions", {"action": "accept"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "hired"


def test_an_employer_reads_one_application_without_marking_it_viewed(
    school, orchestra, job, graduate, token_for
):
    application = services.application_submit(actor=graduate, job=job, note="你好")
    auth = {"Authorization": token_for(orchestra.admin, school)}
    detail = Client().get(f"/api/v1/employer/applications/{application.pk}", headers=auth)
    assert detail.status_code == 200
    assert detail.json()["status"] == "submitted"
    assert set(detail.json()["actions"]) == {"view", "invite", "decline"}
    assert detail.json()["timeline"][0]["text"] == "你好"


def test_ids_of_others_are_404_for_the_graduate_operations(
    school, other_school, job, graduate, client_for
):
    from tests.factories import make_employer, make_job

    mine = services.application_submit(actor=graduate, job=job)
    # A job of another institution, not shared: 404 on apply, nothing written.
    foreign_employer = make_employer("外校乐团", serial=31, institution=other_school.institution)
    foreign_job = make_job(foreign_employer, other_school.institution)
    client = client_for(school.graduates[1].user or school.graduate_user)
    response = _post(client, f"/api/v1/jobs/{foreign_job.pk}/applications", {})
    assert response.status_code == 404
    # Another graduate of the same school cannot read or act on mine.
    other_user = other_school.graduate_user
    outsider = client_for(other_user)
    assert outsider.get(f"/api/v1/applications/{mine.pk}").status_code == 404
    acted = _post(outsider, f"/api/v1/applications/{mine.pk}/actions", {"action": "withdraw"})
    assert acted.status_code == 404
    # Staff who can see the application on their pages have no graduate operation on it.
    staff = client_for(school.centre)
    assert staff.get(f"/api/v1/applications/{mine.pk}").status_code in (403, 404)
    assert Application.objects.filter(job=foreign_job).count() == 0
    assert Application.objects.get(pk=mine.pk).status == "submitted"


def test_wrong_methods_are_405(school, job, client_for):
    client = client_for(school.graduate_user)
    assert client.get(f"/api/v1/jobs/{job.pk}/applications").status_code == 405
    assert client.delete("/api/v1/applications/1").status_code == 405


def test_staff_follow_the_applications_of_the_graduates_they_see(
    school, job, graduate, token_for, client_for
):
    from qihang.institutions.scoping import build_actor

    mine = services.application_submit(actor=graduate, job=job)  # graduates[0]: 钢琴系
    centre = Client().get(
        "/api/v1/staff/applications", headers={"Authorization": token_for(school.centre, school)}
    )
    assert centre.status_code == 200 and [a["id"] for a in centre.json()["items"]] == [mine.pk]
    # Department staff of the other department see none of it.
    from qihang.institutions.roles import Role
    from qihang.institutions.services import membership_grant
    from tests.factories import make_user

    second = make_user("dept-2")
    membership_grant(
        institution=school.institution,
        user=second,
        role=Role.DEPARTMENT_STAFF,
        departments=[school.departments[1]],
    )
    assert build_actor(second, school.institution.pk) is not None
    theirs = (
        Client()
        .get("/api/v1/staff/applications", headers={"Authorization": token_for(second, school)})
        .json()
    )
    assert theirs["count"] == 0
    # A graduate has no staff operation.
    refused = client_for(school.graduate_user).get("/api/v1/staff/applications")
    assert refused.status_code == 403


def test_employers_response_figures_state_their_definition(
    school, orchestra, job, graduate, employer, token_for
):
    first = services.application_submit(actor=graduate, job=job)
    services.application_message(actor=employer, application=first, text="收到，请等通知")
    body = (
        Client()
        .get(
            "/api/v1/staff/applications/employers",
            headers={"Authorization": token_for(school.centre, school)},
        )
        .json()
    )
    assert "答复" in body["definition"] and body["overdue_after_days"] >= 1
    [row] = body["employers"]
    assert row["employer"]["name"] == "上海交响乐团"
    assert (row["applications"], row["answered"], row["waiting"], row["overdue"]) == (1, 1, 0, 0)
    assert row["answer_rate"] == 100.0 and row["median_hours_to_answer"] is not None
