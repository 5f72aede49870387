"""Graduates (生源信息) of a cohort, as the roster import and the career centre keep them."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import (
    Cohort,
    DegreeLevel,
    Department,
    Institution,
    Major,
    TenantModel,
)
from qihang.institutions.scoping import Scope
from qihang.lib import crypto
from qihang.lib.constraints import CompositeForeignKey
from qihang.lib.sensitive import (
    BlindIndexField,
    SensitiveField,
    mask_all,
    mask_id_number,
    mask_phone,
)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Origin(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class RosterStatus(models.TextChoices):
    """Whether a graduate counts in their cohort (在册) or has left it, and why."""

    ACTIVE = "active", _("在册")
    DEFERRED = "deferred", _("延期毕业")
    COMPLETION = "completion", _("结业")
    WITHDRAWN = "withdrawn", _("退学")
    TRANSFERRED = "transferred", _("转入其他届别")


class KeyGroupKind(models.Model):
    """Reference data: the kinds of key group (重点群体) and hardship category (困难生类别)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    # Other spellings accepted on import, e.g. "建档立卡" for "原建档立卡贫困家庭".
    aliases = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    version = models.CharField(max_length=20, default="2020")

    class Meta:
        verbose_name = _("重点群体类别")
        verbose_name_plural = _("重点群体类别")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name

    @property
    def digest(self) -> str:
        """How a membership row names this kind (GraduateKeyGroup.kind_digest)."""
        return kind_digest(self.code)


def kind_digest(code: str) -> str:
    return crypto.blind_index(code, "graduate.key_group")


class NationalCodeTable(models.Model):
    """Reference data: one national code table (性别, 民族, 政治面貌, 学历) of one version, with
    the standard it comes from. Loaded by a migration from graduates/data/national_codes_*.json."""

    key = models.CharField(max_length=30)  # the Graduate field it codes: "ethnicity", …
    version = models.CharField(max_length=20)
    name = models.CharField(_("名称"), max_length=60)
    standard = models.CharField(_("标准"), max_length=120)
    source = models.TextField(_("出处"), blank=True, default="")
    uncertain = models.TextField(blank=True, default="")  # what could not be confirmed

    class Meta:
        verbose_name = _("国家标准代码表")
        verbose_name_plural = _("国家标准代码表")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="national_code_table_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.standard}）"


