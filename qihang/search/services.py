"""Writes of the search app: the job index, graduates' job preferences, mentors' pushes.

Job services call `jobs_index` after every change to a job (create, edit, status change, bulk
import), in the same transaction; `qihang search_reindex` rebuilds the whole index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record
from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.jobs.models import Job, JobKind
from qihang.lib.validators import FieldError, division_name
from qihang.notifications.services import notify
from qihang.search.models import MIRRORED_FIELDS, JobPreference, JobPush, JobSearchDocument
from qihang.search.tokens import tokens_text

# Jobs read and written per round trip when (re)indexing many.
BATCH = 2000
# The job's fields its index row copies (institution_id, employer_id, status …).
MIRRORED = [Job._meta.get_field(name) for name in MIRRORED_FIELDS]


@cache
def place_name(code: str) -> str:
    """上海市徐汇区 for 310104; "" for an empty or unknown code."""
    if not code:
        return ""
    try:
        return division_name(code)
    except FieldError:
        return ""


def document_for(job: Job) -> JobSearchDocument:
    """The index row of a job whose employer and specialties are loaded."""
    specialties = " ".join(tag.name for tag in job.specialties.all())
    body = " ".join(
        [
            job.employer.name,
            job.majors,
            specialties,
            place_name(job.division),
            job.location_text,
            job.description,
        ]
    )
    return JobSearchDocument(
        job_id=job.pk,
        title_tokens=tokens_text(job.title),
        body_tokens=tokens_text(body),
        **{field.attname: getattr(job, field.attname) for field in MIRRORED},
    )


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    it = iter(ids)
    while batch := list(islice(it, BATCH)):
        yield batch


def jobs_index(job_ids: Iterable[int]) -> None:
    """Bring the full-text index of these jobs up to date (a deleted id is removed).

    Three queries a batch of up to BATCH jobs (jobs with employers, their specialties, the
    upsert; PostgreSQL's trigger and SQLite's FTS5 triggers index the tokens in the same
    statement); a deleted job's row goes with the job or here."""
    for batch in _batches(sorted(set(job_ids))):
        jobs = list(
            Job.objects.filter(pk__in=batch)
            .select_related("employer")
            .prefetch_related("specialties")
        )
        documents = [document_for(job) for job in jobs]
        JobSearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["job"],
            update_fields=[
                *(field.name for field in MIRRORED),
                "title_tokens",
                "body_tokens",
                "indexed_at",
            ],
        )
        found = {job.pk for job in jobs}
        gone = [pk for pk in batch if pk not in found]
        if gone:
            JobSearchDocument.objects.filter(pk__in=gone).delete()


def jobs_reindex_all() -> int:
    """Rebuild the index of every job (qihang search_reindex); returns how many."""
    ids = list(Job.objects.order_by("pk").values_list("pk", flat=True))
    JobSearchDocument.objects.exclude(pk__in=Job.objects.values("pk")).delete()
    with transaction.atomic():
        jobs_index(ids)
    return len(ids)


# --- Job preferences ------------------------------------------------------------------------------
PREFERENCE_FIELDS = ("divisions", "regions", "kinds", "salary_min", "keywords")


@transaction.atomic
def job_preference_save(*, actor: Actor, graduate: Graduate, data: dict[str, Any]) -> JobPreference:
    """A graduate's own preferences (the caller fetched `graduate` through scoping)."""
    actor.require(Perm.JOB_BROWSE)
    if graduate.user_id != actor.user_id:
        raise PermissionDenied("only one's own preferences")
    kinds = [k for k in data.get("kinds", []) if k in JobKind.values]
    preference, _created = JobPreference.objects.update_or_create(
        graduate=graduate,
        defaults={
            "institution_id": graduate.institution_id,
            "divisions": list(data.get("divisions", [])),
            "regions": list(data.get("regions", [])),
            "kinds": kinds,
            "salary_min": data.get("salary_min"),
            "keywords": (data.get("keywords") or "").strip()[:200],
        },
    )
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="job_preference.save",
        target=preference,
        summary=preference.keywords,
        data={f: getattr(preference, f) for f in PREFERENCE_FIELDS},
    )
    return preference


# --- Mentor pushes ----------------------------------------------------------------------------------
def job_push_notify(push: JobPush) -> None:
    """Tell the graduate a mentor recommended a job to them (kind job_pushed): an outbox row
    in this transaction, delivered after commit."""
    notify(
        recipients=[push.graduate.user_id],
        kind="job_pushed",
        subject=_("导师向你推荐了岗位：%(title)s") % {"title": push.job.title},
        body=push.note,
        link=reverse("search:recommendations"),
        institution_id=push.institution_id,
    )


@transaction.atomic
def job_push(*, actor: Actor, job: Job, graduate: Graduate, note: str = "") -> JobPush:
    """Recommend `job` to `graduate`. The caller fetched both through scoping (the graduate as
    one the actor may see, the job among those the actor may search); a second push of the same
    job to the same graduate is refused."""
    actor.require(Perm.JOB_PUSH)
    if actor.institution_id != graduate.institution_id:
        raise PermissionDenied("graduate of another institution")
    if graduate.user_id is None:
        raise ValidationError({"graduate": _("该毕业生尚未开通账号，无法接收推荐。")})
    push = JobPush(
        institution_id=graduate.institution_id,
        job=job,
        graduate=graduate,
        pushed_by_id=actor.user_id,
        note=note.strip()[:200],
    )
    try:
        with transaction.atomic():
            push.save()
    except IntegrityError as exc:
        raise ValidationError({"graduate": _("已向该毕业生推荐过这个岗位。")}) from exc
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="job.push",
        target=push,
        summary=f"{job.title} → {graduate.name}",
        data={"job": job.pk, "graduate": graduate.pk, "note": push.note},
    )
    job_push_notify(push)
    return push
