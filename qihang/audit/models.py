"""What happened, who did it, and every unmasked read of sensitive data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope


class AuditEvent(TenantModel):
    """One row per write action, written by the service in the same transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=60)
    target_type = models.CharField(max_length=60, blank=True, default="")
    target_id = models.CharField(max_length=40, blank=True, default="")
    summary = models.CharField(_("摘要"), max_length=300, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    scope = Scope()  # career centre and leadership only

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["institution", "-at"])]


class SensitiveRead(TenantModel):
    """An unmasked read: who, when, whose record, which field, and why."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    target_label = models.CharField(_("对象"), max_length=120, blank=True, default="")
    field = models.CharField(_("字段"), max_length=60)
    reason = models.CharField(_("事由"), max_length=300)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    scope = Scope()

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-at"]
