"""Reads of the search app: job search (one interface over PostgreSQL full-text and SQLite FTS5)
and recommendations. Every read starts from `scoping.scoped(Job, actor)`, exactly like the job
pages: an institution's own jobs and those a partner shares with it; people without JOB_VIEW
(graduates) see published jobs only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Count, F, FloatField, Func, IntegerField, Q, Subquery, Window
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import DegreeLevel
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.jobs.models import Job, JobStatus
from qihang.regions.selectors import region, region_codes_of, region_q
from qihang.search.models import JobPreference, JobPush, JobSearchDocument
from qihang.search.services import place_name
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


def division_prefix(code: str) -> str:
    """310000 → 31, 320500 → 3205, 310104 → 310104 ("" for anything else)."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return ""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def region_filter(region: str) -> Q:
    """Jobs whose place lies in a strategic region (qihang.regions); an unknown region code
    matches nothing."""
    try:
        return region_q(region, "division")
    except LookupError:
        return Q(pk__in=[])


def degree_filter(degree: str, model: type[models.Model] = Job) -> Q:
    """Rows (jobs, or their index rows) open to this degree level: it is among their levels,
    or they name none."""
    if connection.vendor == "postgresql":
        return Q(degree_levels=[]) | Q(degree_levels__contains=[degree])
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    # Table names are ours and the value a parameter: nothing from input is spliced in.
    listed = RawSQL(  # noqa: S611
        f"SELECT {table}.{pk} FROM {table} WHERE EXISTS "  # noqa: S608
        f"(SELECT 1 FROM json_each({table}.degree_levels) WHERE value = %s)",
        [degree],
    )
    return Q(degree_levels=[]) | Q(pk__in=listed)


def _filtered[M: models.Model](qs: models.QuerySet[M], filters: JobFilters) -> models.QuerySet[M]:
    """The filters, on jobs or on their index rows (which carry the same columns)."""
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if prefix := division_prefix(filters.division):
        qs = qs.filter(division__startswith=prefix)
    if filters.degree:
        qs = qs.filter(degree_filter(filters.degree, qs.model))
    if filters.specialty:
        tagged = Job.specialties.through.objects.filter(specialtytag__code=filters.specialty)
        qs = qs.filter(pk__in=tagged.values("job_id"))
    if filters.region:
        qs = qs.filter(region_filter(filters.region))
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


def _searchable[M: models.Model](model: type[M], actor: Actor) -> models.QuerySet[M]:
    qs = scoped(model, actor)
    if not actor.has(Perm.JOB_VIEW):
        qs = qs.filter(status=JobStatus.PUBLISHED)
    return qs


def searchable_jobs(actor: Actor) -> models.QuerySet[Job]:
    """The jobs the actor's search covers: scoped like the job pages; published only unless
    the actor may view every posting (JOB_VIEW)."""
    return _searchable(Job, actor)


def searchable_documents(actor: Actor) -> models.QuerySet[JobSearchDocument]:
    """The index rows of exactly `searchable_jobs(actor)` (their scope is the job's, and they
    carry the job's status): what searches run on."""
    return _searchable(JobSearchDocument, actor)


