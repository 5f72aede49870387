"""Employers: organisations that recruit graduates, shared by every institution.

An employer is one row per unified social credit code (统一社会信用代码), whichever institution
or person registered it first; each institution decides for itself whether it works with it
(EmployerStanding). Employer accounts (EmployerMember) act for their organisation across
institutions: scoping's `Scope.employer` limits them to their own organisation's rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.imports.storage import private_storage
from qihang.institutions.models import Department, TenantModel
from qihang.institutions.roles import EmployerRole
from qihang.institutions.scoping import ALL, NONE, Scope


class Channel(models.Model):
    """Reference data: how an employer or a job reached the school (招聘平台, 专业教师, 校友 …).

    Loaded by a data migration with a version; retired channels stay for old records."""

    code = models.CharField(_("渠道代码"), max_length=30, unique=True)
    name = models.CharField(_("渠道"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Whether a staff member is credited (a teacher's lead) or the channel is impersonal.
    credits_person = models.BooleanField(_("记入个人"), default=False)
    version = models.CharField(_("版本"), max_length=20, default="2026")
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("渠道")
        verbose_name_plural = _("渠道")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


def licence_path(instance: "Employer", filename: str) -> str:
    return f"licences/{filename}"


class Employer(models.Model):
    """One organisation (a unified social credit code), global across institutions."""

    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    # National employer-nature code (destinations.EmployerNature, e.g. "10" 机关).
    nature_code = models.CharField(_("单位性质"), max_length=4, blank=True, default="")
    industry_code = models.CharField(_("行业"), max_length=10, blank=True, default="")
    division = models.CharField(_("所在地"), max_length=6, blank=True, default="")  # GB/T 2260
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    website = models.URLField(_("网站"), blank=True, default="")
    description = models.TextField(_("单位简介"), blank=True, default="")
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True, default="")
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, default="")
    contact_email = models.EmailField(_("联系邮箱"), blank=True, default="")
    # An enterprise founded or led by alumni: shown as the 校友企业 channel.
    is_alumni_enterprise = models.BooleanField(_("校友企业"), default=False)
    # The business licence (营业执照 / 法人证书): sealed with the field keys, private on disk,
    # served only by permission-checked views (employers.views licence downloads).
    licence_file = models.FileField(
        _("营业执照"), upload_to=licence_path, storage=private_storage, max_length=300, blank=True
    )
    licence_name = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    licence_content_type = models.CharField(max_length=60, blank=True, default="")
    licence_size = models.PositiveIntegerField(null=True, blank=True)
    licence_sha256 = models.CharField(max_length=64, blank=True, default="")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # An institution holds the employers it has a standing with, and those a partner shares.
    scope = Scope(
        department=ALL,
        mentor=ALL,
        own=ALL,
        employer="pk",
        tenant="standings__institution",
        shared=True,
    )

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JoinRequest(models.TextChoices):
    """Whether the organisation accepted an account that asked to join it."""

    ACCEPTED = "", _("已加入")
    PENDING = "pending", _("待单位管理员确认")
    DECLINED = "declined", _("已拒绝")


class EmployerMember(models.Model):
    """An account acting for an employer. A second registration with the same credit code
    asks to join (inactive until the organisation's administrator accepts)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=EmployerRole.choices)
    title = models.CharField(_("职务"), max_length=60, blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    join_request = models.CharField(
        _("加入申请"), max_length=10, choices=JoinRequest.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(employer="employer", tenant="employer__standings__institution")

    class Meta:
        verbose_name = _("单位账号")
        verbose_name_plural = _("单位账号")
        constraints = [
            models.UniqueConstraint(fields=["employer", "user"], name="employer_member_unique"),
            # A request nobody accepted grants nothing.
            models.CheckConstraint(
                condition=models.Q(join_request="") | models.Q(is_active=False),
                name="employer_member_unaccepted_is_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.employer}"


class StandingStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("已暂停")


class EmployerStanding(TenantModel):
    """One institution's decision on one employer, and who brought it (channel credit)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="standings")
    status = models.CharField(
        _("认证状态"),
        max_length=12,
        choices=StandingStatus.choices,
        default=StandingStatus.PENDING,
    )
    reason = models.CharField(_("理由"), max_length=300, blank=True, default="")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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

    scope = Scope(department=ALL, mentor=ALL, own=NONE, employer="employer")

    class Meta:
        verbose_name = _("单位认证")
        verbose_name_plural = _("单位认证")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "employer"], name="employer_standing_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.get_status_display()}"


# --- Relationship records (per institution) ------------------------------------------------------
class Contact(TenantModel):
    """A person at the employer the institution deals with (HR, the orchestra manager …)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("职务"), max_length=60, blank=True, default="")
    phone = models.CharField(_("电话"), max_length=30, blank=True, default="")
    email = models.EmailField(_("邮箱"), blank=True, default="")
    note = models.CharField(_("备注"), max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Every member of staff with EMPLOYER_VIEW sees the institution's relationship records.
    scope = Scope(department=ALL, mentor=ALL)

    class Meta:
        verbose_name = _("单位联系人")
        verbose_name_plural = _("单位联系人")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class InteractionKind(models.TextChoices):
    VISIT = "visit", _("走访")
    CALL = "call", _("电话")
    MEETING = "meeting", _("会谈")
    EMAIL = "email", _("邮件")


class Interaction(TenantModel):
    """A visit, call, meeting or e-mail with an employer, and the next step agreed."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("方式"), max_length=10, choices=InteractionKind.choices)
    happened_on = models.DateField(_("日期"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    notes = models.TextField(_("记录"), blank=True, default="")
    next_step = models.CharField(_("下一步"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(department=ALL, mentor=ALL)

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


# --- Alumni ---------------------------------------------------------------------------------------
class Alumnus(TenantModel):
    """A graduate of an earlier cohort, as the institution keeps in touch with them."""

    graduate = models.OneToOneField(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="alumnus"
    )
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alumni",
        verbose_name=_("现工作单位"),
    )
    organisation = models.CharField(_("单位名称"), max_length=200, blank=True, default="")
    position = models.CharField(_("职务"), max_length=60, blank=True, default="")
    city = models.CharField(_("所在城市"), max_length=6, blank=True, default="")  # GB/T 2260
    # Founded or leads `employer`: what makes it an alumni enterprise (校友企业).
    leads_employer = models.BooleanField(_("创办或负责该单位"), default=False)
    willing_to_mentor = models.BooleanField(_("愿意担任职业导师"), default=False)
    willing_to_recruit = models.BooleanField(_("愿意招聘校友"), default=False)
    contact_consent = models.BooleanField(_("同意学校联系"), default=False)
    note = models.CharField(_("备注"), max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("校友")
        verbose_name_plural = _("校友")
        ordering = ["graduate__cohort__year", "graduate__student_no"]

    def __str__(self) -> str:
        return self.graduate.name
