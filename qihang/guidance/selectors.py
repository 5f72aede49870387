"""Reads of the guidance app, through scoping only: the staff's course list with attendance and
ratings, a graduate's catalogue (their institution's published courses for them, and those the
paired institution shares), a course's lectures and materials, attendance and feedback."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from qihang.graduates.models import Graduate
from qihang.guidance.models import Attendance, Course, CourseStatus, Feedback, Lecture, Material
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped


def graduate_of(actor: Actor) -> Graduate | None:
    """The actor's own graduate record at their institution (None: not a graduate here)."""
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("cohort", "department")
        .first()
    )


def _attendance_count() -> Subquery:
    rows = (
        Attendance.objects.filter(lecture__course=OuterRef("pk"))
        .order_by()
        .values("lecture__course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _with_figures(qs: QuerySet[Course]) -> QuerySet[Course]:
    """Each course with its lectures, attendances and ratings counted in the same query
    (subqueries: joining both to-many relations would multiply the counts)."""
    ratings = Feedback.objects.filter(course=OuterRef("pk")).order_by().values("course")
    lectures = Lecture.objects.filter(course=OuterRef("pk")).order_by().values("course")
    return qs.annotate(
        n_lectures=Coalesce(
            Subquery(lectures.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        n_attended=_attendance_count(),
        n_feedback=Coalesce(
            Subquery(ratings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        avg_rating=Subquery(ratings.annotate(a=Avg("rating")).values("a")),
    )


def staff_courses(*, actor: Actor, status: str = "") -> QuerySet[Course]:
    """The institution's courses and those a partner shares with it, with their figures."""
    qs = scoped(Course, actor).select_related("department", "teacher", "institution")
    if status:
        qs = qs.filter(status=status)
    return _with_figures(qs).order_by("-created_at", "-id")


def course_for_staff(*, actor: Actor, course_id: int) -> Course:
    return get_scoped_or_404(staff_courses(actor=actor), actor, pk=course_id)


def catalogue(*, actor: Actor, graduate: Graduate) -> QuerySet[Course]:
    """Published courses for `graduate`: for their cohort (or any) and, at their own
    institution, for their department (or the whole institution); a partner's shared courses
    whatever the department (its departments are not theirs)."""
    return (
        scoped(Course, actor)
        .filter(status=CourseStatus.PUBLISHED)
        .filter(Q(cohort_year__isnull=True) | Q(cohort_year=graduate.cohort.year))
        .filter(
            Q(department__isnull=True)
            | Q(department_id=graduate.department_id)
            | ~Q(institution_id=graduate.institution_id)
        )
    )


def catalogue_page(*, actor: Actor, graduate: Graduate) -> list[Course]:
    """The catalogue with figures, each course marked `shared_in` (a partner's) and `my_done`
    (lectures the graduate attended)."""
    courses = list(
        _with_figures(catalogue(actor=actor, graduate=graduate))
        .select_related("institution", "department", "teacher")
        .order_by("-published_at", "-id")[:200]
    )
    done = dict(
        Attendance.objects.filter(graduate=graduate, lecture__course__in=[c.pk for c in courses])
        .order_by()
        .values("lecture__course")
        .annotate(n=Count("pk"))
        .values_list("lecture__course", "n")
    )
    for course in courses:
        course.shared_in = course.institution_id != graduate.institution_id
        course.my_done = done.get(course.pk, 0)
    return courses


def course_for_graduate(*, actor: Actor, graduate: Graduate, course_id: int) -> Course:
    try:
        return (
            catalogue(actor=actor, graduate=graduate)
            .select_related("institution", "teacher")
            .get(pk=course_id)
        )
    except (Course.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def lecture_for_graduate(*, actor: Actor, graduate: Graduate, lecture_id: int) -> Lecture:
    try:
        return Lecture.objects.select_related("course").get(
            pk=lecture_id, course__in=catalogue(actor=actor, graduate=graduate)
        )
    except (Lecture.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def lectures_of(course: Course) -> QuerySet[Lecture]:
    """The course's lectures with how many attended each."""
    return course.lectures.annotate(n_attended=Count("attendances")).order_by("order", "id")


def materials_of(course: Course) -> QuerySet[Material]:
    return course.materials.order_by("created_at", "id")


def lecture_of(course: Course, lecture_id: int) -> Lecture:
    try:
        return course.lectures.get(pk=lecture_id)
    except (Lecture.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def material_of(course: Course, material_id: int) -> Material:
    try:
        return course.materials.get(pk=material_id)
    except (Material.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def attendance_of(*, actor: Actor, lecture: Lecture) -> QuerySet[Attendance]:
    """Who attended `lecture`, as far as the actor may see graduates (the holder sees a
    partner's graduates at a shared course)."""
    return (
        scoped(Attendance, actor)
        .filter(lecture=lecture)
        .select_related("graduate", "graduate__department", "institution")
        .order_by("attended_at", "id")
    )


def my_attended(*, graduate: Graduate, course: Course) -> set[int]:
    return set(
        Attendance.objects.filter(graduate=graduate, lecture__course=course).values_list(
            "lecture_id", flat=True
        )
    )


def my_feedback(*, graduate: Graduate, course: Course) -> Feedback | None:
    return Feedback.objects.filter(graduate=graduate, course=course).first()


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: float | None
    by_rating: list[tuple[int, int]]  # (rating, how many), 5 down to 1
    comments: list[Feedback]


def feedback_summary(*, actor: Actor, course: Course, limit: int = 50) -> FeedbackSummary:
    """Ratings of the course (all of them: figures name nobody) and the comments of the
    graduates the actor may see."""
    rows = dict(
        Feedback.objects.filter(course=course)
        .order_by()
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    count = sum(rows.values())
    average = sum(r * n for r, n in rows.items()) / count if count else None
    comments = list(
        scoped(Feedback, actor)
        .filter(course=course)
        .exclude(comment="")
        .select_related("graduate", "institution")
        .order_by("-created_at", "-id")[:limit]
    )
    return FeedbackSummary(
        count=count,
        average=round(average, 1) if average is not None else None,
        by_rating=[(r, rows.get(r, 0)) for r in range(5, 0, -1)],
        comments=comments,
    )


def shares_of(*, actor: Actor, course: Course) -> list:
    from qihang.institutions.models import Share

    return list(
        scoped(Share, actor)
        .active()
        .filter(kind=Course._meta.label_lower, object_id=course.pk)
        .select_related("partner", "institution")
    )
