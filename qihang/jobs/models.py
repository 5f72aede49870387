"""Job postings (岗位): posted by an employer or by staff on its behalf at one institution,
reviewed by that institution's career centre, and shared with paired institutions on purpose."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.employers.models import Channel, Employer
from qihang.institutions.models import Department, TenantModel
from qihang.institutions.scoping import ALL, Scope


class SpecialtyTag(models.Model):
    """Reference data: specialties fit for arts graduates (大提琴, 男高音, 作曲, 指挥, 音乐教育 …)."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("专长"), max_length=40)
    group = models.CharField(_("类别"), max_length=40, blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(default=0)
    version = models.CharField(_("版本"), max_length=20, default="2026")
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("专长标签")
        verbose_name_plural = _("专长标签")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class JobKind(models.TextChoices):
    FULL_TIME = "full_time", _("全职")
    PART_TIME = "part_time", _("兼职")
    # An internship can never become an employment destination.
    INTERNSHIP = "internship", _("实习")


class JobStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETURNED = "returned", _("已退回")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


class Job(TenantModel):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="jobs")
    title = models.CharField(_("岗位名称"), max_length=120)
    kind = models.CharField(_("岗位类型"), max_length=12, choices=JobKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.DRAFT
    )
    specialties = models.ManyToManyField(SpecialtyTag, blank=True, related_name="jobs")
    # DegreeLevel values ("bachelor", "master" …); empty: any.
    degree_levels = models.JSONField(_("学历要求"), default=list, blank=True)
    majors = models.CharField(_("专业要求"), max_length=200, blank=True, default="")
    division = models.CharField(_("工作地点"), max_length=6, blank=True, default="")  # GB/T 2260
    location_text = models.CharField(_("详细地点"), max_length=120, blank=True, default="")
    salary_min = models.PositiveIntegerField(_("月薪下限（元）"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("月薪上限（元）"), null=True, blank=True)
    headcount = models.PositiveSmallIntegerField(_("招聘人数"), null=True, blank=True)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    description = models.TextField(_("岗位描述"), blank=True, default="")
    contact = models.CharField(_("联系方式"), max_length=200, blank=True, default="")
    # Guard findings: [{"ground": ..., "phrase": ..., "reason": ...}]; a flagged job is held.
    flags = models.JSONField(_("风险提示"), default=list, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True, default="")
    # Who brought it: the channel and the staff member credited (the seed: mobilise everyone).
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credited_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("引荐人"),
    )
    credited_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An external feed's name and the posting's id there ("" for postings made here).
    source = models.CharField(_("来源"), max_length=60, blank=True, default="")
    external_id = models.CharField(_("外部编号"), max_length=80, blank=True, default="")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    # Everyone at the institution (and at partners it is shared with) may see a job; which
    # states each person sees is the selectors' business (graduates: published only).
    scope = Scope(department=ALL, mentor=ALL, own=ALL, employer="employer", shared=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="job_unique_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(salary_min__isnull=True)
                | models.Q(salary_max__isnull=True)
                | models.Q(salary_min__lte=models.F("salary_max")),
                name="job_salary_range",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status", "-published_at"]),
            models.Index(fields=["employer", "status"]),
        ]

    def __str__(self) -> str:
        return self.title
