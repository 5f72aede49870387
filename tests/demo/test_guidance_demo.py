import pytest

from qihang.demo import catalogue as cat
from qihang.guidance.models import Attendance, Course, CourseKind, Feedback
from qihang.institutions.models import Institution, Share


@pytest.mark.django_db
def test_the_demo_has_a_course_of_six_lectures_and_a_talk_shared_with_jiangcheng(demo):
    school = Institution.objects.get(code=cat.DFCM.code)
    partner = Institution.objects.get(code=cat.JCCM.code)
    course = Course.objects.get(institution=school, kind=CourseKind.COURSE, status="published")
    assert course.lectures.count() == 6 and course.materials.count() == 2
    assert Attendance.objects.filter(lecture__course=course).count() > 50
    assert Feedback.objects.filter(course=course).count() >= 10
    talk = Course.objects.get(title="乐团招考面试准备")
    share = Share.objects.active().get(kind="guidance.course", object_id=talk.pk)
    assert share.partner == partner
    # 江城's graduates attended the shared talk.
    assert Attendance.objects.filter(lecture__course=talk, institution=partner).exists()
    assert Course.objects.filter(status="draft").exists()
