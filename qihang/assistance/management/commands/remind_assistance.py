"""`qihang remind_assistance [--date YYYY-MM-DD]`: tell mentors and department staff which
key-group graduates' follow-ups are overdue, and on 31 May and 30 June which of them are still
unplaced. Run it once a day (a systemd timer or cron); a second run the same day tells nobody
twice."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qihang.assistance.services import remind
from qihang.institutions.models import Institution


class Command(BaseCommand):
    help = "Send the key-group assistance reminders (overdue follow-ups, milestone days)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="the day to remind for (default: today)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            today = dt.date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--date 应为 YYYY-MM-DD") from exc
        for institution in Institution.objects.order_by("code"):
            counts = remind(institution_id=institution.pk, today=today)
            self.stdout.write(
                f"{institution.code} {institution.name}：跟进逾期 {counts['overdue']} 人，"
                f"节点未落实 {counts['unplaced']} 人"
            )
