"""An event's registration list as an xlsx workbook: a header block (the event, when and
where, who exported it and when), then one row per registration with masked personal data only
(name, student no., institution and department, the masked phone), its status and times.

The columns are declared once (COLUMNS); the staff registration page shows the same data."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from qihang.events.models import Event, Registration
from qihang.lib.tabular import neutralize_formula


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class Column(NamedTuple):
    header: Any  # a lazy translation
    value: Callable[[Registration], Any]
    width: int


COLUMNS = (
    Column(gettext_lazy("姓名"), lambda r: r.graduate.name, 12),
    Column(gettext_lazy("学号"), lambda r: r.graduate.student_no, 14),
    Column(gettext_lazy("学校"), lambda r: r.institution.short_name or r.institution.name, 16),
    Column(gettext_lazy("院系"), lambda r: r.graduate.department.name, 16),
    Column(gettext_lazy("手机（脱敏）"), lambda r: str(r.graduate.phone), 14),
    Column(gettext_lazy("状态"), lambda r: str(r.get_status_display()), 8),
    Column(gettext_lazy("报名时间"), lambda r: _when(r.created_at), 17),
    Column(gettext_lazy("候补转正时间"), lambda r: _when(r.promoted_at), 17),
    Column(gettext_lazy("取消时间"), lambda r: _when(r.cancelled_at), 17),
    Column(gettext_lazy("签到时间"), lambda r: _when(r.checked_in_at), 17),
)


def registrations_workbook(
    event: Event,
    registrations: Iterable[Registration],
    *,
    exported_by: str,
    exported_at: dt.datetime,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("报名名单")
    header_block = [
        event.title,
        _("%(kind)s · %(start)s–%(end)s · %(place)s")
        % {
            "kind": event.get_kind_display(),
            "start": _when(event.starts_at),
            "end": timezone.localtime(event.ends_at).strftime("%H:%M"),
            "place": event.place,
        },
        _("名额 %(capacity)s，已报名 %(seats)s")
        % {"capacity": event.capacity, "seats": event.seats_taken},
        _("导出：%(who)s，%(when)s") % {"who": exported_by, "when": _when(exported_at)},
    ]
    for line_no, line in enumerate(header_block, start=1):
        cell = ws.cell(row=line_no, column=1, value=neutralize_formula(line))
        cell.font = Font(bold=line_no == 1, size=14 if line_no == 1 else 10)
    first = len(header_block) + 2
    for col, column in enumerate(COLUMNS, start=1):
        ws.cell(row=first, column=col, value=str(column.header)).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=first, column=col).column_letter].width = column.width
    for row, registration in enumerate(registrations, start=first + 1):
        for col, column in enumerate(COLUMNS, start=1):
            ws.cell(row=row, column=col, value=neutralize_formula(column.value(registration)))
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
