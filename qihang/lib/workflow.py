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

Some workflows need more, declared on the same table (destinations/workflow.py uses them all):
- `allowed(obj, actor) -> bool` on an action: who may take it beyond one permission (the
  graduate's department, say); `can()`/`available()` ask it, so a view shows exactly the
  buttons `check()` accepts (a guard says why an allowed action cannot be taken *now*);
- `history` on an action (a history-table value, e.g. a ChangeAction) and `history=` on the
  workflow: a callable writing that row in `apply`'s transaction, as
  history(obj, actor, action, state_before, reason, at);
- `version_field` on the workflow: `apply(expected_version=n)` acts only on version n (the
  version the person saw), in the check and in the conditional UPDATE;
- `private_reasons=True` on the workflow: a reason may itself be sensitive (why a key group was
  dismissed, what a counsellor heard), so the audit row records that one was given, never its
  text; the service keeps the text sealed on the object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
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
    # The entry the workflow's history table gets (e.g. a ChangeAction value), or None.
    history: str | None = None
    # Who may take the action beyond `perm` (asked by can/available and check).
    allowed: Callable[[Any, Any], bool] | None = None

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
        history: str | None = None,
        allowed: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        # States as plain strings (a TextChoices member's value), as the database returns them.
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "perm", perm)
        object.__setattr__(self, "audit", audit)
        object.__setattr__(self, "needs_reason", needs_reason)
        object.__setattr__(self, "guard", guard)
        object.__setattr__(self, "style", style)
        object.__setattr__(self, "history", None if history is None else str(history))
        object.__setattr__(self, "allowed", allowed)


class TransitionConflict(ValidationError):
    """The object is no longer in a state the action starts from (someone acted first)."""


@dataclass
class Workflow:
    name: str
    field: str
    actions: list[Action]
    # history(obj, actor, action, state_before, reason, at): writes the action's history row.
    history: Callable[..., None] | None = None
    # A counter of versions on the object: apply(expected_version=) acts on that version only.
    version_field: str | None = None
    # Reasons are sensitive: the audit row says one was given, not what it said.
    private_reasons: bool = False
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
            and (action.allowed is None or action.allowed(obj, actor))
        )

    def available(self, obj: Any, actor: Any) -> list[Action]:
        """The actions `actor` may take on `obj` now, in declaration order (a view's buttons)."""
        return [a for a in self.actions if self.can(obj, actor, a.name)]

    def sources_of(self, name: str) -> frozenset[str]:
        """States an action starts from (for a queryset filter, e.g. a batch approval)."""
        return self.action(name).sources

    def targets(self) -> frozenset[str]:
        """Every state some action leads to."""
        return frozenset(a.target for a in self.actions)

    def check(
        self,
        obj: Any,
        actor: Any,
        name: str,
        *,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Action:
        action = self.action(name)
        if action.perm is not None:
            actor.require(action.perm)
        if action.allowed is not None and not action.allowed(obj, actor):
            raise PermissionDenied(f"{self.name}.{name}")
        if (
            self.version_field
            and expected_version is not None
            and getattr(obj, self.version_field) != expected_version
        ):
            raise TransitionConflict(
                _("该记录已被更新（当前为第%(version)s版），请刷新页面查看最新内容后再操作。")
                % {"version": getattr(obj, self.version_field)}
            )
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
        expected_version: int | None = None,
        at: Any = None,
    ) -> Action:
        """Take action `name` on `obj`: check it, move the state (and `changes`) with a
        conditional UPDATE, and write the history row (if the workflow keeps one) and the
        audit row, in one transaction."""
        from qihang.audit.services import audit_record  # apps point down: lib knows no app

        action = self.check(obj, actor, name, reason=reason, expected_version=expected_version)
        values = {self.field: action.target, **(changes or {})}
        before = self.state_of(obj)
        condition: dict[str, Any] = {f"{self.field}__in": action.sources}
        if self.version_field and expected_version is not None:
            condition[self.version_field] = expected_version
        with transaction.atomic():
            updated = type(obj)._default_manager.filter(pk=obj.pk, **condition).update(**values)
            if updated != 1:
                raise TransitionConflict(_("该记录已被他人处理，请刷新后重试。"))
            for key, value in values.items():
                setattr(obj, key, value)
            if self.history is not None and action.history is not None:
                self.history(obj, actor, action, before, reason.strip(), at or timezone.now())
            audit_record(
                institution_id=institution_id,
                actor_id=actor.user_id,
                action=action.audit,
                target=obj,
                summary=summary or str(obj),
                data=self._audit_data(reason, data),
            )
        return action

    def _audit_data(self, reason: str, data: dict[str, Any] | None) -> dict[str, Any]:
        if not reason.strip():
            return data or {}
        if self.private_reasons:
            return {"reason_given": True, **(data or {})}
        return {"reason": reason.strip(), **(data or {})}
