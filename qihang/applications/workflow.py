"""The application workflow, as one declarative table (qihang/lib/workflow.py).

submitted → viewed (the employer opened it) → interview (an interview or audition, again for a
second round) → offer → hired (the graduate accepts); the employer may decline at any open step
(with a reason: every application gets an answer), the graduate may withdraw until hired.
Employer actions belong to the application's employer, graduate actions to its graduate.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from qihang.applications.models import ApplicationStatus as S
from qihang.audit.kinds import AuditAction
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow


def _employer(application: Any, actor: Any) -> None:
    if not actor.is_employer or actor.employer_id != application.employer_id:
        raise PermissionDenied("application.employer")


def _graduate(application: Any, actor: Any) -> None:
    if actor.is_employer or application.graduate.user_id != actor.user_id:
        raise PermissionDenied("application.graduate")


APPLICATION = Workflow(
    "application",
    field="status",
    actions=[
        Action(
            "view",
            gettext_lazy("标记已查看"),
            {S.SUBMITTED},
            S.VIEWED,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.APPLICATION_VIEW,
            guard=_employer,
        ),
        Action(
            "invite",
            gettext_lazy("邀请面试/试奏"),
            {S.SUBMITTED, S.VIEWED, S.INTERVIEW},
            S.INTERVIEW,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.APPLICATION_INVITE,
            guard=_employer,
            style="primary",
        ),
        Action(
            "offer",
            gettext_lazy("发出拟录用通知"),
            {S.VIEWED, S.INTERVIEW},
            S.OFFER,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.APPLICATION_OFFER,
            guard=_employer,
            style="success",
        ),
        Action(
            "decline",
            gettext_lazy("答复未录用"),
            {S.SUBMITTED, S.VIEWED, S.INTERVIEW, S.OFFER},
            S.DECLINED,
            Perm.EMPLOYER_PORTAL,
            audit=AuditAction.APPLICATION_DECLINE,
            needs_reason=True,
            guard=_employer,
            style="outline-danger",
        ),
        Action(
            "accept",
            gettext_lazy("接受录用"),
            {S.OFFER},
            S.HIRED,
            Perm.APPLICATION_APPLY,
            audit=AuditAction.APPLICATION_ACCEPT,
            guard=_graduate,
            style="success",
        ),
        Action(
            "withdraw",
            gettext_lazy("撤回申请"),
            {S.SUBMITTED, S.VIEWED, S.INTERVIEW, S.OFFER},
            S.WITHDRAWN,
            Perm.APPLICATION_APPLY,
            audit=AuditAction.APPLICATION_WITHDRAW,
            guard=_graduate,
            style="outline-secondary",
        ),
    ],
)

EMPLOYER_ACTIONS = frozenset({"view", "invite", "offer", "decline"})
# An employer's answer (what ends a graduate's waiting): all but merely opening it.
ANSWERS = frozenset({"invite", "offer", "decline"})
