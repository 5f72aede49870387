"""qihang import_jobs FILE --institution CODE --source NAME [--mapping FILE] [--dry-run]
[--json] [--publish]: postings of an external feed (CSV, xlsx or JSON)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.imports.framework import ErrorCollector
from qihang.institutions.models import Institution
from qihang.jobs.importing import _report, import_jobs


class Command(BaseCommand):
    help = (
        "Import job postings from a city recruitment network's or the national platform's export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument(
            "--source", required=True, help="the feed's name (上海市高校毕业生就业网)"
        )
        parser.add_argument("--mapping", type=Path, help='JSON {"field": "column header"}')
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="trusted source: publish postings at once unless held",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        institution = Institution.objects.filter(code=options["institution"].strip()).first()
        source = options["source"].strip()[:60]
        errors = ErrorCollector()
        if institution is None:
            errors.add(0, "", "", f"学校代码 {options['institution']} 不存在。")
        elif not path.is_file():
            errors.add(0, "", "", f"文件 {path} 不存在。")
        elif not source:
            errors.add(0, "", "", "--source 不能为空。")
        if errors:
            report = _report(errors)
        else:
            report = import_jobs(
                path,
                institution=institution,
                source=source,
                mapping=options["mapping"],
                dry_run=options["dry_run"],
                publish=options["publish"],
            )
        self.stdout.write(report.as_json() if options["json"] else report.as_text())
        if not report.ok:
            raise CommandError(
                f"导入失败：{len(report.errors)}处错误，未写入任何数据。", returncode=1
            )
