"""`qihang send_digests [--date YYYY-MM-DD]`: the daily digest e-mails.

One e-mail per person with the day's messages of kinds they chose to get as a digest. Run it
once a day after midnight (a systemd timer or cron); without --date it sends yesterday's (in
QIHANG_TIME_ZONE). Running it twice for a date sends nothing the second time.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qihang.notifications.delivery import digests_send


class Command(BaseCommand):
    help = (
        "Send one digest e-mail per person for a day's digest notifications (default: yesterday)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") from exc
        else:
            day = timezone.localdate() - dt.timedelta(days=1)
        sent = digests_send(day=day)
        self.stdout.write(f"{day.isoformat()}：已发送{sent}封通知汇总邮件。")
