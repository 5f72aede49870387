"""Workflows as data: each action with its from-states, to-state, permission and audit kind.

One table per workflow (STYLE.md, "one declarative table per workflow"): services apply actions
through it, views ask it which buttons to show, importers and the demo replay the same actions.
Nobody re-derives a transition with `status != ...` elsewhere.

    JOB_REVIEW = Workflow(
        "job",
        field="status",
        actions=[
            Action("submit", _("提交审核"), {"draft", "returned"}, "pending", Perm.JOB_POST,
                   audit="job.submit"),
            Action("approve", _("通过"), {"pending"}, "published", Perm.JOB_REVIEW,
                   audit="job.approve"),
            ...
        ],
    )
    JOB_REVIEW.apply(job, actor, "approve", institution_id=job.institution_id)

`apply` changes the state with a conditional UPDATE (the row must still be in a from-state),
so two people acting at once cannot both succeed, and writes the audit row in the same
transaction. Extra checks that depend on the object (an employer must be verified to publish)
are `guard` callables that raise ValidationError with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Action:
    name: str
    label: Any  # a lazy translation
    sources: frozenset[str]
    target: str
    perm: str | None
    audit: str
    needs_reason: bool = False
    # Called as guard(obj, actor) before the change; raises ValidationError with the reason.
    guard: Callable[[Any, Any], None] | None = None
    # Bootstrap button style for views ("primary", "outline-danger" …).
    style: str = "outline-secondary"

    def __init__(
        self,
        name: str,
        label: Any,
        sources: Iterable[str],
        target: str,
        perm: str | None,
        *,
        audit: str,
        needs_reason: bool = False,
        guard: Callable[[Any, Any], None] | None = None,
        style: str = "outline-secondary",
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "perm", perm)
        object.__setattr__(self, "audit", audit)
        object.__setattr__(self, "needs_reason", needs_reason)
        object.__setattr__(self, "guard", guard)
        object.__setattr__(self, "style", style)


class TransitionConflict(ValidationError):
    """The object is no longer in a state the action starts from (someone acted first)."""


@dataclass
class Workflow:
    name: str
    field: str
    actions: list[Action]
    _by_name: dict[str, Action] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {a.name: a for a in self.actions}
        if len(self._by_name) != len(self.actions):
            raise ValueError(f"workflow {self.name}: duplicate action names")

    def action(self, name: str) -> Action:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValidationError(_("未知的操作：%(name)s") % {"name": name}) from None

    def state_of(self, obj: Any) -> str:
        return getattr(obj, self.field)

    def can(self, obj: Any, actor: Any, name: str) -> bool:
        action = self._by_name.get(name)
        return (
            action is not None
            and self.state_of(obj) in action.sources
            and (action.perm is None or actor.has(action.perm))
        )

    def available(self, obj: Any, actor: Any) -> list[Action]:
        """The actions `actor` may take on `obj` now, in declaration order (a view's buttons)."""
        return [a for a in self.actions if self.can(obj, actor, a.name)]

    def sources_of(self, name: str) -> frozenset[str]:
        """States an action starts from (for a queryset filter, e.g. a batch approval)."""
        return self.action(name).sources

    def check(self, obj: Any, actor: Any, name: str, *, reason: str = "") -> Action:
        action = self.action(name)
        if action.perm is not None:
            actor.require(action.perm)
        if self.state_of(obj) not in action.sources:
            raise TransitionConflict(
                _("当前状态下不能执行“%(action)s”。") % {"action": action.label}
            )
        if action.needs_reason and len(reason.strip()) < 2:
            raise ValidationError({"reason": _("请填写理由。")})
        if action.guard is not None:
            action.guard(obj, actor)
        return action

    def apply(
        self,
        obj: models.Model,
        actor: Any,
        name: str,
        *,
        institution_id: int,
        reason: str = "",
        changes: dict[str, Any] | None = None,
        summary: str = "",
        data: dict[str, Any] | None = None,
    ) -> Action:
        """Take action `name` on `obj`: check it, move the state (and `changes`) with a
        conditional UPDATE, and write the audit row, in one transaction."""
        from qihang.audit.services import audit_record  # apps point down: lib knows no app

        action = self.check(obj, actor, name, reason=reason)
        values = {self.field: action.target, **(changes or {})}
        with transaction.atomic():
            updated = (
                type(obj)
                ._default_manager.filter(pk=obj.pk, **{f"{self.field}__in": action.sources})
                .update(**values)
            )
            if updated != 1:
                raise TransitionConflict(_("该记录已被他人处理，请刷新后重试。"))
            for key, value in values.items():
                setattr(obj, key, value)
            audit_record(
                institution_id=institution_id,
                actor_id=actor.user_id,
                action=action.audit,
                target=obj,
                summary=summary or str(obj),
                data={"reason": reason.strip(), **(data or {})} if reason else (data or {}),
            )
        return action
