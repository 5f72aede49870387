"""Writes of jobs: create, edit (back to review when published), the review workflow's
actions, sharing with the paired institution, expiry, and the guard rules.

Every write runs in one transaction with its audit row and calls
`qihang.search.services.jobs_index` for the jobs it touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.employers.models import Employer, EmployerMember
from qihang.institutions.models import Membership, Share
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.jobs.guards import check_job, compile_rule
from qihang.jobs.models import GuardRule, Job, JobRevision, SpecialtyTag
from qihang.jobs.workflow import JOB_REVIEW, S_DRAFT, S_PENDING, S_PUBLISHED, may_edit
from qihang.notifications.kinds import Kind
from qihang.notifications.services import notify
from qihang.search.services import jobs_index

# The posting's own fields, declared once: forms, the importer, the API and history use it.
JOB_FIELDS = (
    "title",
    "kind",
    "degree_levels",
    "majors",
    "division",
    "location_text",
    "salary_min",
    "salary_max",
    "headcount",
    "deadline",
    "description",
    "contact",
)


@dataclass(frozen=True)
class SystemActor:
    """The platform itself acting (expiry): no person, no permission."""

    institution_id: int | None = None
    user_id: None = None
    employer_id: None = None
    is_employer: bool = False

    def has(self, perm: Any) -> bool:
        return False

    def require(self, perm: Any) -> None:
        raise PermissionDenied(perm)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _refresh_flags(job: Job) -> None:
    job.flags = check_job(job)
    Job.objects.filter(pk=job.pk).update(flags=job.flags)


def _credit_department(actor: Actor) -> int | None:
    if actor.department_ids:
        return min(actor.department_ids)
    membership = (
        Membership.objects.filter(user_id=actor.user_id, institution_id=actor.institution_id)
        .exclude(departments=None)
        .prefetch_related("departments")
        .first()
    )
    if membership is None:
        return None
    departments = sorted(d.pk for d in membership.departments.all())
    return departments[0] if departments else None


def job_create(
    *,
    actor: Actor,
    employer: Employer,
    institution_id: int,
    data: dict[str, Any],
    specialties: Iterable[SpecialtyTag] = (),
    channel_id: int | None = None,
    credited_to_id: int | None = None,
    credited_department_id: int | None = None,
    source: str = "",
    external_id: str = "",
    submit: bool = False,
) -> Job:
    """A new posting (a draft, or pending with `submit`), flagged by the guards at once.

    Staff post on an employer's behalf (JOB_POST at `institution_id`), credited by default to
    themselves and their department; an employer account posts for its own organisation."""
    if actor.is_employer:
        actor.require(Perm.EMPLOYER_PORTAL)
        if actor.employer_id != employer.pk:
            raise PermissionDenied("another employer")
    else:
        actor.require(Perm.JOB_POST)
        if actor.institution_id != institution_id:
            raise PermissionDenied("another institution")
        credited_to_id = credited_to_id or actor.user_id
        credited_department_id = credited_department_id or _credit_department(actor)
    job = Job(
        institution_id=institution_id,
        employer=employer,
        status=S_DRAFT,
        channel_id=channel_id,
        credited_to_id=credited_to_id,
        credited_department_id=credited_department_id,
        source=source,
        external_id=external_id,
        posted_by_id=actor.user_id,
        **{f: data[f] for f in JOB_FIELDS if f in data},
    )
    job.full_clean()
    with transaction.atomic():
        job.flags = check_job(job)
        job.save()
        job.specialties.set(list(specialties))
        audit_record(
            institution_id=institution_id,
            actor_id=actor.user_id,
            action=AuditAction.JOB_CREATE,
            target=job,
            summary=f"{employer.name} · {job.title}",
            data={"source": source, "external_id": external_id, "flags": len(job.flags)},
        )
        if submit:
            # The same path as a later submission: a held posting's notice goes out either way.
            job_transition(actor=actor, job=job, action="submit")
        else:
            jobs_index([job.pk])
    return job


def job_update(
    *,
    actor: Actor,
    job: Job,
    data: dict[str, Any],
    specialties: Iterable[SpecialtyTag] | None = None,
) -> dict[str, list[Any]]:
    """Save an edit; returns what changed (field -> [before, after]). An edit to a published
    job sends it back to review (version + 1); the guard flags are recomputed."""
    if not may_edit(job, actor):
        raise PermissionDenied("job.edit")
    if job.status not in JOB_REVIEW.sources_of("close"):
        raise ValidationError(_("已关闭或过期的岗位不能修改。"))
    changes: dict[str, list[Any]] = {}
    for name in JOB_FIELDS:
        if name in data and getattr(job, name) != data[name]:
            changes[name] = [_jsonable(getattr(job, name)), _jsonable(data[name])]
            setattr(job, name, data[name])
    new_tags = None
    if specialties is not None:
        new_tags = sorted(t.pk for t in specialties)
        old_tags = sorted(job.specialties.values_list("pk", flat=True))
        if new_tags != old_tags:
            changes["specialties"] = [old_tags, new_tags]
    if not changes:
        return changes
    job.full_clean()
    held_before = bool(job.flags)
    with transaction.atomic():
        job.version += 1
        job.flags = check_job(job)
        job.save(
            update_fields=[
                *(c for c in changes if c != "specialties"),
                "version",
                "flags",
                "updated_at",
            ]
        )
        if new_tags is not None and "specialties" in changes:
            job.specialties.set(new_tags)
        JobRevision.objects.create(
            job=job, version=job.version, changes=changes, actor_id=actor.user_id
        )
        audit_record(
            institution_id=job.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.JOB_UPDATE,
            target=job,
            summary=job.title,
            data={"version": job.version, "changes": changes},
        )
        revised = job.status == S_PUBLISHED
        if revised:
            JOB_REVIEW.apply(
                job,
                actor,
                "revise",
                institution_id=job.institution_id,
                changes={"published_at": None},
            )
        jobs_index([job.pk])
        # Back in review with a guarded phrase, or a new one in a posting under review: told
        # as at a submission (a draft is told when it is submitted).
        if job.flags and job.status == S_PENDING and (revised or not held_before):
            _tell_held(job)
    return changes


def _tell_poster(job: Job, *, kind: Kind, subject: str, body: str) -> None:
    """The employer's accounts (portal link) and the staff member who posted it (staff link)."""
    members = list(
        EmployerMember.objects.filter(employer_id=job.employer_id, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    notify(
        recipients=members,
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("employer_jobs:detail", args=[job.pk]),
        institution_id=job.institution_id,
    )
    if job.posted_by_id and job.posted_by_id not in members:
        notify(
            recipients=[job.posted_by_id],
            kind=kind,
            subject=subject,
            body=body,
            link=reverse("jobs:detail", args=[job.pk]),
            institution_id=job.institution_id,
        )


# What each review action tells the poster (the others tell nobody).
_TOLD = {
    "approve": (
        Kind.JOB_PUBLISHED,
        _lazy("【启航】岗位已发布：%(title)s"),
        _lazy("%(title)s 已通过审核并发布。"),
    ),
    "return": (
        Kind.JOB_RETURNED,
        _lazy("【启航】岗位被退回：%(title)s"),
        _lazy("%(title)s 被退回修改。理由：%(reason)s"),
    ),
}


def job_transition(*, actor: Actor | SystemActor, job: Job, action: str, reason: str = "") -> Job:
    """Take a review-workflow action (submit, approve, return, close, expire) on `job`."""
    changes: dict[str, Any] = {}
    if action == "approve":
        changes = {"published_at": timezone.now(), "review_note": ""}
    elif action == "return":
        changes = {"review_note": reason.strip()[:300]}
    with transaction.atomic():
        if action in ("approve", "submit"):
            # The flags reflect the current rules (an administrator may have changed them).
            _refresh_flags(job)
        JOB_REVIEW.apply(
            job,
            actor,
            action,
            institution_id=job.institution_id,
            reason=reason,
            changes=changes,
            summary=job.title,
        )
        jobs_index([job.pk])
        if action in _TOLD:
            kind, subject, body = _TOLD[action]
            values = {"title": job.title, "reason": reason.strip()}
            _tell_poster(job, kind=kind, subject=subject % values, body=body % values)
        elif action == "submit" and job.flags:
            _tell_held(job)
    return job


def _tell_held(job: Job) -> None:
    """The poster learns at once why a posting in review cannot be published."""
    _tell_poster(
        job,
        kind=Kind.JOB_HELD,
        subject=_("【启航】岗位暂缓发布：%(title)s") % {"title": job.title},
        body=_("%(title)s 有需要修改的内容，修改前不能发布：%(reasons)s")
        % {"title": job.title, "reasons": "；".join(str(f["reason"]) for f in job.flags)},
    )


def jobs_close_expired(*, today: dt.date) -> int:
    """Expire every published job whose deadline is before `today`; the number expired."""
    count = 0
    expired = Job.objects.filter(status=S_PUBLISHED, deadline__lt=today).order_by("pk")
    for job in expired.iterator():
        with transaction.atomic():
            JOB_REVIEW.apply(
                job,
                SystemActor(institution_id=job.institution_id),
                "expire",
                institution_id=job.institution_id,
                summary=job.title,
                data={"deadline": job.deadline.isoformat(), "today": today.isoformat()},
            )
            jobs_index([job.pk])
        count += 1
    return count


def job_share(*, actor: Actor, job: Job, partner_id: int) -> Share:
    from qihang.institutions.services import share_create

    if job.institution_id != actor.institution_id:
        raise PermissionDenied(_("只有发布学校可以共享该岗位。"))
    with transaction.atomic():
        share = share_create(actor=actor, obj=job, partner_id=partner_id)
        jobs_index([job.pk])
    return share


def job_unshare(*, actor: Actor, job: Job, share: Share) -> Share:
    from qihang.institutions.services import share_revoke

    if share.kind != job._meta.label_lower or share.object_id != job.pk:
        raise PermissionDenied("not this job's share")
    with transaction.atomic():
        share = share_revoke(actor=actor, share=share)
        jobs_index([job.pk])
    return share


# --- Guard rules (platform administrator) --------------------------------------------------------
GUARD_FIELDS = ("ground", "match", "pattern", "reason", "legal_basis", "is_active")


def guard_rule_save(*, actor: Actor, rule: GuardRule | None, data: dict[str, Any]) -> GuardRule:
    """Create (`rule` None) or change a guard rule; the pattern must compile."""
    actor.require(Perm.GUARD_MANAGE)
    creating = rule is None
    rule = rule or GuardRule()
    before = {f: getattr(rule, f) for f in GUARD_FIELDS} if not creating else {}
    for name in GUARD_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    compile_rule(rule.match, rule.pattern)
    rule.updated_by_id = actor.user_id
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        changes = {
            f: [before.get(f), getattr(rule, f)]
            for f in GUARD_FIELDS
            if before.get(f) != getattr(rule, f)
        }
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.GUARD_CREATE if creating else AuditAction.GUARD_UPDATE,
            target=rule,
            summary=rule.pattern,
            data={"changes": changes},
        )
    return rule


def jobs_recheck(*, job_ids: Iterable[int]) -> None:
    """Recompute the flags of these jobs (after the rules changed)."""
    ids = list(job_ids)
    with transaction.atomic():
        for job in Job.objects.filter(pk__in=ids).select_related("employer"):
            _refresh_flags(job)
        jobs_index(ids)
