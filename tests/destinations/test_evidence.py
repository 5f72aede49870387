"""Evidence files: type by magic bytes, size limit, private storage, permission-checked
download as an attachment."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qihang.destinations import services
from qihang.destinations.evidence import EvidenceUpload, check_upload
from qihang.destinations.models import Evidence
from tests.conftest import TINY_PNG
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("协议书.pdf", PDF, "application/pdf"),
        ("offer.JPG", JPEG, "image/jpeg"),
        ("a.png", TINY_PNG, "image/png"),
    ],
)
def test_accepted_types(name, data, content_type):
    checked = check_upload(EvidenceUpload("offer", ContentFile(data, name=name)))
    assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("恶意.pdf", b"<html><script>alert(1)</script></html>", "不是PDF、JPEG或PNG文件"),
        ("setup.png", b"MZ\x90\x00" + b"\x00" * 60, "不是PDF、JPEG或PNG文件"),
        ("scan.pdf", TINY_PNG, "扩展名与内容不符"),
        ("scan.exe", PDF, "扩展名与内容不符"),
        ("empty.pdf", b"", "是空文件"),
    ],
)
def test_refused_by_content(name, data, message):
    with pytest.raises(ValidationError) as excinfo:
        check_upload(EvidenceUpload("offer", ContentFile(data, name=name)))
    assert message in excinfo.value.message_dict["evidence"][0]


def test_size_limit(settings):
    settings.QIHANG_MAX_EVIDENCE_BYTES = 1024
    with pytest.raises(ValidationError) as excinfo:
        check_upload(EvidenceUpload("offer", ContentFile(PDF + b"0" * 1024, name="big.pdf")))
    assert "过大" in excinfo.value.message_dict["evidence"][0]


def test_stored_privately_under_a_random_name(school, media_root):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[("agreement", ContentFile(PDF, name="../../李明 协议书.pdf"))],
    )
    evidence = destination.evidence.get()
    assert evidence.original_name == "李明 协议书.pdf"
    assert evidence.file.name.startswith(f"evidence/{school.institution.pk}/")
    assert "李明" not in evidence.file.name
    assert (media_root / evidence.file.name).read_bytes() == PDF
    assert evidence.size == len(PDF) and len(evidence.sha256) == 64
    assert evidence.version == destination.version


def test_failed_submission_leaves_no_file(school, media_root):
    with pytest.raises(ValidationError):
        services.destination_submit(
            actor=actor(school.graduate_user, school),
            graduate=school.graduates[0],
            data=employment(employer_credit_code="bad"),
            evidence_files=[("agreement", ContentFile(PDF, name="a.pdf"))],
        )
    assert not Evidence.objects.exists()
    assert not list(media_root.rglob("*.pdf"))


@pytest.fixture
def evidence(school):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[("agreement", ContentFile(PDF, name="协议书.pdf"))],
    )
    return destination.evidence.get()


def test_download_is_an_attachment_with_nosniff(school, evidence, client_for):
    response = client_for(school.graduate_user).get(
        reverse("destinations:evidence", args=[evidence.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_download_follows_scope(school, other_school, evidence, client_for):
    url = reverse("destinations:evidence", args=[evidence.pk])
    assert client_for(school.dept_staff).get(url).status_code == 200  # 钢琴系 staff
    assert client_for(school.teacher).get(url).status_code == 200  # the mentor
    assert client_for(school.leader).get(url).status_code == 200
    assert client_for(other_school.centre).get(url).status_code == 404
    # A graduate of the same school, not the owner.
    from qihang.institutions.models import Membership
    from qihang.institutions.roles import Role
    from tests.factories import make_user

    stranger = make_user("a-grad-2")
    Membership.objects.create(institution=school.institution, user=stranger, role=Role.GRADUATE)
    school.graduates[1].user = stranger
    school.graduates[1].save(update_fields=["user"])
    assert client_for(stranger).get(url).status_code == 404


def test_upload_through_the_page(school, client_for):
    client = client_for(school.graduate_user)
    response = client.post(
        reverse("destinations:mine"),
        {
            **{k: v for k, v in employment().items() if v is not None},
            "confirmed_not_internship": "on",
            "evidence_kind": "agreement",
            "evidence_file": SimpleUploadedFile("协议书.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Evidence.objects.get().original_name == "协议书.pdf"


def test_page_shows_the_magic_byte_error_on_the_field(school, client_for):
    response = client_for(school.graduate_user).post(
        reverse("destinations:mine"),
        {
            **{k: v for k, v in employment().items() if v is not None},
            "confirmed_not_internship": "on",
            "evidence_kind": "agreement",
            "evidence_file": SimpleUploadedFile("协议书.pdf", b"<html></html>", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "不是PDF、JPEG或PNG文件" in response.context["form"].errors["evidence_file"][0]
    assert not Evidence.objects.exists()


def test_add_evidence_later(school, evidence, client_for):
    destination = evidence.destination
    response = client_for(school.dept_staff).post(
        reverse("destinations:evidence_upload", args=[destination.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("合同.png", TINY_PNG)},
    )
    assert response.status_code == 302
    assert destination.evidence.count() == 2
    # Leadership may read but not add.
    response = client_for(school.leader).post(
        reverse("destinations:evidence_upload", args=[destination.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("合同.png", TINY_PNG)},
    )
    assert response.status_code == 403


def test_graduate_adds_a_file_from_their_page(school, evidence, client_for):
    destination = evidence.destination
    response = client_for(school.graduate_user).post(
        reverse("destinations:evidence_upload", args=[destination.pk]),
        {"kind": "offer", "file": SimpleUploadedFile("录用证明.jpg", JPEG)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("destinations:mine")
    assert destination.evidence.filter(original_name="录用证明.jpg").exists()
    response = client_for(school.graduate_user).post(
        reverse("destinations:evidence_upload", args=[destination.pk]),
        {"kind": "internship", "file": SimpleUploadedFile("实习.jpg", JPEG)},
        follow=True,
    )
    assert "实习、见习证明不能作为就业证明" in response.content.decode()
    assert not destination.evidence.filter(original_name="实习.jpg").exists()
