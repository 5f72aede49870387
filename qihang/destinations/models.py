"""Graduate destinations (毕业去向): reference codes, the current record, its history, and the
dated periods that make every rate reproducible "as of" a day.

The record (Destination)
    One row per graduate: the *current version* of what was reported, with its review status
    (submitted -> reviewed -> approved, or returned with a reason). `version` counts the
    versions (every submission, record or import that changes the values makes a new one).
    While a newer version is pending, the last approved version stays official: its values are
    kept in `official_values` / `official_code` (and `approved_by` / `approved_at` describe that
    approval) until the new version is approved. Writes go through destinations.services only.

The history (DestinationChange)
    Append-only: one row per action (submit, record, review, approve, return, import,
    evidence), with who, when, the version it concerns, the reason, and the values before and
    after (only the keys that changed; "status" included when it changed). Nothing updates or
    deletes these rows; a wrong record is corrected by a new version, never overwritten.

The timeline (DestinationPeriod) — what rates are computed from
    A period says "from valid_from until valid_to, this graduate's destination (of this kind)
    was `code`". `code` is the reporting (top-level) code, DestinationCode.reporting_code, e.g.
    "50" for 502 三支一扶; `employer_province` is the employer's province ("310000") or "",
    `employer_division` its division ("310104") or "", `employer_country` its country ("CN",
    "RU") or "".
    Periods are half-open: a period holds at instant t when
        valid_from <= t and (valid_to is None or t < valid_to).
    "As of a day D" means at the end of D in the institution's time zone, i.e. with
    t0 = the next local midnight: valid_from < t0 and (valid_to is None or valid_to >= t0).
    At most one period of each kind is open (valid_to is None) per graduate (DB constraint),
    so at any instant a graduate holds at most one period of each kind.

    kind "official": opened when the career centre approves a version (destination_approve,
    bulk approval, or an import by the career centre), closing the graduate's previous official
    period at that same instant. Submitting a new version, reviewing or returning it never
    touches official periods: the previous approved destination stays official until the new
    version is approved.

    kind "reported": opened on every submission by the graduate, every record by staff and
    every import row that changes the record, closing the graduate's previous reported period
    at that instant. Review, approval and return do not touch reported periods.

    Periods are dated by when the school recorded the fact (the action's time), not by the
    signing date, so a rate "as of" a past day is what was known on that day and never changes
    afterwards. Periods are never deleted or reopened; only valid_to of the open one is set.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

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
    # Destination fields that must be filled for this code ("employer_name", "agreement_no" …),
    # from the code set's data file; see destinations.rules.
    required_fields = models.JSONField(default=list, blank=True)
    # 出国、出境 (85): the record's country must be outside mainland China.
    abroad = models.BooleanField(default=False)
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

    @property
    def carries_employer(self) -> bool:
        """Not-employed codes (70–72) carry no employer; every other code may."""
        return self.category != DestinationCategory.NOT_EMPLOYED


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
    # A change after the cohort's closing date (registration_deadline) by anyone but the
    # career centre: it waits for the centre's sign-off, with a reason (destinations.workflow).
    SIGNOFF = "signoff", _("截止后变更，待中心签批")


PENDING_STATUSES = (
    ReviewStatus.SUBMITTED,
    ReviewStatus.DEPARTMENT_REVIEWED,
    ReviewStatus.SIGNOFF,
)


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
    # ISO 3166-1 alpha-2 ("RU"), or "" when unknown: a division implies CN (HK, MO or TW for
    # theirs, see regions.countries); abroad (85 出国、出境) it is the only place recorded.
    employer_country = CountryField(_("国家/地区"), blank=True, default="")
    agreement_no = models.CharField(_("协议书编号"), max_length=40, blank=True, default="")
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    # The reporter's statement that the employer hired them: an internship or trainee (见习)
    # proof is not employment ("四不准"), so it can never stand behind an employment code.
    confirmed_not_internship = models.BooleanField(_("确认非实习、见习"), default=False)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    status = models.CharField(_("审核状态"), max_length=20, choices=ReviewStatus.choices)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True, default="")
    note = models.CharField(_("备注"), max_length=300, blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1)
    # The last approved version while a newer one is pending (and after: the same values).
    official_code = models.ForeignKey(
        DestinationCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    official_values = models.JSONField(default=dict, blank=True)
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
        indexes = [
            models.Index(fields=["institution", "cohort", "status"]),
            models.Index(
                fields=["institution", "agreement_no"],
                condition=~models.Q(agreement_no=""),
                name="destination_agreement_no",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values),
                name="destination_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=Source.values), name="destination_source_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReviewStatus.RETURNED) | ~models.Q(return_reason=""),
                name="destination_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReviewStatus.APPROVED)
                | models.Q(approved_at__isnull=False, official_code__isnull=False),
                name="destination_approved_is_official",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id} {self.code_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def has_pending_change(self) -> bool:
        """A newer version awaits approval while an older approved one is still official."""
        return self.official_code_id is not None and self.status != ReviewStatus.APPROVED


class ChangeAction(models.TextChoices):
    SUBMIT = "submit", _("本人填报")
    RECORD = "record", _("代为录入")
    REVIEW = "review", _("院系审核通过")
    APPROVE = "approve", _("中心审批通过")
    RETURN = "return", _("退回")
    IMPORT = "import", _("批量导入（中心审批）")
    EVIDENCE = "evidence", _("补充证明材料")
    SIGN_OFF = "sign_off", _("中心签批截止后变更")


class DestinationChange(TenantModel):
    """Immutable history: who changed what, when and why, with the values before and after."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="changes")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("操作"), max_length=20, choices=ChangeAction.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
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
    # Kept when it documents something (e.g. a 70 待就业 graduate in a trainee programme), but
    # never accepted for an employment code: internship proof is not employment ("四不准").
    INTERNSHIP = "internship", _("实习、见习证明")
    IMPORT_FILE = "import", _("导入文件")
    OTHER = "other", _("其他")
    # Evidence rules (destinations.evidence_rules): 12, 75.
    SALARY = "salary", _("工资流水、薪酬记录")
    LICENCE = "licence", _("营业执照")
    SHOP = "shop", _("网店或店铺地址及截图")
    INCOME = "income", _("经营收入记录")


