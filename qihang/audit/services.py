import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from qihang.audit import chain
from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.lib.sensitive import SensitiveValue


def audit_record(
    *,
    institution_id: int,
    actor_id: int | None,
    action: AuditAction | str,
    target: models.Model | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an entry to the institution's audit chain; call inside the service's transaction
    (the chain head stays locked until it commits). `action` is an AuditAction (its value, for
    callers that still spell it): an unknown kind is a programming error. The whole summary and
    data are kept; the entry is dated now, or by the audit clock (`chain.clock`) when set."""
    if action not in chain.KINDS:
        raise ValueError(f"unknown audit action {action!r}: add it to qihang.audit.kinds")
    return AuditEvent.objects.create(
        institution_id=institution_id,
        actor_id=actor_id,
        action=str(action),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary,
        data=data or {},
    )


def audit_record_each(
    *,
    institution_id: int,
    actor_id: int | None,
    action: AuditAction | str,
    entries: Sequence[tuple[models.Model, str, dict[str, Any]]],
) -> list[AuditEvent]:
    """One entry per (target, summary, data), appended in one statement: a batch decision is
    on each record's own audit trail (audit_for), not only on one entry naming them all."""
    if action not in chain.KINDS:
        raise ValueError(f"unknown audit action {action!r}: add it to qihang.audit.kinds")
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            institution_id=institution_id,
            actor_id=actor_id,
            action=str(action),
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            summary=summary,
            data=data,
        )
        for target, summary, data in entries
    )


@transaction.atomic
def reveal_sensitive(*, actor: Actor, obj: models.Model, field: str, reason: str) -> str:
    """Return the plaintext of `obj.<field>` for a person, recording the read.

    The caller has already fetched `obj` through scoping; this checks the unmask permission.
    """
    actor.require(Perm.SENSITIVE_REVEAL)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写查看事由。")})
    value = getattr(obj, field)
    if not isinstance(value, SensitiveValue):
        raise TypeError(f"{obj._meta.label}.{field} is not a SensitiveField")
    SensitiveRead.objects.create(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        target_type=obj._meta.label_lower,
        target_id=str(obj.pk),
        target_label=str(obj)[:120],
        field=field,
        reason=reason[:300],
    )
    plaintext = value.reveal_unlogged()
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.SENSITIVE_REVEAL,
        target=obj,
        summary=f"{obj} · {field}",
        data={"field": field, "reason": reason, "outcome": "shown"},
    )
    return plaintext


def sensitive_reads_record(
    *,
    actor: Actor,
    model: type[models.Model],
    targets: Iterable[tuple[Any, str]],
    fields: Sequence[str],
    reason: str,
) -> int:
    """Log an unmasked read of `fields` of many objects at once (an unmasked export): one
    SensitiveRead per object, written in bulk inside the caller's transaction.

    `targets` are (pk, label) pairs of objects the caller fetched through scoping after
    checking the permission that allows the read; `reason` as `reveal_reason` cleaned it.
    One audit entry records the export as a whole: who, the fields, the count and the ids.
    """
    ids: list[str] = []

    def rows() -> Iterator[SensitiveRead]:
        for pk, label in targets:
            ids.append(str(pk))
            yield SensitiveRead(
                institution_id=actor.institution_id,
                actor_id=actor.user_id,
                target_type=model._meta.label_lower,
                target_id=str(pk),
                target_label=label[:120],
                field=",".join(fields),
                reason=reason[:300],
            )

    reads = rows()
    count = 0
    while batch := list(itertools.islice(reads, 2000)):
        SensitiveRead.objects.bulk_create(batch)
        count += len(batch)
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.SENSITIVE_EXPORT,
        summary=f"{model._meta.verbose_name} · {','.join(fields)} · {count}",
        data={
            "model": model._meta.label_lower,
            "fields": list(fields),
            "count": count,
            "ids": ids,
            "reason": reason,
            "outcome": "exported",
        },
    )
    return count


def reveal_reason(reason: str | None) -> str:
    """The reason given for an unmasked read, stripped; ValidationError when there is none."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写查看事由。")})
    return reason


def sensitive_reads_log(
    *,
    actor: Actor,
    model: type[models.Model],
    targets: Iterable[tuple[Any, str]],
    field: str,
    purpose: str,
) -> int:
    """Log that a page showed a sensitive attribute (key-group status …) of these objects to the
    person: one SensitiveRead each, the page's purpose as the reason. For attributes shown
    to those whose work needs them (no reveal step); an unmasked export uses
    sensitive_reads_record, a reveal reveal_sensitive."""
    rows = [
        SensitiveRead(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            target_type=model._meta.label_lower,
            target_id=str(pk),
            target_label=label[:120],
            field=field,
            reason=purpose[:300],
        )
        for pk, label in targets
    ]
    SensitiveRead.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
