"""Writes of the guidance app, each in one transaction with its audit row.

Staff with GUIDANCE_MANAGE edit the courses of their institution (department staff: those of
their departments); only the holding institution edits, publishes or shares a course. A
graduate records attendance by the lecture's code and gives feedback on courses they may see
(their own institution's published courses, and those the paired institution shares).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.destinations.evidence import EvidenceUpload, check_upload
from qihang.graduates.models import Graduate
from qihang.guidance import selectors
from qihang.guidance.models import (
    Attendance,
    AttendanceHow,
    Course,
    CourseStatus,
    Feedback,
    Lecture,
    Material,
)
from qihang.imports.storage import seal, unseal
from qihang.institutions.models import Department, Membership, Share
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.media import VIDEO, check_media, platform_of

COURSE_FIELDS = ("kind", "title", "summary", "teacher_name", "cohort_year")
LECTURE_FIELDS = ("order", "title", "held_at", "attendance_code")

# Attendance codes: no 0/O, 1/I/L, so a code read aloud in the hall is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).upper()


# --- Who may do what ----------------------------------------------------------------------------
def may_manage(actor: Actor, course: Course) -> bool:
    """The holder's career centre, or its department staff for their departments' courses."""
    if not actor.has(Perm.GUIDANCE_MANAGE) or course.institution_id != actor.institution_id:
        return False
    if actor.sees_whole_institution:
        return True
    return Role.DEPARTMENT_STAFF in actor.roles and course.department_id in actor.department_ids


def _require_manage(actor: Actor, course: Course) -> None:
    actor.require(Perm.GUIDANCE_MANAGE)
    if not may_manage(actor, course):
        raise PermissionDenied(_("只能管理本校（本院系）的课程。"))


def _audit(actor: Actor, course: Course, action: AuditAction, target: models.Model, **data: Any):
    audit_record(
        institution_id=actor.institution_id or course.institution_id,
        actor_id=actor.user_id,
        action=action,
        target=target,
        summary=course.title,
        data={"course_id": course.pk, **data},
    )


def _store(field: models.fields.files.FieldFile, data: bytes, extension: str) -> None:
    """Seal and save under a random name; an old file goes once the new one is committed."""
    old = field.name
    field.save(f"{uuid.uuid4().hex}{extension}.enc", ContentFile(seal(data)), save=False)
    if old:
        storage = field.storage
        transaction.on_commit(lambda: storage.delete(old))


def stored_bytes(field: models.fields.files.FieldFile) -> bytes:
    """A stored file's plaintext (callers have checked the reader may see it)."""
    with field.open("rb") as handle:
        return unseal(handle.read())


# --- Courses -------------------------------------------------------------------------------------
@transaction.atomic
def course_save(
    *,
    actor: Actor,
    course: Course | None,
    data: dict[str, Any],
    department: Department | None = None,
    teacher_id: int | None = None,
) -> Course:
    """Create a course (course None) or change one. Department staff create courses for one of
    their departments only; the teacher must be a member of the institution."""
    actor.require(Perm.GUIDANCE_MANAGE)
    if actor.institution_id is None:
        raise PermissionDenied("no institution")
    if department is not None and department.institution_id != actor.institution_id:
        raise ValidationError({"department": _("请选择本校的院系。")})
    if not actor.sees_whole_institution and (
        department is None or department.pk not in actor.department_ids
    ):
        raise ValidationError({"department": _("院系工作人员只能为本院系开课。")})
    if (
        teacher_id is not None
        and not Membership.objects.filter(
            institution_id=actor.institution_id, user_id=teacher_id, is_active=True
        ).exists()
    ):
        raise ValidationError({"teacher": _("授课教师须为本校人员。")})
    if course is None:
        course = Course(institution_id=actor.institution_id, created_by_id=actor.user_id)
        changed = list(COURSE_FIELDS) + ["department", "teacher"]
    else:
        _require_manage(actor, course)
        before = Course.objects.filter(pk=course.pk).values(
            *COURSE_FIELDS, "department_id", "teacher_id"
        )[0]
        changed = [f for f in COURSE_FIELDS if f in data and before[f] != data[f]]
        if before["department_id"] != (department.pk if department else None):
            changed.append("department")
        if before["teacher_id"] != teacher_id:
            changed.append("teacher")
    for name in COURSE_FIELDS:
        if name in data:
            value = data[name]
            setattr(course, name, value.strip() if isinstance(value, str) else value)
    course.department = department
    course.teacher_id = teacher_id
    course.full_clean(exclude=["institution", "created_by"])
    course.save()
    _audit(actor, course, AuditAction.COURSE_SAVE, course, fields=changed)
    return course


