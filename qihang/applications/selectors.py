"""Reads of applications: the graduate's own, an employer's, the staff's (scoped like the
graduates they look after), one application's timeline, and employers' response times."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from qihang.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
)
from qihang.institutions.scoping import Actor, scoped
from qihang.jobs.models import JobKind

LIST_RELATED = (
    "job",
    "employer",
    "graduate",
    "graduate__major",
    "graduate__department",
    "graduate__cohort",
)


def applications_for(actor: Actor, *, status: str = "") -> models.QuerySet[Application]:
    """The applications `actor` may see: a graduate their own, an employer its own, staff those
    of the graduates they look after."""
    qs = scoped(Application, actor).select_related(*LIST_RELATED)
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-pk")


def application_detail(actor: Actor, application_id: int) -> Application:
    return get_object_or_404(
        scoped(Application, actor).select_related(*LIST_RELATED), pk=application_id
    )


def timeline(application: Application) -> list[ApplicationEvent]:
    return list(
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("at", "pk")
    )


def counts_by_status(qs: models.QuerySet[Application]) -> dict[str, int]:
    found = dict(qs.order_by().values_list("status").annotate(n=models.Count("pk")))
    return {value: found.get(value, 0) for value in ApplicationStatus.values}


def counts_as_employment(application: Application) -> bool:
    """Whether a hire may be recorded as an employment destination: never through an internship
    posting (an internship is not employment, DOMAIN.md), only once hired."""
    return (
        application.status == ApplicationStatus.HIRED and application.job.kind != JobKind.INTERNSHIP
    )


def destination_link(application: Application) -> str:
    """The graduate's destination form, pre-filled with the employer of a hire that may count as
    employment ("" otherwise): the graduate chooses the code and adds the proof; the review
    decides."""
    if not counts_as_employment(application):
        return ""
    employer = application.employer
    values = {
        "employer_name": employer.name,
        "employer_credit_code": employer.credit_code,
        "employer_division": employer.division,
    }
    return reverse("destinations:mine") + "?" + urlencode({k: v for k, v in values.items() if v})


@dataclass
class EmployerResponse:
    employer_id: int
    name: str
    total: int = 0
    answered: int = 0
    waiting: int = 0  # open, never answered
    overdue: int = 0  # of those, waiting longer than the institution's reminder threshold
    oldest_waiting: dt.datetime | None = None
    hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours), 1) if self.hours else None

    @property
    def answer_rate(self) -> float | None:
        return round(100 * self.answered / self.total, 1) if self.total else None


def employer_responses(
    actor: Actor, *, now: dt.datetime, overdue_after: dt.timedelta
) -> list[EmployerResponse]:
    """Per employer, over the applications `actor` may see: how many, how many answered, the
    median time to the first answer (an invitation, offer, refusal or message), and how many
    still wait — the longest waits first. One query."""
    rows = (
        scoped(Application, actor)
        .order_by()
        .values_list("employer_id", "employer__name", "status", "submitted_at", "answered_at")
    )
    by_employer: dict[int, EmployerResponse] = {}
    for employer_id, name, status, submitted_at, answered_at in rows:
        r = by_employer.setdefault(employer_id, EmployerResponse(employer_id, name))
        r.total += 1
        if answered_at is not None:
            r.answered += 1
            r.hours.append((answered_at - submitted_at).total_seconds() / 3600)
        elif status in OPEN_STATUSES and status != ApplicationStatus.WITHDRAWN:
            r.waiting += 1
            if now - submitted_at > overdue_after:
                r.overdue += 1
            if r.oldest_waiting is None or submitted_at < r.oldest_waiting:
                r.oldest_waiting = submitted_at
    return sorted(
        by_employer.values(),
        key=lambda r: (-r.overdue, -r.waiting, r.oldest_waiting or now, r.name),
    )
