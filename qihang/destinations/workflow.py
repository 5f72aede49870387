"""The destination review workflow, as one declarative table (qihang/lib/workflow.py).

Every status change of a destination record is one of these actions; services apply them
(destinations.services), the review queue and the record page show the buttons `available()`
returns, the queue's "my work" filter is the `sources_of()` of the actor's actions, the importer
and the demo replay take their target states from here. Nothing else decides a transition.

    (no record) ─ submit / record ─▶ submitted ─ review ─▶ reviewed ─ approve ─▶ approved
                   record_reviewed ───────────────────────▶ reviewed
                   record_late ─▶ signoff ─ sign_off (centre, reason) ─▶ approved
    submitted, reviewed, signoff ─ return (reason) ─▶ returned ─ submit / record … (again)
    approved ─ return (career centre, reason) ─▶ returned: the approval is withdrawn
    any state ─ import (the career centre's file) ─▶ approved

A new version (submit, record …) may start from any state, the last approved version staying
official until the new one is approved. After the cohort's closing date (CohortPolicy.
registration_deadline) graduates no longer change their record themselves (they ask their
counsellor or department); a change by staff other than the career centre takes `record_late`
and waits for the centre's sign-off (a reason is required); the centre's own change after the
date takes `record_reviewed` with a reason (the service asks for it). Approval and sign-off need the
evidence the record's code requires (destinations.evidence_rules).

`NEW` is the state of a record that does not exist yet (the first version starts there).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from qihang.audit.kinds import AuditAction
from qihang.destinations.models import ChangeAction, DestinationChange, ReviewStatus, Source
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow

S = ReviewStatus
NEW = ""  # no record yet
EVERY_STATE = frozenset({NEW, *ReviewStatus.values})


def department_reviewer(destination: Any, actor: Any) -> bool:
    """Department review needs the graduate's department in one's scope (the career centre
    sees the whole institution)."""
    graduate = destination.graduate
    return actor.has(Perm.DESTINATION_REVIEW) and (
        actor.sees_whole_institution or graduate.department_id in actor.department_ids
    )


def _department_only(destination: Any, actor: Any) -> bool:
    """The review step is the department's: the career centre approves directly."""
    return department_reviewer(destination, actor) and not actor.has(Perm.DESTINATION_APPROVE)


def _returner(destination: Any, actor: Any) -> bool:
    """The centre returns any pending version; a department reviewer returns the versions that
    wait for the department or the centre's approval, not a late change awaiting sign-off.

    An approved record only the centre returns (a verification call found it false, or it was
    approved in error): its approval is withdrawn, so it no longer counts in any figure from
    that moment (destinations.services.destination_return). Not a record a signed agreement
    wrote: that placement ends with the agreement's cancellation (qihang.agreements)."""
    if withdraws_approval(destination):
        return actor.has(Perm.DESTINATION_APPROVE) and destination.source != Source.AGREEMENT
    if actor.has(Perm.DESTINATION_APPROVE):
        return True
    return destination.status != S.SIGNOFF and department_reviewer(destination, actor)


def withdraws_approval(destination: Any) -> bool:
    """Whether `return` on the record withdraws an approval: the version returned is the
    approved, official one (not a pending version above it)."""
    return destination.status == S.APPROVED


def _evidence(destination: Any, actor: Any) -> None:
    """The evidence the record's code requires is on it (a batch approval loads the kinds and
    rules of all its rows first, as `evidence_kinds` / `evidence_rules`)."""
    from qihang.destinations.evidence_rules import missing_evidence

    missing = missing_evidence(
        destination,
        kinds=getattr(destination, "evidence_kinds", None),
        rules=getattr(destination, "evidence_rules", None),
    )
    if missing:
        raise ValidationError(missing)


def _restoring(destination: Any, actor: Any) -> bool:
    """A version the agreements app wrote (it approves it in the same transaction, so no page
    ever offers this action)."""
    from qihang.destinations.models import Source

    return destination.source == Source.AGREEMENT


def write_history(
    destination: Any, actor: Any, action: Action, before: str, reason: str, at: Any
) -> None:
    DestinationChange.objects.create(
        institution_id=destination.institution_id,
        destination=destination,
        graduate_id=destination.graduate_id,
        action=action.history,
        version=destination.version,
        actor_id=actor.user_id,
        reason=reason,
        before={"status": before},
        after={"status": destination.status},
        at=at,
    )


