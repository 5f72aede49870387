"""Guidance pages: lists in fixed queries, roles (403) and methods (405), the recording as an
HTML5 video served by a checked view or a link out, the PDF served privately, and the forms."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from qihang.guidance import services
from qihang.guidance.models import Attendance, Course, Feedback, Lecture
from qihang.institutions.scoping import build_actor
from tests.guidance.helpers import CODE, TINY_MP4, TINY_PDF, actor_for, add_lecture, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(school, centre, make_graduates):
    """Four courses with lectures, attendance and feedback, so a page reading something per row
    would show it."""
    graduates = make_graduates(school, 3)
    courses = []
    for i in range(4):
        course = make_course(school, title=f"指导课{i}")
        for n in range(2):
            lecture = add_lecture(school, course, title=f"第{n + 1}讲")
            for g in graduates:
                services.attendance_record(actor=actor_for(g), lecture=lecture, code=CODE)
        for rating, g in zip((5, 4, 3), graduates, strict=True):
            services.feedback_submit(actor=actor_for(g), course=course, rating=rating)
        courses.append(course)
    return courses, graduates


def test_the_staff_list_reads_courses_with_figures_in_fixed_queries(
    client_for, school, many, django_assert_num_queries
):
    client = client_for(school.centre)
    client.get(reverse("guidance:list"))  # warm the session
    # session, user, memberships (+ departments), the count, the page of courses with their
    # figures (subqueries), the current institution, the navigation's unread count.
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        response = client.get(reverse("guidance:list"))
    body = response.content.decode()
    assert response.status_code == 200 and body.count("指导课") >= 4
    assert ">6<" in body  # 2 lectures × 3 graduates
    assert "4.0（3）" in body  # the average of 5, 4, 3


def test_the_catalogue_reads_in_fixed_queries(client_for, many, django_assert_num_queries):
    _courses, graduates = many
    client = client_for(graduates[0].user)
    client.get(reverse("guidance:catalogue"))
    # session, user, memberships (+ departments), the graduate, the courses with figures
    # (institution, department and teacher joined), the graduate's attendance per course, the
    # current institution, unread.
    with django_assert_num_queries(9):
        response = client.get(reverse("guidance:catalogue"))
    assert response.content.decode().count("已听 2/2 讲") == 4


def test_the_attendance_list_reads_in_fixed_queries(
    client_for, school, many, django_assert_num_queries
):
    courses, _graduates = many
    lecture = courses[0].lectures.first()
    url = reverse("guidance:attendance", args=[courses[0].pk, lecture.pk])
    client = client_for(school.centre)
    client.get(url)
    # session, user, memberships (+ departments), the course (with figures), the lecture, the
    # count, the page (graduate, department and institution joined), institution, unread.
    with django_assert_num_queries(11):  # + the session's OTP device (accounts.mfa)
        response = client.get(url)
    assert response.content.decode().count("学生") >= 3


def test_graduates_and_staff_reach_only_their_pages(school, client_for):
    course = make_course(school)
    graduate, teacher = client_for(school.graduate_user), client_for(school.teacher)
    leader = client_for(school.leader)
    assert graduate.get(reverse("guidance:list")).status_code == 403
    assert graduate.get(reverse("guidance:detail", args=[course.pk])).status_code == 403
    assert teacher.get(reverse("guidance:catalogue")).status_code == 403
    assert teacher.get(reverse("guidance:list")).status_code == 200
    assert teacher.get(reverse("guidance:create")).status_code == 403
    assert leader.post(reverse("guidance:publish", args=[course.pk])).status_code == 403
    dept = client_for(school.dept_staff)
    assert dept.post(reverse("guidance:share", args=[course.pk])).status_code == 403


def test_post_only_views_refuse_get(school, client_for):
    course = make_course(school)
    lecture = add_lecture(school, course)
    staff, graduate = client_for(school.centre), client_for(school.graduate_user)
    for url in (
        reverse("guidance:publish", args=[course.pk]),
        reverse("guidance:share", args=[course.pk]),
        reverse("guidance:lecture_add", args=[course.pk]),
        reverse("guidance:material_add", args=[course.pk]),
        reverse("guidance:attendance_mark", args=[course.pk, lecture.pk]),
    ):
        assert staff.get(url).status_code == 405, url
    assert graduate.get(reverse("guidance:attend", args=[lecture.pk])).status_code == 405
    assert graduate.get(reverse("guidance:feedback", args=[course.pk])).status_code == 405
    assert staff.post(reverse("guidance:list")).status_code == 405


def test_the_centre_makes_a_course_through_the_pages(school, client_for):
    client = client_for(school.centre)
    response = client.post(
        reverse("guidance:create"),
        {"kind": "course", "title": "就业指导课", "summary": "六讲", "teacher": school.teacher.pk},
    )
    course = Course.objects.get()
    assert response.status_code == 302 and course.teacher_id == school.teacher.pk
    client.post(
        reverse("guidance:lecture_add", args=[course.pk]),
        {
            "lecture-title": "职业生涯规划",
            "lecture-attendance_code": "abc234",
            "lecture-video": ContentFile(TINY_MP4, name="第一讲.mp4"),
        },
    )
    client.post(
        reverse("guidance:lecture_add", args=[course.pk]),
        {"lecture-title": "面试", "lecture-video_link": "https://www.bilibili.com/video/BV1"},
    )
    client.post(
        reverse("guidance:material_add", args=[course.pk]),
        {"material-title": "求职礼仪", "material-file": ContentFile(TINY_PDF, name="礼仪.pdf")},
    )
    client.post(reverse("guidance:publish", args=[course.pk]))
    course.refresh_from_db()
    assert course.status == "published"
    assert list(course.lectures.values_list("attendance_code", "video_platform")) == [
        ("ABC234", ""),
        ("", "哔哩哔哩"),
    ]
    page = client.get(reverse("guidance:detail", args=[course.pk])).content.decode()
    assert "第一讲.mp4" in page and "哔哩哔哩" in page and "求职礼仪" in page
    # A refused upload says why, and adds nothing.
    response = client.post(
        reverse("guidance:lecture_add", args=[course.pk]),
        {"lecture-title": "坏文件", "lecture-video": ContentFile(b"MZ" * 40, name="x.mp4")},
        follow=True,
    )
    assert "按文件内容判断" in response.content.decode()
    assert Lecture.objects.count() == 2


def test_the_graduates_course_page_plays_the_video_and_links_out(school, client_for):
    course = make_course(school)
    upload = add_lecture(school, course, video=ContentFile(TINY_MP4, name="第一讲.mp4"))
    add_lecture(school, course, title="面试", video_url="https://www.bilibili.com/video/BV1")
    material = services.material_add(
        actor=build_actor(school.centre, school.institution.pk),
        course=course,
        title="求职礼仪",
        file=ContentFile(TINY_PDF, name="礼仪.pdf"),
    )
    client = client_for(school.graduate_user)
    page = client.get(reverse("guidance:course", args=[course.pk])).content.decode()
    video_url = reverse("guidance:video", args=[course.pk, upload.pk])
    assert f'<video class="w-100 mb-2" controls preload="metadata" src="{video_url}"' in page
    assert 'href="https://www.bilibili.com/video/BV1"' in page and "在哔哩哔哩观看" in page
    video = client.get(video_url)
    assert video.status_code == 200 and video["Content-Type"] == "video/mp4"
    assert video.content == TINY_MP4 and video["X-Content-Type-Options"] == "nosniff"
    pdf = client.get(reverse("guidance:material_file", args=[course.pk, material.pk]))
    assert pdf.content == TINY_PDF and pdf["Content-Disposition"].startswith("attachment")
    assert client_for(school.leader).get(video_url).status_code == 200  # staff read it too


def test_a_graduate_attends_by_code_and_gives_feedback_once(school, client_for):
    course = make_course(school)
    lecture = add_lecture(school, course)
    client = client_for(school.graduate_user)
    wrong = client.post(
        reverse("guidance:attend", args=[lecture.pk]), {"code": "NOPE22"}, follow=True
    )
    assert "签到码不正确" in wrong.content.decode() and not Attendance.objects.exists()
    client.post(reverse("guidance:attend", args=[lecture.pk]), {"code": CODE.lower()})
    assert Attendance.objects.get().how == "code"
    page = client.get(reverse("guidance:course", args=[course.pk])).content.decode()
    assert "已听课" in page
    bad = client.post(reverse("guidance:feedback", args=[course.pk]), {"rating": "9"})
    assert bad.status_code == 400
    client.post(reverse("guidance:feedback", args=[course.pk]), {"rating": "4", "comment": "好"})
    again = client.post(reverse("guidance:feedback", args=[course.pk]), {"rating": "5"})
    assert again.status_code == 400 and "已评价" in again.content.decode()
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]


def test_a_teacher_marks_attendance_by_student_number(school, client_for):
    course = make_course(school)
    lecture = add_lecture(school, course)
    client = client_for(school.centre)
    url = reverse("guidance:attendance_mark", args=[course.pk, lecture.pk])
    client.post(url, {"student_no": school.graduates[1].student_no})
    client.post(url, {"student_no": "nobody"})
    assert list(Attendance.objects.values_list("graduate_id", "how")) == [
        (school.graduates[1].pk, "teacher")
    ]
    page = client.get(reverse("guidance:attendance", args=[course.pk, lecture.pk]))
    assert school.graduates[1].student_no in page.content.decode()


def test_a_lecture_is_edited_and_its_recording_replaced(school, client_for):
    course = make_course(school)
    lecture = add_lecture(school, course, video=ContentFile(TINY_MP4, name="旧.mp4"))
    client = client_for(school.centre)
    url = reverse("guidance:lecture_edit", args=[course.pk, lecture.pk])
    assert "旧.mp4" in client.get(url).content.decode()
    # Changing the title keeps the upload.
    client.post(url, {"title": "新标题", "order": "1", "attendance_code": "xyz789"})
    lecture.refresh_from_db()
    assert (lecture.title, lecture.attendance_code, lecture.video_name) == (
        "新标题",
        "XYZ789",
        "旧.mp4",
    )
    # A link replaces it.
    response = client.post(
        url, {"title": "新标题", "order": "1", "video_link": "https://www.youku.com/v/1"}
    )
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert lecture.video_platform == "优酷" and not lecture.video_file
    bad = client.post(url, {"title": "新标题", "order": "1", "video_link": "https://bad.example/"})
    assert bad.status_code == 200 and "不支持" in bad.content.decode()
    staff = client_for(school.dept_staff)  # the course is the whole institution's
    assert staff.get(url).status_code == 403


def test_the_video_answers_a_byte_range(school, client_for):
    course = make_course(school)
    lecture = add_lecture(school, course, video=ContentFile(TINY_MP4, name="1.mp4"))
    url = reverse("guidance:video", args=[course.pk, lecture.pk])
    response = client_for(school.graduate_user).get(url, headers={"Range": "bytes=0-7"})
    assert response.status_code == 206 and response.content == TINY_MP4[:8]
    assert response["Content-Range"] == f"bytes 0-7/{len(TINY_MP4)}"


def test_marking_reaches_only_graduates_the_teacher_sees(school, other_school, client_for):
    """The student number is an id in the POST body: another school's graduate is "not found"
    (nothing about them in the answer), and department staff reach only their departments."""
    course = make_course(school)
    lecture = add_lecture(school, course)
    url = reverse("guidance:attendance_mark", args=[course.pk, lecture.pk])
    foreign = other_school.graduates[0]
    response = client_for(school.centre).post(url, {"student_no": foreign.student_no}, follow=True)
    assert "没有找到该学号的毕业生" in response.content.decode()
    assert foreign.name not in response.content.decode()
    # 钢琴系 staff marking a 声乐歌剧系 graduate of the same school: not one they see.
    other_department = next(
        g for g in school.graduates if g.department_id != school.departments[0].pk
    )
    client_for(school.dept_staff).post(url, {"student_no": other_department.student_no})
    assert not Attendance.objects.exists()
