"""`qihang bench_search [--jobs 50000] [--runs N] [--json FILE]`: how fast is job search?

In a scratch database (qihang.lib.scratch: created and migrated first, dropped at the end;
`--keep` keeps it for EXPLAIN, `--in-place` uses the current database, for the tests), creates
an institution with N generated jobs (bulk_create, then the bulk index path
`jobs_index`), runs typical queries through `selectors.job_search` as its career centre (the
first page of 20 and the count, as the page and the API do), and the same full-text query on
the index table alone (the "bare" query: match, rank, first 20, count) in the same run; prints
p50/p95 of each, the ratio, and how much of the typical query's time the database took
(sql p50/p95; the rest is Python). Meant for
PostgreSQL (docs/search.md has the figures); on SQLite it measures FTS5 the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from qihang.accounts.models import User
from qihang.employers.models import Employer, EmployerStanding
from qihang.institutions.models import Institution
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import institution_create, membership_grant
from qihang.jobs.models import Job, JobKind, JobStatus
from qihang.lib.scratch import add_in_place_argument, benchmark_database
from qihang.search.selectors import (
    FTS_TABLE,
    JobFilters,
    fts5_query_text,
    job_search,
    tsquery_text,
)
from qihang.search.services import jobs_index
from qihang.search.tokens import query_terms

INSTRUMENTS = [
    "大提琴", "小提琴", "中提琴", "低音提琴", "钢琴", "长笛", "单簧管", "双簧管", "大管", "圆号",
    "小号", "长号", "打击乐", "竖琴", "二胡", "琵琶", "古筝", "竹笛", "扬琴", "唢呐",
]  # fmt: skip
VOICES = ["男高音", "女高音", "男中音", "女中音", "合唱"]
ROLES = ["演奏员", "首席", "副首席", "教师", "老师", "实习生", "助教", "演员", "伴奏"]
FIELDS = ["音乐教育", "艺术管理", "录音", "作曲", "指挥", "声乐", "音乐治疗"]
EMPLOYERS = ["交响乐团", "民族乐团", "歌剧院", "歌舞剧院", "艺术学校", "中学", "小学", "琴行",
             "文化传媒有限公司", "艺术培训中心", "少年宫", "音乐厅"]  # fmt: skip
CITIES = [("310104", "上海"), ("310115", "上海"), ("320508", "苏州"), ("320102", "南京"),
          ("330106", "杭州"), ("340104", "合肥"), ("110101", "北京"), ("440304", "深圳"),
          ("420106", "武汉"), ("510104", "成都")]  # fmt: skip
DESCRIPTIONS = [
    "负责{x}声部的排练与演出，参加乐团季度音乐会和巡演。",
    "承担{x}课程教学，指导学生参加比赛，协助音乐教育教研活动。",
    "面向青少年开展{x}培训，课时灵活，提供社会保险。",
    "参与剧目排演，{x}方向优先，能适应外出演出。",
    "协助艺术管理与演出策划，熟悉{x}者优先，工作地点{city}。",
]

QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("大提琴", "大提琴", {}),
    ("钢琴老师", "钢琴老师", {}),
    ("声乐 上海", "声乐 上海", {}),
    ("音乐教育 实习", "音乐教育 实习", {}),
    ("大提琴 + 全职, 上海, 月薪≥8000, 开放中", "大提琴",
     {"kind": JobKind.FULL_TIME, "division": "310000", "salary_min": 8000, "open_on": "today"}),
    ("钢琴老师 + 本科, 长三角", "钢琴老师", {"degree": "bachelor", "region": "yangtze_delta"}),
]  # fmt: skip
PAGE = 20
CODE = "99871"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) == 1:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples), cuts[18]


class Command(BaseCommand):
    help = "岗位搜索基准：生成岗位，测各典型查询的 p50/p95 及与纯全文查询之比。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jobs", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", dest="json_file", default="")
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database (for EXPLAIN)"
        )
        add_in_place_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with benchmark_database(self, "search", in_place=options["in_place"], keep=options["keep"]):
            self._bench(options)

    def _bench(self, options: dict[str, Any]) -> None:
        rng = random.Random(options["seed"])
        started = time.perf_counter()
        _institution, actor = self._world(options["jobs"], rng)
        built = time.perf_counter() - started
        results = [
            self._measure(actor, name, q, filters, options["runs"]) for name, q, filters in QUERIES
        ]
        report = {
            "database": connection.vendor,
            "jobs": options["jobs"],
            "runs": options["runs"],
            "build_seconds": round(built, 1),
            "queries": results,
        }
        self.stdout.write(
            f"{connection.vendor}, {options['jobs']} jobs (built and indexed in {built:.1f} s), "
            f"{options['runs']} runs"
        )
        self.stdout.write(
            f"{'query':<40} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'bare p50':>9} {'bare p95':>9} {'ratio p95':>9} {'sql p50':>8} {'sql p95':>8}"
        )
        for r in results:
            self.stdout.write(
                f"{r['name']:<40} {r['count']:>6} {r['p50_ms']:>8} {r['p95_ms']:>8} "
                f"{r['bare_p50_ms']:>9} {r['bare_p95_ms']:>9} {r['ratio_p95']:>9} "
                f"{r['sql_p50_ms']:>8} {r['sql_p95_ms']:>8}"
            )
        if options["json_file"]:
            with open(options["json_file"], "w", encoding="utf-8") as out:
                json.dump(report, out, ensure_ascii=False, indent=2)

    # --- data ------------------------------------------------------------------------------------
    def _world(self, count: int, rng: random.Random) -> tuple[Institution, Any]:
        if Institution.objects.filter(code=CODE).exists():
            raise CommandError(f"学校代码 {CODE} 已存在：请不加 --in-place，在临时数据库中运行。")
        with transaction.atomic():
            institution = institution_create(code=CODE, name="基准测试音乐学院")
            user, _ = User.objects.get_or_create(username=f"bench-search-{CODE}")
            membership_grant(institution=institution, user=user, role=Role.CAREER_CENTRE)
            employers = Employer.objects.bulk_create(
                Employer(
                    name=f"{city}{rng.choice(EMPLOYERS)}{i}",
                    credit_code=f"BENCH{CODE}{i:08d}"[:18],
                    division=code,
                )
                for i, (code, city) in enumerate(rng.choice(CITIES) for _ in range(300))
            )
            EmployerStanding.objects.bulk_create(
                EmployerStanding(institution=institution, employer=e, status="verified")
                for e in employers
            )
        now = timezone.now()
        today = timezone.localdate()
        batch: list[Job] = []
        ids: list[int] = []
        for i in range(count):
            code, city = rng.choice(CITIES)
            subject = rng.choice(INSTRUMENTS + VOICES + FIELDS)
            role = rng.choice(ROLES)
            low = rng.choice([None, 3000, 5000, 6000, 8000, 10000])
            batch.append(
                Job(
                    institution=institution,
                    employer=rng.choice(employers),
                    title=f"{subject}{role}",
                    kind=rng.choice(
                        [JobKind.FULL_TIME] * 3 + [JobKind.PART_TIME, JobKind.INTERNSHIP]
                    ),
                    status=rng.choice(
                        [JobStatus.PUBLISHED] * 8 + [JobStatus.PENDING, JobStatus.CLOSED]
                    ),
                    degree_levels=rng.choice([[], ["bachelor", "master"], ["master", "doctor"]]),
                    majors=rng.choice(["音乐表演", "音乐学", "音乐教育", "艺术管理", ""]),
                    division=code,
                    salary_min=low,
                    salary_max=(low + rng.choice([2000, 4000])) if low else None,
                    deadline=today + dt.timedelta(days=rng.randint(-30, 90)),
                    description=rng.choice(DESCRIPTIONS).format(
                        x=rng.choice(INSTRUMENTS + FIELDS), city=city
                    ),
                    published_at=now - dt.timedelta(minutes=i),
                )
            )
            if len(batch) == 2000:
                ids += [j.pk for j in Job.objects.bulk_create(batch)]
                batch = []
        if batch:
            ids += [j.pk for j in Job.objects.bulk_create(batch)]
        with transaction.atomic():
            jobs_index(ids)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load in production: planner statistics,
            # and the GIN index's pending list merged (until then every match scans it).
            # (Inside a transaction — the tests — VACUUM cannot run: statistics only.)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(f"{command} jobs_job")
                cursor.execute(f"{command} search_jobsearchdocument")
        return institution, build_actor(user, institution.pk)

    # --- timing ----------------------------------------------------------------------------------
    def _bare(self, terms: list[str]) -> Callable[[], int]:
        """The same full-text query on the index table alone: match, rank, first page, count."""
        if connection.vendor == "postgresql":
            tsq = tsquery_text(terms)
            page_sql = (
                "SELECT job_id, ts_rank(vector, q) AS r FROM search_jobsearchdocument, "
                "to_tsquery('simple', %s) q WHERE vector @@ q ORDER BY r DESC LIMIT %s"
            )
            count_sql = (
                "SELECT count(*) FROM search_jobsearchdocument "
                "WHERE vector @@ to_tsquery('simple', %s)"
            )
            params: list[Any] = [tsq]
        else:
            match = fts5_query_text(terms)
            page_sql = (
                f"SELECT rowid, bm25({FTS_TABLE}, 4.0, 1.0) AS r FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY r LIMIT %s"
            )
            count_sql = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
            params = [match]

        def run() -> int:
            with connection.cursor() as cursor:
                cursor.execute(page_sql, [*params, PAGE])
                cursor.fetchall()
                cursor.execute(count_sql, params)
                return cursor.fetchone()[0]

        return run

    def _measure(
        self, actor: Any, name: str, q: str, raw_filters: dict[str, Any], runs: int
    ) -> dict[str, Any]:
        values = dict(raw_filters)
        if values.get("open_on") == "today":
            values["open_on"] = timezone.localdate()
        filters = JobFilters(**values)

        in_database: list[float] = []

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                in_database.append(time.perf_counter() - started)

        def typical() -> int:
            found = job_search(actor, q, filters)
            list(found.jobs[:PAGE])
            return found.count()

        def typical_timed() -> int:
            with connection.execute_wrapper(timed):
                return typical()

        bare = self._bare(query_terms(q))
        typical(), bare()  # warm caches (plans, jieba, the regions table)
        times: list[float] = []
        bare_times: list[float] = []
        count = 0
        sql_times: list[float] = []
        for _ in range(runs):
            in_database.clear()
            t0 = time.perf_counter()
            count = typical_timed()
            t1 = time.perf_counter()
            bare()
            t2 = time.perf_counter()
            times.append(t1 - t0)
            bare_times.append(t2 - t1)
            sql_times.append(sum(in_database))
        p50, p95 = _percentiles(times)
        bare50, bare95 = _percentiles(bare_times)
        sql50, sql95 = _percentiles(sql_times)
        return {
            "name": name,
            "q": q,
            "filters": {k: str(v) for k, v in raw_filters.items()},
            "count": count,
            "p50_ms": _ms(p50),
            "p95_ms": _ms(p95),
            "bare_p50_ms": _ms(bare50),
            "bare_p95_ms": _ms(bare95),
            # Of the typical query's time, what the database took (its queries' execution
            # and results); the rest is Python: building the query, 20 jobs with employers.
            "sql_p50_ms": _ms(sql50),
            "sql_p95_ms": _ms(sql95),
            "ratio_p50": round(p50 / bare50, 2) if bare50 else None,
            "ratio_p95": round(p95 / bare95, 2) if bare95 else None,
        }
