"""`qihang import_roster FILE --institution CODE --cohort YEAR`: import a roster spreadsheet.

All or nothing: a file with any error writes nothing, lists every error (row, column, value,
reason) and exits with status 1. `--json` prints the report as JSON on stdout.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.graduates.importing import import_roster
from qihang.imports.framework import ErrorCollector, ImportResult
from qihang.institutions.models import Institution


class Command(BaseCommand):
    help = "Import a graduate roster (生源信息) from .xlsx or .csv (UTF-8 or GB18030)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument("--cohort", required=True, type=int, help="graduation year (届别)")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create departments and majors the file names but the school does not have",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        as_json: bool = options["json"]
        institution = Institution.objects.filter(code=options["institution"].strip()).first()
        if institution is None:
            result = _file_error(f"学校代码 {options['institution']} 不存在。", options["dry_run"])
        elif not path.is_file():
            result = _file_error(f"文件 {path} 不存在。", options["dry_run"])
        else:
            result = import_roster(
                path,
                filename=path.name,
                institution=institution,
                cohort_year=options["cohort"],
                create_missing=options["create_missing"],
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
        shown = {"step": -1}

        def report(done: int, total: int) -> None:
            step = 10 * done // total if total else 10
            if step != shown["step"] and total >= 5000:
                shown["step"] = step
                self.stderr.write(f"已校验 {done}/{total} 行", ending="\r")

        return report


def _file_error(message: str, dry_run: bool) -> ImportResult:
    errors = ErrorCollector()
    errors.add(0, "", "", message)
    return errors.failed(0, dry_run=dry_run)
