"""Reads of agreements, scoped like everything else: a graduate their own, an employer its own,
staff those of the graduates they see."""

from __future__ import annotations

from django.db import models
from django.shortcuts import get_object_or_404

from qihang.agreements.models import (
    OPEN_CANCELLATION,
    Agreement,
    AgreementStatus,
    Cancellation,
    Signature,
)
from qihang.applications.models import Application, ApplicationStatus
from qihang.institutions.scoping import Actor, scoped
from qihang.jobs.models import JobKind

# Applications an employer may turn into an agreement: any the graduate has not withdrawn and
# the employer has not turned down.
OFFERABLE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.VIEWED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFER,
    ApplicationStatus.HIRED,
)
RELATED = (
    "graduate",
    "graduate__department",
    "graduate__major",
    "employer",
    "cohort",
    "document",
)


def agreements_for(actor: Actor, *, status: str = "", q: str = "") -> models.QuerySet[Agreement]:
    qs = scoped(Agreement, actor).select_related(*RELATED)
    if status in AgreementStatus.values:
        qs = qs.filter(status=status)
    q = q.strip()
    if q:
        qs = qs.filter(
            models.Q(number__icontains=q)
            | models.Q(graduate__student_no=q)
            | models.Q(graduate__name__icontains=q)
            | models.Q(employer__name__icontains=q)
        )
    return qs.order_by("-offered_at", "-pk")


def agreement_detail(actor: Actor, agreement_id: int) -> Agreement:
    return get_object_or_404(
        scoped(Agreement, actor).select_related(*RELATED, "institution", "application__job"),
        pk=agreement_id,
    )


def own_agreement(actor: Actor, agreement_id: int) -> Agreement:
    """The graduate's own agreement (404 for anyone else's)."""
    return get_object_or_404(
        agreements_for(actor).filter(graduate__user_id=actor.user_id).select_related("institution"),
        pk=agreement_id,
    )


def signatures_of(agreement: Agreement) -> list[Signature]:
    return list(
        Signature.objects.filter(agreement=agreement)
        .select_related("signer")
        .order_by("signed_at", "pk")
    )


def cancellations_of(agreement: Agreement) -> list[Cancellation]:
    return list(Cancellation.objects.filter(agreement=agreement).order_by("-requested_at", "-pk"))


def open_cancellation(agreement: Agreement) -> Cancellation | None:
    return (
        Cancellation.objects.filter(agreement=agreement, status__in=OPEN_CANCELLATION)
        .select_related("agreement", "graduate")
        .first()
    )


def cancellations_for(actor: Actor, *, open_only: bool = True) -> models.QuerySet[Cancellation]:
    qs = scoped(Cancellation, actor).select_related(
        "agreement", "agreement__employer", "graduate", "graduate__department"
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_CANCELLATION)
    return qs.order_by("-requested_at", "-pk")


def offerable_applications(actor: Actor) -> list[Application]:
    """The employer's applications it may offer an agreement on (no internship posting)."""
    return list(
        scoped(Application, actor)
        .filter(status__in=OFFERABLE)
        .exclude(job__kind=JobKind.INTERNSHIP)
        .select_related("graduate", "graduate__institution", "job")
        .order_by("-submitted_at", "-pk")[:500]
    )


def counts_by_status(qs: models.QuerySet[Agreement]) -> dict[str, int]:
    found = dict(qs.order_by().values_list("status").annotate(n=models.Count("pk")))
    return {value: found.get(value, 0) for value in AgreementStatus.values}
