"""The lifecycles of this app as tables (qihang.lib.workflow).

An issued document is valid until revoked (作废, with a reason) or superseded by a re-issue
(补发, with a reason; services.document_reissue issues the new original in the same
transaction).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qihang.audit.kinds import AuditAction
from qihang.documents.models import DocumentStatus
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
