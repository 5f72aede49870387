"""`qihang rebuild_rates_summary [--check]`: reinstall the rates summaries' triggers and recount.

Needed only after changing TIME_ZONE (the summaries count local weeks) or after writing to the
database with the triggers disabled. `--check` only compares the summaries with a recount.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qihang.reports import summary


class Command(BaseCommand):
    help = "Reinstall the PostgreSQL rates summaries and recount them from graduates and periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; change nothing")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        if not summary.supported():
            self.stdout.write(_("当前数据库不是 PostgreSQL：统计直接计算，无需汇总表。"))
            return
        if check:
            diff = summary.differences()
            zone = summary.installed_time_zone()
            self.stdout.write(
                _(
                    "汇总表与明细不一致的行：逐周 %(flows)s，累计 %(totals)s，人数 %(roster)s；"
                    "按周时区 %(zone)s"
                )
                % {**diff, "zone": zone}
            )
            if any(diff.values()):
                raise CommandError(_("汇总表与明细不一致，请运行 qihang rebuild_rates_summary。"))
            return
        summary.install()
        self.stdout.write(self.style.SUCCESS(_("已重建汇总表。")))
