"""The recommendation form: graduate applies, department assesses, centre approves and the
original is issued with its QR code; one original per graduate, re-issues with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qihang.audit.models import AuditEvent
from qihang.documents import services
from qihang.documents.models import IssuedDocument, Recommendation
from qihang.institutions.scoping import build_actor
from tests.documents.helpers import submit_recommendation
from tests.documents.test_documents import pdf_links, pdf_text

pytestmark = pytest.mark.django_db


def test_the_whole_flow_through_the_pages(school, client, client_for, media_root):
    graduate = client_for(school.graduate_user)
    mine = reverse("documents:recommendation_mine")
    assert graduate.get(mine).status_code == 200
    response = graduate.post(
        mine, {"intentions": "乐团演奏员", "self_assessment": "刻苦练琴，善于合作。", "honours": ""}
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get(graduate=school.graduates[0])
    assert recommendation.status == "submitted"
    # Under review: the graduate can no longer change it.
    graduate.post(mine, {"intentions": "改", "self_assessment": "改了"})
    recommendation.refresh_from_db()
    assert recommendation.intentions == "乐团演奏员"

    pk = {"recommendation_id": recommendation.pk}
    department = client_for(school.dept_staff)
    assert (
        department.post(reverse("documents:recommendation_approve", kwargs=pk)).status_code == 403
    )
    department.post(
        reverse("documents:recommendation_assess", kwargs=pk),
        {"department_comments": "该生专业扎实，表现优秀。", "level": "strongly"},
    )
    recommendation.refresh_from_db()
    assert recommendation.status == "assessed" and recommendation.level == "strongly"

    centre = client_for(school.centre)
    centre.post(reverse("documents:recommendation_approve", kwargs=pk))
    recommendation.refresh_from_db()
    assert recommendation.status == "approved" and recommendation.document is not None
    document = recommendation.document
    assert document.kind == "recommendation" and document.number == recommendation.number

    data = graduate.get(reverse("documents:pdf", kwargs={"document_id": document.pk})).content
    text = pdf_text(data)
    for expected in (
        "毕业生就业推荐表",
        "李明",
        "刻苦练琴，善于合作。",
        "该生专业扎实",
        "强烈推荐",
    ):
        assert expected in text, expected
    assert any(link.endswith(f"/verify/{document.token}/") for link in pdf_links(data))
    body = client.get(reverse("verify:document", kwargs={"token": document.token})).content
    assert "有效" in body.decode() and "李*" in body.decode()

    # Re-issue: a reason is required; the old original then verifies as invalid.
    reissue = reverse("documents:recommendation_reissue", kwargs=pk)
    centre.post(reissue, {"reason": ""})
    assert IssuedDocument.objects.filter(graduate=school.graduates[0]).count() == 1
    centre.post(reissue, {"reason": "原件遗失"})
    recommendation.refresh_from_db()
    document.refresh_from_db()
    assert document.status == "superseded" and recommendation.document.reissue_of == document
    assert recommendation.document.reissue_reason == "原件遗失"
    old = client.get(reverse("verify:document", kwargs={"token": document.token})).content
    assert "无效" in old.decode() and "李*" not in old.decode()
    kinds = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "recommendation.submit",
        "recommendation.assess",
        "recommendation.approve",
        "document.issue",
        "document.reissue",
    } <= kinds


def test_return_and_resubmit(school, media_root):
    recommendation = submit_recommendation(school)
    department = build_actor(school.dept_staff, school.institution.pk)
    with pytest.raises(ValidationError):
        services.recommendation_return(actor=department, recommendation=recommendation, reason="")
    services.recommendation_return(
        actor=department, recommendation=recommendation, reason="自我评价过简"
    )
    assert recommendation.status == "returned"
    again = submit_recommendation(school)
    assert again.pk == recommendation.pk and again.status == "submitted"
    assert again.return_reason == ""


def test_cannot_approve_before_assessment_or_without_permission(school, media_root):
    recommendation = submit_recommendation(school)
    centre = build_actor(school.centre, school.institution.pk)
    with pytest.raises(ValidationError):
        services.recommendation_approve(actor=centre, recommendation=recommendation)
    services.recommendation_assess(
        actor=centre, recommendation=recommendation, comments="优秀", level="recommended"
    )
    department = build_actor(school.dept_staff, school.institution.pk)
    with pytest.raises(PermissionDenied):
        services.recommendation_approve(actor=department, recommendation=recommendation)
    assert not IssuedDocument.objects.exists()


def test_scoping(school, other_school, client_for, media_root):
    recommendation = submit_recommendation(school)
    url = reverse(
        "documents:recommendation_detail", kwargs={"recommendation_id": recommendation.pk}
    )
    assert client_for(school.dept_staff).get(url).status_code == 200
    assert client_for(other_school.centre).get(url).status_code == 404
    assert client_for(school.graduate_user).get(url).status_code == 403
    assert client_for(school.centre).post(url).status_code == 405
