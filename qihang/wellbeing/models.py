"""Wellbeing (心理关怀): a graduate's voluntary check-in, and the referral a psychological
counsellor works when a check-in asks for help or crosses the school's thresholds.

Only the psychological counsellor role (institutions.roles.Role.PSYCH_COUNSELLOR) reads a
check-in, a referral or a note; everyone else sees counts (wellbeing.selectors.overview, no
figure for fewer than five). The answers and every note are sealed (SensitiveField); a check-in
may be anonymous (no graduate: counted, never contactable).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import Cohort, Department, Institution, TenantModel
from qihang.institutions.scoping import Scope
from qihang.lib.sensitive import SensitiveField, mask_all


class WellbeingPolicy(models.Model):
    """The thresholds above which a check-in goes to the psychological counsellors even when
    it does not ask for help (stress 1 = calm … 5 = overwhelmed; sleep 1 = very poor … 5)."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="+")
    stress_at_least = models.PositiveSmallIntegerField(
        _("压力达到"), default=4, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    sleep_at_most = models.PositiveSmallIntegerField(
        _("睡眠不高于"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("心理关怀阈值")
        verbose_name_plural = _("心理关怀阈值")

    def __str__(self) -> str:
        return (
            f"{self.institution_id}: stress ≥ {self.stress_at_least}, sleep ≤ {self.sleep_at_most}"
        )


class Support(models.TextChoices):
    NONE = "none", _("暂不需要")
    TALK = "talk", _("想和心理老师聊聊")
    CAREER = "career", _("想获得求职方面的帮助")
    PEERS = "peers", _("想参加同伴交流")


class CheckIn(TenantModel):
    # Counted by cohort and department (the department at the time), also when anonymous.
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # None: anonymous. A check-in that asks to be contacted is never anonymous.
    graduate = models.ForeignKey(
        "graduates.Graduate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # {"stress": 1-5, "sleep": 1-5, "support": Support, "note": "…"} as JSON, sealed.
    answers = SensitiveField(masker=mask_all)
    submitted_at = models.DateTimeField()

    scope = Scope(department="department", own="graduate__user")

    class Meta:
        indexes = [models.Index(fields=["institution", "cohort", "submitted_at"])]
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"check-in {self.pk}"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    CONTACTED = "contacted", _("已联系")
    IN_SUPPORT = "in_support", _("跟进支持中")
    CLOSED = "closed", _("已结案")


class Referral(TenantModel):
    """A check-in that asked for help or crossed a threshold, worked by a counsellor."""

    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="referral")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # Why it was opened ("asked to be contacted", "stress 5 ≥ 4" …), sealed.
    trigger = SensitiveField(masker=mask_all)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责老师"),
    )
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(department="department", own="graduate__user")

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class ReferralNote(TenantModel):
    """A confidential note on a referral: only psychological counsellors read it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = SensitiveField(masker=mask_all)
    at = models.DateTimeField()

    scope = Scope(department="referral__department")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk}"
