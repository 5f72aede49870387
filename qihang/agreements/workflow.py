"""The agreement and cancellation workflows, as declarative tables (qihang/lib/workflow.py).

AGREEMENT: an employer's offer (created by agreements.services.agreement_offer) is
    offered → accepted (the graduate; or declined, with a reason)
            → reviewed (department staff of the graduate's department)
            → signed (the career centre: the destination becomes code 10)
  The employer may edit or withdraw an offer while it is offered (withdrawal before acceptance
  is not a cancellation); the school may reject an accepted or reviewed agreement with a
  reason. "cancel" (signed → cancelled) is taken only by the career centre's approval of a
  cancellation, never as a button of its own.

CANCELLATION (解约): the graduate's request (agreements.services.cancellation_request) is
    requested → employer (the employer agreed) → department (the department agreed)
              → approved (the career centre: the agreement is cancelled, the destination
                reverts)
  and at each step the party whose turn it is may refuse with a reason; the graduate may
  withdraw the request until it is decided.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from qihang.agreements.models import AgreementStatus as A
from qihang.agreements.models import CancellationStatus as C
from qihang.audit.kinds import AuditAction
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow


def _agreement_of(obj: Any) -> Any:
    return getattr(obj, "agreement", obj)


def _employer(obj: Any, actor: Any) -> None:
    if not actor.is_employer or actor.employer_id != _agreement_of(obj).employer_id:
        raise PermissionDenied("agreement.employer")


def _graduate(obj: Any, actor: Any) -> None:
    if actor.is_employer or obj.graduate.user_id != actor.user_id:
        raise PermissionDenied("agreement.graduate")


def may_review(obj: Any, actor: Any) -> bool:
    """Department staff of the graduate's department (or a whole-institution role)."""
    return (
        not actor.is_employer
        and actor.institution_id == obj.institution_id
        and (actor.sees_whole_institution or obj.graduate.department_id in actor.department_ids)
    )


def _school(obj: Any, actor: Any) -> None:
    if not may_review(obj, actor):
        raise PermissionDenied("agreement.department")


AGREEMENT = Workflow(
    "agreement",
    field="status",
    actions=[
        Action(
            "edit",
            gettext_lazy("修改协议内容"),
            {A.OFFERED},
            A.OFFERED,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.AGREEMENT_EDIT,
            guard=_employer,
        ),
        Action(
            "withdraw",
            gettext_lazy("撤回协议"),
            {A.OFFERED},
            A.WITHDRAWN,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.AGREEMENT_WITHDRAW,
            guard=_employer,
            style="outline-danger",
        ),
        Action(
            "accept",
            gettext_lazy("接受并签署"),
            {A.OFFERED},
            A.ACCEPTED,
            Perm.AGREEMENT_OWN,
            audit=AuditAction.AGREEMENT_ACCEPT,
            guard=_graduate,
            style="success",
        ),
        Action(
            "decline",
            gettext_lazy("拒绝"),
            {A.OFFERED},
            A.DECLINED,
            Perm.AGREEMENT_OWN,
            audit=AuditAction.AGREEMENT_DECLINE,
            needs_reason=True,
            guard=_graduate,
            style="outline-danger",
        ),
        Action(
            "review",
            gettext_lazy("院系审核通过"),
            {A.ACCEPTED},
            A.REVIEWED,
            Perm.AGREEMENT_REVIEW,
            audit=AuditAction.AGREEMENT_REVIEW,
            guard=_school,
            style="primary",
        ),
        Action(
            "approve",
            gettext_lazy("中心审批通过（签约）"),
            {A.REVIEWED},
            A.SIGNED,
            Perm.AGREEMENT_APPROVE,
            audit=AuditAction.AGREEMENT_APPROVE,
            guard=_school,
            style="success",
        ),
        Action(
            "reject",
            gettext_lazy("不予通过"),
            {A.ACCEPTED, A.REVIEWED},
            A.REJECTED,
            Perm.AGREEMENT_REVIEW,
            audit=AuditAction.AGREEMENT_REJECT,
            needs_reason=True,
            guard=_school,
            style="outline-danger",
        ),
        Action(
            "cancel",
            gettext_lazy("解约生效"),
            {A.SIGNED},
            A.CANCELLED,
            Perm.AGREEMENT_APPROVE,
            audit=AuditAction.AGREEMENT_CANCEL,
            guard=_school,
        ),
    ],
)

# Taken by services only (the cancellation's approval), never offered as a button.
INTERNAL_ACTIONS = frozenset({"cancel"})
# Actions that need their own form rather than a button (the edit page).
FORM_ACTIONS = frozenset({"edit"})


def buttons(agreement: Any, actor: Any) -> list[Action]:
    """What a page offers `actor` on `agreement` now: the workflow's available() actions."""
    return [
        a
        for a in AGREEMENT.available(agreement, actor)
        if a.name not in INTERNAL_ACTIONS | FORM_ACTIONS
    ]


CANCELLATION = Workflow(
    "cancellation",
    field="status",
    actions=[
        Action(
            "employer_approve",
            gettext_lazy("单位同意解约"),
            {C.REQUESTED},
            C.EMPLOYER_APPROVED,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.CANCELLATION_EMPLOYER_APPROVE,
            guard=_employer,
            style="primary",
        ),
        Action(
            "employer_refuse",
            gettext_lazy("单位不同意"),
            {C.REQUESTED},
            C.REFUSED,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.CANCELLATION_REFUSE,
            needs_reason=True,
            guard=_employer,
            style="outline-danger",
        ),
        Action(
            "department_approve",
            gettext_lazy("院系同意解约"),
            {C.EMPLOYER_APPROVED},
            C.DEPARTMENT_APPROVED,
            Perm.AGREEMENT_REVIEW,
            audit=AuditAction.CANCELLATION_DEPARTMENT_APPROVE,
            guard=_school,
            style="primary",
        ),
        Action(
            "department_refuse",
            gettext_lazy("院系不同意"),
            {C.EMPLOYER_APPROVED},
            C.REFUSED,
            Perm.AGREEMENT_REVIEW,
            audit=AuditAction.CANCELLATION_REFUSE,
            needs_reason=True,
            guard=_school,
            style="outline-danger",
        ),
        Action(
            "centre_approve",
            gettext_lazy("中心批准解约"),
            {C.DEPARTMENT_APPROVED},
            C.APPROVED,
            Perm.AGREEMENT_APPROVE,
            audit=AuditAction.CANCELLATION_CENTRE_APPROVE,
            guard=_school,
            style="success",
        ),
        Action(
            "centre_refuse",
            gettext_lazy("中心不同意"),
            {C.DEPARTMENT_APPROVED},
            C.REFUSED,
            Perm.AGREEMENT_APPROVE,
            audit=AuditAction.CANCELLATION_REFUSE,
            needs_reason=True,
            guard=_school,
            style="outline-danger",
        ),
        Action(
            "withdraw",
            gettext_lazy("撤回解约申请"),
            {C.REQUESTED, C.EMPLOYER_APPROVED, C.DEPARTMENT_APPROVED},
            C.WITHDRAWN,
            Perm.AGREEMENT_OWN,
            audit=AuditAction.CANCELLATION_WITHDRAW,
            guard=_graduate,
        ),
    ],
)
