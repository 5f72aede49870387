"""The documents API: staff read issued documents, recommendation forms and dossiers, scoped."""

from __future__ import annotations

import pytest
from django.test import Client

from qihang.accounts.services import api_token_create
from qihang.documents import services
from qihang.institutions.scoping import build_actor
from tests.documents.helpers import issue_sample, submit_recommendation

pytestmark = pytest.mark.django_db


def _client(user, school) -> Client:
    _token, secret = api_token_create(actor=build_actor(user, school.institution.pk), name="测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_staff_read_documents_recommendations_and_dossiers(school, other_school, media_root):
    issue_sample(school, school.graduates[0], "API-1")
    issue_sample(school, school.graduates[2], "API-2")  # another department
    submit_recommendation(school)
    services.dossier_update(
        actor=build_actor(school.centre, school.institution.pk),
        graduate=school.graduates[0],
        data={"file_destination": "home", "hukou_destination": "home"},
    )
    department = _client(school.dept_staff, school)
    numbers = {d["number"] for d in department.get("/api/v1/documents").json()}
    assert numbers == {"API-1"}
    forms = department.get("/api/v1/recommendation-forms", {"status": "submitted"}).json()
    assert [f["student_no"] for f in forms] == [school.graduates[0].student_no]
    found = department.get(f"/api/v1/graduates/{school.graduates[0].pk}/dossier").json()
    assert found["version"] == 1 and found["fields"]["file_destination"] == "生源地（家庭所在地）"
    outsider = _client(other_school.centre, other_school)
    assert outsider.get(f"/api/v1/graduates/{school.graduates[0].pk}/dossier").status_code == 404
    assert outsider.get("/api/v1/documents").json() == []
    leader = _client(school.leader, school)
    assert leader.get("/api/v1/recommendation-forms").status_code == 403
