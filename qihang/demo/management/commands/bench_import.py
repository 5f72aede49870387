"""`qihang bench_import [--rows 100000] [--naive-rows N]`: how fast the roster import is.

Generates a realistic, valid roster xlsx (qihang.imports.samples) in a temporary directory,
imports it with the real importer into a fresh institution and reports rows per second, end to
end (reading the file included). Then runs a naive loop on the same file for comparison —
openpyxl read, the same validators, ORM lookups and one save() per row — into a second
institution, and prints the ratio. Both live in a scratch database of the configured kind
(qihang.lib.scratch: created and migrated first, dropped at the end; `--in-place` uses the
current database, for the tests).

A benchmark, not a test: timings depend on the machine. The targets: at least 20,000 rows/s
on PostgreSQL and at least 10 times the naive loop (issue 2 §7); a peak of at most 500 MB for
the import of 100,000 rows (issue 6 §1), measured as the process's peak resident memory while
the import runs (Linux: the high-water mark is reset just before it, so generating the file
does not count), python-calamine's own allocations included.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from qihang.graduates import importing, keygroups
from qihang.graduates.models import Graduate, KeyGroupKind
from qihang.graduates.services import id_number_digest
from qihang.imports.samples import roster_rows
from qihang.institutions.models import Cohort, Department, Institution, Major
from qihang.institutions.services import cohort_get_or_create, institution_create
from qihang.lib import validators as v
from qihang.lib.scratch import add_in_place_argument, benchmark_database
from qihang.lib.tabular import write_xlsx

COHORT = 2020
PEAK_TARGET_MB = 500


def _status_mb(field: str) -> float | None:
    """VmRSS / VmHWM of this process in MB (Linux), None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux ≥ 4.0); False if it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Command(BaseCommand):
    help = "Benchmark the roster import against a naive one-save-per-row loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument(
            "--naive-rows",
            type=int,
            default=None,
            help="rows for the naive loop (default: all); fewer are timed and extrapolated",
        )
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--profile", type=Path, help="write a cProfile of the fast import")
        parser.add_argument(
            "--keep-file",
            type=Path,
            help="keep the generated roster at this path, and reuse it if it is already there",
        )
        add_in_place_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        rows: int = options["rows"]
        naive_rows = min(options["naive_rows"] or rows, rows)
        with benchmark_database(self, "import", in_place=options["in_place"]):
            self._bench(options, rows, naive_rows)

    def _bench(self, options: dict[str, Any], rows: int, naive_rows: int) -> None:
        db = connection.vendor
        self.stdout.write(f"数据库：{db}（{connection.settings_dict.get('NAME')}）")
        with tempfile.TemporaryDirectory(prefix="qihang-bench-") as tmp:
            path = options["keep_file"] or Path(tmp) / f"roster_{rows}.xlsx"
            if path.exists():
                self.stdout.write(f"使用已生成的名单 {path}（应为 {rows:,} 行）")
            else:
                started = time.perf_counter()
                write_xlsx(
                    path,
                    importing.HEADERS,
                    (
                        r.values()
                        for r in roster_rows(rows, cohort_year=COHORT, seed=options["seed"])
                    ),
                )
                self.stdout.write(
                    f"生成 {rows:,} 行的名单 {path.name}（{path.stat().st_size / 1e6:.1f} MB），"
                    f"用时 {time.perf_counter() - started:.1f} s"
                )
            fast_school = _temporary_institution("导入基准测试（批量）")
            fast = self._fast(path, fast_school, rows, options["profile"])
            naive_school = _temporary_institution("导入基准测试（逐行）")
            naive_open, naive = self._naive(path, naive_school, naive_rows)
        # Opening the workbook is paid once; only the per-row part scales with the rows.
        naive_total = naive_open + (naive - naive_open) * rows / naive_rows
        self.stdout.write("")
        self.stdout.write(
            f"批量导入：{rows:,} 行 {fast:.2f} s，{rows / fast:,.0f} 行/秒（端到端，含读文件）"
        )
        if self.peak_mb is not None:
            self.stdout.write(f"批量导入峰值内存：{self.peak_mb:.0f} MB（RSS）")
        if naive_rows == rows:
            self.stdout.write(f"逐行导入：{rows:,} 行 {naive:.2f} s，{rows / naive:,.0f} 行/秒")
        else:
            self.stdout.write(
                f"逐行导入：只计时了前 {naive_rows:,} 行（{naive:.2f} s，其中打开文件 "
                f"{naive_open:.2f} s）；按每行用时推算 {rows:,} 行需 {naive_total:.1f} s，"
                f"{rows / naive_total:,.0f} 行/秒（推算值）"
            )
        self.stdout.write(
            f"倍数：{naive_total / fast:.1f}×（逐行导入也在一个事务中，每行一次 save()）"
        )

    def _fast(self, path: Path, school: Institution, rows: int, profile: Path | None) -> float:
        marks: list[tuple[float, int]] = []
        before_mb = _status_mb("VmRSS")
        peak_reset = _reset_peak()
        started, cpu_started = time.perf_counter(), time.process_time()

        def progress(done: int, total: int) -> None:
            marks.append((time.perf_counter() - started, done))

        def run() -> importing.ImportResult:
            return importing.import_roster(
                path,
                filename=path.name,
                institution=school,
                cohort_year=COHORT,
                create_missing=True,
                progress=progress,
            )

        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            result = profiler.runcall(run)
            profiler.dump_stats(profile)
        else:
            result = run()
        elapsed = time.perf_counter() - started
        if not result.ok:
            raise RuntimeError("generated roster did not import: " + result.as_text()[:2000])
        assert result.created == rows, result.as_dict()
        if marks and self.verbosity >= 2:
            first = marks[0][0]
            checked = next((t for t, done in marks if done == rows), elapsed)
            validated = marks[-2][0] if len(marks) > 1 else elapsed
            self.stdout.write(
                f"  读文件并加载参照数据 {first:.2f} s；逐行校验并写入 {validated - first:.2f} s；"
                f"收尾（更新、重点群体、提交）{elapsed - validated:.2f} s（{checked:.2f}）"
            )
        cpu = time.process_time() - cpu_started
        peak_mb = _status_mb("VmHWM")
        self.stdout.write(f"批量导入完成：{elapsed:.2f} s（本进程 CPU {cpu:.2f} s，其余为数据库）")
        if peak_mb is None:
            self.stdout.write("峰值内存：无法测量（需要 Linux 的 /proc）")
        else:
            scope = "导入期间" if peak_reset else "整个进程（含生成文件）"
            verdict = "达标" if peak_mb <= PEAK_TARGET_MB else "超标"
            self.stdout.write(
                f"峰值内存（RSS，{scope}）：{peak_mb:.0f} MB（导入开始前 {before_mb:.0f} MB；"
                f"目标 ≤ {PEAK_TARGET_MB} MB，{verdict}）"
            )
        self.peak_mb = peak_mb
        return elapsed

    def _naive(self, path: Path, school: Institution, limit: int) -> tuple[float, float]:
        """The loop people write first: read with openpyxl, look up and save one row at a time.

        Returns (seconds to open the workbook, seconds in all)."""
        started = time.perf_counter()
        workbook = load_workbook(path, read_only=True)
        sheet = workbook.worksheets[0]
        opened = time.perf_counter() - started
        kinds = {k.name: k for k in KeyGroupKind.objects.all()}
        with transaction.atomic():
            cohort = cohort_get_or_create(institution=school, year=COHORT)
            rows = sheet.iter_rows(min_row=2, max_row=limit + 1, values_only=True)
            for cells in rows:
                _naive_row(school, cohort, kinds, cells)
        workbook.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"逐行导入完成：{limit:,} 行 {elapsed:.2f} s（打开文件 {opened:.2f} s）")
        return opened, elapsed


