"""Guidance services: each write with its audit row; who may manage a course; recordings and
PDFs checked by their bytes and size; attendance by code or by a teacher; one feedback per
graduate and course, its rating a database CHECK."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from qihang.audit.models import AuditEvent
from qihang.guidance import services
from qihang.guidance.models import Attendance, Course, Feedback, Lecture
from qihang.institutions.scoping import build_actor
from qihang.lib.crypto import is_encrypted_bytes
from tests.guidance.helpers import CODE, TINY_MP4, TINY_PDF, add_lecture, make_course

pytestmark = pytest.mark.django_db


def actions(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_course_is_saved_and_published_with_audit_rows(school, centre):
    course = services.course_save(
        actor=centre,
        course=None,
        data={"kind": "talk", "title": "乐团招考面试准备", "teacher_name": "交响乐团人事主管"},
    )
    assert course.status == "draft" and course.institution_id == school.institution.pk
    services.course_publish(actor=centre, course=course)
    course.refresh_from_db()
    assert course.status == "published" and course.published_at is not None
    assert actions(course) == ["course.save", "course.publish"]


def test_department_staff_manage_only_their_departments_courses(school):
    staff = build_actor(school.dept_staff, school.institution.pk)
    piano, voice = school.departments
    with pytest.raises(ValidationError):
        services.course_save(actor=staff, course=None, data={"kind": "course", "title": "全校课"})
    with pytest.raises(ValidationError):
        services.course_save(
            actor=staff, course=None, data={"kind": "course", "title": "声乐"}, department=voice
        )
    mine = services.course_save(
        actor=staff, course=None, data={"kind": "course", "title": "钢琴"}, department=piano
    )
    assert services.may_manage(staff, mine)
    theirs = make_course(school, title="全校课")
    assert not services.may_manage(staff, theirs)
    with pytest.raises(PermissionDenied):
        services.course_publish(actor=staff, course=theirs)


def test_a_teacher_reads_but_does_not_manage(school):
    teacher = build_actor(school.teacher, school.institution.pk)
    with pytest.raises(PermissionDenied):
        services.course_save(actor=teacher, course=None, data={"kind": "course", "title": "x"})


def test_a_lecture_links_to_an_allowed_platform_only(school, centre):
    course = make_course(school)
    lecture = add_lecture(school, course, video_url="https://www.bilibili.com/video/BV1xx")
    assert lecture.video_platform == "哔哩哔哩" and lecture.order == 1
    assert actions(lecture) == ["lecture.save"]
    with pytest.raises(ValidationError) as refused:
        add_lecture(school, course, video_url="https://example.com/video")
    assert "video_url" in refused.value.message_dict
    with pytest.raises(ValidationError):
        add_lecture(school, course, video_url="http://www.bilibili.com/video/BV1xx")
    assert add_lecture(school, course, title="第二讲").order == 2


def test_an_uploaded_video_is_checked_and_sealed(school):
    course = make_course(school)
    lecture = add_lecture(school, course, video=ContentFile(TINY_MP4, name="第一讲.mp4"))
    assert lecture.video_type == "video/mp4" and lecture.video_name == "第一讲.mp4"
    with lecture.video_file.open("rb") as handle:
        assert is_encrypted_bytes(handle.read())
    assert services.stored_bytes(lecture.video_file) == TINY_MP4


@pytest.mark.parametrize(
    ("data", "name", "why"),
    [
        (b"<html><script>alert(1)</script></html>" * 4, "lecture.mp4", "不是"),  # magic bytes
        (TINY_MP4, "lecture.webm", "扩展名"),  # extension and content disagree
        (b"ID3\x04\x00" + b"\x00" * 64, "talk.mp3", "录音"),  # audio, not video
        (b"", "empty.mp4", "空文件"),
    ],
)
def test_a_video_upload_is_refused_by_its_bytes(school, data, name, why):
    course = make_course(school)
    with pytest.raises(ValidationError) as refused:
        add_lecture(school, course, video=ContentFile(data, name=name))
    assert why in " ".join(refused.value.message_dict["video"])
    assert not Lecture.objects.filter(course=course).exists()


def test_a_video_upload_over_the_limit_is_refused(school, settings):
    settings.QIHANG_MAX_MEDIA_BYTES = 64
    course = make_course(school)
    with pytest.raises(ValidationError) as refused:
        add_lecture(school, course, video=ContentFile(TINY_MP4, name="big.mp4"))
    assert "过大" in " ".join(refused.value.message_dict["video"])


def test_a_lecture_has_a_link_or_an_upload_not_both(school):
    course = make_course(school)
    with pytest.raises(ValidationError):
        add_lecture(
            school,
            course,
            video_url="https://www.bilibili.com/video/BV1",
            video=ContentFile(TINY_MP4, name="a.mp4"),
        )
    lecture = add_lecture(school, course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lecture.objects.filter(pk=lecture.pk).update(
            video_url="https://www.bilibili.com/video/BV1", video_file="guidance/x.mp4.enc"
        )


def test_materials_are_pdfs_by_their_bytes_or_https_links(school, centre, settings):
    from tests.conftest import TINY_PNG

    course = make_course(school)
    pdf = services.material_add(
        actor=centre, course=course, title="求职礼仪", file=ContentFile(TINY_PDF, name="礼仪.pdf")
    )
    assert services.stored_bytes(pdf.file) == TINY_PDF and actions(pdf) == ["material.add"]
    link = services.material_add(
        actor=centre, course=course, title="政策", url="https://www.ncss.cn/policy"
    )
    assert link.url.startswith("https://")
    for file in (
        ContentFile(TINY_PNG, name="scan.png"),  # an image is evidence, not material
        ContentFile(b"MZ\x90\x00" * 16, name="material.pdf"),  # wrong magic bytes
    ):
        with pytest.raises(ValidationError):
            services.material_add(actor=centre, course=course, title="x", file=file)
    with pytest.raises(ValidationError):
        services.material_add(actor=centre, course=course, title="x", url="http://a.example/")
    with pytest.raises(ValidationError):
        services.material_add(actor=centre, course=course, title="x")
    settings.QIHANG_MAX_EVIDENCE_BYTES = 16
    with pytest.raises(ValidationError) as refused:
        services.material_add(
            actor=centre, course=course, title="x", file=ContentFile(TINY_PDF, name="big.pdf")
        )
    assert "过大" in " ".join(refused.value.message_dict["file"])
    assert course.materials.count() == 2


def test_attendance_by_the_lectures_code(school, graduate):
    course = make_course(school)
    lecture = add_lecture(school, course)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=graduate, lecture=lecture, code="WRONG1")
    with pytest.raises(ValidationError):
        services.attendance_record(actor=graduate, lecture=lecture, code="")
    attendance = services.attendance_record(
        actor=graduate, lecture=lecture, code=f" {CODE.lower()} "
    )
    assert attendance.how == "code" and attendance.graduate == school.graduates[0]
    assert actions(attendance) == ["attendance.record"]
    # Again: the same row, no second audit row.
    again = services.attendance_record(actor=graduate, lecture=lecture, code=CODE)
    assert again.pk == attendance.pk and Attendance.objects.count() == 1


def test_a_lecture_without_a_code_takes_no_typed_attendance(school, graduate, centre):
    course = make_course(school)
    lecture = services.lecture_save(
        actor=centre, course=course, lecture=None, data={"title": "无签到码"}
    )
    with pytest.raises(ValidationError):
        services.attendance_record(actor=graduate, lecture=lecture, code="ANY")


def test_a_draft_courses_lectures_are_not_attended(school, graduate):
    course = make_course(school, publish=False)
    lecture = add_lecture(school, course)
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=graduate, lecture=lecture, code=CODE)


def test_a_teacher_records_attendance_of_graduates_they_see(school, centre):
    course = make_course(school)
    lecture = add_lecture(school, course)
    row = services.attendance_mark(actor=centre, lecture=lecture, graduate=school.graduates[1])
    assert row.how == "teacher" and row.recorded_by_id == school.centre.pk
    staff = build_actor(school.dept_staff, school.institution.pk)
    piano_course = services.course_save(
        actor=staff,
        course=None,
        data={"kind": "course", "title": "钢琴"},
        department=school.departments[0],
    )
    piano_lecture = add_lecture(school, piano_course)
    with pytest.raises(PermissionDenied):  # 赵强 is of 声乐歌剧系
        services.attendance_mark(actor=staff, lecture=piano_lecture, graduate=school.graduates[2])


def test_one_feedback_per_graduate_and_course(school, graduate):
    course = make_course(school)
    feedback = services.feedback_submit(actor=graduate, course=course, rating=4, comment="实用")
    assert actions(feedback) == ["feedback.submit"]
    with pytest.raises(ValidationError):
        services.feedback_submit(actor=graduate, course=course, rating=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            institution=school.institution, course=course, graduate=school.graduates[0], rating=3
        )


@pytest.mark.parametrize("rating", [0, 6, "x", None])
def test_a_rating_outside_1_to_5_is_refused(school, graduate, rating):
    course = make_course(school)
    with pytest.raises(ValidationError):
        services.feedback_submit(actor=graduate, course=course, rating=rating)


@pytest.mark.parametrize("rating", [0, 6])
def test_the_rating_is_a_database_check(school, rating):
    course = make_course(school)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            institution=school.institution,
            course=course,
            graduate=school.graduates[1],
            rating=rating,
        )


def test_staff_give_no_feedback(school, centre):
    course = make_course(school)
    with pytest.raises(PermissionDenied):
        services.feedback_submit(actor=centre, course=course, rating=5)
    assert Course.objects.count() == 1
