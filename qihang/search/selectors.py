"""Reads of the search app: job search (one interface over PostgreSQL full-text and SQLite FTS5)
and recommendations. Every read starts from `scoping.scoped(Job, actor)`, exactly like the job
pages: an institution's own jobs and those a partner shares with it; people without JOB_VIEW
(graduates) see published jobs only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.jobs.models import Job, JobKind, JobStatus
from qihang.search.tokens import query_terms

FTS_TABLE = "search_job_fts"  # SQLite (migration 0001)


@dataclass(frozen=True)
class JobFilters:
    kind: str = ""
    division: str = ""  # a GB/T 2260 code: its prefix (310000 → 31…, 320500 → 3205…)
    degree: str = ""  # a DegreeLevel value: jobs asking for it, or for any
    specialty: str = ""  # a SpecialtyTag code
    region: str = ""  # a strategic region code (qihang.regions)
    salary_min: int | None = None  # the wanted minimum: jobs whose range reaches it
    open_on: dt.date | None = None  # published and not past the deadline on that day


@dataclass
class JobSearch:
    """An ordered queryset of jobs (relevance, then recency) and what it was asked."""

    jobs: models.QuerySet[Job]
    terms: list[str] = field(default_factory=list)

    def count(self) -> int:
        return self.jobs.count()


def division_prefix(code: str) -> str:
    """310000 → 31, 320500 → 3205, 310104 → 310104 ("" for anything else)."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return ""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def region_filter(region: str) -> Q | None:
    """Jobs whose place lies in a strategic region: `qihang.regions.selectors.region_q`, from the
    regions work of issue 7. None (the filter is not applied) until that app is merged."""
    try:
        from qihang.regions.selectors import region_q  # type: ignore[import-not-found]
    except ImportError:
        return None
    return region_q(region, "division")


def degree_filter(degree: str) -> Q:
    """Jobs open to this degree level: it is among their levels, or they name none."""
    if connection.vendor == "postgresql":
        return Q(degree_levels=[]) | Q(degree_levels__contains=[degree])
    table = connection.ops.quote_name(Job._meta.db_table)
    listed = RawSQL(
        f"SELECT {table}.id FROM {table} WHERE EXISTS "  # noqa: S608 - names, not input
        f"(SELECT 1 FROM json_each({table}.degree_levels) WHERE value = %s)",
        [degree],
    )
    return Q(degree_levels=[]) | Q(pk__in=listed)


def _filtered(qs: models.QuerySet[Job], filters: JobFilters) -> models.QuerySet[Job]:
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if prefix := division_prefix(filters.division):
        qs = qs.filter(division__startswith=prefix)
    if filters.degree:
        qs = qs.filter(degree_filter(filters.degree))
    if filters.specialty:
        tagged = Job.specialties.through.objects.filter(specialtytag__code=filters.specialty)
        qs = qs.filter(pk__in=tagged.values("job_id"))
    if filters.region and (in_region := region_filter(filters.region)) is not None:
        qs = qs.filter(in_region)
    if filters.salary_min is not None:
        # The range reaches the wanted minimum; an open-ended range (no maximum) does when its
        # minimum is stated. A job with no salary at all (面议) cannot be said to.
        qs = qs.filter(
            Q(salary_max__gte=filters.salary_min)
            | Q(salary_max__isnull=True, salary_min__isnull=False)
        )
    if filters.open_on is not None:
        qs = qs.filter(status=JobStatus.PUBLISHED).filter(
            Q(deadline__isnull=True) | Q(deadline__gte=filters.open_on)
        )
    return qs


def searchable_jobs(actor: Actor) -> models.QuerySet[Job]:
    """The jobs the actor's search covers: scoped like the job pages; published only unless
    the actor may view every posting (JOB_VIEW)."""
    qs = scoped(Job, actor)
    if not actor.has(Perm.JOB_VIEW):
        qs = qs.filter(status=JobStatus.PUBLISHED)
    return qs


def tsquery_text(terms: list[str], *, any_term: bool = False) -> str:
    """A PostgreSQL tsquery ('simple' configuration) over jieba terms."""
    quoted = ["'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms]
    return (" | " if any_term else " & ").join(quoted)


def fts5_query_text(terms: list[str], *, any_term: bool = False) -> str:
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    return (" OR " if any_term else " AND ").join(quoted)


def match_terms(
    qs: models.QuerySet[Job], terms: list[str], *, any_term: bool = False
) -> models.QuerySet[Job]:
    """Limit `qs` to jobs whose index has the terms (all of them, or any), annotated `rank`
    (higher is more relevant) — the one vendor-specific step of search."""
    if connection.vendor == "postgresql":
        query = SearchQuery(tsquery_text(terms, any_term=any_term), search_type="raw", config="simple")
        return qs.filter(search_document__vector=query).annotate(
            rank=SearchRank(F("search_document__vector"), query)
        )
    table = connection.ops.quote_name(Job._meta.db_table)
    match = fts5_query_text(terms, any_term=any_term)
    return qs.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608
    ).annotate(
        # bm25 is lower for better matches; the title counts four times the rest.
        rank=RawSQL(
            f"SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {table}.id",
            [match],
        )
    )


RECENCY = (F("published_at").desc(nulls_last=True), F("created_at").desc(), F("id").desc())


def job_search(actor: Actor, q: str = "", filters: JobFilters | None = None) -> JobSearch:
    """Jobs matching every word of `q` (jieba, synonyms) and the filters, most relevant first,
    then most recent; without words, most recent first."""
    qs = _filtered(searchable_jobs(actor), filters or JobFilters())
    terms = query_terms(q)
    if terms:
        qs = match_terms(qs, terms).order_by(F("rank").desc(), *RECENCY)
    else:
        qs = qs.order_by(*RECENCY)
    return JobSearch(jobs=qs.select_related("employer"), terms=terms)


KIND_LABELS = dict(JobKind.choices)
