"""The jobs API: employers post and read their own postings (signed-in session until employer
tokens exist); institutions read their feed. Every answer is documented in the OpenAPI schema."""

import json

import pytest
from django.test import Client

from qihang.jobs.models import Job
from tests.api.test_openapi import mismatches
from tests.factories import make_employer, make_job, make_user

SCHEMA_URL = "/api/v1/openapi.json"


def documented(client_for, school, path, method, status, body):
    doc = client_for(school.centre).get(SCHEMA_URL).json()
    responses = doc["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path} {status} undocumented"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    assert mismatches(doc, schema, body) == []


@pytest.mark.django_db
def test_employer_posts_a_job_and_sees_why_it_is_held(school, orchestra, client_for):
    client = client_for(orchestra.admin)
    payload = {
        "institution": "90001",
        "title": "钢琴教师",
        "kind": "full_time",
        "location": "上海市徐汇区",
        "specialties": ["piano"],
        "degree_levels": ["bachelor"],
        "description": "钢琴教师，女性优先，需缴纳培训费",
    }
    response = client.post(
        "/api/v1/employer/jobs", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    documented(client_for, school, "/api/v1/employer/jobs", "post", 201, body)
    assert (body["status"], body["division"], body["location"]) == (
        "pending",
        "310104",
        "上海市徐汇区",
    )
    assert {f["ground"] for f in body["flags"]} == {"gender", "fees"}
    assert len(body["hold_reasons"]) == len(body["flags"]) == 3
    job = Job.objects.get(pk=body["id"])
    assert [t.code for t in job.specialties.all()] == ["piano"]

    detail = client.get(f"/api/v1/employer/jobs/{job.pk}")
    assert detail.status_code == 200 and detail.json()["flags"]
    documented(client_for, school, "/api/v1/employer/jobs/{posting_id}", "get", 200, detail.json())
    listing = client.get("/api/v1/employer/jobs")
    assert [j["id"] for j in listing.json()["items"]] == [job.pk]
    documented(client_for, school, "/api/v1/employer/jobs", "get", 200, listing.json())


@pytest.mark.django_db
def test_employer_api_refusals(school, other_school, orchestra, client_for):
    client = client_for(orchestra.admin)
    bad = client.post(
        "/api/v1/employer/jobs",
        json.dumps({"institution": "90001", "title": "x", "location": "火星市"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "location" in bad.json()["errors"]
    documented(client_for, school, "/api/v1/employer/jobs", "post", 400, bad.json())
    # A school the employer has no standing at looks missing.
    missing = client.post(
        "/api/v1/employer/jobs",
        json.dumps({"institution": "90002", "title": "x"}),
        content_type="application/json",
    )
    assert missing.status_code == 404
    assert (
        client.post("/api/v1/employer/jobs", "{}", content_type="application/json").status_code
        == 422
    )
    # Another employer's posting is a 404; nobody signed in is a 401; staff are refused (403).
    stranger = make_user("stranger")
    other = make_employer("别的乐团", serial=14, institution=school.institution, user=stranger)
    theirs = make_job(other, school.institution)
    assert client.get(f"/api/v1/employer/jobs/{theirs.pk}").status_code == 404
    documented(
        client_for,
        school,
        "/api/v1/employer/jobs/{posting_id}",
        "get",
        404,
        client.get(f"/api/v1/employer/jobs/{theirs.pk}").json(),
    )
    assert Client().get("/api/v1/employer/jobs").status_code == 401
    staff = client_for(school.centre).get("/api/v1/employer/jobs")
    assert staff.status_code == 403  # signed in, but without the employer permission
    assert client.delete("/api/v1/employer/jobs").status_code == 405


@pytest.mark.django_db
def test_institution_feed(school, other_school, orchestra, token_for, django_assert_num_queries):
    make_job(orchestra, school.institution, title="大提琴演奏员")
    make_job(orchestra, school.institution, title="钢琴教师", status="pending")
    make_job(
        make_employer("江城乐团", serial=15, institution=other_school.institution),
        other_school.institution,
        title="江城岗位",
    )
    auth = {"Authorization": token_for(school.centre, school)}
    client = Client()
    client.get("/api/v1/jobs/feed", headers=auth)
    # the token with its user, memberships (+ departments), count, the page with employer
    # and institution, the standings of the page.
    with django_assert_num_queries(6):
        response = client.get("/api/v1/jobs/feed", headers=auth)
    assert sorted(j["title"] for j in response.json()["items"]) == ["大提琴演奏员", "钢琴教师"]
    pending = client.get("/api/v1/jobs/feed?status=pending", headers=auth).json()
    assert [j["title"] for j in pending["items"]] == ["钢琴教师"]
    assert client.get("/api/v1/jobs/feed?status=nope", headers=auth).status_code == 422
    graduate = {"Authorization": token_for(school.graduate_user, school)}
    assert client.get("/api/v1/jobs/feed", headers=graduate).status_code == 403
    assert client.post("/api/v1/jobs/feed", headers=auth).status_code == 405
