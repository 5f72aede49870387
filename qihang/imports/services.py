"""Writes for import jobs: create one from an upload and queue it; record its outcome."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record
from qihang.imports.framework import ImportResult
from qihang.imports.models import ImportJob, ImportKind, ImportStatus
from qihang.institutions.models import Cohort, Institution
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.institutions.services import cohort_get_or_create

logger = logging.getLogger(__name__)

KIND_PERMISSIONS = {
    ImportKind.ROSTER: Perm.ROSTER_IMPORT,
    ImportKind.DESTINATIONS: Perm.DESTINATION_IMPORT,
}


def import_job_create(
    *,
    actor: Actor,
    kind: ImportKind | str,
    cohort_year: int,
    upload: UploadedFile,
    create_missing: bool = False,
    dry_run: bool = False,
) -> ImportJob:
    """Store the upload as a queued job and queue it for the task worker."""
    kind = ImportKind(kind)
    actor.require(KIND_PERMISSIONS[kind])
    with transaction.atomic():
        institution = Institution.objects.get(pk=actor.institution_id)
        if kind == ImportKind.ROSTER:
            cohort = cohort_get_or_create(institution=institution, year=cohort_year)
        else:
            cohort = scoped(Cohort, actor).filter(year=cohort_year).first()
            if cohort is None:
                raise ValidationError(
                    {
                        "cohort_year": _("%(year)s届还没有毕业生名单，请先导入生源信息。")
                        % {"year": cohort_year}
                    }
                )
        job = ImportJob(
            institution=institution,
            kind=kind,
            cohort=cohort,
            original_name=Path(upload.name).name[:200],
            options={
                "create_missing": bool(create_missing) and kind == ImportKind.ROSTER,
                "dry_run": bool(dry_run),
            },
            created_by_id=actor.user_id,
        )
        # The stored name is ours (date and kind); the person's file name is kept beside it.
        suffix = Path(upload.name).suffix.lower()
        job.file.save(f"{timezone.now():%Y%m%d-%H%M%S}-{kind}{suffix}", upload, save=False)
        job.save()
        audit_record(
            institution_id=institution.pk,
            actor_id=actor.user_id,
            action="import.upload",
            target=job,
            summary=_("上传%(kind)s导入文件 %(name)s（%(year)s届）")
            % {"kind": job.get_kind_display(), "name": job.original_name, "year": cohort.year},
            data={"kind": kind.value, "cohort": cohort.year, "options": job.options},
        )
        # The worker must find the committed job; ImmediateBackend runs it right here.
        transaction.on_commit(lambda: import_job_enqueue(job_id=job.pk))
    return job


def import_job_enqueue(*, job_id: int) -> None:
    from qihang.imports.tasks import run_import

    try:
        run_import.enqueue(job_id)
    except Exception as exc:  # the queue is down: say so on the job rather than lose it
        logger.exception("could not queue import job %s", job_id)
        import_job_finish_with_error(
            job_id=job_id, message=_("无法加入处理队列：%(e)s") % {"e": exc}
        )


def import_job_finish(*, job_id: int, result: ImportResult) -> None:
    """Record the importer's result on the job (the importer wrote its own audit row)."""
    if result.ok:
        status = ImportStatus.CHECKED if result.dry_run else ImportStatus.SUCCEEDED
    else:
        status = ImportStatus.FAILED
    job = ImportJob.objects.get(pk=job_id)
    options = {
        **job.options,
        "result": {
            "rows": result.rows,
            "unchanged": result.unchanged,
            "errors_truncated": result.errors_truncated,
        },
    }
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        created=result.created,
        updated=result.updated,
        errors=[asdict(e) for e in result.errors],
        rows_done=result.rows,
        rows_total=result.rows,
        options=options,
        finished_at=timezone.now(),
    )


def import_job_finish_with_error(*, job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED,
        errors=[{"row": 0, "column": "", "value": "", "message": message}],
        finished_at=timezone.now(),
    )
