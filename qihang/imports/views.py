"""Import pages (upload, job list, progress, errors) and the roster/destination downloads."""

from __future__ import annotations

import datetime
import io
from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qihang.graduates import exporting
from qihang.imports import services
from qihang.imports.forms import ImportForm
from qihang.imports.models import ImportJob, ImportKind, ImportStatus
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    Actor,
    ObjectId,
    actor_of,
    get_scoped_or_404,
    requires,
    scoped,
    takes_ids,
)
from qihang.lib.tabular import TableError, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FINISHED = {ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.CHECKED}


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    # RFC 6266: an ASCII fallback plus the UTF-8 name browsers show.
    return f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"


def _job_for(request: HttpRequest, job_id: int) -> ImportJob:
    """The job, if the actor may see it (404 otherwise) and import its kind (403 otherwise)."""
    actor = actor_of(request)
    job = get_scoped_or_404(
        ImportJob.objects.select_related("cohort", "created_by"), actor, pk=job_id
    )
    actor.require(services.KIND_PERMISSIONS[ImportKind(job.kind)])
    return job


def _visible_kinds(actor: Actor) -> list[str]:
    return [k.value for k, perm in services.KIND_PERMISSIONS.items() if actor.has(perm)]


@takes_ids()
@requires(Perm.ROSTER_IMPORT)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    jobs = (
        scoped(ImportJob, actor)
        .filter(kind__in=_visible_kinds(actor))
        .select_related("cohort", "created_by")
        .order_by("-created_at")[:50]
    )
    return render(request, "imports/job_list.html", {"jobs": jobs, "kinds": ImportKind})


@takes_ids(cohort_year=ObjectId("institutions.Cohort", "year"))
@requires(Perm.ROSTER_IMPORT)
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohorts = list(scoped(Cohort, actor).order_by("-year").values_list("year", flat=True))
    initial = {"cohort_year": cohorts[0]} if cohorts else {}  # most often the latest cohort
    form = ImportForm(request.POST or None, request.FILES or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_create(
                actor=actor,
                kind=data["kind"],
                cohort_year=data["cohort_year"],
                upload=data["file"],
                create_missing=data["create_missing"],
                dry_run=data["dry_run"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("imports:detail", job_id=job.pk)
    return render(request, "imports/job_new.html", {"form": form, "cohort_years": cohorts})


QUEUE_PATIENCE = datetime.timedelta(seconds=30)


def _job_context(job: ImportJob, actor: Actor, **extra: object) -> dict[str, object]:
    result = (job.options or {}).get("result", {})
    errors = job.errors or []
    warnings = job.warnings or []
    return {
        "job": job,
        "finished": job.status in FINISHED,
        # Still queued after this long: most likely no task worker is running.
        "stalled": job.status == ImportStatus.QUEUED
        and timezone.now() - job.created_at > QUEUE_PATIENCE,
        "unchanged": result.get("unchanged", 0),
        "errors_truncated": result.get("errors_truncated", False),
        "errors": errors,
        "row_errors": any(e.get("row", 0) >= 2 for e in errors),
        "warnings": warnings,
        "warnings_truncated": result.get("warnings_truncated", False),
        # The annotated sheet marks rows' errors and warnings (and the header's warnings).
        "annotated": bool(job.file)
        and (any(e.get("row", 0) >= 2 for e in errors) or bool(warnings)),
        "can_reveal": actor.has(Perm.SENSITIVE_REVEAL) and job.kind == ImportKind.ROSTER,
        **extra,
    }


@takes_ids()
@requires(Perm.ROSTER_IMPORT)
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    return render(request, "imports/job_detail.html", _job_context(job, actor_of(request)))


@takes_ids()
@requires(Perm.ROSTER_IMPORT)
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The polled fragment; once the job is finished it comes back without its poll trigger."""
    job = _job_for(request, job_id)
    return render(request, "imports/job_detail.html#progress", _job_context(job, actor_of(request)))


@takes_ids()
@requires(Perm.ROSTER_IMPORT)
@require_http_methods(["GET", "POST"])
def job_annotated(request: HttpRequest, job_id: int) -> HttpResponse:
    """The uploaded sheet with every error (red) and warning (amber) marked.

    GET: sensitive columns masked. POST with a reason: unmasked, for those who may unmask
    (403 otherwise), recorded as a sensitive read. Every download is audited.
    """
    actor = actor_of(request)
    job = _job_for(request, job_id)
    context = _job_context(job, actor)
    if not context["annotated"]:
        raise Http404
    reveal = request.method == "POST"
    try:
        data = services.import_job_annotated(
            actor=actor, job=job, reveal=reveal, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        context["reveal_error"] = "；".join(exc.messages)
        return render(request, "imports/job_detail.html", context, status=400)
    except (OSError, TableError) as exc:
        raise Http404(_("原文件无法读取。")) from exc
    stem = job.original_name.rsplit(".", 1)[0]
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"{stem}（标注）.xlsx")
    return response


@takes_ids()
@requires(Perm.ROSTER_IMPORT)
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """An empty sheet with the right headers, for the kind in ?kind= (roster by default)."""
    actor = actor_of(request)
    kind = request.GET.get("kind", ImportKind.ROSTER)
    if kind not in ImportKind.values:
        raise Http404
    actor.require(services.KIND_PERMISSIONS[ImportKind(kind)])
    if kind == ImportKind.ROSTER:
        from qihang.graduates.importing import HEADERS
    else:
        from qihang.destinations.importing import HEADERS  # type: ignore[assignment]
    buffer = io.BytesIO()
    write_xlsx(buffer, list(HEADERS), [])
    label = ImportKind(kind).label
    return _xlsx_response(buffer.getvalue(), f"{label}导入模板.xlsx")


# --- exports ---------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.ROSTER_EXPORT)
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cohorts = scoped(Cohort, actor).order_by("-year")
    return render(request, "imports/exports.html", {"cohorts": cohorts})


def _export_cohort(request: HttpRequest) -> Cohort:
    actor = actor_of(request)
    year = request.GET.get("cohort", "")
    cohorts = scoped(Cohort, actor).order_by("-year")
    cohort = cohorts.filter(year=year).first() if year.isdigit() else cohorts.first()
    if cohort is None:
        raise Http404
    return cohort


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.ROSTER_EXPORT)
@require_GET
def export_roster(request: HttpRequest) -> HttpResponse:
    cohort = _export_cohort(request)
    data = exporting.export_roster(actor_of(request), cohort)
    return _xlsx_response(data, exporting.roster_filename(cohort))


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
@requires(Perm.ROSTER_EXPORT)
@require_GET
def export_destinations(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.has(Perm.DESTINATION_VIEW):
        raise PermissionDenied
    cohort = _export_cohort(request)
    data = exporting.export_destinations(actor, cohort)
    return _xlsx_response(data, exporting.destinations_filename(cohort))
