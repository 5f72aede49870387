"""A sample's result as a declarative table (qihang.lib.workflow): a call records confirmed,
unreachable or false on a sample that is still pending or was unreachable (unreachable may be
retried); confirmed and false are final."""

from django.utils.translation import gettext_lazy as _

from qihang.audit.kinds import AuditAction
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow
from qihang.verification.models import CallResult

OPEN_RESULTS = (CallResult.PENDING, CallResult.UNREACHABLE)

SAMPLE_RESULT = Workflow(
    "verification_sample",
    field="result",
    actions=[
        Action(
            CallResult.CONFIRMED, _("属实"), OPEN_RESULTS, CallResult.CONFIRMED,
            Perm.VERIFICATION_MANAGE, audit=AuditAction.VERIFICATION_CALL, style="success",
        ),
        Action(
            CallResult.UNREACHABLE, _("无法联系"), OPEN_RESULTS, CallResult.UNREACHABLE,
            Perm.VERIFICATION_MANAGE, audit=AuditAction.VERIFICATION_CALL,
            style="outline-secondary",
        ),
        Action(
            CallResult.FALSE, _("不属实"), OPEN_RESULTS, CallResult.FALSE,
            Perm.VERIFICATION_MANAGE, audit=AuditAction.VERIFICATION_CALL, needs_reason=True,
            style="outline-danger",
        ),
    ],
)  # fmt: skip
