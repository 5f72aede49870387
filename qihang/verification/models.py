"""Verification (就业核查): sampled calls to placed graduates, and the centre's decisions on
anomaly flags. The design note is docs/verification.md.

A round (VerificationRound) is one draw for a cohort: the population is the cohort's placed
graduates as of `as_of` (reports.selectors.placed_as_of, the placement rate's own definition),
stratified by department and destination code and drawn from `seed`. The drawn rows
(VerificationSample) are stored with the department and code they had at the draw, so later
changes to a record never alter a round. Each sample's calls (VerificationCall) are its
attempt history; the sample's `result` is the latest call's.

Anomaly flags are computed by the rules in verification.anomalies, never stored; what the
centre decides about one (acknowledged or dismissed, with a note) is a FlagDecision row keyed
by the rule and the finding's key. Decisions are append-only: a later decision supersedes an
earlier one, nothing is deleted. A social-insurance enrolment list the centre imports is an
EnrolmentList with one EnrolmentEntry per person (ID numbers only as their blind index).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.destinations.models import Destination
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Department, TenantModel
from qihang.institutions.scoping import ALL, NONE, Scope


class VerificationRound(TenantModel):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    as_of = models.DateField(_("抽样截止日"))
    seed = models.BigIntegerField(_("随机种子"))
    # Percent of each department's placed graduates (1–100); `department_percents` maps a
    # department id (as text) to its own percent where it differs from the default.
    default_percent = models.DecimalField(_("抽样比例（%）"), max_digits=5, decimal_places=2)
    department_percents = models.JSONField(default=dict, blank=True)
    population = models.PositiveIntegerField(_("总体人数"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField()

    # Department staff see the rounds (their own departments' samples inside, see below).
    scope = Scope(department=ALL, mentor=NONE, own=NONE)

    class Meta:
        verbose_name = _("核查批次")
        verbose_name_plural = _("核查批次")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_percent__gt=0, default_percent__lte=100),
                name="verification_round_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallResult(models.TextChoices):
    PENDING = "pending", _("待核查")
    CONFIRMED = "confirmed", _("属实")
    UNREACHABLE = "unreachable", _("无法联系")
    FALSE = "false", _("不属实")


# Results a call may record (PENDING is the state before any call).
RECORDED_RESULTS = (CallResult.CONFIRMED, CallResult.UNREACHABLE, CallResult.FALSE)


class VerificationSample(TenantModel):
    """One drawn graduate, with what they held at the draw (never updated but `result`)."""

    round = models.ForeignKey(VerificationRound, on_delete=models.CASCADE, related_name="samples")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("去向代码"), max_length=4)  # reporting code as of the draw
    destination = models.ForeignKey(
        Destination, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    employer_name = models.CharField(_("单位名称"), max_length=200, blank=True, default="")
    result = models.CharField(
        _("核查结果"), max_length=12, choices=CallResult.choices, default=CallResult.PENDING
    )
    # A false result sent the destination record back for correction (destination_return).
    returned_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(department="department", mentor=NONE, own=NONE)

    class Meta:
        verbose_name = _("核查对象")
        verbose_name_plural = _("核查对象")
        ordering = ["department_id", "code", "graduate_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "graduate"], name="verification_sample_once"),
            models.CheckConstraint(
                condition=models.Q(result__in=CallResult.values),
                name="verification_sample_result_valid",
            ),
        ]


class VerificationCall(TenantModel):
    """One attempt: append-only."""

    sample = models.ForeignKey(VerificationSample, on_delete=models.CASCADE, related_name="calls")
    result = models.CharField(_("结果"), max_length=12, choices=CallResult.choices)
    notes = models.CharField(_("记录"), max_length=500, blank=True, default="")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(_("核查时间"))

    scope = Scope(department="sample__department", mentor=NONE, own=NONE)

    class Meta:
        ordering = ["called_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=[r.value for r in RECORDED_RESULTS]),
                name="verification_call_result_recorded",
            ),
        ]


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认，跟进中")
    DISMISSED = "dismissed", _("已排除")


class FlagDecision(TenantModel):
    """The centre's decision on one anomaly finding (rule + key); append-only, latest wins."""

    rule = models.CharField(_("规则"), max_length=40)
    key = models.CharField(_("标识"), max_length=200)
    status = models.CharField(_("处理"), max_length=12, choices=FlagStatus.choices)
    note = models.CharField(_("说明"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    scope = Scope()  # the career centre's alone

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["institution", "rule", "key"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=FlagStatus.values),
                name="verification_flag_status_valid",
            ),
        ]


class EnrolmentList(TenantModel):
    """A social-insurance enrolment list (社保参保名单) the centre imported for a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=40)  # the adapter's name ("file")
    filename = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    rows = models.PositiveIntegerField(_("行数"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField()

    scope = Scope()

    class Meta:
        ordering = ["-imported_at", "-id"]


class EnrolmentEntry(TenantModel):
    enrolment = models.ForeignKey(EnrolmentList, on_delete=models.CASCADE, related_name="entries")
    row = models.PositiveIntegerField()
    # graduates.services.id_number_digest of the ID number: the list is matched, never shown.
    id_number_digest = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=60, blank=True, default="")
    employer_credit_code = models.CharField(max_length=18, blank=True, default="")

    scope = Scope()
