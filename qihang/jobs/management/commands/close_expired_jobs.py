"""qihang close_expired_jobs [--today YYYY-MM-DD]: expire published jobs past their deadline."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from qihang.jobs.services import jobs_close_expired


class Command(BaseCommand):
    help = "Close published jobs whose deadline is before today (or --today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to compare deadlines with (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = (
                dt.date.fromisoformat(options["today"])
                if options["today"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--today 应为 YYYY-MM-DD：{options['today']}") from exc
        count = jobs_close_expired(today=today)
        self.stdout.write(f"已关闭过期岗位 {count} 个（截止日期早于 {today.isoformat()}）。")
