"""Reporting to the education authorities (毕业去向数据上报): what was reported, when, and what
the authority sent back; graduates' checks of their own data before a report.

Reporting state (as the national system keeps it)
    Each graduate with an approved destination has one `ReportingRecord`: the hash of the row
    last reported for them (`reported_hash`, over the layout's values, see reporting.layout)
    and, when the authority returned it, the reason. The state is computed, never stored:
    new (never reported), changed (the current approved row hashes differently from the last
    reported one), reported (the same), returned (the authority sent it back and no report has
    carried it since). Nothing in destinations or graduates has to call us: comparing hashes
    finds every change, whichever service made it.

Report runs (`ReportRun`, with one `ReportRunItem` per graduate in the file)
    One row per file sent through a backend (reporting.backends): everything, or only what
    is new, changed or returned since the last report. Append-only.

Returned lists (`ReturnedList`, `ReturnedItem`)
    The authority's file of records to re-check (学号 or 身份证号, and a reason), imported whole.

Checks (`CheckWindow`, `RosterCheck`, `CorrectionRequest`)
    The centre opens a window per cohort; graduates confirm their data or ask for a correction
    with a reason; department staff confirm (the change is applied by the graduates or
    destinations services, so it lands on the record's history) or refuse with a reason.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Major, TenantModel
from qihang.institutions.scoping import ALL, NONE, Scope
from qihang.lib.sensitive import SensitiveField, mask_id_number

_GRADUATE_SCOPE = Scope(department="graduate__department", mentor=NONE, own="graduate__user")


class ReportState(models.TextChoices):
    NEW = "new", _("未上报")
    CHANGED = "changed", _("上报后有变更")
    REPORTED = "reported", _("已上报")
    RETURNED = "returned", _("主管部门退回待核")


class RunScope(models.TextChoices):
    ALL = "all", _("全部记录")
    CHANGED = "changed", _("仅新增、变更和退回的记录")


class ReportRun(TenantModel):
    """One report (报送批次): the file, how it was sent, and what it contained."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    extent = models.CharField(_("范围"), max_length=10, choices=RunScope.choices)
    layout_version = models.CharField(_("格式版本"), max_length=20)
    fmt = models.CharField(_("文件格式"), max_length=4)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(_("记录数"), default=0)
    backend = models.CharField(_("报送方式"), max_length=100)
    receipt = models.CharField(_("回执"), max_length=300, blank=True, default="")
    reason = models.CharField(_("事由"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("报送时间"))

    scope = Scope()  # the career centre and leadership only

    class Meta:
        verbose_name = _("报送批次")
        verbose_name_plural = _("报送批次")
        ordering = ["-created_at", "-id"]


class ReportRunItem(TenantModel):
    """One graduate in a run's file, with the state before the run and the row's hash."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="items")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("报送前状态"), max_length=10, choices=ReportState.choices)
    row_hash = models.CharField(max_length=64)

    scope = Scope()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "graduate"], name="report_run_item_unique")
        ]


class ReturnedList(TenantModel):
    """An imported file of records the authority returned for re-check."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("记录数"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"))

    scope = Scope()

    class Meta:
        verbose_name = _("退回名单")
        verbose_name_plural = _("退回名单")
        ordering = ["-imported_at", "-id"]


class ReturnedItem(TenantModel):
    returned_list = models.ForeignKey(ReturnedList, on_delete=models.CASCADE, related_name="items")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    row_number = models.PositiveIntegerField()
    reason = models.CharField(_("退回原因"), max_length=300)

    scope = _GRADUATE_SCOPE


class ReportingRecord(TenantModel):
    """A graduate's reporting state: what was last reported, and whether it came back."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    graduate = models.OneToOneField(
        Graduate, on_delete=models.CASCADE, related_name="reporting_record"
    )
    reported_hash = models.CharField(max_length=64, blank=True, default="")
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    last_run = models.ForeignKey(
        ReportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by an imported returned list, cleared by the next run that carries the record.
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True, default="")
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_item = models.ForeignKey(
        ReturnedItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = _GRADUATE_SCOPE

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | ~models.Q(returned_reason=""),
                name="reporting_returned_has_reason",
            )
        ]


class CheckWindow(TenantModel):
    """A period in which a cohort's graduates check their data (生源信息核对)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    closes_on = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("开放时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope = Scope(department=ALL, mentor=NONE, own=ALL)

    class Meta:
        verbose_name = _("信息核对")
        verbose_name_plural = _("信息核对")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=models.Q(closed_at__isnull=True),
                name="check_window_one_open",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CheckAnswer(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认无误")
    ASKED = "asked", _("已申请更正")


class RosterCheck(TenantModel):
    """A graduate's answer in a window: confirmed, or asked for corrections."""

    window = models.ForeignKey(CheckWindow, on_delete=models.CASCADE, related_name="checks")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("核对结果"), max_length=10, choices=CheckAnswer.choices)
    at = models.DateTimeField()

    scope = _GRADUATE_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["window", "graduate"], name="roster_check_unique"),
            models.CheckConstraint(
                condition=models.Q(answer__in=CheckAnswer.values), name="roster_check_answer"
            ),
        ]


class CorrectionTarget(models.TextChoices):
    ROSTER = "roster", _("生源信息")
    DESTINATION = "destination", _("毕业去向")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待院系处理")
    CONFIRMED = "confirmed", _("已更正")
    REFUSED = "refused", _("未同意")


class CorrectionRequest(TenantModel):
    """A graduate's request to correct one field of their roster or destination record."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey(
        CheckWindow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(_("类别"), max_length=12, choices=CorrectionTarget.choices)
    field = models.CharField(_("项目"), max_length=30)
    # Masked for sensitive fields (身份证号): the plaintext is only on the graduate's record.
    current_value = models.CharField(_("当前内容"), max_length=200, blank=True, default="")
    requested_value = models.CharField(_("更正为"), max_length=200)  # masked when sensitive
    # The requested 身份证号 itself, encrypted (requested_value shows its mask).
    requested_secret = SensitiveField(masker=mask_id_number)
    # A major correction names the major (its department and degree level follow).
    requested_major = models.ForeignKey(
        Major, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    created_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.CharField(_("处理意见"), max_length=300, blank=True, default="")

    scope = _GRADUATE_SCOPE

    class Meta:
        verbose_name = _("信息更正申请")
        verbose_name_plural = _("信息更正申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CorrectionStatus.values),
                name="correction_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CorrectionStatus.REFUSED)
                | ~models.Q(decision_reason=""),
                name="correction_refused_has_reason",
            ),
            # One open request per field: a second one would race the first's decision.
            models.UniqueConstraint(
                fields=["graduate", "target", "field"],
                condition=models.Q(status=CorrectionStatus.PENDING),
                name="correction_one_pending_per_field",
            ),
        ]
