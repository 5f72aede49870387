"""The résumé API: the graduate's own résumé (read, update, add a row), the employer's list of
consenting graduates and one résumé; 404 other institution / non-consenting, 403 role, 405."""

import json

import pytest

from qihang.audit.models import SensitiveRead
from qihang.institutions.scoping import build_actor
from qihang.resumes import services
from tests.factories import make_employer, make_user


@pytest.fixture
def recruiter(school):
    user = make_user("api-recruiter")
    make_employer("江城爱乐乐团", serial=902, institution=school.institution, user=user)
    return user


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_graduate_reads_and_updates_own_resume(school, client_for):
    client = client_for(school.graduate_user)
    response = client.get("/api/v1/resume")
    assert response.status_code == 200
    assert response.json()["graduate"]["name"] == school.graduates[0].name
    response = patch(client, "/api/v1/resume", {"headline": "乐团钢琴演奏员", "discoverable": True})
    assert response.status_code == 200, response.content
    assert response.json()["headline"] == "乐团钢琴演奏员" and response.json()["discoverable"]
    response = patch(client, "/api/v1/resume", {"discoverable": False})
    assert response.json()["discoverable"] is False and response.json()["headline"]


@pytest.mark.django_db
def test_a_too_long_headline_is_refused_with_its_field(school, client_for):
    response = patch(client_for(school.graduate_user), "/api/v1/resume", {"headline": "长" * 121})
    assert response.status_code == 422
    assert "headline" in json.dumps(response.json())


@pytest.mark.django_db
def test_staff_get_403_and_wrong_method_405(school, client_for):
    assert client_for(school.dept_staff).get("/api/v1/resume").status_code == 403
    assert client_for(school.centre).get("/api/v1/employer/graduates").status_code == 403
    assert client_for(school.graduate_user).delete("/api/v1/resume").status_code == 405


@pytest.mark.django_db
def test_employer_sees_consenting_graduates_only(school, other_school, recruiter, client_for):
    graduate = school.graduates[0]
    client = client_for(recruiter)
    assert client.get("/api/v1/employer/graduates").json()["count"] == 0
    url = f"/api/v1/employer/graduates/{graduate.pk}/resume"
    assert client.get(url).status_code == 404
    actor = build_actor(school.graduate_user, school.institution.pk)
    services.resume_consent_set(actor=actor, resume=services.resume_of(graduate), granted=True)
    # Another school's consenting graduate: the employer has no standing there.
    theirs = build_actor(other_school.graduate_user, other_school.institution.pk)
    services.resume_consent_set(
        actor=theirs, resume=services.resume_of(other_school.graduates[0]), granted=True
    )
    listing = client.get("/api/v1/employer/graduates").json()
    assert [r["graduate"]["id"] for r in listing["results"]] == [graduate.pk]
    assert client.get(url).status_code == 200
    assert SensitiveRead.objects.filter(target_type="resumes.resume", actor=recruiter).count() == 1
    other = f"/api/v1/employer/graduates/{other_school.graduates[0].pk}/resume"
    assert client.get(other).status_code == 404
    services.resume_consent_set(actor=actor, resume=services.resume_of(graduate), granted=False)
    assert client.get(url).status_code == 404
