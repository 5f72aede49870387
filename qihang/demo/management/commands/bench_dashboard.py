"""`qihang bench_dashboard [--graduates 100000]`: how fast are the rates and the dashboard?

In a scratch database (qihang.lib.scratch: created and migrated first, dropped at the end;
`--in-place` uses the current database, for the tests), creates an institution with N graduates in the current cohort and N in the previous
one (departments, majors, key groups, official and reported destination periods filling in over
the season), times the report selectors and the rendered dashboard page through Django's test
client as the career centre (median of --runs runs after a warm-up), and prints the figures and
the query counts. `--keep` keeps the scratch database (for EXPLAIN); `--reuse CODE` times the
data of a kept one, in the current database (point DATABASE_URL at it).

The data is written in bulk and bypasses the destination services on purpose: the benchmark
measures reading, and the periods follow the services' semantics (one open period per graduate
and kind; a later period closes the earlier one).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from qihang.accounts.models import User
from qihang.demo.clients import signed_in_client
from qihang.destinations.models import DestinationPeriod, PeriodKind
from qihang.destinations.policy import policy_for
from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind, RosterPeriod
from qihang.graduates.services import roster_sync
from qihang.institutions.models import Cohort, DegreeLevel, Department, Institution, Major
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import institution_create, membership_grant
from qihang.lib.scratch import add_in_place_argument, benchmark_database
from qihang.reports import selectors, summary
from qihang.reports.models import PeriodFlow

DEPARTMENTS = [
    "作曲系",
    "指挥系",
    "音乐学系",
    "钢琴系",
    "声乐歌剧系",
    "管弦系",
    "民族音乐系",
    "现代器乐与打击乐系",
    "音乐工程系",
    "艺术管理系",
    "音乐教育系",
    "音乐戏剧系",
    "数字媒体艺术学院",
    "研究生部",
]
MAJORS = ["音乐表演", "音乐学", "作曲与作曲技术理论", "艺术管理"]
LEVELS = [DegreeLevel.BACHELOR, DegreeLevel.BACHELOR, DegreeLevel.MASTER, DegreeLevel.DOCTOR]
# Origin divisions (one county per province-level division) and employer provinces.
ORIGINS = [
    "110101", "120101", "130102", "140105", "150102", "210102", "220102", "230102",
    "310104", "320102", "330102", "340102", "350102", "360102", "370102", "410102",
    "420102", "430102", "440103", "450102", "460105", "500101", "510104", "520102",
    "530102", "540102", "610102", "620102", "630102", "640104", "650102",
]  # fmt: skip
EMPLOYER_PROVINCES = ["310000"] * 6 + ["320000", "330000", "110000", "440000", "420000"]
# Final codes with rough weights for music graduates; 70-72 are "not placed".
FINAL_CODES = [
    ("10", 22), ("11", 14), ("12", 9), ("27", 1), ("46", 1), ("50", 2), ("51", 1),
    ("75", 2), ("76", 14), ("80", 10), ("85", 12), ("70", 7), ("71", 4), ("72", 1),
]  # fmt: skip
WITH_EMPLOYER = {"10", "11", "12", "27", "50", "51"}


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in table], weights=[w for _c, w in table])[0]


class BenchData:
    """The benchmark's institution, its staff, graduates and their destinations."""

    def __init__(self, *, graduates: int, year: int, seed: int) -> None:
        self.n = graduates
        self.year = year
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.institution: Institution | None = None
        self.centre: User | None = None
        self.dept_user: User | None = None

    # --- creation ------------------------------------------------------------------------
    def create(self, log: Callable[[str], None]) -> None:
        code = f"9{self.rng.randrange(10**8):08d}"
        while Institution.objects.filter(code=code).exists():
            code = f"9{self.rng.randrange(10**8):08d}"
        self.institution = institution_create(code=code, name="基准测试学校（临时）")
        inst = self.institution
        departments = [
            Department.objects.create(institution=inst, name=name, sort_order=i)
            for i, name in enumerate(DEPARTMENTS)
        ]
        majors = [
            Major.objects.create(
                institution=inst, department=d, degree_level=level, name=f"{name}{i}"
            )
            for d in departments
            for i, (name, level) in enumerate(zip(MAJORS, LEVELS, strict=True))
        ]
        self.centre = User.objects.create_user(username=f"bench-centre-{code}", password=None)
        membership_grant(institution=inst, user=self.centre, role=Role.CAREER_CENTRE)
        self.dept_user = User.objects.create_user(username=f"bench-dept-{code}", password=None)
        membership_grant(
            institution=inst,
            user=self.dept_user,
            role=Role.DEPARTMENT_STAFF,
            departments=departments[:2],
        )
        kinds = list(KeyGroupKind.objects.all())
        for year in (self.year - 1, self.year):
            started = time.perf_counter()
            cohort = Cohort.objects.create(institution=inst, year=year)
            policy_for(cohort)
            graduate_ids = self._graduates(cohort, majors, code)
            # Confirmed in the autumn before the season, as counsellors would have.
            self.confirmed_at = dt.datetime(year - 1, 11, 15, 9, tzinfo=self.tz)
            self._key_groups(graduate_ids, kinds)
            periods = self._periods(cohort, graduate_ids)
            log(
                f"  届别 {year}: {len(graduate_ids)} 名毕业生, {periods} 个去向时段 "
                f"({time.perf_counter() - started:.1f} s)"
            )
        with connection.cursor() as cursor:
            # Fresh statistics and a visibility map, as autovacuum would leave a live table
            # (the summaries' upserts leave dead rows behind until it runs).
            if connection.vendor == "postgresql":
                tables = (Graduate, RosterPeriod, DestinationPeriod, GraduateKeyGroup, PeriodFlow)
                for model in tables:
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")  # noqa: S608
            else:
                cursor.execute("ANALYZE")

    def _graduates(self, cohort: Cohort, majors: list[Major], code: str) -> list[int]:
        rng = self.rng
        # One ciphertext reused: realistic row width without 2N AES operations.
        rows = []
        for i in range(self.n):
            major = rng.choice(majors)
            origin = rng.choice(ORIGINS)
            rows.append(
                Graduate(
                    institution_id=cohort.institution_id,
                    cohort=cohort,
                    student_no=f"B{cohort.year}{i:07d}",
                    name=f"学生{i}",
                    gender="M" if rng.random() < 0.42 else "F",
                    id_number=f"bench-{code}-{cohort.year}-{i}",  # unique stand-in: its digest is unique
                    degree_level=major.degree_level,
                    department_id=major.department_id,
                    major=major,
                    origin_division=origin,
                    origin_province=origin[:2] + "0000",
                    origin_type="urban" if rng.random() < 0.7 else "rural",
                    phone="",
                )
            )
        ids: list[int] = []
        for batch in _chunks(rows, 5000):
            with transaction.atomic():
                created = Graduate.objects.bulk_create(batch)
            ids.extend(g.pk for g in created)
        if ids and ids[0] is None:  # backends without RETURNING (old SQLite)
            ids = list(
                Graduate.objects.filter(cohort=cohort).order_by("pk").values_list("pk", flat=True)
            )
        # On the roster from the autumn before the season, as an import then would have put them.
        roster_at = dt.datetime(cohort.year - 1, 11, 1, 9, tzinfo=self.tz)
        with transaction.atomic():
            roster_sync(institution_id=cohort.institution_id, at=roster_at, cohort_ids=[cohort.pk])
        return ids

    def _key_groups(self, graduate_ids: list[int], kinds: list[KeyGroupKind]) -> None:
        if not kinds:
            return
        rows = []
        for gid in graduate_ids:
            if self.rng.random() < 0.08:
                for kind in self.rng.sample(kinds, self.rng.choice((1, 1, 2))):
                    rows.append(
                        GraduateKeyGroup(
                            institution=self.institution,
                            graduate_id=gid,
                            kind_digest=kind.digest,
                            source="roster",
                            basis=kind.name,
                            status="confirmed",
                            suggested_at=self.confirmed_at,
                            decided_at=self.confirmed_at,
                            valid_from=self.confirmed_at,
                        )
                    )
        for batch in _chunks(rows, 5000):
            GraduateKeyGroup.objects.bulk_create(batch)

    def _periods(self, cohort: Cohort, graduate_ids: list[int]) -> int:
        """Reported periods at each submission, official ones a few days later on approval."""
        rng, tz = self.rng, self.tz
        season = dt.datetime(cohort.year, 1, 1, 9, tzinfo=tz)
        rows: list[DestinationPeriod] = []
        count = 0

        def add(gid: int, kind: str, steps: list[tuple[dt.datetime, str, str]]) -> None:
            for i, (start, code_, province) in enumerate(steps):
                end = steps[i + 1][0] if i + 1 < len(steps) else None
                rows.append(
                    DestinationPeriod(
                        institution_id=cohort.institution_id,
                        cohort=cohort,
                        graduate_id=gid,
                        kind=kind,
                        code=code_,
                        valid_from=start,
                        valid_to=end,
                        employer_province=province,
                    )
                )

        for gid in graduate_ids:
            if rng.random() < 0.05:  # never reported
                continue
            final = _weighted(rng, FINAL_CODES)
            province = rng.choice(EMPLOYER_PROVINCES) if final in WITH_EMPLOYER else ""
            # Most records arrive between March and July; some later in the year.
            day = min(int(rng.triangular(20, 330, 150)), 360)
            steps = [(season + dt.timedelta(days=day, minutes=rng.randrange(600)), final, province)]
            if rng.random() < 0.2 and day > 40:  # first "seeking", later placed
                early = season + dt.timedelta(days=rng.randrange(10, day - 20))
                steps.insert(0, (early, rng.choice(("70", "71")), ""))
            add(gid, PeriodKind.REPORTED, steps)
            if rng.random() < 0.9:  # approved a few days after each submission
                official = [
                    (s + dt.timedelta(days=rng.randrange(1, 12)), c, p) for s, c, p in steps
                ]
                add(gid, PeriodKind.OFFICIAL, official)
            if len(rows) >= 20000:
                DestinationPeriod.objects.bulk_create(rows)
                count += len(rows)
                rows = []
        DestinationPeriod.objects.bulk_create(rows)
        return count + len(rows)

    def attach(self, code: str) -> None:
        """Use data kept by an earlier `--keep` run."""
        self.institution = Institution.objects.get(code=code)
        self.centre = User.objects.get(username=f"bench-centre-{code}")
        self.dept_user = User.objects.get(username=f"bench-dept-{code}")


