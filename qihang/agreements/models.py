"""Tripartite agreements (三方协议): an employer's offer, the graduate's answer, the school's
review and approval, the signatures, and cancellations (解约). DOMAIN.md §3; docs/agreements.md.

An Agreement moves through the declarative table agreements.workflow.AGREEMENT:
offered → accepted (the graduate) → reviewed (department) → signed (career centre); the
employer may edit or withdraw an offer, the graduate decline it (with a reason), the school
reject an accepted one (with a reason); a signed agreement is cancelled only through a
Cancellation that employer, department and centre approved in turn
(agreements.workflow.CANCELLATION).

Two invariants are the database's, the same on PostgreSQL and SQLite:
- agreement numbers are unique per (institution, cohort);
- at most one *active* agreement (accepted, reviewed or signed) per graduate: a partial unique
  index, so two acceptances at once cannot both succeed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.applications.models import Application
from qihang.employers.models import Employer
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Institution, TenantModel
from qihang.institutions.scoping import Scope


class AgreementStatus(models.TextChoices):
    OFFERED = "offered", _("待毕业生确认")
    WITHDRAWN = "withdrawn", _("单位已撤回")
    DECLINED = "declined", _("毕业生已拒绝")
    ACCEPTED = "accepted", _("待院系审核")
    REVIEWED = "reviewed", _("待中心审批")
    REJECTED = "rejected", _("学校未通过")
    SIGNED = "signed", _("已签约")
    CANCELLED = "cancelled", _("已解约")


# A graduate holds at most one of these at a time (database constraint).
ACTIVE_STATUSES = (AgreementStatus.ACCEPTED, AgreementStatus.REVIEWED, AgreementStatus.SIGNED)


class Agreement(TenantModel):
    # RESTRICT, not PROTECT: nothing an agreement points at can be deleted on its own, but an
    # institution's deletion (the demo's reset) takes its agreements with everything else.
    cohort = models.ForeignKey(Cohort, on_delete=models.RESTRICT, related_name="+")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="agreements")
    employer = models.ForeignKey(Employer, on_delete=models.RESTRICT, related_name="agreements")
    # The application it grew from (an employer offers only to a graduate who applied to it).
    application = models.ForeignKey(
        Application, on_delete=models.RESTRICT, related_name="agreements"
    )
    number = models.CharField(_("协议书编号"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.OFFERED
    )
    # The terms (what both parties sign; `version` counts the employer's edits).
    position = models.CharField(_("岗位"), max_length=100)
    employer_nature = models.CharField(_("单位性质代码"), max_length=4)
    work_division = models.CharField(_("工作地点"), max_length=6)
    monthly_salary = models.PositiveIntegerField(_("月薪（元）"), null=True, blank=True)
    term = models.CharField(_("服务期/合同期限"), max_length=60, blank=True, default="")
    terms = models.TextField(_("其他约定"), max_length=2000, blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1)
    reason = models.CharField(_("原因"), max_length=300, blank=True, default="")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(_("发出时间"))
    answered_at = models.DateTimeField(_("毕业生答复时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("院系审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("签约时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("解约时间"), null=True, blank=True)
    # The graduate's approved destination just before this agreement placed them (the values
    # a cancellation restores), {} when there was none.
    destination_before = models.JSONField(default=dict, blank=True)
    # The signed agreement's PDF, issued with its verification QR code (qihang/documents);
    # revoked when the agreement is cancelled.
    document = models.ForeignKey(
        "documents.IssuedDocument",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department",
        mentor="graduate__mentor",
        own="graduate__user",
        employer="employer",
    )

    class Meta:
        verbose_name = _("三方协议")
        verbose_name_plural = _("三方协议")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "cohort", "number"], name="agreement_number_unique"
            ),
            models.UniqueConstraint(
                fields=["graduate"],
                condition=models.Q(status__in=["accepted", "reviewed", "signed"]),
                name="agreement_one_active_per_graduate",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AgreementStatus.values),
                name="agreement_status_valid",
            ),
            # Signed (and cancelled) agreements carry all approvals.
            models.CheckConstraint(
                condition=~models.Q(status__in=["signed", "cancelled"])
                | models.Q(
                    answered_at__isnull=False,
                    reviewed_at__isnull=False,
                    signed_at__isnull=False,
                ),
                name="agreement_signed_has_approvals",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["declined", "rejected"]) | ~models.Q(reason=""),
                name="agreement_refusal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"], name="agreement_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.graduate_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AgreementSequence(TenantModel):
    """The last number given in a cohort: numbers are the cohort's year and this sequence."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    scope = Scope()


class Party(models.TextChoices):
    GRADUATE = "graduate", _("毕业生")
    EMPLOYER = "employer", _("用人单位")
    SCHOOL = "school", _("学校")


class Signature(TenantModel):
    """One party's signature on one version of the agreement: who, when, through which
    backend, and the SHA-256 of the exact bytes signed (agreements.signing)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(_("签署方"), max_length=10, choices=Party.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("协议版本"))
    sha256 = models.CharField(max_length=64)
    backend = models.CharField(max_length=60)
    reference = models.CharField(max_length=200, blank=True, default="")  # a vendor's id
    signed_at = models.DateTimeField(_("签署时间"))

    scope = Scope(
        department="agreement__graduate__department",
        mentor="agreement__graduate__mentor",
        own="agreement__graduate__user",
        employer="agreement__employer",
    )

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.party} {self.sha256[:12]}"


class CancellationStatus(models.TextChoices):
    REQUESTED = "requested", _("待单位同意")
    EMPLOYER_APPROVED = "employer", _("待院系同意")
    DEPARTMENT_APPROVED = "department", _("待中心审批")
    APPROVED = "approved", _("已解约")
    REFUSED = "refused", _("未同意")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_CANCELLATION = (
    CancellationStatus.REQUESTED,
    CancellationStatus.EMPLOYER_APPROVED,
    CancellationStatus.DEPARTMENT_APPROVED,
)


class Cancellation(TenantModel):
    """A graduate's request to cancel a signed agreement (解约), approved in turn by the
    employer, the department and the career centre; any of them may refuse with a reason."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="cancellations")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CancellationStatus.choices,
        default=CancellationStatus.REQUESTED,
    )
    reason = models.CharField(_("解约原因"), max_length=300)
    refuse_reason = models.CharField(_("不同意的原因"), max_length=300, blank=True, default="")
    requested_at = models.DateTimeField(_("申请时间"))
    employer_at = models.DateTimeField(null=True, blank=True)
    department_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope(
        department="graduate__department",
        mentor="graduate__mentor",
        own="graduate__user",
        employer="agreement__employer",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(status__in=["requested", "employer", "department"]),
                name="cancellation_one_open_per_agreement",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refuse_reason=""),
                name="cancellation_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.status}"


class AgreementPolicy(models.Model):
    """An institution's agreement settings."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="agreement_policy"
    )
    # How many approved cancellations a graduate may have; None: no limit.
    max_cancellations = models.PositiveSmallIntegerField(
        _("每名毕业生可解约次数"), null=True, blank=True, default=1
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.max_cancellations}"
