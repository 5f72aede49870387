"""Résumés and portfolios: the graduate's pages, staff reads through scoping, the employer's
consent rule (resume_visible_to_employer), media and PDF checks, the printable PDF."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from qihang.audit.models import SensitiveRead
from qihang.employers.models import EmployerStanding
from qihang.institutions.scoping import build_actor
from qihang.resumes import selectors, services
from qihang.resumes.models import ConsentChange, MediaItem, Skill
from qihang.resumes.sections import BY_KEY
from tests.conftest import TINY_PNG
from tests.factories import make_employer, make_user

MP3 = b"ID3\x04\x00\x00" + b"\x00" * 100
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(school, other_school, media_root):
    graduate = school.graduates[0]
    actor = build_actor(school.graduate_user, school.institution.pk)
    resume = services.resume_of(graduate)
    services.resume_row_add(
        actor=actor,
        resume=resume,
        section=BY_KEY["education"],
        data={
            "school": "上海音乐学院",
            "degree": "本科",
            "major": "钢琴演奏",
            "period": "2016–2020",
        },
    )
    media = services.resume_media_upload(
        actor=actor, resume=resume, title="肖邦练习曲", file=ContentFile(MP3, name="chopin.mp3")
    )
    services.resume_pdf_upload(actor=actor, resume=resume, file=ContentFile(PDF, name="简历.pdf"))
    recruiter = make_user("recruiter")
    employer = make_employer(
        "上海交响乐团", serial=901, institution=school.institution, user=recruiter
    )
    return {
        "actor": actor,
        "resume": resume,
        "media": media,
        "recruiter": recruiter,
        "employer": employer,
    }


def employer_urls(graduate_id, media_id):
    return [
        reverse("resumes:employer_detail", args=[graduate_id]),
        reverse("resumes:employer_pdf", args=[graduate_id]),
        reverse("resumes:employer_print", args=[graduate_id]),
        reverse("resumes:employer_media", args=[graduate_id, media_id]),
    ]


# --- The graduate's own pages --------------------------------------------------------------------
@pytest.mark.django_db
def test_graduate_adds_and_removes_a_row_with_htmx(school, world, client_for):
    client = client_for(school.graduate_user)
    url = reverse("resumes:row_add", args=["skills"])
    response = client.post(
        url, {"skills-name": "视奏", "skills-level": "熟练"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "视奏" in response.content.decode()
    assert 'id="section-skills"' in response.content.decode()
    row = Skill.objects.get(resume=world["resume"])
    response = client.post(
        reverse("resumes:row_remove", args=["skills", row.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not Skill.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_a_row_without_its_required_field_says_which(school, world, client_for):
    client = client_for(school.graduate_user)
    response = client.post(
        reverse("resumes:row_add", args=["repertoire"]),
        {"repertoire-composer": "贝多芬"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()


@pytest.mark.django_db
def test_graduate_page_shows_everything(school, world, client_for):
    response = client_for(school.graduate_user).get(reverse("resumes:mine"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "上海音乐学院" in body and "肖邦练习曲" in body and "简历.pdf" in body


@pytest.mark.django_db
def test_another_graduates_row_is_404(school, other_school, world, client_for):
    theirs = build_actor(other_school.graduate_user, other_school.institution.pk)
    row = services.resume_row_add(
        actor=theirs,
        resume=services.resume_of(other_school.graduates[0]),
        section=BY_KEY["skills"],
        data={"name": "指挥"},
    )
    client = client_for(school.graduate_user)
    response = client.post(reverse("resumes:row_remove", args=["skills", row.pk]))
    assert response.status_code == 404
    assert Skill.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_write_endpoints_refuse_staff_and_get(school, world, client_for):
    for url in (
        reverse("resumes:profile"),
        reverse("resumes:consent"),
        reverse("resumes:row_add", args=["skills"]),
        reverse("resumes:pdf_upload"),
        reverse("resumes:media_upload"),
    ):
        assert client_for(school.dept_staff).post(url, {}).status_code == 403, url
        assert client_for(school.graduate_user).get(url).status_code == 405, url


# --- Upload and link checks ----------------------------------------------------------------------
@pytest.mark.django_db
def test_media_is_checked_by_its_bytes(school, world, client_for, settings):
    client = client_for(school.graduate_user)
    url = reverse("resumes:media_upload")

    def upload(data, name):
        return client.post(url, {"title": "录音", "file": ContentFile(data, name=name)})

    assert upload(MP3, "a.mp3").status_code == 302
    assert upload(b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 20, "a.wav").status_code == 302
    assert upload(b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 20, "a.m4a").status_code == 302
    assert upload(b"\x1a\x45\xdf\xa3" + b"\x00" * 20, "a.webm").status_code == 302
    refused = upload(b"MZ\x90\x00" + b"\x00" * 40, "a.mp3")
    assert refused.status_code == 400 and "按文件内容判断" in refused.content.decode()
    mismatch = upload(MP3, "a.webm")
    assert mismatch.status_code == 400 and "扩展名与内容不符" in mismatch.content.decode()
    settings.QIHANG_MAX_MEDIA_BYTES = 50
    assert "过大" in upload(MP3, "b.mp3").content.decode()
    assert MediaItem.objects.filter(resume=world["resume"]).count() == 5


@pytest.mark.django_db
def test_pdf_resume_must_be_a_pdf(school, world, client_for):
    client = client_for(school.graduate_user)
    url = reverse("resumes:pdf_upload")
    image = client.post(url, {"pdf": ContentFile(TINY_PNG, name="a.png")})
    assert image.status_code == 400 and "PDF" in image.content.decode()
    html = client.post(url, {"pdf": ContentFile(b"<html>", name="a.pdf")})
    assert html.status_code == 400


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.bilibili.com/video/BV1xx", True),
        ("https://y.qq.com/n/ryqq/songDetail/1", True),
        ("https://music.163.com/#/song?id=1", True),
        ("https://youtu.be/abc", True),
        ("https://vimeo.com/1", True),
        ("http://www.bilibili.com/video/BV1xx", False),
        ("https://evil.example/bilibili.com", False),
        ("https://bilibili.com.evil.example/", False),
        ("https://user@www.youtube.com/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_links_are_https_to_an_allowed_platform(url, ok):
    from django.core.exceptions import ValidationError

    from qihang.lib.media import platform_of

    if ok:
        assert platform_of(url).name
    else:
        with pytest.raises(ValidationError):
            platform_of(url)


@pytest.mark.django_db
def test_a_link_row_names_its_platform(school, world, client_for):
    client = client_for(school.graduate_user)
    url = reverse("resumes:row_add", args=["media"])
    bad = client.post(url, {"media-title": "独奏", "media-url": "https://example.com/x"})
    assert bad.status_code == 400 and "不支持" in bad.content.decode()
    client.post(url, {"media-title": "独奏", "media-url": "https://www.bilibili.com/video/BV1"})
    assert MediaItem.objects.get(resume=world["resume"], kind="link").platform == "哔哩哔哩"


# --- Staff -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_counsellor_sees_their_departments_graduates_only(school, world, client_for):
    client = client_for(school.dept_staff)
    mine = client.get(reverse("resumes:staff_detail", args=[school.graduates[0].pk]))
    assert mine.status_code == 200 and "上海音乐学院" in mine.content.decode()
    other = client.get(reverse("resumes:staff_detail", args=[school.graduates[2].pk]))
    assert other.status_code == 404
    media = client.get(
        reverse("resumes:staff_media", args=[school.graduates[0].pk, world["media"].pk])
    )
    assert media.status_code == 200 and media.content == MP3
    assert media["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_mentor_sees_mentees_only_and_others_get_404(school, other_school, world, client_for):
    assert (
        client_for(school.teacher)
        .get(reverse("resumes:staff_detail", args=[school.graduates[0].pk]))
        .status_code
        == 200
    )
    assert (
        client_for(school.teacher)
        .get(reverse("resumes:staff_detail", args=[school.graduates[1].pk]))
        .status_code
        == 404
    )
    assert (
        client_for(other_school.centre)
        .get(reverse("resumes:staff_detail", args=[school.graduates[0].pk]))
        .status_code
        == 404
    )


# --- Employers and consent -------------------------------------------------------------------------
@pytest.mark.django_db
def test_employer_reaches_a_resume_only_while_the_graduate_consents(school, world, client_for):
    graduate = school.graduates[0]
    client = client_for(world["recruiter"])
    urls = employer_urls(graduate.pk, world["media"].pk)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert graduate.name not in client.get(reverse("resumes:employer_list")).content.decode()

    me = client_for(school.graduate_user)
    me.post(reverse("resumes:consent"), {"discoverable": "on"})
    assert selectors.resume_visible_to_employer(graduate, world["employer"].pk)
    assert graduate.name in client.get(reverse("resumes:employer_list")).content.decode()
    for url in urls:
        assert client.get(url).status_code == 200, url
    reads = SensitiveRead.objects.filter(
        target_type="resumes.resume", target_id=str(world["resume"].pk)
    )
    assert reads.count() == 4 and all("上海交响乐团" in r.reason for r in reads)
    page = me.get(reverse("resumes:reads")).content.decode()
    assert "上海交响乐团" in page

    me.post(reverse("resumes:consent"), {"discoverable": "off"})
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert graduate.name not in client.get(reverse("resumes:employer_list")).content.decode()
    assert list(
        ConsentChange.objects.filter(resume=world["resume"]).values_list("granted", flat=True)
    ) == [False, True]


@pytest.mark.django_db
def test_employer_not_verified_at_the_institution_sees_nothing(school, world, client_for):
    services.resume_consent_set(actor=world["actor"], resume=world["resume"], granted=True)
    standing = EmployerStanding.objects.get(employer=world["employer"])
    for status in ("pending", "suspended"):
        standing.status = status
        standing.save(update_fields=["status"])
        for url in employer_urls(school.graduates[0].pk, world["media"].pk):
            assert client_for(world["recruiter"]).get(url).status_code == 404


@pytest.mark.django_db
def test_employer_walk_never_reaches_a_non_consenting_graduate(
    school, other_school, world, client_for
):
    """Every employer route of the app, for every graduate of both schools and every media row:
    404 unless the graduate consents and the employer is verified at their institution."""
    services.resume_consent_set(actor=world["actor"], resume=world["resume"], granted=True)
    theirs = build_actor(other_school.graduate_user, other_school.institution.pk)
    services.resume_consent_set(
        actor=theirs, resume=services.resume_of(other_school.graduates[0]), granted=True
    )
    client = client_for(world["recruiter"])
    media_ids = list(MediaItem.objects.values_list("pk", flat=True))
    for graduate in [*school.graduates, *other_school.graduates]:
        visible = graduate.pk == school.graduates[0].pk
        for media_id in media_ids:
            for url in employer_urls(graduate.pk, media_id):
                expected = (
                    200
                    if visible and ("media" not in url or media_id == world["media"].pk)
                    else 404
                )
                assert client.get(url).status_code == expected, url


@pytest.mark.django_db
def test_staff_cannot_use_employer_routes(school, world, client_for):
    assert client_for(school.centre).get(reverse("resumes:employer_list")).status_code == 403
    assert client_for(world["recruiter"]).get(reverse("resumes:mine")).status_code == 403


# --- Printable PDF ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_printable_pdf_carries_the_chinese_text(school, world, client_for):
    from pypdf import PdfReader

    response = client_for(school.graduate_user).get(reverse("resumes:own_print"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert school.graduates[0].name in text  # 李明
    assert "教育经历" in text and "上海音乐学院" in text


# --- Query counts ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_employer_list_queries(school, world, client_for, django_assert_num_queries):
    services.resume_consent_set(actor=world["actor"], resume=world["resume"], granted=True)
    client = client_for(world["recruiter"])
    client.get(reverse("resumes:employer_list"))
    # session, user, memberships (none: an employer account), employer membership (the actor),
    # count, unread notifications (base template), the page of graduates with institution,
    # department, major, cohort and résumé joined
    with django_assert_num_queries(7):
        assert client.get(reverse("resumes:employer_list")).status_code == 200


@pytest.mark.django_db
def test_reads_page_queries(school, world, client_for, django_assert_num_queries):
    services.resume_consent_set(actor=world["actor"], resume=world["resume"], granted=True)
    reader = client_for(world["recruiter"])
    for _ in range(3):
        reader.get(reverse("resumes:employer_detail", args=[school.graduates[0].pk]))
    client = client_for(school.graduate_user)
    client.get(reverse("resumes:reads"))
    # session, user, memberships (+ their departments), the graduate (joined), the résumé,
    # count, the institution (switcher in the base template), unread notifications, the page
    # of reads with their readers joined
    with django_assert_num_queries(10):
        assert client.get(reverse("resumes:reads")).status_code == 200


@pytest.mark.django_db
def test_staff_list_is_scoped(school, world, client_for, django_assert_num_queries):
    services.resume_of(school.graduates[2])  # 声乐歌剧系: not the counsellor's
    client = client_for(school.dept_staff)
    client.get(reverse("resumes:staff_list"))
    # session, user, memberships (+ departments), count, the institution (switcher), unread
    # notifications, the page of graduates with department, major, cohort and résumé joined
    with django_assert_num_queries(8):
        body = client.get(reverse("resumes:staff_list")).content.decode()
    assert school.graduates[0].name in body and school.graduates[2].name not in body
    assert (
        school.graduates[2].name
        in client_for(school.centre).get(reverse("resumes:staff_list")).content.decode()
    )


@pytest.mark.django_db
def test_profile_is_saved_and_audited(school, world, client_for):
    from qihang.audit.models import AuditEvent

    client = client_for(school.graduate_user)
    response = client.post(
        reverse("resumes:profile"), {"headline": "乐团钢琴演奏员", "summary": "热爱室内乐。"}
    )
    assert response.status_code == 302
    world["resume"].refresh_from_db()
    assert world["resume"].headline == "乐团钢琴演奏员"
    event = AuditEvent.objects.filter(action="resume.update").latest("pk")
    assert event.data["fields"] == ["headline", "summary"]


@pytest.mark.django_db
def test_reading_a_graduate_without_a_resume_writes_nothing(school, world, client_for):
    from qihang.resumes.models import Resume

    before = Resume.objects.count()
    response = client_for(school.centre).get(
        reverse("resumes:staff_detail", args=[school.graduates[1].pk])
    )
    assert response.status_code == 200
    assert Resume.objects.count() == before
    assert not SensitiveRead.objects.filter(target_label__contains=school.graduates[1].name)


@pytest.mark.django_db
def test_uploads_are_sealed_on_disk_and_have_no_public_url(world, settings):
    from pathlib import Path

    for field in (world["media"].file, world["resume"].pdf_file):
        raw = Path(field.path).read_bytes()
        assert raw not in (MP3, PDF) and MP3 not in raw and b"%PDF" not in raw
        assert Path(field.path).stat().st_mode & 0o077 == 0  # 0600
        assert field.name.endswith(".enc")
    assert services.stored_bytes(world["media"].file) == MP3
