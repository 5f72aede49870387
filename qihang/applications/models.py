"""Graduates' applications to jobs, each with its timeline, and the institution's reminder policy.

An application belongs to the graduate's institution (their counsellors and mentors follow it,
like the graduate's other records) and to the job's employer (its accounts answer it); the job
may be one a paired institution shares. Every change and every message is an ApplicationEvent,
so the graduate sees each one, and the employer's first answer (`answered_at`: an invitation,
an offer, a refusal or a message — not merely opening it) measures how long it kept them waiting.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.employers.models import Employer
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution, TenantModel
from qihang.institutions.scoping import Scope
from qihang.jobs.models import Job


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已投递")
    VIEWED = "viewed", _("单位已查看")
    INTERVIEW = "interview", _("面试/试奏")
    OFFER = "offer", _("拟录用")
    HIRED = "hired", _("已录用")
    DECLINED = "declined", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


# Still waiting for the employer's decision (the graduate may withdraw; reminders count these).
OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.VIEWED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFER,
)


class InterviewKind(models.TextChoices):
    INTERVIEW = "interview", _("面试")
    AUDITION = "audition", _("试奏/试唱")


class Application(TenantModel):
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="applications")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="applications")
    # The job's employer, kept here so that an employer's scope is one column.
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    note = models.TextField(_("求职信"), max_length=2000, blank=True, default="")
    interview_kind = models.CharField(
        _("考核方式"), max_length=12, choices=InterviewKind.choices, blank=True, default=""
    )
    interview_at = models.DateTimeField(_("面试/试奏时间"), null=True, blank=True)
    interview_place = models.CharField(_("地点"), max_length=200, blank=True, default="")
    interview_link = models.URLField(_("线上链接"), blank=True, default="")
    offer_note = models.CharField(_("录用说明"), max_length=500, blank=True, default="")
    decline_reason = models.CharField(_("未录用原因"), max_length=300, blank=True, default="")
    submitted_at = models.DateTimeField(_("投递时间"), db_index=True)
    answered_at = models.DateTimeField(_("单位首次答复"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department",
        mentor="graduate__mentor",
        own="graduate__user",
        employer="employer",
    )

    class Meta:
        verbose_name = _("求职申请")
        verbose_name_plural = _("求职申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One live application per graduate and job; after a withdrawal one may apply again.
            models.UniqueConstraint(
                fields=["job", "graduate"],
                condition=~models.Q(status="withdrawn"),
                name="application_once_per_job",
            ),
        ]
        indexes = [models.Index(fields=["employer", "status"], name="application_employer")]

    def __str__(self) -> str:
        return f"{self.graduate} → {self.job}"


class Side(models.TextChoices):
    GRADUATE = "graduate", _("毕业生")
    EMPLOYER = "employer", _("用人单位")
    SYSTEM = "system", _("系统")


class ApplicationEvent(TenantModel):
    """One line of an application's timeline: a change of state (`action`) or a message."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)  # a workflow action name, "submit" or "message"
    status = models.CharField(max_length=12, choices=ApplicationStatus.choices)  # after it
    side = models.CharField(max_length=12, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, default="")
    at = models.DateTimeField()

    scope = Scope(
        department="application__graduate__department",
        mentor="application__graduate__mentor",
        own="application__graduate__user",
        employer="application__employer",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ApplicationPolicy(models.Model):
    """An institution's settings for its graduates' applications."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="application_policy"
    )
    # An employer is reminded when an application has waited this many days without an answer
    # (and again after as many more).
    remind_after_days = models.PositiveSmallIntegerField(_("提醒单位答复的天数"), default=7)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remind_after_days__gte=1, remind_after_days__lte=60),
                name="application_remind_days_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.remind_after_days}"