DESTINATION_REVIEW = Workflow(
    "destination",
    field="status",
    history=write_history,
    version_field="version",
    actions=[
        # --- a new version ---------------------------------------------------------------
        Action(
            "submit",
            gettext_lazy("提交毕业去向"),
            EVERY_STATE,
            S.SUBMITTED,
            Perm.DESTINATION_REPORT_OWN,
            audit=AuditAction.DESTINATION_SUBMIT,
            history=ChangeAction.SUBMIT,
            style="primary",
        ),
        Action(
            "record",
            gettext_lazy("代为录入（待院系审核）"),
            EVERY_STATE,
            S.SUBMITTED,
            Perm.DESTINATION_RECORD,
            audit=AuditAction.DESTINATION_RECORD,
            history=ChangeAction.RECORD,
        ),
        Action(
            "record_reviewed",
            gettext_lazy("代为录入（院系已审核）"),
            EVERY_STATE,
            S.DEPARTMENT_REVIEWED,
            Perm.DESTINATION_RECORD,
            audit=AuditAction.DESTINATION_RECORD,
            history=ChangeAction.RECORD,
            allowed=department_reviewer,
        ),
        Action(
            "record_late",
            gettext_lazy("截止后代为录入（待中心签批）"),
            EVERY_STATE,
            S.SIGNOFF,
            Perm.DESTINATION_RECORD,
            audit=AuditAction.DESTINATION_RECORD,
            history=ChangeAction.RECORD,
            needs_reason=True,
        ),
        # --- the review --------------------------------------------------------------------
        Action(
            "review",
            gettext_lazy("审核通过"),
            {S.SUBMITTED},
            S.DEPARTMENT_REVIEWED,
            Perm.DESTINATION_REVIEW,
            audit=AuditAction.DESTINATION_REVIEW,
            history=ChangeAction.REVIEW,
            allowed=_department_only,
            style="success",
        ),
        Action(
            "approve",
            gettext_lazy("审批通过"),
            {S.SUBMITTED, S.DEPARTMENT_REVIEWED},
            S.APPROVED,
            Perm.DESTINATION_APPROVE,
            audit=AuditAction.DESTINATION_APPROVE,
            history=ChangeAction.APPROVE,
            guard=_evidence,
            style="success",
        ),
        Action(
            "sign_off",
            gettext_lazy("签批截止后变更"),
            {S.SIGNOFF},
            S.APPROVED,
            Perm.DESTINATION_APPROVE,
            audit=AuditAction.DESTINATION_SIGN_OFF,
            history=ChangeAction.SIGN_OFF,
            needs_reason=True,
            guard=_evidence,
            style="success",
        ),
        # A cancelled agreement's record goes back to what the school approved before it: not a
        # new claim, so it is not judged again against today's evidence rules (its evidence is
        # what it was approved on). Only the agreements app writes such versions.
        Action(
            "restore",
            gettext_lazy("解约后恢复原去向"),
            {S.DEPARTMENT_REVIEWED},
            S.APPROVED,
            Perm.DESTINATION_APPROVE,
            audit=AuditAction.DESTINATION_APPROVE,
            history=ChangeAction.APPROVE,
            needs_reason=True,
            allowed=_restoring,
            style="success",
        ),
        Action(
            "return",
            gettext_lazy("退回"),
            {S.SUBMITTED, S.DEPARTMENT_REVIEWED, S.SIGNOFF, S.APPROVED},
            S.RETURNED,
            None,
            audit=AuditAction.DESTINATION_RETURN,
            history=ChangeAction.RETURN,
            needs_reason=True,
            allowed=_returner,
            style="outline-danger",
        ),
        # --- the career centre's import: its file is the evidence ---------------------------
        Action(
            "import",
            gettext_lazy("批量导入（中心审批）"),
            EVERY_STATE,
            S.APPROVED,
            Perm.DESTINATION_IMPORT,
            audit=AuditAction.DESTINATION_IMPORT,
            history=ChangeAction.IMPORT,
        ),
    ],
)

# What a reviewer does from a row's buttons (a new version is written from the form).
ROW_ACTIONS = ("review", "approve", "sign_off", "return")
# The actions that write a new version, by who writes it and whether the closing date passed.
VERSION_ACTIONS = ("submit", "record", "record_reviewed", "record_late")


def version_action(*, staff: bool, late: bool, reviewer: bool, centre: bool) -> str:
    """Which action writes a new version: the graduate submits; staff record, reviewed at once
    when they review the graduate's department; after the closing date, staff other than the
    career centre record a change that waits for the centre's sign-off."""
    if not staff:
        return "submit"
    if late and not centre:
        return "record_late"
    return "record_reviewed" if reviewer else "record"
