"""`qihang import_destinations FILE --institution CODE --cohort YEAR`: import destinations.

The career centre's file, recorded as centre-approved with the file kept as evidence. All or
nothing: a file with any error writes nothing, lists every error (row, column, value, reason)
and exits with status 1. `--json` prints the report as JSON on stdout.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.destinations.importing import import_destinations
from qihang.imports.framework import ErrorCollector, ImportResult
from qihang.institutions.models import Institution


class Command(BaseCommand):
    help = (
        "Import graduates' destinations (毕业去向) from .xlsx or .csv as approved by the career "
        "centre; columns 学号, 毕业去向代码, 单位名称, 统一社会信用代码, 单位性质, 单位所在地, "
        "协议书编号, 签约日期."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument("--cohort", required=True, type=int, help="graduation year (届别)")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        as_json: bool = options["json"]
        institution = Institution.objects.filter(code=options["institution"].strip()).first()
        if institution is None:
            result = _file_error(f"学校代码 {options['institution']} 不存在。", options["dry_run"])
        elif not path.is_file():
            result = _file_error(f"文件 {path} 不存在。", options["dry_run"])
        else:
            result = import_destinations(
                path,
                filename=path.name,
                institution=institution,
                cohort_year=options["cohort"],
                dry_run=options["dry_run"],
                progress=None if as_json else self._progress(options["verbosity"]),
            )
        self.stdout.write(result.as_json() if as_json else result.as_text())
        if not result.ok:
            raise CommandError(
                f"导入失败：{len(result.errors)}处错误，未写入任何数据。", returncode=1
            )

    def _progress(self, verbosity: int):  # noqa: ANN202
        if verbosity < 1 or not sys.stderr.isatty():
            return None

        def report(done: int, total: int) -> None:
            if total >= 5000:
                self.stderr.write(f"已校验 {done}/{total} 行", ending="\r")

        return report


def _file_error(message: str, dry_run: bool) -> ImportResult:
    errors = ErrorCollector()
    errors.add(0, "", "", message)
    return errors.failed(0, dry_run=dry_run)
