"""`qihang purge_evidence [--today YYYY-MM-DD]`: delete evidence files past their retention.

Run it daily (a systemd timer or cron, like `qihang purge_import_files`). A graduate's evidence
is kept until the end of the year `retention_years` (the institution's evidence settings, never
less than 3) after their graduation year; then its files are deleted, its rows marked purged,
and one audit entry per institution records the counts. Safe to run twice.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.destinations.services import evidence_purge


class Command(BaseCommand):
    help = "Delete evidence files kept longer than the retention period after graduation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to compare retention with (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today 应为 YYYY-MM-DD：{options['today']}") from exc
        report = evidence_purge(today=today)
        rows = sum(c["rows"] for c in report.values())
        files = sum(c["files"] for c in report.values())
        self.stdout.write(
            f"已清理超过保存期限的证明材料{rows}条（删除文件{files}个，涉及{len(report)}所学校）。"
        )
