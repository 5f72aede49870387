"""The event request workflow, as one declarative table (qihang/lib/workflow.py).

requested → approved (approve: the room's slots are booked) or declined (decline, with a
reason); requested or approved → cancelled (cancel: by the centre, or by the employer that
requested it). The centre's own events are created and approved in one step
(events.services.event_create), through the same table.

Editing (events.services.event_update) is no transition: it keeps the state, and applies to
the states an event can still be cancelled from (EDITABLE, read from the table).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from qihang.audit.kinds import AuditAction
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow

S_REQUESTED, S_APPROVED, S_DECLINED, S_CANCELLED = (
    "requested",
    "approved",
    "declined",
    "cancelled",
)


def _own_institution(event: Any, actor: Any) -> None:
    """Only the institution holding an event decides on it (a partner it is shared with reads
    it and registers its graduates)."""
    if actor.is_employer or actor.institution_id != event.institution_id:
        raise PermissionDenied("event.review")


def _canceller(event: Any, actor: Any) -> None:
    if actor.is_employer:
        if actor.employer_id == event.employer_id and actor.has(Perm.EVENT_REQUEST):
            return
        raise PermissionDenied("event.cancel")
    if actor.institution_id == event.institution_id and actor.has(Perm.EVENT_MANAGE):
        return
    raise PermissionDenied("event.cancel")


EVENT_REVIEW = Workflow(
    "event",
    field="status",
    actions=[
        Action(
            "approve",
            gettext_lazy("批准"),
            {S_REQUESTED},
            S_APPROVED,
            Perm.EVENT_MANAGE,
            audit=AuditAction.EVENT_APPROVE,
            guard=_own_institution,
            style="success",
        ),
        Action(
            "decline",
            gettext_lazy("不批准"),
            {S_REQUESTED},
            S_DECLINED,
            Perm.EVENT_MANAGE,
            audit=AuditAction.EVENT_DECLINE,
            needs_reason=True,
            guard=_own_institution,
            style="outline-danger",
        ),
        Action(
            "cancel",
            gettext_lazy("取消"),
            {S_REQUESTED, S_APPROVED},
            S_CANCELLED,
            None,
            audit=AuditAction.EVENT_CANCEL,
            guard=_canceller,
            style="outline-secondary",
        ),
    ],
)

# The states in which the centre may still edit an event: those it can still be cancelled from.
EDITABLE = EVENT_REVIEW.sources_of("cancel")
