"""Issued documents: the PDF carries the Chinese text and the verification URL, the public page
says valid or invalid and shows only masked details, revocation and re-issue, tenancy."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from qihang.audit.models import AuditEvent
from qihang.documents import services
from qihang.documents.models import IssuedDocument
from qihang.documents.public import mask_name, mask_student_no
from qihang.documents.rendering import renderer
from qihang.institutions.scoping import build_actor
from tests.documents.helpers import issue_sample

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_links(data: bytes) -> list[str]:
    links = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            action = action.get_object() if action is not None else {}
            if action.get("/URI"):
                links.append(str(action["/URI"]))
    return links


def test_masking():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"
    assert mask_student_no("2016104001") == "2016****01"
    assert mask_student_no("123") == "***"


def test_issue_stores_the_pdf_with_its_hash_and_the_verification_url(school, media_root, settings):
    settings.QIHANG_BASE_URL = "https://jiuye.example.edu.cn"
    document = issue_sample(school, school.graduates[0])
    assert document.status == "valid" and len(document.token) >= 32
    data = document.file.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == document.sha256 and document.size == len(data)
    text = pdf_text(data)
    assert "毕业生就业推荐表" in text and "兹推荐李明同学" in text and "特此证明" in text
    url = f"https://jiuye.example.edu.cn/verify/{document.token}/"
    # No QR decoder is installed: the code's URL is printed under it and is its link target.
    assert url in pdf_links(data)
    assert url in re.sub(r"\s+", "", text)
    assert document.public["name"] == "李*" and "2020001" not in document.public["student_no"]
    event = AuditEvent.objects.get(action="document.issue", target_id=str(document.pk))
    assert event.data["sha256"] == document.sha256


def test_one_valid_original_per_number(school, media_root):
    issue_sample(school, school.graduates[0], "N-1")
    with pytest.raises(ValidationError):
        issue_sample(school, school.graduates[1], "N-1")
    assert IssuedDocument.objects.filter(number="N-1").count() == 1


def test_issue_refuses_another_schools_graduate(school, other_school, media_root):
    with pytest.raises(ValidationError):
        issue_sample(school, other_school.graduates[0])


def test_verify_page_valid_shows_only_masked_details(school, client, media_root):
    document = issue_sample(school, school.graduates[0])
    response = client.get(reverse("verify:document", kwargs={"token": document.token}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "有效" in body and document.number in body and "李*" in body
    assert "上海东方交响乐团" in body and school.institution.name in body
    assert "李明" not in body and school.graduates[0].student_no not in body
    assert response["Referrer-Policy"] == "no-referrer"


def test_verify_page_unknown_revoked_and_superseded_answer_alike(school, client, media_root):
    centre = build_actor(school.centre, school.institution.pk)
    revoked = issue_sample(school, school.graduates[0], "R-1")
    services.document_revoke(actor=centre, document=revoked, reason="信息有误")
    old = issue_sample(school, school.graduates[1], "S-1")
    new = services.document_reissue(
        actor=centre,
        document=old,
        reason="原件遗失",
        render=renderer("documents/print/generic.html", {"title": "补发", "lines": []}),
    )

    def page(token: str) -> str:
        response = client.get(reverse("verify:document", kwargs={"token": token}))
        assert response.status_code == 200
        # The page is the same whatever the token, but for the base template's CSRF token and
        # script nonce (and the page's own address in the language switcher).
        body = response.content.decode().replace(token, "TOKEN")
        body = re.sub(r'nonce="[^"]*"', "", body)
        return re.sub(r"[A-Za-z0-9]{64}", "", body)

    unknown = page("x" * 32)
    assert "无效" in unknown and "R-1" not in page(revoked.token)
    assert page(revoked.token) == unknown == page(old.token)
    assert "有效" in page(new.token) and "S-1" in page(new.token)


def test_revoke_and_reissue_rules(school, media_root):
    centre = build_actor(school.centre, school.institution.pk)
    department = build_actor(school.dept_staff, school.institution.pk)
    document = issue_sample(school, school.graduates[0])
    with pytest.raises(ValidationError):
        services.document_revoke(actor=centre, document=document, reason="")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.document_revoke(actor=department, document=document, reason="不该作废")
    render = renderer("documents/print/generic.html", {"title": "补发", "lines": []})
    new = services.document_reissue(
        actor=centre, document=document, reason="原件遗失", render=render
    )
    document.refresh_from_db()
    assert document.status == "superseded" and new.reissue_of == document
    assert new.number == document.number and new.token != document.token
    assert new.reissue_reason == "原件遗失"
    with pytest.raises(ValidationError):  # a superseded original cannot be re-issued again
        services.document_reissue(actor=centre, document=document, reason="再补", render=render)
    kinds = list(
        AuditEvent.objects.filter(target_type="documents.issueddocument")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert kinds == ["document.issue", "document.reissue", "document.issue"]


def test_download_is_scoped_and_recorded(school, other_school, client_for, media_root):
    document = issue_sample(school, school.graduates[0])
    other = issue_sample(school, school.graduates[2], "OTHER-DEPT")
    url = reverse("documents:pdf", kwargs={"document_id": document.pk})
    response = client_for(school.graduate_user).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="document.download").count() == 1
    assert client_for(school.dept_staff).get(url).status_code == 200
    other_url = reverse("documents:pdf", kwargs={"document_id": other.pk})
    assert client_for(school.dept_staff).get(other_url).status_code == 404  # another department
    assert client_for(school.graduate_user).get(other_url).status_code == 404
    assert client_for(other_school.centre).get(url).status_code == 404  # another school
    assert client_for(school.centre).post(url).status_code == 405


def test_revoke_view(school, client_for, media_root):
    document = issue_sample(school, school.graduates[0])
    url = reverse("documents:revoke", kwargs={"document_id": document.pk})
    assert client_for(school.dept_staff).post(url, {"reason": "x" * 5}).status_code == 403
    assert client_for(school.centre).get(url).status_code == 405
    response = client_for(school.centre).post(url, {"reason": "盖章有误"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "revoked" and document.revoke_reason == "盖章有误"


def test_list_and_detail_pages(school, client_for, media_root, django_assert_num_queries):
    for n in range(3):
        issue_sample(school, school.graduates[0], f"L-{n}")
    client = client_for(school.graduate_user)
    client.get(reverse("documents:list"))
    # session, user, memberships, their departments, institution, unread notifications (base
    # template), the documents with graduate and department joined
    with django_assert_num_queries(7):
        response = client.get(reverse("documents:list"))
    assert response.status_code == 200 and "L-2" in response.content.decode()