def tsquery_text(terms: list[str], *, any_term: bool = False) -> str:
    """A PostgreSQL tsquery ('simple' configuration) over jieba terms."""
    quoted = ["'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms]
    return (" | " if any_term else " & ").join(quoted)


def fts5_query_text(terms: list[str], *, any_term: bool = False) -> str:
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    return (" OR " if any_term else " AND ").join(quoted)


def match_terms(
    qs: models.QuerySet[JobSearchDocument], terms: list[str], *, any_term: bool = False
) -> models.QuerySet[JobSearchDocument]:
    """Limit index rows to those having the terms (all of them, or any), annotated `rank`
    (higher is more relevant) — the one vendor-specific step of search."""
    if connection.vendor == "postgresql":
        query = SearchQuery(
            tsquery_text(terms, any_term=any_term), search_type="raw", config="simple"
        )
        return qs.filter(vector=query).annotate(rank=SearchRank(F("vector"), query))
    # SQLite: the match once (an uncorrelated subquery of FTS5 rowids = job ids), and bm25 per
    # matching row. (FTS5 allows bm25 only where its table drives the query; joining it with
    # .extra() would hard-code a table name that subqueries alias, and a window count beside
    # bm25 is refused.) Fine for one school's postings; 50,000 jobs is PostgreSQL's work.
    table = connection.ops.quote_name(JobSearchDocument._meta.db_table)
    match = fts5_query_text(terms, any_term=any_term)
    return qs.filter(
        pk__in=RawSQL(  # noqa: S611 - the match expression is a parameter
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [match],
        )
    ).annotate(
        # bm25 is lower for better matches; the title counts four times the rest.
        rank=RawSQL(  # noqa: S611
            f"SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {table}.job_id",
            [match],
            output_field=FloatField(),
        )
    )


RECENCY = (F("published_at").desc(nulls_last=True), F("created_at").desc(), F("pk").desc())


def _count_of(documents: models.QuerySet[JobSearchDocument]) -> Window | Subquery:
    """All the rows' number, as a column of each: on PostgreSQL a window over the one scan the
    page makes anyway; on SQLite, which refuses a window beside bm25, a scalar subquery
    (evaluated once)."""
    if connection.vendor == "postgresql":
        return Window(Count("pk"))
    counted = documents.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def jobs_of(
    documents: models.QuerySet[JobSearchDocument],
    start: int = 0,
    stop: int | None = None,
    *,
    related: tuple[str, ...] = ("employer",),
) -> tuple[list[Job], int | None]:
    """The jobs of the index rows [start:stop], in their order, each with the row's `rank`
    (when the rows have one), and the number of all the rows (None when the slice is empty):
    two queries, whatever the number of rows — the count rides along with the slice's rows."""
    ranked = "rank" in documents.query.annotations
    columns = ("pk", "total", "rank") if ranked else ("pk", "total")
    rows = list(documents.annotate(total=_count_of(documents)).values_list(*columns)[start:stop])
    if not rows:
        return [], None
    jobs = Job.objects.select_related(*related).in_bulk([row[0] for row in rows])
    found = []
    for row in rows:
        job = jobs.get(row[0])
        if job is not None:  # deleted since
            job.rank = row[2] if ranked else None
            found.append(job)
    return found, rows[0][1]


class JobResults(Sequence[Job]):
    """Search results in order. Matching, ordering and counting run on the index alone; jobs
    are read only for the slice asked for. A page is two queries: its index rows (which count
    all the matches too) and their jobs."""

    def __init__(self, documents: models.QuerySet[JobSearchDocument]) -> None:
        self.documents = documents
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.documents.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _slice(self, start: int, stop: int | None) -> list[Job]:
        found, total = jobs_of(self.documents, start, stop)
        if total is not None:
            self._count = total
        return found

    @overload
    def __getitem__(self, index: int) -> Job: ...
    @overload
    def __getitem__(self, index: slice) -> list[Job]: ...
    def __getitem__(self, index: int | slice) -> Job | list[Job]:
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("no step")
            return self._slice(index.start or 0, index.stop)
        found = self._slice(index, index + 1)
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[Job]:
        return iter(self._slice(0, None))

    def page(self, number: object, per_page: int) -> Page:
        """Page `number` (1 if not a number, the last if past the end), as
        Paginator.get_page gives it, read before it is counted: one query fewer."""
        try:
            wanted = max(1, int(str(number)))
        except ValueError:
            wanted = 1
        jobs = self._slice((wanted - 1) * per_page, wanted * per_page)
        paginator = Paginator(self, per_page)
        if jobs or wanted == 1:
            return Page(jobs, wanted, paginator)
        return paginator.get_page(paginator.num_pages)


@dataclass
class JobSearch:
    """The ordered results (relevance, then recency) and what was asked."""

    jobs: JobResults
    terms: list[str] = field(default_factory=list)

    def count(self) -> int:
        return self.jobs.count()


def job_search(actor: Actor, q: str = "", filters: JobFilters | None = None) -> JobSearch:
    """Jobs matching every word of `q` (jieba, synonyms) and the filters, most relevant first,
    then most recent; without words, most recent first. Runs on the index rows (scoped like
    the jobs, with the job's filter columns), so the jobs table is read for one page only."""
    documents = _filtered(searchable_documents(actor), filters or JobFilters())
    terms = query_terms(q)
    if terms:
        documents = match_terms(documents, terms).order_by(F("rank").desc(), *RECENCY)
    else:
        documents = documents.order_by(*RECENCY)
    return JobSearch(jobs=JobResults(documents), terms=terms)


# --- Recommendations --------------------------------------------------------------------------------
# How many jobs recommendations consider: the best full-text matches of the graduate's profile
# and the newest open jobs where they want to work (each one query, whatever the number of jobs).
CANDIDATES = 200
NEWEST = 50
SHOWN = 20

DEGREE_ORDER = [d.value for d in DegreeLevel]


@dataclass
class Recommendation:
    job: Job
    score: float
    reasons: list[str]
    push: JobPush | None = None


def degree_requirement(levels: list[str]) -> str:
    """本科及以上 for [bachelor, master, doctor]; 本科、硕士研究生 otherwise; 不限 for none."""
    known = [lv for lv in DEGREE_ORDER if lv in levels]
    if not known:
        return _("不限")
    lowest = DEGREE_ORDER.index(known[0])
    label = DegreeLevel(known[0]).label
    if known == DEGREE_ORDER[lowest:] and len(known) > 1:
        return _("%(level)s及以上") % {"level": label}
    return "、".join(str(DegreeLevel(lv).label) for lv in known)


def own_graduate(actor: Actor) -> Graduate | None:
    """The graduate record of a graduate actor in their current institution."""
    return (
        scoped(Graduate, actor)
        .filter(user_id=actor.user_id)
        .select_related("major")
        .order_by("-cohort__year")
        .first()
    )


def _candidates(
    actor: Actor, *, terms: list[str], prefixes: list[str], today: dt.date, regions: list[str]
) -> list[Job]:
    """The best matches of the graduate's words and the newest open jobs where they want to
    work, found on the index; then their jobs (with index row and specialties, for scoring)."""
    base = _filtered(searchable_documents(actor), JobFilters(open_on=today))
    ranks: dict[int, float] = {}
    if terms:
        best = match_terms(base, terms, any_term=True).order_by(F("rank").desc(), *RECENCY)
        ranks = dict(best.values_list("pk", "rank")[:CANDIDATES])
    where = Q(pk__in=[])
    for prefix in prefixes:
        where |= Q(division__startswith=prefix)
    for code in regions:
        where |= region_filter(code)
    newest = base.filter(where) if prefixes or regions else base
    ids = list(ranks) + [
        pk
        for pk in newest.order_by(*RECENCY).values_list("pk", flat=True)[:NEWEST]
        if pk not in ranks
    ]
    jobs = (
        Job.objects.select_related("employer", "search_document")
        .prefetch_related("specialties")
        .in_bulk(ids)
    )
    found = []
    for pk in ids:
        if (job := jobs.get(pk)) is not None:
            job.rank = ranks.get(pk, 0.0)
            found.append(job)
    return found


def _score(
    job: Job,
    *,
    graduate: Graduate,
    preference: JobPreference | None,
    specialty_terms: list[str],
    keyword_terms: list[str],
) -> Recommendation | None:
    document = getattr(job, "search_document", None)
    tokens = set()
    if document is not None:
        tokens = set(document.title_tokens.split()) | set(document.body_tokens.split())
    score = float(getattr(job, "rank", 0.0) or 0.0)
    reasons: list[str] = []
    levels = job.degree_levels or []
    if levels and graduate.degree_level not in levels:
        return None  # not open to the graduate's degree
    tags = {tag.name for tag in job.specialties.all()}
    matched = [t for t in specialty_terms if t in tokens or t in tags]
    if matched:
        score += 4
        reasons.append(_("与你的专业方向一致：%(terms)s") % {"terms": "、".join(matched)})
    if graduate.major.name and graduate.major.name in job.majors:
        score += 3
        reasons.append(_("专业要求包含你的专业：%(major)s") % {"major": graduate.major.name})
    if levels:
        score += 1
        reasons.append(_("学历要求：%(req)s，符合") % {"req": degree_requirement(levels)})
    if preference is not None:
        for code in preference.divisions:
            prefix = division_prefix(code)
            if prefix and job.division.startswith(prefix):
                score += 2
                reasons.append(_("工作地点在你希望的%(place)s") % {"place": place_name(code)})
                break
        in_regions = region_codes_of(job.division) if job.division else ()
        for code in preference.regions:
            if code in in_regions:
                score += 2
                reasons.append(_("工作地点在你希望的%(region)s") % {"region": region_name(code)})
                break
        if preference.kinds:
            if job.kind in preference.kinds:
                score += 1
                reasons.append(
                    _("岗位类型符合你的意向：%(kind)s") % {"kind": job.get_kind_display()}
                )
            else:
                score -= 2
        wanted = preference.salary_min
        if wanted is not None and (job.salary_max or job.salary_min):
            if (job.salary_max or 0) >= wanted or (job.salary_max is None and job.salary_min):
                score += 1
                reasons.append(_("薪资可达你期望的 %(salary)s 元") % {"salary": wanted})
            else:
                score -= 1
    related = [t for t in keyword_terms if t in tokens and t not in matched]
    if related:
        score += min(2.0, 0.5 * len(related))
        reasons.append(_("与你的求职关键词相关：%(terms)s") % {"terms": "、".join(related)})
    if not reasons:
        return None
    return Recommendation(job=job, score=score, reasons=reasons)


def region_name(code: str) -> str:
    try:
        return region(code).name
    except LookupError:
        return code


def recommendations(actor: Actor, *, today: dt.date, limit: int = SHOWN) -> list[Recommendation]:
    """Published, open jobs for a graduate: mentors' pushes first, then by score, each with
    its reasons in words. A fixed number of queries, whatever the number of jobs (graduate,
    preference, pushes, candidates and their specialties)."""
    graduate = own_graduate(actor)
    if graduate is None:
        return []
    preference = JobPreference.objects.filter(graduate=graduate).first()
    keywords = preference.keywords if preference else ""
    specialty_terms = query_terms(graduate.specialization)
    keyword_terms = query_terms(keywords)
    terms = list(dict.fromkeys(query_terms(graduate.major.name) + specialty_terms + keyword_terms))
    prefixes = [
        p for p in (division_prefix(c) for c in (preference.divisions if preference else [])) if p
    ]
    regions = list(preference.regions) if preference else []
    open_jobs = _filtered(searchable_documents(actor), JobFilters(open_on=today))
    pushes = list(
        scoped(JobPush, actor)
        .filter(graduate=graduate, job_id__in=open_jobs.values("pk"))
        .select_related("job__employer", "pushed_by")
        .order_by("-created_at", "-id")
    )
    pushed = {push.job_id for push in pushes}
    scored: list[Recommendation] = []
    for job in _candidates(actor, terms=terms, prefixes=prefixes, today=today, regions=regions):
        if job.pk in pushed:
            continue
        found = _score(
            job,
            graduate=graduate,
            preference=preference,
            specialty_terms=specialty_terms,
            keyword_terms=keyword_terms,
        )
        if found is not None:
            scored.append(found)
    scored.sort(
        key=lambda r: (
            -r.score,
            -(r.job.published_at.timestamp() if r.job.published_at else 0),
            -r.job.pk,
        )
    )
    first = [
        Recommendation(
            job=push.job,
            score=float("inf"),
            reasons=[
                _("导师推荐：%(note)s（%(who)s）")
                % {"note": push.note or _("值得一看"), "who": push.pushed_by or _("导师")}
            ],
            push=push,
        )
        for push in pushes
    ]
    return (first + scored)[:limit]
