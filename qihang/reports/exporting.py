"""The rates table as an xlsx workbook: a header block stating what was counted and when, then
the table (counts, rates as percentages, codes), in the order the dashboard showed it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from qihang.lib.tabular import neutralize_formula
from qihang.reports import stats

PERCENT = "0.00%"
POINTS = "+0.00;-0.00;0.00"
HEADER_FILL = PatternFill("solid", fgColor="F3E5E7")
TOTAL_FILL = PatternFill("solid", fgColor="F5F5F5")
THIN = Side(style="thin", color="BFBFBF")


def stats_workbook(
    result: dict[str, Any],
    *,
    previous: dict[str, Any] | None,
    code_names: dict[str, str],
    scope: str,
    exported_by: str,
    exported_at: dt.datetime,
) -> bytes:
    """`result` is cohort_stats(...); `previous` is compare_previous(...) for the same view."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("就业数据")
    definitions = result["definitions"]
    by_label = str(stats.GROUPINGS[result["by"]])
    as_of = stats.describe_moment(dt.datetime.fromisoformat(result["as_of"]))

    header_block = [
        _("%(name)s %(year)s届毕业生就业数据（按%(by)s）")
        % {"name": result["institution"]["name"], "year": result["cohort"], "by": by_label},
        _("截至：%(when)s") % {"when": as_of},
        _("统计口径：%(counted)s的毕业去向") % {"counted": definitions["counted"]},
        definitions["placement_definition"],
        definitions["signing_definition"],
        definitions["knowledge_definition"],
        _("去向代码版本：%(version)s") % {"version": definitions["code_set"]},
        _("统计范围：%(scope)s") % {"scope": scope},
    ]
    if result["by"] == "key_group":
        header_block.append(
            _(
                "说明：同属多个重点群体的毕业生在每个群体中各计一次，“无”为不属于任何重点群体者；合计按人数计。"
            )
        )
    if previous is not None:
        header_block.append(
            _("对比：%(year)s届同期（截至 %(when)s；%(definition)s）")
            % {
                "year": previous["cohort"],
                "when": stats.describe_moment(dt.datetime.fromisoformat(previous["as_of"])),
                "definition": previous["definitions"]["signing_definition"],
            }
        )
    header_block.append(
        _("导出：%(who)s，%(when)s") % {"who": exported_by, "when": f"{exported_at:%Y-%m-%d %H:%M}"}
    )
    for line_no, line in enumerate(header_block, start=1):
        cell = ws.cell(row=line_no, column=1, value=neutralize_formula(line))
        cell.font = Font(bold=line_no == 1, size=14 if line_no == 1 else 10)

    codes = list(result["total"]["by_code"])
    # By employer province every row is placed by definition (a rate would read 100%): the
    # table says where placed graduates went, as the dashboard does.
    where_placed = result["by"] in stats.WHERE_PLACED
    if where_placed:
        previous = None
    headings: list[tuple[str, str | None]] = [
        (by_label, None),
        (_("毕业生数"), None),
        (_("去向已知"), None),
        (_("已落实"), None),
        (_("已签约"), None),
    ]
    if where_placed:
        headings += [(_("占已落实毕业生"), PERCENT)]
    else:
        headings += [
            (_("毕业去向落实率"), PERCENT),
            (_("签约率"), PERCENT),
            (_("去向知晓率"), PERCENT),
        ]
    if previous is not None:
        headings += [
            (_("上届同期落实率"), PERCENT),
            (_("上届同期签约率"), PERCENT),
            (_("落实率变化（百分点）"), POINTS),
            (_("签约率变化（百分点）"), POINTS),
        ]
    headings += [(f"{code} {code_names.get(code, '')}".strip(), None) for code in codes]

    top = len(header_block) + 2
    for col, (title, _fmt) in enumerate(headings, start=1):
        cell = ws.cell(row=top, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(bottom=THIN)

    before = {row["key"]: row for row in previous["rows"]} if previous else {}
    rows = [*result["rows"], result["total"]]
    for offset, row in enumerate(rows, start=1):
        values: list[Any] = [
            neutralize_formula(row["label"]),
            row["total"],
            row["known"],
            row["placed"],
            row["signed"],
        ]
        if where_placed:
            values.append(stats.rate(row["placed"], result["total"]["placed"]))
        else:
            values += [row["placement_rate"], row["signing_rate"], row["knowledge_rate"]]
        if previous is not None:
            prior = previous["total"] if row is result["total"] else before.get(row["key"])
            values += _comparison(row, prior)
        values += [row["by_code"].get(code, 0) for code in codes]
        is_total = row is result["total"]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=top + offset, column=col, value=value)
            fmt = headings[col - 1][1]
            if fmt and value is not None:
                cell.number_format = fmt
            if is_total:
                cell.font = Font(bold=True)
                cell.fill = TOTAL_FILL
                cell.border = Border(top=THIN)

    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(headings))}{top + len(rows) - 1}"
    ws.column_dimensions["A"].width = max(16, min(48, max(len(str(r["label"])) for r in rows) * 2))
    for col in range(2, len(headings) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12 if col <= 12 else 10
    ws.row_dimensions[top].height = 32

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _comparison(row: dict[str, Any], prior: dict[str, Any] | None) -> list[Any]:
    if prior is None:
        return [None, None, None, None]
    return [
        prior["placement_rate"],
        prior["signing_rate"],
        round((row["placement_rate"] - prior["placement_rate"]) * 100, 2),
        round((row["signing_rate"] - prior["signing_rate"]) * 100, 2),
    ]