@transaction.atomic
def course_publish(*, actor: Actor, course: Course) -> Course:
    """Open a draft course to the institution's graduates (and a partner's, once shared)."""
    _require_manage(actor, course)
    if course.status == CourseStatus.PUBLISHED:
        return course
    course.status = CourseStatus.PUBLISHED
    course.published_at = timezone.now()
    course.save(update_fields=["status", "published_at"])
    _audit(actor, course, AuditAction.COURSE_PUBLISH, course)
    return course


@transaction.atomic
def course_share(*, actor: Actor, course: Course, partner_id: int) -> Share:
    """Share a published course with the paired institution (共享优质教学资源): its graduates
    see it, attend its lectures and give feedback."""
    from qihang.institutions.services import share_create

    _require_manage(actor, course)
    if course.status != CourseStatus.PUBLISHED:
        raise ValidationError(_("请先发布课程，再与结对学校共享。"))
    share = share_create(actor=actor, obj=course, partner_id=partner_id)
    _audit(actor, course, AuditAction.COURSE_SHARE, share, partner_id=partner_id)
    return share


# --- Lectures and materials ----------------------------------------------------------------------
@transaction.atomic
def lecture_save(
    *,
    actor: Actor,
    course: Course,
    lecture: Lecture | None,
    data: dict[str, Any],
    video_url: str = "",
    video: File | None = None,
) -> Lecture:
    """Add a lecture to a course (lecture None) or change one; its recording is a link to an
    allowed platform or an uploaded video (checked by its bytes), replacing the previous one."""
    _require_manage(actor, course)
    if lecture is None:
        lecture = Lecture(institution_id=course.institution_id, course=course)
        if not data.get("order"):
            top = course.lectures.aggregate(top=Max("order"))["top"] or 0
            data = {**data, "order": top + 1}
    elif lecture.course_id != course.pk:
        raise PermissionDenied("not a lecture of this course")
    for name in LECTURE_FIELDS:
        if name in data and data[name] is not None:
            setattr(lecture, name, data[name])
    lecture.title = (lecture.title or "").strip()
    lecture.attendance_code = normalise_code(lecture.attendance_code)
    video_url = (video_url or "").strip()
    if video_url and video is not None:
        raise ValidationError({"video": _("视频链接和上传视频只能选一种。")})
    if video_url:
        try:
            lecture.video_platform = platform_of(video_url).name
        except ValidationError as exc:
            raise ValidationError({"video_url": exc.messages}) from None
        lecture.video_url = video_url
        if lecture.video_file:
            storage, name = lecture.video_file.storage, lecture.video_file.name
            transaction.on_commit(lambda: storage.delete(name))
        lecture.video_file = ""
        lecture.video_name = lecture.video_type = lecture.video_sha256 = ""
        lecture.video_size = None
    elif video is not None:
        try:
            checked = check_media(video)
        except ValidationError as exc:
            raise ValidationError({"video": exc.messages}) from None
        if checked.kind != VIDEO:
            raise ValidationError(
                {"video": _("“%(name)s”是录音，请上传录像。") % {"name": checked.original_name}}
            )
        _store(lecture.video_file, checked.data, checked.extension)
        lecture.video_url = lecture.video_platform = ""
        lecture.video_name = checked.original_name
        lecture.video_type = checked.content_type
        lecture.video_size = checked.size
        lecture.video_sha256 = hashlib.sha256(checked.data).hexdigest()
    lecture.full_clean(exclude=["institution", "course", "video_file"], validate_constraints=False)
    try:
        with transaction.atomic():
            lecture.save()
    except IntegrityError:
        raise ValidationError({"order": _("该序号已有课次。")}) from None
    _audit(
        actor,
        course,
        AuditAction.LECTURE_SAVE,
        lecture,
        order=lecture.order,
        video=lecture.video_platform or lecture.video_name,
    )
    return lecture


