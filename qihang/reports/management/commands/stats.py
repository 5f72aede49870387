"""`qihang stats --institution CODE --cohort YEAR --by department … [--as-of DATE] [--json]`.

Prints the rates as the institution's whole-institution view (the career centre's), through
the same selector as the dashboard.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qihang.institutions.models import Cohort, Institution
from qihang.institutions.scoping import system_actor
from qihang.reports import selectors, stats


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


class Command(BaseCommand):
    help = "Placement, signing and knowledge rates of a cohort, grouped, as of a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument("--cohort", required=True, type=int, help="graduation year, e.g. 2020")
        parser.add_argument("--by", default="department", choices=list(stats.GROUPINGS))
        parser.add_argument(
            "--as-of", dest="as_of", help="YYYY-MM-DD: as at the end of that day (default: now)"
        )
        parser.add_argument("--kind", default="official", choices=list(stats.KINDS))
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        institution = Institution.objects.filter(code=opts["institution"]).first()
        if institution is None:
            raise CommandError(_("学校代码 %(code)s 不存在。") % {"code": opts["institution"]})
        cohort = Cohort.objects.filter(institution=institution, year=opts["cohort"]).first()
        if cohort is None:
            raise CommandError(
                _("%(name)s 没有 %(year)s 届。")
                % {"name": institution.name, "year": opts["cohort"]}
            )
        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError as exc:
                raise CommandError(
                    _("--as-of 应为 YYYY-MM-DD，收到“%(value)s”。") % {"value": opts["as_of"]}
                ) from exc
            first, last = stats.REPORT_DAYS
            if not first <= as_of <= last:
                raise CommandError(
                    _("日期须在 %(first)s 至 %(last)s 之间。")
                    % {"first": first.isoformat(), "last": last.isoformat()}
                )
        result = selectors.cohort_stats(
            actor=system_actor(institution.pk),
            cohort=cohort,
            by=opts["by"],
            as_of=as_of,
            kind=opts["kind"],
        )
        coverage = None
        if opts["by"] == "key_group":  # and the assistance given, by department (issue 10)
            from qihang.assistance.selectors import coverage as assistance_coverage

            coverage = assistance_coverage(system_actor(institution.pk), cohort, as_of=as_of)
            result["assistance"] = {
                "definitions": coverage["definitions"],
                "rows": [row.as_dict() for row in coverage["rows"]],
                "total": coverage["total"].as_dict(),
            }
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self._table(result))
            if coverage is not None:
                self.stdout.write(self._coverage(coverage))

    def _table(self, result: dict[str, Any]) -> str:
        d = result["definitions"]
        when = stats.describe_moment(dt.datetime.fromisoformat(result["as_of"]))
        lines = [
            _("%(code)s %(name)s · %(year)s届 · 按%(by)s · 截至 %(when)s · %(counted)s口径")
            % {
                "code": result["institution"]["code"],
                "name": result["institution"]["name"],
                "year": result["cohort"],
                "by": stats.GROUPINGS[result["by"]],
                "when": when,
                "counted": d["counted"],
            },
            d["placement_definition"],
            d["signing_definition"],
            d["knowledge_definition"],
            "",
        ]
        headers = [str(stats.GROUPINGS[result["by"]]), _("总数"), _("已知"), _("落实"), _("签约")]
        headers += [_("落实率"), _("签约率"), _("知晓率")]
        rows = [*result["rows"], result["total"]]
        table = [
            [
                row["label"],
                str(row["total"]),
                str(row["known"]),
                str(row["placed"]),
                str(row["signed"]),
                f"{row['placement_rate'] * 100:.2f}%",
                f"{row['signing_rate'] * 100:.2f}%",
                f"{row['knowledge_rate'] * 100:.2f}%",
            ]
            for row in rows
        ]
        widths = [max(_width(r[i]) for r in [headers, *table]) for i in range(len(headers))]
        for i, cells in enumerate([headers, *table]):
            if i == len(table):  # before the total row
                lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
            lines.append(
                "  ".join(_pad(c, widths[j], right=j > 0) for j, c in enumerate(cells)).rstrip()
            )
        if result["by"] == "key_group":
            lines.append(_("（同属多个重点群体者在每个群体中各计一次；合计按人数计。）"))
        if "grouping_definition" in d:
            lines.append(d["grouping_definition"])
        return "\n".join(lines)

    def _coverage(self, coverage: dict[str, Any]) -> str:
        headers = [_("院系"), _("毕业生"), _("全体落实率"), _("重点群体"), _("重点群体落实率")]
        headers += [_("建档立策"), _("近30天跟进")]
        rows = [*coverage["rows"], coverage["total"]]
        table = [
            [
                row.label or _("合计"),
                str(row.cohort_total),
                row.texts["cohort_rate"],
                str(row.key_group),
                row.texts["rate"],
                f"{row.planned} ({row.texts['plans']})",
                f"{row.followed_up} ({row.texts['follow_ups']})",
            ]
            for row in rows
        ]
        widths = [max(_width(r[i]) for r in [headers, *table]) for i in range(len(headers))]
        lines = ["", _("重点群体帮扶（按院系）")]
        for i, cells in enumerate([headers, *table]):
            if i == len(table):
                lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
            lines.append(
                "  ".join(_pad(c, widths[j], right=j > 0) for j, c in enumerate(cells)).rstrip()
            )
        lines += list(coverage["definitions"].values())
        return "\n".join(lines)
