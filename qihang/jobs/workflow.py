"""The job review workflow, as one declarative table (qihang/lib/workflow.py).

draft → pending (submit) → published (approve) or returned (return, with a reason); an edit to
a published job sends it back to pending (revise); close from any open state; a published job
past its deadline expires. Who may submit, revise or close depends on the job (its employer's
account or staff of its institution), so those actions carry a guard instead of one permission.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qihang.audit.kinds import AuditAction
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow

S_DRAFT, S_PENDING, S_PUBLISHED, S_RETURNED, S_CLOSED, S_EXPIRED = (
    "draft",
    "pending",
    "published",
    "returned",
    "closed",
    "expired",
)


def may_edit(job: Any, actor: Any) -> bool:
    """The job's own employer (portal account); at its institution, the staff member who
    posted it, or the reviewers (JOB_REVIEW: the career centre). Other staff who post jobs
    may not change a colleague's posting."""
    if actor.is_employer:
        return actor.employer_id == job.employer_id and actor.has(Perm.EMPLOYER_PORTAL)
    if actor.institution_id != job.institution_id:
        return False
    if actor.has(Perm.JOB_REVIEW):
        return True
    return (
        actor.has(Perm.JOB_POST) and actor.user_id is not None and job.posted_by_id == actor.user_id
    )


def _editor(job: Any, actor: Any) -> None:
    if not may_edit(job, actor):
        raise PermissionDenied("job.edit")


def _closer(job: Any, actor: Any) -> None:
    if may_edit(job, actor):
        return
    if not actor.is_employer and actor.institution_id == job.institution_id:
        if actor.has(Perm.JOB_REVIEW):
            return
    raise PermissionDenied("job.close")


_LOOKUP = object()


def hold_reasons(job: Any, standing: Any = _LOOKUP) -> list[str]:
    """Why `job` cannot be published now (empty: it can): its guard flags and its employer's
    standing at the job's institution (`standing`: its (status, reason), or None for none,
    when the caller read them for a whole list)."""
    from qihang.employers.models import EmployerStanding, StandingStatus

    reasons = [
        _("%(ground)s：“%(phrase)s”——%(reason)s")
        % {
            "ground": f.get("ground_label", ""),
            "phrase": f.get("phrase", ""),
            "reason": f.get("reason", ""),
        }
        for f in job.flags or []
    ]
    if standing is _LOOKUP:
        standing = (
            EmployerStanding.objects.filter(
                institution_id=job.institution_id, employer_id=job.employer_id
            )
            .values_list("status", "reason")
            .first()
        )
    if standing is None:
        reasons.append(_("单位尚未向本校申请认证，认证通过后才能发布岗位。"))
    elif standing[0] != StandingStatus.VERIFIED:
        label = StandingStatus(standing[0]).label
        detail = f"（{standing[1]}）" if standing[1] else ""
        reasons.append(
            _("单位在本校的认证状态为“%(status)s”%(detail)s，认证通过后才能发布岗位。")
            % {"status": label, "detail": detail}
        )
    return reasons


def _own_institution(job: Any, actor: Any) -> None:
    """Only the institution holding a job reviews it (a partner it is shared with reads it)."""
    if actor.is_employer or actor.institution_id != job.institution_id:
        raise PermissionDenied("job.review")


def _publishable(job: Any, actor: Any) -> None:
    _own_institution(job, actor)
    reasons = hold_reasons(job)
    if reasons:
        raise ValidationError(reasons)


def _system(job: Any, actor: Any) -> None:
    if actor.user_id is not None:
        raise PermissionDenied("job.expire")


JOB_REVIEW = Workflow(
    "job",
    field="status",
    actions=[
        Action(
            "submit",
            gettext_lazy("提交审核"),
            {S_DRAFT, S_RETURNED},
            S_PENDING,
            None,
            audit=AuditAction.JOB_SUBMIT,
            guard=_editor,
            style="primary",
        ),
        Action(
            "approve",
            gettext_lazy("审核通过并发布"),
            {S_PENDING},
            S_PUBLISHED,
            Perm.JOB_REVIEW,
            audit=AuditAction.JOB_APPROVE,
            guard=_publishable,
            style="success",
        ),
        Action(
            "return",
            gettext_lazy("退回修改"),
            {S_PENDING},
            S_RETURNED,
            Perm.JOB_REVIEW,
            audit=AuditAction.JOB_RETURN,
            needs_reason=True,
            guard=_own_institution,
            style="outline-danger",
        ),
        # Applied by job_update when a published job is edited: back to review.
        Action(
            "revise",
            gettext_lazy("修改后重新审核"),
            {S_PUBLISHED},
            S_PENDING,
            None,
            audit=AuditAction.JOB_REVISE,
            guard=_editor,
        ),
        Action(
            "close",
            gettext_lazy("关闭岗位"),
            {S_DRAFT, S_PENDING, S_PUBLISHED, S_RETURNED},
            S_CLOSED,
            None,
            audit=AuditAction.JOB_CLOSE,
            guard=_closer,
            style="outline-secondary",
        ),
        # The deadline passed: only the system (close_expired_jobs) takes this one.
        Action(
            "expire",
            gettext_lazy("过期关闭"),
            {S_PUBLISHED},
            S_EXPIRED,
            None,
            audit=AuditAction.JOB_EXPIRE,
            guard=_system,
        ),
    ],
)

# Actions a person takes from a button (revise and expire are taken by the system).
BUTTON_ACTIONS = ("submit", "approve", "return", "close")
