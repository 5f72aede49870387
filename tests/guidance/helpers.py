"""Guidance objects for tests, through the services."""

from __future__ import annotations

from django.core.files.base import ContentFile

from qihang.guidance import services
from qihang.guidance.models import Course, Lecture
from qihang.institutions.scoping import build_actor
from tests.factories import School

# The first bytes of an MP4 (an ftyp box) and of a PDF: what the checks look at.
TINY_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
TINY_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODE = "K7M3QX"


def make_course(
    school: School, *, title: str = "就业指导课", publish: bool = True, **data
) -> Course:
    actor = build_actor(school.centre, school.institution.pk)
    course = services.course_save(
        actor=actor,
        course=None,
        data={"kind": "course", "title": title, "summary": "求职准备", **data},
    )
    if publish:
        course = services.course_publish(actor=actor, course=course)
    return course


def add_lecture(
    school: School, course: Course, *, title: str = "简历与作品集", **kwargs
) -> Lecture:
    actor = build_actor(school.centre, school.institution.pk)
    return services.lecture_save(
        actor=actor,
        course=course,
        lecture=None,
        data={"title": title, "attendance_code": CODE},
        **kwargs,
    )


def walk_guidance(school: School) -> None:
    """A published course with a lecture (an uploaded video), a PDF material, and graduates[0]'s
    attendance and feedback."""
    course = make_course(school, title="走查就业指导课")
    lecture = add_lecture(school, course, video=ContentFile(TINY_MP4, name="walk.mp4"))
    actor = build_actor(school.centre, school.institution.pk)
    material = services.material_add(
        actor=actor, course=course, title="走查材料", file=ContentFile(TINY_PDF, name="walk.pdf")
    )
    graduate = build_actor(school.graduate_user, school.institution.pk)
    services.attendance_record(actor=graduate, lecture=lecture, code=CODE)
    services.feedback_submit(actor=graduate, course=course, rating=5, comment="很有帮助")
    school.fixtures["course"] = course
    school.fixtures["lecture"] = lecture
    school.fixtures["material"] = material


def actor_for(graduate):
    return build_actor(graduate.user, graduate.institution_id)
