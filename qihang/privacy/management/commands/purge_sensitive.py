"""`qihang purge_sensitive [--today YYYY-MM-DD] [--dry-run]`: anonymise the personal data of
cohorts past their retention period (qihang.privacy.retention). Run it daily; safe to rerun."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qihang.privacy.retention import purge_sensitive


class Command(BaseCommand):
    help = "Anonymise the personal data of cohorts whose retention period is over."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="the day to compare the retention with")
        parser.add_argument("--dry-run", action="store_true", help="list the cohorts due")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            today = dt.date.fromisoformat(opts["today"]) if opts["today"] else None
        except ValueError as exc:
            raise CommandError("--today 应为 YYYY-MM-DD") from exc
        reports = purge_sensitive(today=today, dry_run=opts["dry_run"])
        for report in reports:
            verb = "到期" if opts["dry_run"] else "已匿名化"
            self.stdout.write(
                f"{report.get('institution', '')} {report['year']}届：{verb} "
                f"{report.get('graduates', 0)} 名毕业生"
            )
        if not reports:
            self.stdout.write("没有到期的届别。")
