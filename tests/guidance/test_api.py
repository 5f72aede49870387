"""The guidance API for graduates (their session): the catalogue, a course's lectures, attendance
by code and feedback; 404 for another institution's ids, 403 for staff, 405 for a wrong method,
422 for a bad body."""

import json

import pytest
from django.core.files.base import ContentFile

from qihang.guidance import services
from qihang.guidance.models import Attendance, Feedback
from qihang.institutions.scoping import build_actor
from tests.guidance.helpers import CODE, TINY_MP4, add_lecture, make_course

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def course(school):
    course = make_course(school, title="就业指导课")
    add_lecture(school, course, title="第一讲", video=ContentFile(TINY_MP4, name="1.mp4"))
    add_lecture(school, course, title="第二讲", video_url="https://v.qq.com/x/page/a.html")
    return course


def test_a_graduate_lists_courses_and_lectures(school, client_for, course):
    client = client_for(school.graduate_user)
    listed = client.get("/api/v1/guidance/courses").json()
    assert [(c["title"], c["lectures"], c["attended"]) for c in listed] == [("就业指导课", 2, 0)]
    lectures = client.get(f"/api/v1/guidance/courses/{course.pk}/lectures").json()
    assert [lecture["title"] for lecture in lectures] == ["第一讲", "第二讲"]
    assert (
        lectures[0]["video_url"].endswith("/video/") and lectures[1]["video_platform"] == "腾讯视频"
    )
    assert lectures[0]["has_code"] and not lectures[0]["attended"]


def test_attendance_by_code(school, client_for, course):
    client = client_for(school.graduate_user)
    lecture = course.lectures.first()
    url = f"/api/v1/guidance/lectures/{lecture.pk}/attend"
    wrong = post(client, url, {"code": "WRONG2"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "code"]
    assert post(client, url, {"code": ""}).status_code == 422  # the schema's min_length
    assert post(client, url, {"nothing": 1}).status_code == 422
    done = post(client, url, {"code": CODE.lower()})
    assert done.status_code == 200 and done.json()["how"] == "code"
    assert post(client, url, {"code": CODE}).status_code == 200  # a retry: the same attendance
    assert post(client, url).status_code == 422  # no body
    assert Attendance.objects.count() == 1
    assert client.get(url).status_code == 405


def test_feedback_once_per_course(school, client_for, course):
    client = client_for(school.graduate_user)
    url = f"/api/v1/guidance/courses/{course.pk}/feedback"
    assert post(client, url).status_code == 422  # nothing given yet
    assert post(client, url, {"rating": 6}).status_code == 422
    assert post(client, url, {"rating": "five"}).status_code == 422
    given = post(client, url, {"rating": 5, "comment": "很实用"})
    assert given.status_code == 200 and given.json()["rating"] == 5
    again = post(client, url, {"rating": 1})
    assert again.status_code == 422 and "已评价" in again.json()["detail"][0]["msg"]
    assert list(Feedback.objects.values_list("rating", flat=True)) == [5]
    assert client.get(url).status_code == 405


def test_another_institutions_ids_are_404(school, other_school, client_for, course):
    client = client_for(other_school.graduate_user)
    lecture = course.lectures.first()
    assert client.get(f"/api/v1/guidance/courses/{course.pk}/lectures").status_code == 404
    assert (
        post(client, f"/api/v1/guidance/lectures/{lecture.pk}/attend", {"code": CODE}).status_code
        == 404
    )
    assert (
        post(client, f"/api/v1/guidance/courses/{course.pk}/feedback", {"rating": 5}).status_code
        == 404
    )
    assert client.get("/api/v1/guidance/courses").json() == []
    assert not Attendance.objects.exists() and not Feedback.objects.exists()


def test_a_shared_course_is_in_the_partners_api(school, other_school, paired, client_for, course):
    services.course_share(
        actor=build_actor(school.centre, school.institution.pk),
        course=course,
        partner_id=other_school.institution.pk,
    )
    listed = client_for(other_school.graduate_user).get("/api/v1/guidance/courses").json()
    assert [(c["title"], c["shared"], c["institution"]) for c in listed] == [
        ("就业指导课", True, "东方音乐学院")
    ]


def test_staff_are_403(school, client_for, course):
    lecture = course.lectures.first()
    for user in (school.centre, school.teacher, school.dept_staff, school.leader):
        client = client_for(user)
        assert client.get("/api/v1/guidance/courses").status_code == 403
        assert client.get(f"/api/v1/guidance/courses/{course.pk}/lectures").status_code == 403
        assert (
            post(
                client, f"/api/v1/guidance/lectures/{lecture.pk}/attend", {"code": CODE}
            ).status_code
            == 403
        )
        assert (
            post(
                client, f"/api/v1/guidance/courses/{course.pk}/feedback", {"rating": 5}
            ).status_code
            == 403
        )
