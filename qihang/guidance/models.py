"""Career guidance (就业指导): courses and talks with recorded lectures and reading material,
graduates' attendance and their feedback.

A course is the institution's; once published it can be shared with the paired institution
(institutions.Share, "共享优质教学资源"), whose graduates then see it in their catalogue, attend
its lectures and give feedback like the holder's own. Lectures and materials are read through
their course (selectors), never on their own.

Lecture videos and PDF materials are sealed on disk (qihang.imports.storage, like résumé
media) and served only by permission-checked views; a link must be https to an allowed
platform (qihang.lib.media).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.imports.storage import private_storage
from qihang.institutions.models import Department, TenantModel
from qihang.institutions.scoping import ALL, Scope


def private_path(instance: models.Model, filename: str) -> str:
    return f"guidance/{instance.institution_id}/{filename}"


class CourseKind(models.TextChoices):
    COURSE = "course", _("就业指导课")
    TALK = "talk", _("讲座")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Course(TenantModel):
    """A career-guidance course (several lectures) or a talk (usually one).

    `cohort_year` (None: any cohort) and `department` (None: the whole institution) say whom
    it is for; a department narrows only the holder's own graduates (a partner's graduates
    see a shared course whatever their department). Department staff manage the courses of
    their departments, the career centre every course.
    """

    kind = models.CharField(_("类型"), max_length=6, choices=CourseKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("简介"), max_length=2000, blank=True, default="")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("授课教师"),
    )
    # A guest speaker (an orchestra's director, an alumnus) has no account here.
    teacher_name = models.CharField(_("主讲人"), max_length=60, blank=True, default="")
    cohort_year = models.PositiveSmallIntegerField(_("面向届别"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("开课院系"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Everyone at the institution (and at a partner it is shared with) may read a course; which
    # states each person sees (graduates: published only) is the selectors' business.
    scope = Scope(department=ALL, mentor=ALL, own=ALL, shared=True)

    class Meta:
        verbose_name = _("就业指导课程")
        verbose_name_plural = _("就业指导课程")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def speaker(self) -> str:
        if self.teacher_name:
            return self.teacher_name
        return str(self.teacher) if self.teacher_id else ""


class Lecture(TenantModel):
    """One session of a course: when it is held, its recording (an uploaded video, or a link to
    a platform), and the code graduates type to record that they attended."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lectures")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("标题"), max_length=120)
    held_at = models.DateTimeField(_("上课时间"), null=True, blank=True)
    video_url = models.URLField(_("视频链接"), max_length=500, blank=True, default="")
    video_platform = models.CharField(_("平台"), max_length=40, blank=True, default="")
    video_file = models.FileField(
        upload_to=private_path, storage=private_storage, max_length=300, blank=True
    )
    video_name = models.CharField(max_length=200, blank=True, default="")
    video_type = models.CharField(max_length=60, blank=True, default="")
    video_size = models.PositiveIntegerField(null=True, blank=True)
    video_sha256 = models.CharField(max_length=64, blank=True, default="")
    attendance_code = models.CharField(_("签到码"), max_length=12, blank=True, default="")

    # Read through its course (selectors): this rule only keeps it inside the institution.
    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "order"], name="lecture_unique_order"),
            # A recording is a link or an upload, never both.
            models.CheckConstraint(
                condition=models.Q(video_url="") | models.Q(video_file=""),
                name="lecture_video_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_upload(self) -> bool:
        return bool(self.video_file)


class Material(TenantModel):
    """Reading material of a course: an uploaded PDF (sealed, private) or an https link."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("标题"), max_length=120)
    url = models.URLField(_("链接"), max_length=500, blank=True, default="")
    file = models.FileField(
        upload_to=private_path, storage=private_storage, max_length=300, blank=True
    )
    original_name = models.CharField(max_length=200, blank=True, default="")
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("阅读材料")
        verbose_name_plural = _("阅读材料")
        ordering = ["created_at", "id"]
        constraints = [
            # A link has a URL and no file; an upload a file and no URL.
            models.CheckConstraint(
                condition=(~models.Q(url="") & models.Q(file=""))
                | (models.Q(url="") & ~models.Q(file="")),
                name="material_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceHow(models.TextChoices):
    CODE = "code", _("签到码")
    TEACHER = "teacher", _("教师登记")


class Attendance(TenantModel):
    """A graduate attended a lecture: they typed its code, or a teacher recorded it.

    `institution` is the graduate's own; the course's holder reads it too (`tenant`), so its
    staff see a partner's graduates in a shared course's attendance list.
    """

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="attendances")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    attended_at = models.DateTimeField(_("签到时间"))
    how = models.CharField(_("方式"), max_length=8, choices=AttendanceHow.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope(
        department="graduate__department",
        mentor="graduate__mentor",
        own="graduate__user",
        tenant=("institution", "lecture__institution"),
    )

    class Meta:
        verbose_name = _("听课记录")
        verbose_name_plural = _("听课记录")
        ordering = ["attended_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "graduate"], name="attendance_one_per_graduate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lecture_id} · {self.graduate_id}"


class Feedback(TenantModel):
    """A graduate's rating (1–5) and comment on a course: one per graduate and course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="feedback")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("意见和建议"), max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        department="graduate__department",
        mentor="graduate__mentor",
        own="graduate__user",
        tenant=("institution", "course__institution"),
    )

    class Meta:
        verbose_name = _("课程评价")
        verbose_name_plural = _("课程评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "graduate"], name="feedback_one_per_graduate"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5),
                name="feedback_rating_1_to_5",
                violation_error_message=_("评分须为1到5分。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} · {self.graduate_id} · {self.rating}"
