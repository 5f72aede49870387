"""The lifecycles of this app as tables (qihang.lib.workflow).

An issued document is valid until revoked (作废, with a reason) or superseded by a re-issue
(补发, with a reason; services.document_reissue issues the new original in the same
transaction).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qihang.audit.kinds import AuditAction
from qihang.documents.models import DocumentStatus, RecommendationStatus
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow

VALID = DocumentStatus.VALID.value

DOCUMENT_LIFECYCLE = Workflow(
    "document",
    field="status",
    actions=[
        Action(
            "revoke",
            _("作废"),
            {VALID},
            DocumentStatus.REVOKED.value,
            Perm.DOCUMENT_MANAGE,
            audit=AuditAction.DOCUMENT_REVOKE,
            needs_reason=True,
            style="outline-danger",
        ),
        Action(
            "reissue",
            _("补发"),
            {VALID},
            DocumentStatus.SUPERSEDED.value,
            Perm.DOCUMENT_MANAGE,
            audit=AuditAction.DOCUMENT_REISSUE,
            needs_reason=True,
        ),
    ],
)


# The recommendation form: the graduate submits (again after a return), the department assesses
# or returns, the centre approves (which issues the original) or returns.
RECOMMENDATION = Workflow(
    "recommendation",
    field="status",
    actions=[
        Action(
            "submit",
            _("提交申请"),
            {RecommendationStatus.DRAFT.value, RecommendationStatus.RETURNED.value},
            RecommendationStatus.SUBMITTED.value,
            Perm.RECOMMENDATION_APPLY,
            audit=AuditAction.RECOMMENDATION_SUBMIT,
            style="primary",
        ),
        Action(
            "assess",
            _("提交院系意见"),
            {RecommendationStatus.SUBMITTED.value},
            RecommendationStatus.ASSESSED.value,
            Perm.RECOMMENDATION_ASSESS,
            audit=AuditAction.RECOMMENDATION_ASSESS,
            style="primary",
        ),
        Action(
            "return",
            _("退回"),
            {RecommendationStatus.SUBMITTED.value, RecommendationStatus.ASSESSED.value},
            RecommendationStatus.RETURNED.value,
            Perm.RECOMMENDATION_ASSESS,
            audit=AuditAction.RECOMMENDATION_RETURN,
            needs_reason=True,
            style="outline-danger",
        ),
        Action(
            "approve",
            _("审批并签发"),
            {RecommendationStatus.ASSESSED.value},
            RecommendationStatus.APPROVED.value,
            Perm.RECOMMENDATION_APPROVE,
            audit=AuditAction.RECOMMENDATION_APPROVE,
            style="success",
        ),
    ],
)
