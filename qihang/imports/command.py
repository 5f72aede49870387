"""The shape every `qihang import_*` command shares: FILE, --institution, --cohort, --dry-run,
--json; a text or JSON report on stdout; exit status 1 when anything is wrong."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.imports.framework import ErrorCollector, ImportResult, ProgressCallback
from qihang.institutions.models import Institution


class ImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument("--cohort", required=True, type=int, help="graduation year (届别)")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def run_import(
        self,
        path: Path,
        *,
        institution: Institution,
        options: dict[str, Any],
        progress: ProgressCallback | None,
    ) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        as_json: bool = options["json"]
        institution = Institution.objects.filter(code=options["institution"].strip()).first()
        if institution is None:
            result = file_error(f"学校代码 {options['institution']} 不存在。", options["dry_run"])
        elif not path.is_file():
            result = file_error(f"文件 {path} 不存在。", options["dry_run"])
        else:
            result = self.run_import(
                path,
                institution=institution,
                options=options,
                progress=None if as_json else self.progress_reporter(options["verbosity"]),
            )
        self.stdout.write(result.as_json() if as_json else result.as_text())
        if not result.ok:
            raise CommandError(
                f"导入失败：{len(result.errors)}处错误，未写入任何数据。", returncode=1
            )

    def progress_reporter(self, verbosity: int) -> ProgressCallback | None:
        # Only on a terminal, and only for files big enough to wait for.
        if verbosity < 1 or not sys.stderr.isatty():
            return None
        shown = {"step": -1}

        def report(done: int, total: int) -> None:
            step = 10 * done // total if total else 10
            if step != shown["step"] and total >= 5000:
                shown["step"] = step
                self.stderr.write(f"已校验 {done}/{total} 行", ending="\r")

        return report


def file_error(message: str, dry_run: bool) -> ImportResult:
    errors = ErrorCollector()
    errors.add(0, "", "", message)
    return errors.failed(0, dry_run=dry_run)