class NationalCode(models.Model):
    """One code of a national table: the code, its name, the value a Graduate stores for it
    (a Gender or DegreeLevel value, or the name itself) and other accepted spellings."""

    table = models.ForeignKey(NationalCodeTable, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("代码"), max_length=10)
    name = models.CharField(_("名称"), max_length=60)
    value = models.CharField(max_length=30)
    aliases = models.JSONField(default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("国家标准代码")
        verbose_name_plural = _("国家标准代码")
        ordering = ["table", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="national_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def _composite_checked(to: type[models.Model], on_delete: Any, related_name: str) -> Any:
    """A ForeignKey whose check and index are a composite key's and index's in Meta."""
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, db_constraint=False, db_index=False
    )


class Graduate(TenantModel):
    # These four keys are checked by the two composite keys in Meta (one check per key instead
    # of four per row, and the database refuses another institution's cohort or major), and
    # indexed by the composite indexes there.
    institution = _composite_checked(Institution, models.CASCADE, "+")
    cohort = _composite_checked(Cohort, models.PROTECT, "graduates")
    student_no = models.CharField(_("学号"), max_length=30)
    name = models.CharField(_("姓名"), max_length=60)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number = SensitiveField(_("身份证号"), masker=mask_id_number)
    # Keyed hash of the ID number: uniqueness and lookup without the plaintext (the field
    # computes it on save; graduates.services.id_number_digest for lookups).
    id_number_digest = BlindIndexField(
        source="id_number", purpose="graduate.id_number", normalize="upper"
    )
    # 民族 is sensitive (DOMAIN.md §7): ciphertext at rest, masked whole; grouped and compared
    # by its keyed digest.
    ethnicity = SensitiveField(_("民族"), masker=mask_all)
    ethnicity_digest = BlindIndexField(source="ethnicity", purpose="graduate.ethnicity")
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True, default="")
    degree_level = models.CharField(_("学历层次"), max_length=10, choices=DegreeLevel.choices)
    department = _composite_checked(Department, models.PROTECT, "graduates")
    major = _composite_checked(Major, models.PROTECT, "graduates")
    specialization = models.CharField(_("专业方向"), max_length=60, blank=True, default="")
    origin_division = models.CharField(_("生源地"), max_length=6, blank=True, default="")
    # Denormalised from origin_division so rates group by province without string functions.
    origin_province = models.CharField(max_length=6, blank=True, default="", editable=False)
    origin_type = models.CharField(
        _("城乡生源"), max_length=5, choices=Origin.choices, blank=True, default=""
    )
    phone = SensitiveField(_("手机号码"), masker=mask_phone)
    email = models.EmailField(_("电子邮箱"), blank=True, default="")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导师/辅导员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
        db_index=False,  # a partial index in Meta: imported graduates have no mentor yet
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="graduate",
    )
    # Leaving the cohort (延期毕业, 结业, 退学, another cohort) stops the graduate counting in
    # its figures from the status's effective moment (see RosterPeriod); the record stays.
    roster_status = models.CharField(
        _("在册状态"), max_length=12, choices=RosterStatus.choices, default=RosterStatus.ACTIVE
    )
    roster_status_reason = models.CharField(_("状态原因"), max_length=200, blank=True, default="")
    roster_status_date = models.DateField(_("状态日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(department="department", mentor="mentor", own="user")

    class Meta:
        verbose_name = _("毕业生")
        verbose_name_plural = _("毕业生")
        ordering = ["student_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "student_no"], name="graduate_unique_student_no"
            ),
            # A person may graduate again at a higher degree: unique per cohort, not forever.
            models.UniqueConstraint(
                fields=["institution", "cohort", "id_number_digest"],
                name="graduate_unique_id_number_per_cohort",
            ),
            # The cohort's institution key also vouches for the institution itself.
            CompositeForeignKey(
                fields=["institution", "cohort"],
                to_fields=["institution", "id"],
                name="graduate_cohort_same_institution",
            ),
            # The major is of this department and degree level (the rates by degree level count
            # either column, so they must agree); its own composite key vouches for the
            # department.
            CompositeForeignKey(
                fields=["institution", "department", "degree_level", "major"],
                to_fields=["institution", "department", "degree_level", "id"],
                name="graduate_major_consistent",
            ),
        ]
        # Few indexes on purpose: each costs every imported row. Lists and rates filter by
        # institution and cohort first, which the unique constraints above already index.
        indexes = [
            models.Index(fields=["institution", "cohort", "department"]),
            models.Index(
                fields=["mentor"],
                condition=models.Q(mentor__isnull=False),
                name="graduate_mentor_assigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.student_no}）"


class KeyGroupStatus(models.TextChoices):
    SUGGESTED = "suggested", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("不属于")
    ENDED = "ended", _("已撤销")


class KeyGroupSource(models.TextChoices):
    """Where a suggestion came from. Kept coarse on purpose: "profile" does not say whether
    the 民族 or the 生源地 suggested it (the sealed `basis` does, for those who may read it)."""

    ROSTER = "roster", _("生源名单（困难生类别）")
    PROFILE = "profile", _("生源信息")
    STAFF = "staff", _("工作人员")


class GraduateKeyGroup(TenantModel):
    """A graduate's membership of one key group (重点群体), from suggestion to confirmation.

    Nothing is labelled silently: the roster's 困难生类别, the 民族 and the 生源地 only
    suggest (status "suggested"); a counsellor, department or the centre confirms or dismisses
    each one (graduates.services). Key-group status is sensitive (DOMAIN.md §7), so the row
    names its kind only by a keyed digest of the kind's code (`KeyGroupKind.digest`): the
    figures group by it, and whoever may read it maps the ~10 digests back to kinds; `basis`
    (why it was suggested) and `note` (why it was decided so) are sealed.

    Dated like a roster period: it counts in figures as of T when valid_from <= T < valid_to
    (valid_from is the confirmation, valid_to the end). Ending a membership closes it; a later
    confirmation of the same kind is a new row, so no figure of an earlier day moves.
    """

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="key_groups")
    kind_digest = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=KeyGroupSource.choices)
    basis = SensitiveField(masker=mask_all)
    status = models.CharField(
        max_length=10, choices=KeyGroupStatus.choices, default=KeyGroupStatus.SUGGESTED
    )
    note = SensitiveField(masker=mask_all)
    suggested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        constraints = [
            # One open membership (suggested or confirmed) per graduate and kind.
            models.UniqueConstraint(
                fields=["graduate", "kind_digest"],
                condition=models.Q(status__in=["suggested", "confirmed"]),
                name="graduate_key_group_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=False, valid_to__gte=models.F("valid_from")),
                name="graduate_key_group_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(valid_from__isnull=False),
                name="graduate_key_group_confirmed_dated",
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"{self.graduate_id}:{self.get_status_display()}"


class RosterPeriod(TenantModel):
    """When a graduate counted in a cohort, department and major: the denominators of rates.

    Half-open like DestinationPeriod: it holds at t when valid_from <= t < valid_to (or
    valid_to is None). A graduate added at t counts from t; a change of cohort, department,
    major or gender at t closes the open period at t and opens the next; leaving the cohort
    closes it. Periods are only ever closed at or after the moment of the write (never
    back-dated), so a figure as of a past day never changes again. Written by
    `graduates.services.roster_sync`, the one place that compares graduates with their periods.
    """

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    # History keeps its cohort, department and major: neither goes while a period names it
    # (RESTRICT: deleting the whole institution or the graduate still takes the periods).
    cohort = models.ForeignKey(Cohort, on_delete=models.RESTRICT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.RESTRICT, related_name="+")
    major = models.ForeignKey(Major, on_delete=models.RESTRICT, related_name="+")
    # Fixed by the major; kept here so rates by degree level need no join.
    degree_level = models.CharField(max_length=10, choices=DegreeLevel.choices)
    gender = models.CharField(max_length=1, choices=Gender.choices)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    # Department staff see the graduates who were in their departments at the time.
    scope = Scope(department="department", mentor="graduate__mentor", own="graduate__user")

    class Meta:
        indexes = [
            models.Index(fields=["institution", "cohort", "valid_from"]),
            models.Index(
                fields=["institution", "cohort", "valid_to"], name="roster_period_valid_to"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate"],
                condition=models.Q(valid_to__isnull=True),
                name="roster_period_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="roster_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id}@{self.cohort_id}/{self.department_id}/{self.major_id}"


class CohortAnonymisation(TenantModel):
    """A cohort whose graduates' personal data was anonymised at the end of its retention
    period (qihang.privacy.retention): when, and how many of each kind of record. Its figures
    survive (the roster and destination periods are kept); the people in it are no longer
    named anywhere but in the append-only audit log."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="anonymisation")
    at = models.DateTimeField()
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.cohort_id} anonymised {self.at:%Y-%m-%d}"
