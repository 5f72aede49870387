"""Documents the school issues on paper and anyone can verify: the recommendation form
(毕业生就业推荐表), the tripartite agreement's PDF; and where a graduate's personnel file
(档案) and household registration (户口) go.

An IssuedDocument is one printed original: its PDF is kept privately with its SHA-256, and it
carries a QR code to /verify/<token>/, which says only whether it is valid and shows masked
details (`public`). A re-issue supersedes the old original (which then verifies as invalid);
nothing is deleted. See docs/documents.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("三方协议")
    RECOMMENDATION = "recommendation", _("毕业生就业推荐表")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已作废")
    SUPERSEDED = "superseded", _("已补发新件（原件作废）")


def document_path(instance: IssuedDocument, filename: str) -> str:
    return filename  # services.document_issue names the file; never from user input


class IssuedDocument(TenantModel):
    kind = models.CharField(_("文件类型"), max_length=20, choices=DocumentKind.choices)
    graduate = models.ForeignKey(Graduate, on_delete=models.PROTECT, related_name="documents")
    number = models.CharField(_("编号"), max_length=60)  # printed on the paper
    # The QR code's secret: random, unguessable (secrets.token_urlsafe), never derived from ids.
    token = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(upload_to=document_path, max_length=300)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True, default="")
    reissue_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues"
    )
    reissue_reason = models.CharField(_("补发原因"), max_length=200, blank=True, default="")
    # What the public verification page may show, masked at issue (documents.public).
    public = models.JSONField(default=dict, blank=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("签发的文件")
        verbose_name_plural = _("签发的文件")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One valid original per number: a re-issue supersedes the old one first.
            models.UniqueConstraint(
                fields=["institution", "kind", "number"],
                condition=models.Q(status="valid"),
                name="document_one_valid_per_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid") | ~models.Q(revoke_reason=""),
                name="document_invalid_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(reissue_of__isnull=True) | ~models.Q(reissue_reason=""),
                name="document_reissue_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["institution", "graduate", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_valid(self) -> bool:
        return self.status == DocumentStatus.VALID


# --- The recommendation form (毕业生就业推荐表) --------------------------------------------------
class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待院系评议")
    ASSESSED = "assessed", _("待中心审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已签发")


class RecommendationLevel(models.TextChoices):
    STRONGLY = "strongly", _("强烈推荐")
    RECOMMENDED = "recommended", _("推荐")
    RESERVED = "reserved", _("有保留地推荐")


class Recommendation(TenantModel):
    """One graduate's recommendation form: their own part, the department's assessment, the
    centre's approval, and the one valid original (`document`; re-issues supersede it)."""

    graduate = models.OneToOneField(
        Graduate, on_delete=models.PROTECT, related_name="recommendation"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.DRAFT,
    )
    self_assessment = models.TextField(_("自我评价"), max_length=2000)
    intentions = models.CharField(_("求职意向"), max_length=300)
    honours = models.TextField(_("获奖与实践经历"), max_length=2000, blank=True, default="")
    department_comments = models.TextField(_("院系评议"), max_length=2000, blank=True, default="")
    level = models.CharField(
        _("推荐意见"), max_length=12, choices=RecommendationLevel.choices, blank=True, default=""
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True, default="")
    number = models.CharField(_("编号"), max_length=60, blank=True, default="")
    document = models.ForeignKey(
        IssuedDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("毕业生就业推荐表")
        verbose_name_plural = _("毕业生就业推荐表")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(document__isnull=False),
                name="recommendation_approved_has_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.graduate.name} · {self.get_status_display()}"


# --- 档案 and 户口: where the personnel file and the household registration go ------------------
class FileDestination(models.TextChoices):
    EMPLOYER = "employer", _("用人单位")
    TALENT_CENTRE = "talent_centre", _("人才服务中心")
    HOME = "home", _("生源地（家庭所在地）")
    SCHOOL = "school", _("升学院校")
    KEPT = "kept", _("暂存学校")


class DispatchMethod(models.TextChoices):
    CONFIDENTIAL_MAIL = "confidential_mail", _("机要通信")
    EMS = "ems", _("EMS")
    COLLECTED = "collected", _("单位派人提档")


class FileStatus(models.TextChoices):
    PENDING = "pending", _("待寄送")
    SENT = "sent", _("已寄出")
    RECEIVED = "received", _("已接收")
    RETURNED = "returned", _("被退回")


class HukouDestination(models.TextChoices):
    STAY = "stay", _("保留在学校集体户")
    EMPLOYER = "employer", _("迁至用人单位所在地")
    TALENT_CENTRE = "talent_centre", _("迁至人才服务中心集体户")
    HOME = "home", _("迁回生源地")
    NOT_MOVED = "not_moved", _("未迁入学校")


# The cohort from which the authorities no longer issue 报到证 (abolished for 2023 graduates).
REPORT_CARD_LAST_COHORT = 2022

# The dossier's field list, declared once: the form, the history's before/after and the export
# all read it.
DOSSIER_FIELDS = (
    "file_destination",
    "receiver_name",
    "receiver_address",
    "dispatch_method",
    "dispatch_number",
    "file_status",
    "hukou_destination",
    "hukou_address",
    "report_card_number",
    "report_card_issued_on",
    "report_card_unit",
)


class Dossier(TenantModel):
    """Where the graduate's 档案 goes and how it was sent, where their 户口 goes, and, for
    cohorts up to 2022, the 报到证 the authority issued. Every change is a DossierChange."""

    graduate = models.OneToOneField(Graduate, on_delete=models.PROTECT, related_name="dossier")
    file_destination = models.CharField(
        _("档案去向"), max_length=16, choices=FileDestination.choices, blank=True, default=""
    )
    receiver_name = models.CharField(_("接收单位"), max_length=100, blank=True, default="")
    receiver_address = models.CharField(_("接收地址"), max_length=200, blank=True, default="")
    dispatch_method = models.CharField(
        _("寄送方式"), max_length=20, choices=DispatchMethod.choices, blank=True, default=""
    )
    dispatch_number = models.CharField(_("机要/快递单号"), max_length=40, blank=True, default="")
    file_status = models.CharField(
        _("档案状态"), max_length=10, choices=FileStatus.choices, default=FileStatus.PENDING
    )
    hukou_destination = models.CharField(
        _("户口去向"), max_length=16, choices=HukouDestination.choices, blank=True, default=""
    )
    hukou_address = models.CharField(_("户口迁往地址"), max_length=200, blank=True, default="")
    report_card_number = models.CharField(_("报到证编号"), max_length=40, blank=True, default="")
    report_card_issued_on = models.DateField(_("报到证签发日期"), null=True, blank=True)
    report_card_unit = models.CharField(_("报到单位"), max_length=100, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("档案与户口")
        verbose_name_plural = _("档案与户口")

    def __str__(self) -> str:
        return f"{self.graduate.name} · {self.get_file_status_display()}"


class DossierChange(TenantModel):
    """One change of a dossier: the values before and after (only the fields that changed),
    who, when and why. Never edited."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(_("修改原因"), max_length=200, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        department="dossier__graduate__department",
        mentor="dossier__graduate__mentor",
        own="dossier__graduate__user",
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "version"], name="dossier_change_once")
        ]
