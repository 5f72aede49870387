"""Reads of the résumés app. Staff and graduates reach a graduate through scoping (`scoped`
on Graduate: a counsellor sees their department's graduates only, a mentor their mentees, a
graduate themselves). Employers are not in scoping's rows for graduates: what an employer may
read is decided by `resume_visible_to_employer` alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.http import Http404

from qihang.applications.models import Application, ApplicationStatus
from qihang.audit.models import SensitiveRead
from qihang.employers.models import EmployerStanding, StandingStatus
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.resumes.models import ConsentChange, MediaItem, Resume
from qihang.resumes.sections import PORTFOLIO, RESUME, SECTIONS, Section

GRADUATE_RELATED = ("institution", "department", "major", "cohort")


def own_graduate(actor: Actor) -> Graduate:
    """The acting graduate's own record (404 for an account with none here)."""
    return get_scoped_or_404(
        Graduate.objects.select_related(*GRADUATE_RELATED), actor, user_id=actor.user_id
    )


def graduate_for_staff(actor: Actor, graduate_id: int) -> Graduate:
    return get_scoped_or_404(
        Graduate.objects.select_related(*GRADUATE_RELATED), actor, pk=graduate_id
    )


def staff_resumes(actor: Actor, *, q: str = "") -> models.QuerySet[Graduate]:
    """Graduates the actor looks after who have a résumé, most recently updated first."""
    qs = (
        scoped(Graduate, actor)
        .filter(resume__isnull=False)
        .select_related("department", "major", "cohort", "resume")
    )
    q = q.strip()
    if q:
        qs = qs.filter(
            models.Q(name__icontains=q)
            | models.Q(student_no__icontains=q)
            | models.Q(resume__headline__icontains=q)
        )
    return qs.order_by("-resume__updated_at", "pk")


# --- What employers see -------------------------------------------------------------------------
def graduates_visible_to_employer(employer_id: int) -> models.QuerySet[Graduate]:
    """Every graduate whose résumé and portfolio the employer may read — the rule of
    `resume_visible_to_employer`, as a query for the employer's list."""
    verified_at = EmployerStanding.objects.filter(
        employer_id=employer_id, status=StandingStatus.VERIFIED
    ).values("institution_id")
    # An application is consent for that employer only, whatever the graduate's setting, for
    # as long as it is not withdrawn (the job was published where the employer is verified).
    applied = (
        Application.objects.filter(employer_id=employer_id)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .values("graduate_id")
    )
    return Graduate.objects.filter(
        models.Q(institution_id__in=verified_at, resume__discoverable=True)
        | models.Q(pk__in=applied)
    )


def resume_visible_to_employer(graduate: Graduate, employer_id: int) -> bool:
    """The one place that decides whether an employer may read a graduate's résumé and
    portfolio (pages, media, PDFs and the API all ask here, on every request):

    - the employer is verified (EmployerStanding VERIFIED) at the graduate's institution, and
      the graduate consents to be found by employers now (Resume.discoverable): a withdrawal
      takes effect with the next request; or
    - the graduate applied to this employer and has not withdrawn the application (an
      application is consent for that employer only).

    `graduates_visible_to_employer` states the rule as a query, so that the list and this check
    never disagree.
    """
    return graduates_visible_to_employer(employer_id).filter(pk=graduate.pk).exists()


def graduate_for_employer(actor: Actor, graduate_id: int) -> Graduate:
    """The graduate, if the employer may read their résumé; otherwise 404, like a missing one."""
    assert actor.employer_id is not None
    graduate = Graduate.objects.select_related(*GRADUATE_RELATED).filter(pk=graduate_id).first()
    if graduate is None or not resume_visible_to_employer(graduate, actor.employer_id):
        raise Http404
    return graduate


def employer_graduates(actor: Actor, *, q: str = "") -> models.QuerySet[Graduate]:
    """Consenting graduates for the employer's list, newest résumés first, searchable by name,
    intention, major and department."""
    assert actor.employer_id is not None
    qs = graduates_visible_to_employer(actor.employer_id).select_related(
        "institution", "department", "major", "cohort", "resume"
    )
    q = q.strip()
    if q:
        qs = qs.filter(
            models.Q(name__icontains=q)
            | models.Q(resume__headline__icontains=q)
            | models.Q(major__name__icontains=q)
            | models.Q(department__name__icontains=q)
            | models.Q(specialization__icontains=q)
        )
    return qs.order_by("-resume__updated_at", "pk")


# --- The résumé itself --------------------------------------------------------------------------
@dataclass(frozen=True)
class RowItem:
    row: models.Model
    values: list[tuple[str, object]]  # (label, value) of the filled-in fields


@dataclass(frozen=True)
class SectionRows:
    section: Section
    items: list[RowItem]

    @property
    def key(self) -> str:
        return self.section.key


@dataclass(frozen=True)
class ResumeView:
    graduate: Graduate
    resume: Resume
    resume_sections: list[SectionRows]
    portfolio_sections: list[SectionRows]


def resume_for_reading(graduate: Graduate) -> Resume:
    """The graduate's résumé, or an empty unsaved one if they have not started it (a GET
    never writes)."""
    resume = Resume.objects.filter(graduate=graduate).first()
    if resume is None:
        resume = Resume(institution_id=graduate.institution_id, graduate=graduate)
    resume.graduate = graduate
    return resume


def resume_view(graduate: Graduate) -> ResumeView:
    """The graduate's résumé with every section's rows (one query per section)."""
    resume = resume_for_reading(graduate)
    parts: dict[str, list[SectionRows]] = {RESUME: [], PORTFOLIO: []}
    for section in SECTIONS:
        rows = []
        if resume.pk is not None:
            rows = list(section.model._default_manager.filter(resume=resume).order_by("pk"))
        items = [RowItem(row, section.values(row)) for row in rows]
        parts[section.part].append(SectionRows(section, items))
    return ResumeView(graduate, resume, parts[RESUME], parts[PORTFOLIO])


def media_of(resume: Resume, media_id: int) -> MediaItem:
    """An uploaded recording of this résumé (callers decided the reader may see the résumé)."""
    item = (
        MediaItem.objects.filter(resume_id=resume.pk, pk=media_id).exclude(file="").first()
        if resume.pk is not None
        else None
    )
    if item is None:
        raise Http404
    return item


def consent_history(resume: Resume) -> list[ConsentChange]:
    if resume.pk is None:
        return []
    return list(ConsentChange.objects.filter(resume=resume).order_by("-changed_at", "-pk")[:50])


def reads_of(resume: Resume) -> models.QuerySet[SensitiveRead]:
    """Who looked at the résumé (the graduate's "who looked at my résumé" page): the log rows
    on this résumé, which the caller reached through scoping as the graduate's own."""
    if resume.pk is None:
        return SensitiveRead.objects.none()
    return (
        SensitiveRead.objects.filter(
            institution_id=resume.institution_id,
            target_type=Resume._meta.label_lower,
            target_id=str(resume.pk),
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
