"""Writes for import jobs: create one from an upload and queue it; record its outcome."""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.models import SensitiveRead
from qihang.audit.services import audit_record
from qihang.imports.framework import ImportResult, import_limits
from qihang.imports.models import ImportJob, ImportKind, ImportStatus
from qihang.imports.storage import seal, unseal
from qihang.institutions.models import Cohort, Institution
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.institutions.services import cohort_get_or_create
from qihang.lib.tabular import Row, read_table, recognised_columns, write_annotated_xlsx
from qihang.lib.validators import normalize_text

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
        # Sealed before it touches the disk: the file may list every graduate's 身份证号.
        suffix = Path(upload.name).suffix.lower()
        sealed = ContentFile(seal(b"".join(upload.chunks())))
        job.file.save(f"{timezone.now():%Y%m%d-%H%M%S}-{kind}{suffix}.enc", sealed, save=False)
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
            "warnings_truncated": result.warnings_truncated,
        },
    }
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        created=result.created,
        updated=result.updated,
        errors=[asdict(e) for e in result.errors],
        warnings=[asdict(w) for w in result.warnings],
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


def import_job_file_bytes(job: ImportJob) -> bytes:
    """The job's upload as the person sent it (decrypted); OSError when it is gone."""
    if not job.file:
        raise FileNotFoundError(job.original_name)
    with job.file.open("rb") as handle:
        return unseal(handle.read())


def _sensitive_columns(kind: str) -> tuple[dict[str, list[str]], dict[str, Callable[[str], str]]]:
    """The importer's column spec and its maskers by field (imported here: the importers are
    other apps' and import the framework from this one)."""
    if kind == ImportKind.ROSTER:
        from qihang.graduates.importing import COLUMN_SPEC, MASKERS

        return COLUMN_SPEC, MASKERS
    from qihang.destinations.importing import COLUMN_SPEC as DESTINATION_SPEC

    return DESTINATION_SPEC, {}


def import_job_annotated(
    *, actor: Actor, job: ImportJob, reveal: bool = False, reason: str = ""
) -> bytes:
    """The uploaded sheet with its errors (red) and warnings (amber) marked, as xlsx.

    Sensitive columns (身份证号, 手机号码 …) are masked unless `reveal`: that needs the unmask
    permission and a reason, and is recorded as a sensitive read of the job's file. Every
    download is audited. Made per request, never stored (the upload alone is kept, sealed).
    """
    kind = ImportKind(job.kind)
    actor.require(KIND_PERMISSIONS[kind])
    reason = (reason or "").strip()
    if reveal:
        actor.require(Perm.SENSITIVE_REVEAL)
        if len(reason) < 2:
            raise ValidationError({"reason": _("请填写查看事由。")})
    table = read_table(
        import_job_file_bytes(job), filename=job.original_name, limits=import_limits()
    )
    spec, maskers = _sensitive_columns(kind)
    sensitive = {
        index: (field, maskers[field])
        for index, field in recognised_columns(table.headers, spec).items()
        if field in maskers
    }
    rows = table.rows
    if sensitive and not reveal:
        rows = _masked_rows(rows, sensitive)
    buffer = io.BytesIO()
    write_annotated_xlsx(buffer, table.headers, rows, job.errors, warnings=job.warnings)
    fields = sorted({field for field, _masker in sensitive.values()})
    with transaction.atomic():
        if reveal and fields:
            SensitiveRead.objects.bulk_create(
                SensitiveRead(
                    institution_id=job.institution_id,
                    actor_id=actor.user_id,
                    target_type=ImportJob._meta.label_lower,
                    target_id=str(job.pk),
                    target_label=str(job)[:120],
                    field=field,
                    reason=reason[:300],
                )
                for field in fields
            )
        audit_record(
            institution_id=job.institution_id,
            actor_id=actor.user_id,
            action="import.annotated_download",
            target=job,
            summary=(
                _("下载导入文件 %(name)s 的标注表格（显示完整敏感信息）")
                if reveal and fields
                else _("下载导入文件 %(name)s 的标注表格（敏感信息已遮盖）")
            )
            % {"name": job.original_name},
            data={
                "masked": not (reveal and fields),
                "sensitive_columns": fields,
                "reason": reason if reveal else "",
            },
        )
    return buffer.getvalue()


def _masked_rows(
    rows: Iterator[tuple[int, Row]], sensitive: dict[int, tuple[str, Callable[[str], str]]]
) -> Iterator[tuple[int, Row]]:
    for number, cells in rows:
        for index, (_field, masker) in sensitive.items():
            if index < len(cells) and cells[index] is not None:
                text = normalize_text(cells[index])
                cells[index] = masker(text) if text else cells[index]
        yield number, cells


def import_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploads of jobs finished more than QIHANG_IMPORT_RETENTION_DAYS ago; the
    jobs keep their reports. The number of files deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.QIHANG_IMPORT_RETENTION_DAYS)
    expired = ImportJob.objects.filter(finished_at__lt=cutoff, file_purged_at__isnull=True)
    done: list[int] = []
    purged = 0
    for job in expired.only("pk", "file"):
        if job.file:
            storage = job.file.storage
            for name in (job.file.name, f"{job.file.name}.annotated.xlsx"):  # and the old cache
                if storage.exists(name):
                    storage.delete(name)
            purged += 1
        done.append(job.pk)
    ImportJob.objects.filter(pk__in=done).update(file="", file_purged_at=now)
    return purged


def import_files_seal_legacy() -> int:
    """Seal the uploads stored in plaintext before encryption was introduced (and drop their
    cached annotated copies), so no plaintext upload outlives the upgrade. The number sealed."""
    from qihang.lib import crypto

    sealed = 0
    for job in ImportJob.objects.exclude(file="").filter(file_purged_at__isnull=True).iterator():
        storage = job.file.storage
        name = job.file.name
        if not storage.exists(name):
            continue
        with storage.open(name, "rb") as handle:
            data = handle.read()
        cached = f"{name}.annotated.xlsx"
        if storage.exists(cached):
            storage.delete(cached)
        if crypto.is_encrypted_bytes(data):
            continue
        new_name = storage.save(f"{name}.enc", ContentFile(seal(data)))
        ImportJob.objects.filter(pk=job.pk).update(file=new_name)
        storage.delete(name)
        sealed += 1
    return sealed
