"""Guidance in the API (/api/v1/guidance/…), for graduates (their signed-in session): the
catalogue of courses, a course's lectures with whether one attended each, recording attendance
by the lecture's code, and one's feedback on a course. The same selectors, services and scoping
as the pages (qihang.guidance): another institution's course or lecture is a 404, unless the
paired institution shares it.

A retried write is answered with what the first one recorded: attending again returns the
attendance, sending no body for a course one already rated returns that feedback.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.graduates.models import Graduate
from qihang.guidance import selectors, services
from qihang.guidance.models import Attendance, Course, Feedback, Lecture
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids

router = Router(tags=["就业指导"])
READ = {401: ErrorOut, 403: ErrorOut}
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class CourseOut(Schema):
    id: int
    institution: str
    shared: bool  # a course the paired institution shares
    kind: str
    kind_label: str
    title: str
    summary: str
    speaker: str
    cohort_year: int | None
    lectures: int
    attended: int  # lectures the graduate attended
    average_rating: float | None


class LectureOut(Schema):
    id: int
    order: int
    title: str
    held_at: dt.datetime | None
    video_url: str  # a platform's page, or this server's file for an uploaded recording
    video_platform: str
    has_code: bool
    attended: bool


class AttendIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)


class AttendanceOut(Schema):
    lecture: int
    attended_at: dt.datetime
    how: str


class FeedbackIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=1000)


class FeedbackOut(Schema):
    course: int
    rating: int
    comment: str
    created_at: dt.datetime


def _graduate(actor: Actor) -> Graduate:
    graduate = selectors.graduate_of(actor)
    if graduate is None:  # a graduate account with no record on the roster
        raise Http404
    return graduate


def _refused(exc: ValidationError, name: str) -> Any:
    return Status(
        422,
        {"detail": [{"type": "refused", "loc": ["body", name], "msg": m} for m in exc.messages]},
    )


def _course(c: Course) -> dict[str, Any]:
    return {
        "id": c.pk,
        "institution": c.institution.name,
        "shared": c.shared_in,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "title": c.title,
        "summary": c.summary,
        "speaker": c.speaker,
        "cohort_year": c.cohort_year,
        "lectures": c.n_lectures,
        "attended": c.my_done,
        "average_rating": round(float(c.avg_rating), 1) if c.avg_rating is not None else None,
    }


def _lecture(lecture: Lecture, attended: set[int]) -> dict[str, Any]:
    url = lecture.video_url
    if lecture.video_file:
        url = reverse("guidance:video", args=[lecture.course_id, lecture.pk])
    return {
        "id": lecture.pk,
        "order": lecture.order,
        "title": lecture.title,
        "held_at": lecture.held_at,
        "video_url": url,
        "video_platform": lecture.video_platform,
        "has_code": bool(lecture.attendance_code),
        "attended": lecture.pk in attended,
    }


def _attendance(a: Attendance) -> dict[str, Any]:
    return {"lecture": a.lecture_id, "attended_at": a.attended_at, "how": a.how}


def _feedback(f: Feedback) -> dict[str, Any]:
    return {
        "course": f.course_id,
        "rating": f.rating,
        "comment": f.comment,
        "created_at": f.created_at,
    }


@router.get("/guidance/courses", response={200: list[CourseOut], **READ}, summary="就业指导课程")
@api_requires(Perm.GUIDANCE_ATTEND)
@takes_ids()
def courses(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = selectors.graduate_of(actor)
    if graduate is None:
        return []
    return [_course(c) for c in selectors.catalogue_page(actor=actor, graduate=graduate)]


@router.get(
    "/guidance/courses/{course_id}/lectures",
    response={200: list[LectureOut], **WRITE},
    summary="课程的课次（录像与是否已听课）",
)
@api_requires(Perm.GUIDANCE_ATTEND)
@takes_ids()
def lectures(request: HttpRequest, course_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _graduate(actor)
    course = selectors.course_for_graduate(actor=actor, graduate=graduate, course_id=course_id)
    attended = selectors.my_attended(graduate=graduate, course=course)
    return [_lecture(lecture, attended) for lecture in selectors.lectures_of(course)]


@router.post(
    "/guidance/lectures/{lecture_id}/attend",
    response={200: AttendanceOut, **WRITE},
    summary="输入签到码登记听课（已登记时返回原记录）",
)
@api_requires(Perm.GUIDANCE_ATTEND)
@takes_ids()
def attend(request: HttpRequest, lecture_id: int, payload: AttendIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _graduate(actor)
    lecture = selectors.lecture_for_graduate(actor=actor, graduate=graduate, lecture_id=lecture_id)
    try:
        attendance = services.attendance_record(actor=actor, lecture=lecture, code=payload.code)
    except ValidationError as exc:
        return _refused(exc, "code")
    return _attendance(attendance)


@router.post(
    "/guidance/courses/{course_id}/feedback",
    response={200: FeedbackOut, **WRITE},
    summary="评价课程（每门课程一次，再次评价时 422）",
)
@api_requires(Perm.GUIDANCE_ATTEND)
@takes_ids()
def feedback(request: HttpRequest, course_id: int, payload: FeedbackIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = _graduate(actor)
    course = selectors.course_for_graduate(actor=actor, graduate=graduate, course_id=course_id)
    try:
        given = services.feedback_submit(
            actor=actor, course=course, rating=payload.rating, comment=payload.comment
        )
    except ValidationError as exc:
        return _refused(exc, "rating")
    return _feedback(given)