def _https_link(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme != "https" or not host or parts.username or parts.password:
        raise ValidationError({"url": _("链接必须以 https:// 开头。")})
    return url


@transaction.atomic
def material_add(
    *, actor: Actor, course: Course, title: str, file: File | None = None, url: str = ""
) -> Material:
    """Reading material: a PDF (checked by its bytes, like evidence files) or an https link."""
    _require_manage(actor, course)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写材料标题。")})
    if (file is None) == (not (url or "").strip()):
        raise ValidationError({"file": _("请上传PDF文件或填写链接（二选一）。")})
    material = Material(institution_id=course.institution_id, course=course, title=title[:120])
    if file is not None:
        try:
            checked = check_upload(EvidenceUpload("material", file))
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        if checked.content_type != "application/pdf":
            raise ValidationError(
                {
                    "file": _("阅读材料须为PDF文件；“%(name)s”是图片。")
                    % {"name": checked.original_name}
                }
            )
        file.seek(0)
        data = file.read()
        _store(material.file, data, ".pdf")
        material.original_name = checked.original_name
        material.size = checked.size
        material.sha256 = hashlib.sha256(data).hexdigest()
    else:
        material.url = _https_link(url)
    material.save()
    _audit(actor, course, AuditAction.MATERIAL_ADD, material, title=material.title)
    return material


# --- Attendance and feedback ---------------------------------------------------------------------
def _own_graduate(actor: Actor) -> Graduate:
    actor.require(Perm.GUIDANCE_ATTEND)
    graduate = selectors.graduate_of(actor)
    if graduate is None:
        raise PermissionDenied(_("只有毕业生本人可以签到和评价。"))
    return graduate


def _record(*, actor: Actor, lecture: Lecture, graduate: Graduate, how: str) -> Attendance:
    existing = Attendance.objects.filter(lecture=lecture, graduate=graduate).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                institution_id=graduate.institution_id,
                lecture=lecture,
                graduate=graduate,
                attended_at=timezone.now(),
                how=how,
                recorded_by_id=actor.user_id,
            )
            audit_record(
                institution_id=actor.institution_id or graduate.institution_id,
                actor_id=actor.user_id,
                action=AuditAction.ATTENDANCE_RECORD,
                target=attendance,
                summary=f"{lecture.course.title} · {lecture.title} · {graduate.name}",
                data={"lecture_id": lecture.pk, "graduate_id": graduate.pk, "how": how},
            )
    except IntegrityError:  # recorded at the same moment by another request
        return Attendance.objects.get(lecture=lecture, graduate=graduate)
    return attendance


def attendance_record(*, actor: Actor, lecture: Lecture, code: str) -> Attendance:
    """A graduate records that they attended `lecture` by typing its code (a lecture of a
    course they may see: callers fetched it through selectors.lecture_for_graduate)."""
    graduate = _own_graduate(actor)
    if not selectors.catalogue(actor=actor, graduate=graduate).filter(pk=lecture.course_id):
        raise PermissionDenied("not a course for this graduate")
    existing = Attendance.objects.filter(lecture=lecture, graduate=graduate).first()
    if existing is not None:  # recorded already (a retried request, a second tap)
        return existing
    typed = normalise_code(code)
    if not typed:
        raise ValidationError({"code": _("请输入签到码。")})
    if not lecture.attendance_code or not hmac.compare_digest(typed, lecture.attendance_code):
        raise ValidationError({"code": _("签到码不正确。")})
    return _record(actor=actor, lecture=lecture, graduate=graduate, how=AttendanceHow.CODE)


def attendance_mark(*, actor: Actor, lecture: Lecture, graduate: Graduate) -> Attendance:
    """A teacher records a graduate's attendance (one who forgot the code, a paper list): a
    graduate of the holder's institution whom the teacher sees."""
    _require_manage(actor, lecture.course)
    if not scoped(Graduate, actor).filter(pk=graduate.pk).exists():
        raise PermissionDenied("not a graduate one sees")
    return _record(actor=actor, lecture=lecture, graduate=graduate, how=AttendanceHow.TEACHER)


def feedback_submit(*, actor: Actor, course: Course, rating: Any, comment: str = "") -> Feedback:
    """A graduate's one rating (1–5) and comment on a course they may see."""
    graduate = _own_graduate(actor)
    if not selectors.catalogue(actor=actor, graduate=graduate).filter(pk=course.pk):
        raise PermissionDenied("not a course for this graduate")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("评分须为1到5分。")})
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                institution_id=graduate.institution_id,
                course=course,
                graduate=graduate,
                rating=rating,
                comment=(comment or "").strip()[:1000],
            )
            audit_record(
                institution_id=graduate.institution_id,
                actor_id=actor.user_id,
                action=AuditAction.FEEDBACK_SUBMIT,
                target=feedback,
                summary=f"{course.title} · {graduate.name}",
                data={"course_id": course.pk, "rating": rating},
            )
    except IntegrityError:
        raise ValidationError({"rating": _("你已评价过这门课程。")}) from None
    return feedback
