"""What happened, who did it, and every unmasked read of sensitive data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from qihang.audit import chain
from qihang.institutions.models import Institution, TenantModel
from qihang.institutions.scoping import Scope


class ActionField(models.CharField):
    """The kind of an entry: one of qihang.audit.kinds.AuditAction (choices for forms and
    display; AuditEvent refuses others). The choices stay out of migrations: kinds are added
    often, and the column itself does not change when they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from qihang.audit.kinds import AuditAction

        kwargs.setdefault("choices", AuditAction.choices)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, "django.db.models.CharField", args, kwargs


class AppendOnly(Exception):
    """An attempt to change or delete an audit entry: the log is append-only."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit entries are never updated")

    def delete(self) -> Any:
        raise AppendOnly("audit entries are never deleted")

    def _raw_delete(self, using: Any) -> int:
        raise AppendOnly("audit entries are never deleted")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnly("audit entries are appended, never merged")
        with transaction.atomic(using=self.db, savepoint=False):
            by_institution: dict[int, list[AuditEvent]] = {}
            for obj in objs:
                by_institution.setdefault(obj.institution_id, []).append(obj)
            for institution_id, group in by_institution.items():
                rows = [_attnames(obj) for obj in group]
                chain.seal(institution_id, rows)
                for obj, row in zip(group, rows, strict=True):
                    for name, value in row.items():
                        setattr(obj, name, value)
            return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnly("audit entries are never updated")


_CHAINED = (
    "institution_id",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "summary",
    "data",
    "at",
)


def _attnames(obj: AuditEvent) -> dict[str, Any]:
    row = {name: getattr(obj, name) for name in _CHAINED}
    if row["at"] is None:
        del row["at"]
    return row


class AuditEvent(TenantModel):
    """One entry of an institution's append-only, hash-chained log (qihang.audit.chain,
    docs/audit.md), written by audit_record in the writer's transaction. Never updated or
    deleted: the model refuses, and database triggers refuse raw UPDATE and DELETE."""

    # PROTECT: deleting an institution does not silently take its log along (and nothing
    # deletes a log: a demo or benchmark database goes as a whole; docs/audit.md).
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    # The entry keeps the actor's id when the account is deleted (the hash covers it; nulling it
    # would rewrite the log): no database constraint, nothing done on delete.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = ActionField(_("操作"), max_length=60)
    target_type = models.CharField(max_length=60, blank=True, default="")
    target_id = models.CharField(max_length=40, blank=True, default="")
    summary = models.TextField(_("摘要"), blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    seq = models.PositiveBigIntegerField(_("序号"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    scope = Scope()  # career centre and leadership only

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["institution", "-at"])]
        constraints = [
            models.UniqueConstraint(fields=["institution", "seq"], name="audit_event_chain_seq"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.seq is not None:
            raise AppendOnly("audit entries are never updated")
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            row = _attnames(self)
            chain.seal(self.institution_id, [row])
            for name, value in row.items():
                setattr(self, name, value)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("audit entries are never deleted")


class AuditChainHead(models.Model):
    """The last sequence number and hash of an institution's chain. Appends lock this row, so
    they are serialised per institution; `verify_audit` checks that the chain ends here (a
    deleted last entry shows)."""

    institution = models.OneToOneField(
        Institution, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("操作记录链头")
        verbose_name_plural = _("操作记录链头")

    def __str__(self) -> str:
        return f"{self.institution_id}#{self.seq}"


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
