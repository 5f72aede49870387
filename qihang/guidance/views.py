"""Guidance pages: the staff's course list, a course's page with its lectures, materials,
feedback and sharing, a lecture's attendance (/guidance/); a graduate's catalogue and course
page with the recordings, materials, the attendance code and feedback (/guidance/mine/…); the
recordings and PDFs, served by permission-checked views.

Thin views: a form, one service, render or redirect. Objects come through scoping: another
institution's course is a 404; only the holding institution edits or shares one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qihang.accounts.models import User
from qihang.graduates.models import Graduate
from qihang.guidance import selectors, services
from qihang.guidance.forms import (
    AttendCodeForm,
    CourseForm,
    FeedbackForm,
    LectureForm,
    MarkForm,
    MaterialForm,
)
from qihang.guidance.models import Course, CourseStatus
from qihang.institutions.models import Department, Institution
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor, ObjectId, actor_of, requires, scoped, takes_ids
from qihang.lib.feedback import refusal, refuse_on_form
from qihang.lib.files import private_file_response, private_media_response

PAGE_SIZE = 50


def _departments(actor: Actor) -> QuerySet[Department]:
    qs = scoped(Department, actor).order_by("sort_order", "name")
    if not actor.sees_whole_institution:
        qs = qs.filter(pk__in=sorted(actor.department_ids))
    return qs


def _teachers(actor: Actor) -> QuerySet[User]:
    return (
        User.objects.filter(
            memberships__institution_id=actor.institution_id,
            memberships__is_active=True,
            memberships__invitation="",
            memberships__role__in=[Role.CAREER_CENTRE, Role.DEPARTMENT_STAFF, Role.TEACHER],
        )
        .distinct()
        .order_by("display_name", "id")
    )


def _course_form(actor: Actor, data: Any = None, instance: Course | None = None) -> CourseForm:
    return CourseForm(
        data, instance=instance, departments=_departments(actor), teachers=_teachers(actor)
    )


def _own_course(actor: Actor, course_id: int) -> Course:
    """A course for a write: the holder's own (a partner's shared course is a 404 here)."""
    course = selectors.course_for_staff(actor=actor, course_id=course_id)
    if course.institution_id != actor.institution_id:
        raise Http404
    return course


# --- Staff --------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.GUIDANCE_VIEW)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    status = status if status in CourseStatus.values else ""
    page = Paginator(selectors.staff_courses(actor=actor, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for course in page.object_list:
        course.shared_in = course.institution_id != actor.institution_id
    return render(
        request,
        "guidance/list.html",
        {
            "courses": page.object_list,
            "page": page,
            "status": status,
            "statuses": CourseStatus.choices,
            "can_manage": actor.has(Perm.GUIDANCE_MANAGE),
        },
    )


@takes_ids(department=ObjectId("institutions.Department"), teacher=ObjectId("accounts.User"))
@requires(Perm.GUIDANCE_MANAGE)
def course_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = _course_form(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        teacher = form.cleaned_data["teacher"]
        try:
            course = services.course_save(
                actor=actor,
                course=None,
                data=form.course_data(),
                department=form.cleaned_data["department"],
                teacher_id=teacher.pk if teacher else None,
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("课程已保存为草稿，添加课次后即可发布。"))
            return redirect("guidance:detail", course_id=course.pk)
    return render(request, "guidance/form.html", {"form": form, "course": None})


@takes_ids(department=ObjectId("institutions.Department"), teacher=ObjectId("accounts.User"))
@requires(Perm.GUIDANCE_MANAGE)
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    if not services.may_manage(actor, course):
        raise PermissionDenied("another department's course")
    form = _course_form(actor, request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        teacher = form.cleaned_data["teacher"]
        try:
            services.course_save(
                actor=actor,
                course=course,
                data=form.course_data(),
                department=form.cleaned_data["department"],
                teacher_id=teacher.pk if teacher else None,
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("课程已保存。"))
            return redirect("guidance:detail", course_id=course.pk)
    return render(request, "guidance/form.html", {"form": form, "course": course})


@takes_ids()
@requires(Perm.GUIDANCE_VIEW)
@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    from qihang.institutions.selectors import partner_ids

    actor = actor_of(request)
    course = selectors.course_for_staff(actor=actor, course_id=course_id)
    manage = services.may_manage(actor, course)
    shares = selectors.shares_of(actor=actor, course=course)
    can_share = manage and actor.has(Perm.SHARE_MANAGE) and course.status == CourseStatus.PUBLISHED
    return render(
        request,
        "guidance/detail.html",
        {
            "course": course,
            "own": course.institution_id == actor.institution_id,
            "manage": manage,
            "lectures": list(selectors.lectures_of(course)),
            "materials": list(selectors.materials_of(course)),
            "summary": selectors.feedback_summary(actor=actor, course=course),
            "shares": shares,
            "partners": Institution.objects.filter(pk__in=partner_ids(actor.institution_id))
            .exclude(pk__in={s.partner_id for s in shares})
            .order_by("code")
            if can_share
            else [],
            "lecture_form": LectureForm(prefix="lecture") if manage else None,
            "material_form": MaterialForm(prefix="material") if manage else None,
        },
    )


@takes_ids()
@requires(Perm.GUIDANCE_MANAGE)
@require_POST
def course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    services.course_publish(actor=actor, course=course)
    messages.success(request, _("课程已发布，毕业生可以在“就业指导课”中看到。"))
    return redirect("guidance:detail", course_id=course.pk)


@takes_ids(partner=ObjectId("institutions.Institution"))
@requires(Perm.SHARE_MANAGE)
@require_POST
def course_share(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    partner = request.POST.get("partner", "")
    try:
        services.course_share(
            actor=actor, course=course, partner_id=int(partner) if partner.isdigit() else 0
        )
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已与结对学校共享，对方毕业生可以学习这门课程。"))
    return redirect("guidance:detail", course_id=course.pk)


@takes_ids()
@requires(Perm.GUIDANCE_MANAGE)
@require_POST
def lecture_add(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    form = LectureForm(request.POST, request.FILES, prefix="lecture")
    if form.is_valid():
        try:
            services.lecture_save(
                actor=actor,
                course=course,
                lecture=None,
                data=form.lecture_data(),
                video_url=form.cleaned_data["video_link"],
                video=form.cleaned_data["video"],
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("已添加课次。"))
    else:
        messages.error(request, refusal(ValidationError(form.errors)))
    return redirect("guidance:detail", course_id=course.pk)


@takes_ids()
@requires(Perm.GUIDANCE_MANAGE)
def lecture_edit(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    """Change a lecture: its time, code, or recording (a new link or upload replaces the old
    one; leaving both empty keeps it)."""
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    if not services.may_manage(actor, course):
        raise PermissionDenied("another department's course")
    lecture = selectors.lecture_of(course, lecture_id)
    form = LectureForm(
        request.POST or None,
        request.FILES or None,
        instance=lecture,
        initial={"video_link": lecture.video_url},
    )
    if request.method == "POST" and form.is_valid():
        link = form.cleaned_data["video_link"]
        try:
            services.lecture_save(
                actor=actor,
                course=course,
                lecture=lecture,
                data=form.lecture_data(),
                video_url="" if link == lecture.video_url else link,
                video=form.cleaned_data["video"],
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("课次已保存。"))
            return redirect("guidance:detail", course_id=course.pk)
    return render(
        request, "guidance/lecture_form.html", {"form": form, "course": course, "lecture": lecture}
    )


@takes_ids()
@requires(Perm.GUIDANCE_MANAGE)
@require_POST
def material_add(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    form = MaterialForm(request.POST, request.FILES, prefix="material")
    if form.is_valid():
        try:
            services.material_add(
                actor=actor,
                course=course,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                url=form.cleaned_data["url"],
            )
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, _("已添加阅读材料。"))
    else:
        messages.error(request, refusal(ValidationError(form.errors)))
    return redirect("guidance:detail", course_id=course.pk)


@takes_ids()
@requires(Perm.GUIDANCE_VIEW)
@require_GET
def attendance(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    actor = actor_of(request)
    course = selectors.course_for_staff(actor=actor, course_id=course_id)
    lecture = selectors.lecture_of(course, lecture_id)
    page = Paginator(selectors.attendance_of(actor=actor, lecture=lecture), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "guidance/attendance.html",
        {
            "course": course,
            "lecture": lecture,
            "rows": page.object_list,
            "page": page,
            "mark_form": MarkForm() if services.may_manage(actor, course) else None,
        },
    )


@takes_ids()
@requires(Perm.GUIDANCE_MANAGE)
@require_POST
def attendance_mark(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    """A teacher records a graduate of the institution by student number."""
    actor = actor_of(request)
    course = _own_course(actor, course_id)
    lecture = selectors.lecture_of(course, lecture_id)
    form = MarkForm(request.POST)
    graduate = None
    if form.is_valid():
        graduate = (
            scoped(Graduate, actor)
            .filter(student_no=form.cleaned_data["student_no"].strip())
            .order_by("-cohort__year")
            .first()
        )
    if graduate is None:
        messages.error(request, _("没有找到该学号的毕业生。"))
    else:
        services.attendance_mark(actor=actor, lecture=lecture, graduate=graduate)
        messages.success(request, _("已登记 %(name)s 听课。") % {"name": graduate.name})
    return redirect("guidance:attendance", course_id=course.pk, lecture_id=lecture.pk)


# --- Files (staff and graduates) -----------------------------------------------------------------
def _readable_course(actor: Actor, course_id: int) -> Course:
    """The course for a file: staff read their institution's and shared courses, a graduate
    those of their catalogue."""
    if actor.has(Perm.GUIDANCE_VIEW):
        return selectors.course_for_staff(actor=actor, course_id=course_id)
    if actor.has(Perm.GUIDANCE_ATTEND):
        graduate = selectors.graduate_of(actor)
        if graduate is None:
            raise Http404
        return selectors.course_for_graduate(actor=actor, graduate=graduate, course_id=course_id)
    raise PermissionDenied(Perm.GUIDANCE_VIEW)


@takes_ids()
@requires(None)
@require_GET
def lecture_video(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    actor = actor_of(request)
    lecture = selectors.lecture_of(_readable_course(actor, course_id), lecture_id)
    if not lecture.video_file:
        raise Http404
    return private_media_response(
        services.stored_bytes(lecture.video_file),
        filename=lecture.video_name,
        content_type=lecture.video_type,
        range_header=request.headers.get("Range", ""),
    )


@takes_ids()
@requires(None)
@require_GET
def material_file(request: HttpRequest, course_id: int, material_id: int) -> HttpResponse:
    actor = actor_of(request)
    material = selectors.material_of(_readable_course(actor, course_id), material_id)
    if not material.file:
        raise Http404
    return private_file_response(
        services.stored_bytes(material.file),
        filename=material.original_name,
        content_type="application/pdf",
    )


# --- Graduates ----------------------------------------------------------------------------------
def _graduate(actor: Actor) -> Graduate:
    graduate = selectors.graduate_of(actor)
    if graduate is None:
        raise PermissionDenied(_("只有毕业生本人可以查看。"))
    return graduate


@takes_ids()
@requires(Perm.GUIDANCE_ATTEND)
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = _graduate(actor)
    return render(
        request,
        "guidance/catalogue.html",
        {"courses": selectors.catalogue_page(actor=actor, graduate=graduate)},
    )


def _course_page(
    request: HttpRequest,
    actor: Actor,
    graduate: Graduate,
    course: Course,
    *,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "guidance/course.html",
        {
            "course": course,
            "shared_in": course.institution_id != graduate.institution_id,
            "lectures": list(selectors.lectures_of(course)),
            "materials": list(selectors.materials_of(course)),
            "attended": selectors.my_attended(graduate=graduate, course=course),
            "feedback": selectors.my_feedback(graduate=graduate, course=course),
            "code_form": AttendCodeForm(),
            "feedback_form": feedback_form or FeedbackForm(),
        },
        status=status,
    )


@takes_ids()
@requires(Perm.GUIDANCE_ATTEND)
@require_GET
def course_page(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    graduate = _graduate(actor)
    course = selectors.course_for_graduate(actor=actor, graduate=graduate, course_id=course_id)
    return _course_page(request, actor, graduate, course)


@takes_ids()
@requires(Perm.GUIDANCE_ATTEND)
@require_POST
def attend(request: HttpRequest, lecture_id: int) -> HttpResponse:
    actor = actor_of(request)
    graduate = _graduate(actor)
    lecture = selectors.lecture_for_graduate(actor=actor, graduate=graduate, lecture_id=lecture_id)
    form = AttendCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"code": _("请输入签到码。")})
        services.attendance_record(actor=actor, lecture=lecture, code=form.cleaned_data["code"])
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已登记听课：%(title)s。") % {"title": lecture.title})
    return redirect("guidance:course", course_id=lecture.course_id)


@takes_ids()
@requires(Perm.GUIDANCE_ATTEND)
@require_POST
def feedback(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = actor_of(request)
    graduate = _graduate(actor)
    course = selectors.course_for_graduate(actor=actor, graduate=graduate, course_id=course_id)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_submit(
                actor=actor,
                course=course,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("感谢你的评价。"))
            return redirect("guidance:course", course_id=course.pk)
    return _course_page(request, actor, graduate, course, feedback_form=form, status=400)
