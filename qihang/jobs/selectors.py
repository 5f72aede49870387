"""Reads of jobs, through scoping: staff lists and detail, the review queue, a graduate's
published jobs, an employer's own postings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qihang.employers.models import EmployerStanding
from qihang.institutions.models import Share
from qihang.institutions.scoping import Actor, get_owned_or_404, get_scoped_or_404, scoped
from qihang.jobs.models import GuardRule, Job, JobRevision
from qihang.jobs.workflow import S_PENDING, S_PUBLISHED, hold_reasons

LIST_RELATED = ("employer", "institution")


@dataclass(frozen=True)
class JobFilters:
    status: str = ""
    kind: str = ""
    employer: int | None = None
    source: str = ""
    flagged: str = ""  # "yes" | "no" | ""


def staff_jobs(*, actor: Actor, filters: JobFilters) -> QuerySet[Job]:
    qs = scoped(Job, actor).select_related(*LIST_RELATED)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.employer:
        qs = qs.filter(employer_id=filters.employer)
    if filters.source == "__local__":
        qs = qs.filter(source="")
    elif filters.source:
        qs = qs.filter(source=filters.source)
    if filters.flagged == "yes":
        qs = qs.exclude(flags=[])
    elif filters.flagged == "no":
        qs = qs.filter(flags=[])
    return qs.order_by("-created_at", "-pk")


def sources(*, actor: Actor) -> list[str]:
    return list(
        scoped(Job, actor)
        .exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()
    )


def published_jobs(*, actor: Actor) -> QuerySet[Job]:
    """What a graduate sees: published jobs of the school and those a partner shares."""
    return (
        scoped(Job, actor)
        .filter(status=S_PUBLISHED)
        .select_related(*LIST_RELATED)
        .order_by("-published_at", "-pk")
    )


def employer_jobs(*, actor: Actor) -> QuerySet[Job]:
    return scoped(Job, actor).select_related(*LIST_RELATED).order_by("-created_at", "-pk")


def job_detail(*, actor: Actor, posting_id: int, published_only: bool = False) -> Job:
    qs = Job.objects.select_related(*LIST_RELATED, "channel", "credited_to", "credited_department")
    if published_only:
        qs = qs.filter(status=S_PUBLISHED)
    return get_scoped_or_404(qs, actor, pk=posting_id)


def job_for_write(*, actor: Actor, posting_id: int) -> Job:
    """A job the actor's institution holds itself (or the employer's own): a partner reads a
    shared job but never edits, reviews, closes or shares it on (404)."""
    qs = Job.objects.select_related(*LIST_RELATED)
    return get_owned_or_404(qs, actor, pk=posting_id)


def standings_of(jobs: list[Job]) -> dict[tuple[int, int], tuple[str, str]]:
    """(institution, employer) -> (status, reason) for a page of jobs, in one query."""
    employer_ids = {j.employer_id for j in jobs}
    institution_ids = {j.institution_id for j in jobs}
    if not jobs:
        return {}
    rows = EmployerStanding.objects.filter(
        employer_id__in=employer_ids, institution_id__in=institution_ids
    ).values_list("institution_id", "employer_id", "status", "reason")
    return {(i, e): (s, r) for i, e, s, r in rows}


def with_hold_reasons(jobs: list[Job]) -> list[Job]:
    """Annotate each job with `hold_reasons` (flags and standing), one query for the page."""
    standings = standings_of(jobs)
    for job in jobs:
        job.hold_reasons = hold_reasons(job, standings.get((job.institution_id, job.employer_id)))
    return jobs


def review_queue(*, actor: Actor) -> QuerySet[Job]:
    """Pending postings of the actor's own institution (a partner's are the partner's to review)."""
    return (
        scoped(Job, actor)
        .filter(status=S_PENDING, institution_id=actor.institution_id)
        .select_related(*LIST_RELATED)
        .order_by("created_at", "pk")
    )


def revisions_of(job: Job) -> list[JobRevision]:
    return list(job.revisions.select_related("actor"))


def job_shares(*, actor: Actor, job: Job) -> list[Share]:
    from qihang.institutions.selectors import shares_of

    return shares_of(actor, job)


def guard_rules() -> QuerySet[GuardRule]:
    return GuardRule.objects.select_related("updated_by").order_by("ground", "pk")


def search_filter(text: str) -> Q:
    return Q(title__icontains=text) | Q(employer__name__icontains=text)


def shared_label(job: Job, actor: Any) -> str:
    """“江城音乐学院共享” when the job is another institution's, shared with the actor's."""
    if actor.institution_id is not None and job.institution_id != actor.institution_id:
        return _("%(name)s共享") % {"name": job.institution.name}
    return ""
