"""The background task that runs an import job (django.tasks; `qihang db_worker` runs it)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import connection
from django.tasks import task
from django.utils.translation import gettext as _

from qihang.imports.framework import ImportResult, ProgressCallback
from qihang.imports.models import ImportJob, ImportKind, ImportStatus
from qihang.imports.services import (
    import_files_purge,
    import_job_file_bytes,
    import_job_finish,
    import_job_finish_with_error,
)

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between progress writes


class ProgressWriter:
    """Writes an import's progress to its job row from a thread of its own.

    The importer calls this object for every thousand rows; the thread writes the latest figures
    at most every PROGRESS_INTERVAL through its own database connection, so the writes commit
    at once (visible to the page that polls) and never touch the importer's connection, which
    may be inside its transaction or in the middle of a COPY.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.latest: tuple[int, int] | None = None
        self.written: tuple[int, int] | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"import-{job_id}", daemon=True)

    def __call__(self, done: int, total: int) -> None:
        self.latest = (done, total)  # a tuple assignment is atomic: no lock needed

    def __enter__(self) -> ProgressWriter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _loop(self) -> None:
        try:
            while not self.stopped.wait(PROGRESS_INTERVAL):
                self._write()
            self._write()  # the last figures
        finally:
            connection.close()  # this thread's own connection

    def _write(self) -> None:
        latest = self.latest
        if latest is None or latest == self.written:
            return
        try:
            ImportJob.objects.filter(pk=self.job_id).update(
                rows_done=latest[0], rows_total=latest[1]
            )
            self.written = latest
        except Exception:  # progress is a courtesy: a busy database must not fail the import
            logger.warning("could not record progress of import job %s", self.job_id, exc_info=True)


@task()
def run_import(job_id: int) -> None:
    """Run the importer for the job's file, then record the outcome on the job."""
    job = ImportJob.objects.select_related("institution", "cohort").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.QUEUED:
        return  # deleted, or already run (a task may be delivered twice)
    started = time.monotonic()
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.RUNNING)
    try:
        # Inside a transaction (tests, or ImmediateBackend inside one) no other connection
        # could see the progress; writing it from another thread would only wait on locks.
        if connection.in_atomic_block:
            result = _run(job, progress=None)
        else:
            with ProgressWriter(job_id) as progress:
                result = _run(job, progress=progress)
    except Exception:
        logger.exception("import job %s failed", job_id)
        import_job_finish_with_error(
            job_id=job_id, message=_("导入时发生内部错误，未写入任何数据；请联系管理员。")
        )
        return
    import_job_finish(job_id=job_id, result=result)
    logger.info("import job %s finished in %.1fs", job_id, time.monotonic() - started)
    purge_expired_files()


def purge_expired_files() -> int:
    """Delete the uploads past their retention period (see imports.storage); a courtesy after
    each job, as `qihang purge_import_files` is for a timer: a failure must not fail the job."""
    try:
        purged = import_files_purge()
    except Exception:
        logger.warning("could not purge expired import files", exc_info=True)
        return 0
    if purged:
        logger.info("purged %s expired import files", purged)
    return purged


@task()
def purge_import_files() -> int:
    """The same as a task, for deployments that schedule tasks rather than commands."""
    return import_files_purge()


def _run(job: ImportJob, *, progress: ProgressCallback | None) -> ImportResult:
    options: dict[str, Any] = job.options or {}
    source = import_job_file_bytes(job)  # decrypted in memory only
    if job.kind == ImportKind.ROSTER:
        from qihang.graduates.importing import import_roster

        return import_roster(
            source,
            filename=job.original_name,
            institution=job.institution,
            cohort_year=job.cohort.year,
            create_missing=bool(options.get("create_missing")),
            dry_run=bool(options.get("dry_run")),
            actor_id=job.created_by_id,
            progress=progress,
        )
    # Imported here: the destinations importer is another app's and loads its own models.
    from qihang.destinations.importing import import_destinations

    return import_destinations(
        source,
        filename=job.original_name,
        institution=job.institution,
        cohort_year=job.cohort.year,
        dry_run=bool(options.get("dry_run")),
        actor_id=job.created_by_id,
        progress=progress,
        # The evidence is a copy of its own: the job's upload is sealed and, after the
        # retention period, deleted, while evidence is kept as long as the records.
    )