class Evidence(TenantModel):
    """A file behind a destination. Uploads are PDF/JPEG/PNG checked by their bytes; an import's
    evidence is the imported file itself, stored once and shared by the rows it wrote."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="evidence")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("材料类型"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1)  # the destination's, on upload
    # For import evidence: the row of the file that holds this graduate (shown to narrow roles
    # instead of the whole file, which lists other graduates).
    source_row = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention period ended and the file was deleted (qihang purge_evidence):
    # the row stays, so the record's history still says what was there.
    purged_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )


MIN_RETENTION_YEARS = 3


class EvidencePolicy(TenantModel):
    """An institution's evidence settings, kept by the career centre: the evidence each code
    requires where it differs from the national defaults (the code set's data file), and how
    many years after graduation evidence is kept (never less than three).

    `required` maps a code ("12") to its alternatives, each a list of EvidenceKind values that
    must all be present: [["offer"], ["salary"]] is "a hiring proof or salary records"; [] is
    "nothing required". Codes absent from it follow the national default.
    """

    required = models.JSONField(_("所需证明材料"), default=dict, blank=True)
    retention_years = models.PositiveSmallIntegerField(
        _("证明材料保存年限（毕业后）"), default=MIN_RETENTION_YEARS
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution"], name="evidence_policy_one"),
            models.CheckConstraint(
                condition=models.Q(retention_years__gte=MIN_RETENTION_YEARS),
                name="evidence_policy_retention_min",
            ),
        ]


class PeriodKind(models.TextChoices):
    OFFICIAL = "official", _("已审批")
    REPORTED = "reported", _("已填报")


class DestinationPeriod(TenantModel):
    """When a graduate held a destination code: the narrow table rates are computed from.

    `official` periods start when the career centre approves and end when another approved
    version replaces them; `reported` periods follow every submission, record and import.
    Half-open: a period holds at t when valid_from <= t < valid_to (or valid_to is None). The
    exact rules are in the module docstring.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    code = models.CharField(max_length=4)  # the reporting (top-level) code
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    # The employer's province (GB/T 2260, "310000") and division ("440305") while this period
    # held, copied from the Destination, so "by employer province" and "by strategic region"
    # (粤港澳 needs the prefecture) are correct as of any day.
    employer_province = models.CharField(max_length=6, blank=True, default="")
    employer_division = models.CharField(max_length=6, blank=True, default="")
    # The country (ISO 3166-1 alpha-2) likewise, for regions defined by countries (一带一路).
    employer_country = models.CharField(max_length=2, blank=True, default="")

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        indexes = [
            models.Index(fields=["institution", "cohort", "kind", "valid_from"]),
            # Rates as of a moment inside a week correct the weekly summary (reports.PeriodFlow)
            # with the periods that ended between the week's start and that moment.
            models.Index(
                fields=["institution", "cohort", "kind", "valid_to"],
                name="destination_period_valid_to",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate", "kind"],
                condition=models.Q(valid_to__isnull=True),
                name="destination_period_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="destination_period_ordered",
            ),
        ]
