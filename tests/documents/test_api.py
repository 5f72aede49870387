"""The documents API: staff read issued documents, recommendation forms and dossiers, scoped;
staff set a dossier, a graduate submits their recommendation form, the department assesses or
returns it, the centre approves (issuing the original) and re-issues it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from qihang.accounts.services import api_token_create
from qihang.audit.models import AuditEvent
from qihang.documents import services
from qihang.documents.models import Dossier, DossierChange, IssuedDocument, Recommendation
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


# --- Writes ------------------------------------------------------------------------------------
def _events(action: str, target_id) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=str(target_id)))


def _json(client: Client, method: str, url: str, body: dict | None = None):
    data = json.dumps(body) if body is not None else None
    return client.generic(method, url, data or "", content_type="application/json")


def test_staff_set_a_dossier_through_the_form_and_the_service(school, other_school):
    graduate = school.graduates[0]
    url = f"/api/v1/graduates/{graduate.pk}/dossier"
    department = _client(school.dept_staff, school)
    first = _json(department, "PUT", url, {"file_destination": "home", "hukou_destination": "home"})
    assert first.status_code == 200, first.content
    assert first.json() == department.get(url).json()  # the dossier as the GET returns it
    assert first.json()["version"] == 1
    assert first.json()["values"]["file_destination"] == "home"
    # A change of the record needs a reason (the service's message, on its field) …
    sent = {
        "file_destination": "employer",
        "receiver_name": "上海交响乐团",
        "file_status": "sent",
        "dispatch_method": "ems",
        "hukou_destination": "home",
    }
    refused = _json(department, "PUT", url, sent)
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"reason", "dispatch_number"}
    assert "原因" in refused.json()["detail"]
    changed = _json(
        department, "PUT", url, {**sent, "dispatch_number": "EMS123", "reason": "单位接收"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    assert changed.json()["fields"]["file_destination"] == "用人单位"
    dossier = Dossier.objects.get(graduate=graduate)
    change = DossierChange.objects.get(dossier=dossier, version=2)
    assert change.before["file_destination"] == "home"
    assert change.after["file_destination"] == "employer" and change.reason == "单位接收"
    event = _events("dossier.update", dossier.pk)[0]
    assert event.data["version"] == 2 and event.data["reason"] == "单位接收"
    # … the form checks the values (a choice it does not offer, on its field) …
    bad = _json(department, "PUT", url, {**sent, "file_destination": "moon", "reason": "改"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["file_destination"]
    typed = _json(department, "PUT", url, {"report_card_issued_on": "someday"})
    assert typed.status_code == 422
    assert typed.json()["detail"][0]["loc"][-1] == "report_card_issued_on"
    # … a teacher may read but not edit; another department's graduate and another school's
    # are not found.
    teacher = _client(school.teacher, school)
    assert _json(teacher, "PUT", url, {"file_destination": "home"}).status_code == 403
    other_department = f"/api/v1/graduates/{school.graduates[2].pk}/dossier"
    assert (
        _json(department, "PUT", other_department, {"file_destination": "home"}).status_code == 404
    )
    outsider = _client(other_school.centre, other_school)
    assert _json(outsider, "PUT", url, {"file_destination": "home"}).status_code == 404
    assert Dossier.objects.get(graduate=graduate).version == 2


def test_the_recommendation_form_through_the_api(school, other_school, media_root, client_for):
    graduate = client_for(school.graduate_user)  # graduates have no tokens: their session
    department = _client(school.dept_staff, school)
    centre = _client(school.centre, school)
    form = {"intentions": "乐团演奏员", "self_assessment": "刻苦练琴，善于合作。"}
    # The graduate's own: staff hold no RECOMMENDATION_APPLY; a missing field is named.
    assert _json(centre, "POST", "/api/v1/recommendation-forms", form).status_code == 403
    missing = _json(graduate, "POST", "/api/v1/recommendation-forms", {"intentions": "x"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "self_assessment"
    long = _json(
        graduate, "POST", "/api/v1/recommendation-forms", {**form, "intentions": "长" * 301}
    )
    assert long.status_code == 400 and list(long.json()["errors"]) == ["intentions"]
    submitted = _json(graduate, "POST", "/api/v1/recommendation-forms", form)
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["status"] == "submitted" and body["actions"] == []
    pk = body["id"]
    assert _events("recommendation.submit", pk)
    again = _json(graduate, "POST", "/api/v1/recommendation-forms", form)
    assert again.status_code == 400  # under review: not editable

    url = f"/api/v1/recommendation-forms/{pk}"
    # The department assesses: a level the table has not is refused on its field.
    bad = _json(department, "POST", f"{url}/assess", {"department_comments": "好", "level": "top"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"department_comments", "level"}
    assert (
        _json(
            graduate, "POST", f"{url}/assess", {"department_comments": "优秀", "level": "strongly"}
        ).status_code
        == 403
    )
    assessed = _json(
        department,
        "POST",
        f"{url}/assess",
        {"department_comments": "专业扎实。", "level": "strongly"},
    )
    assert assessed.status_code == 200, assessed.content
    assert assessed.json()["status"] == "assessed" and assessed.json()["level_label"] == "强烈推荐"
    assert _events("recommendation.assess", pk)[0].data == {"level": "strongly"}
    # Only the centre approves, which issues the original.
    assert _json(department, "POST", f"{url}/approve").status_code == 403
    approved = _json(centre, "POST", f"{url}/approve")
    assert approved.status_code == 200, approved.content
    document_id = approved.json()["document_id"]
    assert approved.json()["status"] == "approved" and approved.json()["number"].startswith(
        "TJ2020-"
    )
    assert _events("recommendation.approve", pk)
    assert _events("document.issue", document_id)
    assert _json(centre, "POST", f"{url}/approve").status_code == 400  # approved already
    # Re-issue: a reason is required (named); the old original is superseded.
    no_reason = _json(centre, "POST", f"{url}/reissue", {"reason": ""})
    assert no_reason.status_code == 400 and list(no_reason.json()["errors"]) == ["reason"]
    assert _json(department, "POST", f"{url}/reissue", {"reason": "遗失"}).status_code == 403
    reissued = _json(centre, "POST", f"{url}/reissue", {"reason": "原件遗失"})
    assert reissued.status_code == 200, reissued.content
    new_id = reissued.json()["document_id"]
    assert new_id != document_id
    assert IssuedDocument.objects.get(pk=document_id).status == "superseded"
    assert IssuedDocument.objects.get(pk=new_id).reissue_reason == "原件遗失"
    assert _events("document.reissue", document_id)
    # Another school's centre finds none of it.
    outsider = _client(other_school.centre, other_school)
    for action, sent in (
        ("assess", {"department_comments": "专业扎实。", "level": "strongly"}),
        ("return", {"reason": "走错"}),
        ("approve", None),
        ("reissue", {"reason": "遗失"}),
    ):
        assert _json(outsider, "POST", f"{url}/{action}", sent).status_code == 404, action


def test_returning_a_form_needs_a_reason_and_lets_the_graduate_submit_again(school, client_for):
    recommendation = submit_recommendation(school)
    url = f"/api/v1/recommendation-forms/{recommendation.pk}/return"
    department = _client(school.dept_staff, school)
    missing = _json(department, "POST", url, {})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "reason"
    short = _json(department, "POST", url, {"reason": " "})
    assert short.status_code == 400 and list(short.json()["errors"]) == ["reason"]
    assert (
        _json(_client(school.teacher, school), "POST", url, {"reason": "补充"}).status_code == 403
    )
    other_department = Recommendation.objects.create(
        institution=school.institution,
        graduate=school.graduates[2],
        status="submitted",
        self_assessment="声乐",
        intentions="合唱团",
    )
    hidden = f"/api/v1/recommendation-forms/{other_department.pk}/return"
    assert _json(department, "POST", hidden, {"reason": "补充"}).status_code == 404
    returned = _json(department, "POST", url, {"reason": "请补充实践经历"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "请补充实践经历"
    assert _events("recommendation.return", recommendation.pk)
    graduate = client_for(school.graduate_user)
    form = {"intentions": "乐团演奏员", "self_assessment": "补充了实践经历。"}
    again = _json(graduate, "POST", "/api/v1/recommendation-forms", form)
    assert again.status_code == 200 and again.json()["status"] == "submitted"
