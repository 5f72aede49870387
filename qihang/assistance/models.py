"""Key-group assistance (重点群体帮扶): one file and one plan per graduate (一人一档、一人一策),
the follow-ups that keep it moving, grassroots programmes and the job-search subsidy.

Who a graduate is helped for is the key-group membership (graduates.GraduateKeyGroup,
confirmed by a person). What the file says of the family and the person, the plan's goals and
measures, what a follow-up discussed, a subsidy's bank account: all sealed (SensitiveField),
read on the graduate's assistance page by those who help them, each read logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope
from qihang.lib.sensitive import SensitiveField, mask_all


def mask_account(value: str) -> str:
    """A bank account: the last four digits only."""
    digits = value.replace(" ", "")
    return f"****{digits[-4:]}" if len(digits) > 4 else "****"


_GRADUATE_SCOPE = dict(
    department="graduate__department", mentor="graduate__mentor", own="graduate__user"
)


class AssistanceFile(TenantModel):
    """一人一档: the situation, the needs, and the graduate's agreement to be helped."""

    graduate = models.OneToOneField(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="assistance_file"
    )
    situation = SensitiveField(_("家庭与个人情况"), masker=mask_all)
    needs = SensitiveField(_("就业需求与困难"), masker=mask_all)
    consent_on = models.DateField(_("本人同意帮扶日期"), null=True, blank=True)
    # 一帮一: the responsible mentor and the school leader or department head paired with them.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结对领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    goals = SensitiveField(_("帮扶目标"), masker=mask_all)
    measures = SensitiveField(_("帮扶措施"), masker=mask_all)
    # Follow up at least this often; the reminder fires when the next one is overdue.
    follow_up_days = models.PositiveSmallIntegerField(_("跟进周期（天）"), default=14)
    plan_due_on = models.DateField(_("计划完成时限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(**_GRADUATE_SCOPE)

    class Meta:
        verbose_name = _("帮扶档案")
        verbose_name_plural = _("帮扶档案")

    def __str__(self) -> str:
        return f"file {self.graduate_id}"

    @property
    def has_plan(self) -> bool:
        return bool(self.goals) and self.mentor_id is not None


class PlanStep(TenantModel):
    """One measure of the plan with its deadline (时间节点) and when it was done."""

    file = models.ForeignKey(AssistanceFile, on_delete=models.CASCADE, related_name="steps")
    text = SensitiveField(_("措施"), masker=mask_all)
    due_on = models.DateField(_("时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    scope = Scope(
        department="file__graduate__department",
        mentor="file__graduate__mentor",
        own="file__graduate__user",
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"step {self.pk}"


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", _("面谈")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    VIDEO = "video", _("视频")
    HOME_VISIT = "home_visit", _("家访")


class FollowUp(TenantModel):
    graduate = models.ForeignKey(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="follow_ups"
    )
    on = models.DateField(_("日期"))
    mode = models.CharField(_("方式"), max_length=12, choices=ContactMode.choices)
    discussed = SensitiveField(_("沟通内容"), masker=mask_all)
    next_step = SensitiveField(_("下一步"), masker=mask_all)
    next_on = models.DateField(_("下次跟进日期"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(**_GRADUATE_SCOPE)

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["institution", "graduate", "on"])]

    def __str__(self) -> str:
        return f"follow-up {self.pk}"


class Programme(models.TextChoices):
    """Grassroots programmes (基层项目, DOMAIN.md §4)."""

    SANZHI_YIFU = "sanzhi_yifu", _("三支一扶")
    TEGANG = "tegang", _("特岗计划")
    XIBU = "xibu", _("西部计划")
    XUANDIAO = "xuandiao", _("选调生")
    ENLISTMENT = "enlistment", _("参军入伍")
    OTHER = "other", _("其他基层项目")


class ProgrammeStatus(models.TextChoices):
    PREPARING = "preparing", _("准备报名")
    APPLIED = "applied", _("已报名")
    ADMITTED = "admitted", _("已录取")
    NOT_ADMITTED = "not_admitted", _("未录取")
    WITHDRAWN = "withdrawn", _("放弃")


class ProgrammeApplication(TenantModel):
    graduate = models.ForeignKey(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="programme_applications"
    )
    programme = models.CharField(_("项目"), max_length=12, choices=Programme.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProgrammeStatus.choices, default=ProgrammeStatus.PREPARING
    )
    applied_on = models.DateField(_("报名日期"), null=True, blank=True)
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(**_GRADUATE_SCOPE)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.graduate_id} {self.programme}"


class SubsidyStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("符合条件")
    APPLIED = "applied", _("已申请")
    APPROVED = "approved", _("已审核通过")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("未通过")


class Subsidy(TenantModel):
    """求职创业补贴: eligibility, application, approval, amount, payment."""

    graduate = models.ForeignKey(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="subsidies"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SubsidyStatus.choices, default=SubsidyStatus.ELIGIBLE
    )
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    bank_account = SensitiveField(_("银行卡号"), masker=mask_account)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(**_GRADUATE_SCOPE)

    class Meta:
        verbose_name = _("求职创业补贴")
        verbose_name_plural = _("求职创业补贴")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"subsidy {self.pk}"
