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

    @property
    def degree_labels(self) -> str:
        from qihang.institutions.models import DegreeLevel

        labels = dict(DegreeLevel.choices)
        return "、".join(str(labels.get(d, d)) for d in self.degree_levels or [])

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)


class GuardGround(models.TextChoices):
    """What a discriminatory or fraudulent posting violates (就业促进法 and the ministry)."""

    GENDER = "gender", _("性别")
    ETHNICITY = "ethnicity", _("民族")
    RELIGION = "religion", _("宗教信仰")
    REGION = "region", _("户籍或地域")
    AGE = "age", _("年龄")
    HEALTH = "health", _("健康状况")
    MARITAL = "marital", _("婚育状况")
    SCHOOL = "school", _("院校或第一学历")
    FEES = "fees", _("收费或押金")
    CONTACT = "contact", _("联系方式冲突")


class GuardMatch(models.TextChoices):
    PHRASE = "phrase", _("短语")
    REGEX = "regex", _("正则表达式")


class GuardRule(models.Model):
    """Reference data the platform administrator edits: one phrase or pattern that a posting
    must not contain, the ground it violates and the legal basis shown to reviewer and employer.

    Platform-wide (no institution, so not read through scoping): every school's postings are
    checked by the same rules; only GUARD_MANAGE pages list and edit them."""

    ground = models.CharField(_("违反事项"), max_length=12, choices=GuardGround.choices)
    match = models.CharField(
        _("匹配方式"), max_length=8, choices=GuardMatch.choices, default=GuardMatch.PHRASE
    )
    pattern = models.CharField(_("短语或正则"), max_length=300)
    reason = models.CharField(_("提示理由"), max_length=300)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.CharField(_("版本"), max_length=20, default="2026")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("岗位审核规则")
        verbose_name_plural = _("岗位审核规则")
        ordering = ["ground", "id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "pattern"], name="guard_rule_unique_pattern")
        ]

    def __str__(self) -> str:
        return self.pattern


class JobRevision(models.Model):
    """What an edit changed on a job (field -> [before, after]), one row per saved edit."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job_id} v{self.version}"