def _chunks[T](items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, int]:
    """Median and fastest wall time in ms over `runs` runs after a warm-up, and the queries
    of one run. The fastest shows the cost without other work on the machine; on a shared
    machine (CPU steal) the median can be much higher."""
    fn()
    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    # An execute wrapper, not connection.queries: a request resets that log when it starts.
    with connection.execute_wrapper(count):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), len(executed)


class Command(BaseCommand):
    help = "Benchmark the rates selectors and the dashboard page on generated data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--graduates", type=int, default=100_000, help="per cohort")
        parser.add_argument("--year", type=int, default=2020)
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database (for EXPLAIN)"
        )
        parser.add_argument(
            "--reuse",
            metavar="CODE",
            help="time the data of a database kept by --keep (the current one); no new data",
        )
        add_in_place_argument(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["graduates"] < 1:
            raise CommandError("--graduates must be at least 1")
        data = BenchData(graduates=opts["graduates"], year=opts["year"], seed=opts["seed"])
        self.stdout.write(
            f"数据库: {connection.vendor}；每届 {opts['graduates']} 名毕业生，两届（{opts['year'] - 1}、{opts['year']}）"
        )
        if opts["reuse"]:  # a kept scratch database, now the current one: nothing is written
            data.attach(opts["reuse"])
            self._measure(data, opts)
            return
        with benchmark_database(
            self, "dashboard", in_place=opts["in_place"], keep=opts["keep"]
        ) as scratch:
            started = time.perf_counter()
            data.create(self.stdout.write)
            self.stdout.write(f"生成数据用时 {time.perf_counter() - started:.1f} s")
            self._measure(data, opts)
            if scratch is not None and opts["keep"]:
                self.stdout.write(f"保留数据：学校代码 {data.institution.code}")

    def _measure(self, data: BenchData, opts: dict[str, Any]) -> None:
        inst = data.institution
        year, runs = opts["year"], opts["runs"]
        cohort = Cohort.objects.get(institution=inst, year=year)
        actor = build_actor(data.centre, inst.pk)
        mid_season = dt.date(year, 6, 30)
        if summary.supported():
            diff = summary.differences()
            self.stdout.write(f"汇总表与明细核对：{diff}（应全为 0）")

        def stats(by: str, as_of: dt.date | None = None) -> Callable[[], Any]:
            return lambda: selectors.cohort_stats(actor=actor, cohort=cohort, by=by, as_of=as_of)

        cases: list[tuple[str, Callable[[], Any]]] = [
            ("cohort_stats by=department（当前）", stats("department")),
            (f"cohort_stats by=department（截至 {mid_season}）", stats("department", mid_season)),
            *[
                (f"cohort_stats by={by}（当前）", stats(by))
                for by in (
                    "major",
                    "degree",
                    "gender",
                    "origin_province",
                    "employer_province",
                    "key_group",
                )
            ],
            (
                "compare_previous by=department",
                lambda: selectors.compare_previous(actor=actor, cohort=cohort, by="department"),
            ),
            (
                "weekly_progress（两届）",
                lambda: selectors.weekly_progress(actor=actor, cohort=cohort),
            ),
            (
                "dashboard 选择器（页面所需全部数据）",
                lambda: selectors.dashboard(actor=actor, cohort=cohort, by="department"),
            ),
        ]
        url = reverse("reports:dashboard")
        export = reverse("reports:export")
        pages = [
            ("就业中心", data.centre, f"{url}?cohort={year}"),
            ("就业中心", data.centre, f"{url}?cohort={year}&as_of={mid_season}"),
            ("就业中心", data.centre, f"{url}?cohort={year}&by=major"),
            ("就业中心", data.centre, f"{url}?cohort={year}&by=gender"),
            ("就业中心", data.centre, f"{url}?cohort={year}&by=origin_province"),
            ("院系（2个院系）", data.dept_user, f"{url}?cohort={year}"),
            ("就业中心", data.centre, f"{export}?cohort={year}"),
        ]
        for who, user, path in pages:
            client = signed_in_client(user)
            response = client.get(path)
            if response.status_code != 200:
                raise CommandError(f"{path} 返回 {response.status_code}")
            cases.append((f"GET {path}（{who}）", lambda c=client, p=path: c.get(p)))

        self.stdout.write(f"\n{runs} 次（预热 1 次）：中位数 / 最快，毫秒；查询数")
        # Production-like: no query logging (DEBUG off) while timing.
        with override_settings(DEBUG=False):
            for name, fn in cases:
                median, best, queries = _timed(fn, runs)
                self.stdout.write(f"  {median:7.1f} / {best:7.1f} ms  {queries:3d} 次查询  {name}")
