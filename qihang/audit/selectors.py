"""Reads of the audit log for other pages: the entries of one record."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent
from qihang.institutions.scoping import Actor

RECORD_ENTRIES = 50


def audit_for(
    actor: Actor | None, obj: models.Model | None, *, limit: int = RECORD_ENTRIES
) -> list[AuditEvent]:
    """The latest audit entries whose target is `obj`, for a viewer who may see `obj` (the
    caller fetched it through scoping): only entries of the viewer's own institution's chain.
    A graduate sees who acted as 本人 or 学校工作人员, not staff names; employer accounts see
    none. Each entry gets `action_label` and `who`."""
    if actor is None or obj is None or actor.institution_id is None or actor.is_employer:
        return []
    entries = list(
        AuditEvent.objects.filter(
            institution_id=actor.institution_id,
            target_type=obj._meta.label_lower,
            target_id=str(obj.pk),
        )
        .select_related("actor")
        .order_by("-seq")[:limit]
    )
    names = not actor.is_graduate_only
    for entry in entries:
        entry.action_label = _label(entry.action)
        if entry.actor_id is None:
            entry.who = _("系统")
        elif entry.actor_id == actor.user_id:
            entry.who = _("本人") if not names else _display(entry)
        else:
            entry.who = _display(entry) if names else _("学校工作人员")
    return entries


def _label(code: str) -> Any:
    return AuditAction(code).label if code in AuditAction.values else code


def _display(entry: AuditEvent) -> str:
    user = entry.actor  # None when the account was deleted (the entry keeps its id)
    if user is None:
        return _("已删除的账号 #%(id)s") % {"id": entry.actor_id}
    return user.display_name or user.username