def _naive_row(school: Institution, cohort: Cohort, kinds: dict, cells: tuple) -> None:
    (
        student_no,
        name,
        gender,
        id_number,
        ethnicity,
        political,
        level,
        department_name,
        major_name,
        specialization,
        year,
        origin,
        origin_type,
        hardship,
        phone,
        email,
    ) = cells
    student_no = v.normalize_text(student_no)
    gender = v.choice(gender, importing.GENDERS, field_label="性别")
    id_number = v.id_number(id_number, sex=importing.SEX_OF_GENDER[gender])
    level = v.choice(level, importing.DEGREE_LEVELS, field_label="学历层次")
    if v.year(year) != COHORT:
        raise ValueError("届别")
    origin = v.division_code(origin)
    department, _ = Department.objects.get_or_create(
        institution=school, name=v.normalize_text(department_name)
    )
    major, _ = Major.objects.get_or_create(
        institution=school, department=department, degree_level=level, name=major_name
    )
    digest = id_number_digest(id_number)
    if Graduate.objects.filter(institution=school, student_no=student_no).exists():
        raise ValueError("学号重复")
    if Graduate.objects.filter(institution=school, cohort=cohort, id_number_digest=digest).exists():
        raise ValueError("身份证号重复")
    graduate = Graduate(
        institution=school,
        cohort=cohort,
        student_no=student_no,
        name=v.normalize_text(name),
        gender=gender,
        id_number=id_number,
        ethnicity=v.choice(ethnicity, importing.ETHNICITIES, field_label="民族"),
        political_status=v.choice(political, importing.POLITICAL_STATUSES, field_label="政治面貌"),
        degree_level=level,
        department=department,
        major=major,
        specialization=v.normalize_text(specialization),
        origin_division=origin,
        origin_province=origin[:2] + "0000",
        origin_type=v.choice(origin_type, importing.ORIGIN_TYPES, field_label="城乡生源"),
        phone=v.mobile_phone(phone),
        email=v.email(email),
    )
    graduate.save()
    if not v.is_blank(hardship):
        names = v.multi_choice(hardship, {n: n for n in kinds}, field_label="困难生类别")
        # What the importer does too: suggestions, for a person to confirm.
        keygroups.suggest(
            institution_id=school.pk,
            at=timezone.now(),
            roster={graduate.pk: {kinds[n].code: f"生源名单“困难生类别”：{n}" for n in names}},
            profile={},
        )


def _temporary_institution(name: str) -> Institution:
    while True:
        code = f"9{random.randrange(10**8):08d}"  # 9 digits: no real school code is that long
        if not Institution.objects.filter(code=code).exists():
            return institution_create(code=code, name=name)
