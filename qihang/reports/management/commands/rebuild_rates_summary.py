"""`qihang rebuild_rates_summary [--check]`: reinstall the rates summaries' triggers and recount.

Needed only after changing TIME_ZONE (the summaries count local weeks) or after writing to the
database with the triggers disabled. `--check` only compares the summaries with a recount.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.graduates.services import roster_sync
from qihang.institutions.models import Institution
from qihang.reports import summary


class Command(BaseCommand):
    help = (
        "Reinstall the PostgreSQL rates summaries and recount them from roster and destination "
        "periods; first bring every graduate's roster period in line (from now on only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; change nothing")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        if not summary.supported():
            self.stdout.write(_("当前数据库不是 PostgreSQL：统计直接计算，无需汇总表。"))
            if check and summary.differences()["roster"]:
                raise CommandError(
                    _("有毕业生的在册记录与其信息不一致，请运行 qihang rebuild_rates_summary。")
                )
            if not check:
                self._sync_roster()
            return
        if check:
            diff = summary.differences()
            zone = summary.installed_time_zone()
            self.stdout.write(
                _(
                    "汇总表与明细不一致的行：逐周 %(flows)s，累计 %(totals)s，在册记录 %(roster)s；"
                    "按周时区 %(zone)s"
                )
                % {**diff, "zone": zone}
            )
            if any(diff.values()):
                raise CommandError(_("汇总表与明细不一致，请运行 qihang rebuild_rates_summary。"))
            return
        self._sync_roster()
        summary.install()
        self.stdout.write(self.style.SUCCESS(_("已重建汇总表。")))

    def _sync_roster(self) -> None:
        # A writer that skipped roster_sync left graduates without a matching roster period:
        # they are put right from now on (never back-dated: past figures stay as published).
        at = timezone.now()
        with transaction.atomic():
            for institution_id in Institution.objects.values_list("pk", flat=True):
                roster_sync(institution_id=institution_id, at=at)
