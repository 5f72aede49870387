"""Graduate destinations (毕业去向): reference codes, the current record, its history, and the
dated periods that make every rate reproducible "as of" a day."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, TenantModel
from qihang.institutions.scoping import ALL, Scope


# --- Reference data (versioned; loaded by migrations, never literals in code) -------------------
class CodeSet(models.Model):
    """One published version of the destination codes and employer natures."""

    version = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    effective_from = models.DateField()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.name


class DestinationCategory(models.TextChoices):
    EMPLOYED = "employed", _("就业")
    FURTHER_STUDY = "study", _("升学")
    NOT_EMPLOYED = "not_employed", _("未就业")


class DestinationCode(models.Model):
    code_set = models.ForeignKey(CodeSet, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("毕业去向代码"), max_length=4)
    name = models.CharField(_("名称"), max_length=60)
    category = models.CharField(max_length=20, choices=DestinationCategory.choices)
    flexible = models.BooleanField(default=False)  # 灵活就业
    counts_as_placed = models.BooleanField(_("计入落实"), default=True)
    # Sub-codes (502 三支一扶 …) report under their parent (50) in rates.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE)
    # Fields a record with this code must carry (e.g. an employer for 10/11).
    needs_employer = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["code_set", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["code_set", "code"], name="destination_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def reporting_code(self) -> str:
        return self.parent.code if self.parent_id else self.code


class EmployerNature(models.Model):
    code_set = models.ForeignKey(CodeSet, on_delete=models.CASCADE, related_name="natures")
    code = models.CharField(_("单位性质代码"), max_length=4)
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        ordering = ["code_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code_set", "code"], name="employer_nature_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CohortPolicy(TenantModel):
    """Per institution and cohort: which code set applies and what counts as "signed"."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="policy")
    code_set = models.ForeignKey(CodeSet, on_delete=models.PROTECT)
    signing_codes = models.JSONField(_("签约率计入代码"), default=list)
    registration_deadline = models.DateField(_("去向登记截止日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(department=ALL, mentor=ALL, own=ALL)


# --- The record and its history ----------------------------------------------------------------
class Source(models.TextChoices):
    SELF_REPORT = "self", _("本人填报")
    COUNSELLOR = "counsellor", _("辅导员录入")
    IMPORT = "import", _("批量导入")
    AGREEMENT = "agreement", _("三方协议")


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待院系审核")
    DEPARTMENT_REVIEWED = "reviewed", _("待中心审批")
    APPROVED = "approved", _("已审批")
    RETURNED = "returned", _("已退回")


class Destination(TenantModel):
    """A graduate's one current destination record; every change is kept in DestinationChange."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    graduate = models.OneToOneField(Graduate, on_delete=models.CASCADE, related_name="destination")
    code = models.ForeignKey(DestinationCode, on_delete=models.PROTECT, related_name="+")
    employer_name = models.CharField(_("单位名称"), max_length=200, blank=True, default="")
    employer_credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, default=""
    )
    employer_nature = models.ForeignKey(
        EmployerNature, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employer_division = models.CharField(_("单位所在地"), max_length=6, blank=True, default="")
    employer_province = models.CharField(max_length=6, blank=True, default="", editable=False)
    agreement_no = models.CharField(_("协议书编号"), max_length=40, blank=True, default="")
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    status = models.CharField(_("审核状态"), max_length=20, choices=ReviewStatus.choices)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True, default="")
    note = models.CharField(_("备注"), max_length=300, blank=True, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("毕业去向")
        verbose_name_plural = _("毕业去向")
        indexes = [models.Index(fields=["institution", "cohort", "status"])]

    def __str__(self) -> str:
        return f"{self.graduate_id} {self.code_id}"


class DestinationChange(TenantModel):
    """Immutable history: who changed what, when and why, with the values before and after."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="changes")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True, default="")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        ordering = ["-at", "-id"]


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.institution_id}/{instance.graduate_id}/{filename}"


class EvidenceKind(models.TextChoices):
    AGREEMENT = "agreement", _("就业协议书")
    CONTRACT = "contract", _("劳动合同")
    OFFER = "offer", _("录用证明")
    ADMISSION = "admission", _("录取通知书")
    STATEMENT = "statement", _("本人声明")
    IMPORT_FILE = "import", _("导入文件")
    OTHER = "other", _("其他")


class Evidence(TenantModel):
    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="evidence")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("材料类型"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )


class PeriodKind(models.TextChoices):
    OFFICIAL = "official", _("已审批")
    REPORTED = "reported", _("已填报")


class DestinationPeriod(TenantModel):
    """When a graduate held a destination code: the narrow table rates are computed from.

    `official` periods start when the career centre approves and end when another approved
    record replaces them; `reported` periods follow every submission. A rate "as of" a day
    counts the periods open on that day.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    code = models.CharField(max_length=4)  # the reporting (top-level) code
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        indexes = [
            models.Index(fields=["institution", "cohort", "kind", "valid_from"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate", "kind"],
                condition=models.Q(valid_to__isnull=True),
                name="destination_period_one_open",
            )
        ]
