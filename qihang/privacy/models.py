"""Consent per purpose, versioned (issue 10).

Each purpose has texts in plain words (`ConsentText`, reference data with a version, loaded by
a migration); a graduate's `Consent` rows say which version they agreed to and when, and when
they withdrew. A row is never deleted or rewritten: granting opens a row, withdrawing closes
it (`withdrawn_at`), granting again opens the next one — the rows are the history.

Sharing the résumé with employers is one of the purposes, but its consent is the résumés app's
own (`Resume.discoverable` with its `ConsentChange` history, which every employer read asks
through `resumes.selectors.resume_visible_to_employer`): the privacy page switches it through
`resumes.services.resume_consent_set`, and a check constraint keeps that purpose out of this
table, so there is one source of truth.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope


class Purpose(models.TextChoices):
    EMPLOYMENT = "employment", _("就业服务")
    RESUME_SHARING = "resume_sharing", _("向用人单位展示简历")
    KEY_GROUP = "key_group", _("重点群体帮扶")
    WELLBEING = "wellbeing", _("心理关怀")


class ConsentText(models.Model):
    """What a graduate is asked to agree to for one purpose, in plain words; a new wording is
    a new version (the old ones stay: a consent names the version it was given to)."""

    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    version = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=60)
    text = models.TextField(_("说明"))
    effective_from = models.DateTimeField(_("生效时间"))

    class Meta:
        verbose_name = _("授权说明")
        verbose_name_plural = _("授权说明")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="privacy_consent_text_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class Consent(TenantModel):
    """One consent of a graduate to one purpose, from its grant to its withdrawal (open while
    `withdrawn_at` is empty)."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    text_version = models.PositiveSmallIntegerField(_("说明版本"))
    granted_at = models.DateTimeField(_("授权时间"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Only the graduate themselves (and, by scoping's rule, the whole-institution roles).
    scope = Scope(own="graduate__user")

    class Meta:
        verbose_name = _("授权记录")
        verbose_name_plural = _("授权记录")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="privacy_consent_one_open",
            ),
            # The résumé's consent is the résumés app's (one source of truth).
            models.CheckConstraint(
                condition=~models.Q(purpose="resume_sharing"),
                name="privacy_consent_not_resume_sharing",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("granted_at")),
                name="privacy_consent_withdrawn_after_granted",
            ),
        ]
        indexes = [models.Index(fields=["graduate", "purpose"], name="privacy_consent_graduate")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.text_version}"
