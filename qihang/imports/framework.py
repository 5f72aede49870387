"""What every import shares: the error report, the result, and the all-or-nothing rule.

An importer reads the whole file, validates every row and collects every error; only when there
are none is anything committed, in one transaction. (An importer may send rows to the database
while it still checks later ones, inside that transaction, and roll it back on the first error:
graduates.importing does so on PostgreSQL.) So a file with one bad row writes nothing, and the
report lists every problem at once (row as the spreadsheet numbers it, header = 1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext as _

from qihang.lib.tabular import Row, Source, TableError, read_table, resolve_columns

ProgressCallback = Callable[[int, int], None]  # (rows done, rows total)

MAX_REPORTED_ERRORS = 5000  # a wholly wrong file should not produce a 100,000-line report


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; 1 is the header, 0 means the file as a whole
    column: str  # the column's header as written in the file ("" for whole-row problems)
    value: str  # masked where the column is sensitive
    message: str

    def as_text(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            where += f"，{self.column}列"
        shown = f"「{self.value}」" if self.value else ""
        return f"{where}{shown}：{self.message}"


@dataclass
class ImportResult:
    ok: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "errors": [asdict(e) for e in self.errors],
            "errors_truncated": self.errors_truncated,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def as_text(self) -> str:
        if self.ok:
            verb = "校验通过（未写入）" if self.dry_run else "导入成功"
            return (
                f"{verb}：共{self.rows}行，新增{self.created}，更新{self.updated}，"
                f"未变{self.unchanged}。"
            )
        lines = [f"导入失败，未写入任何数据：发现{len(self.errors)}处错误。"]
        lines += [e.as_text() for e in self.errors]
        if self.errors_truncated:
            lines.append(f"（只列出前{MAX_REPORTED_ERRORS}处错误）")
        return "\n".join(lines)


class ErrorCollector:
    """Collects row errors, capped so a wrong file cannot exhaust memory."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.truncated = False

    def add(self, row: int, column: str, value: str, message: str) -> None:
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.truncated = True
            return
        self.errors.append(RowError(row, column, value, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def failed(self, rows: int, *, dry_run: bool) -> ImportResult:
        return ImportResult(
            ok=False,
            rows=rows,
            dry_run=dry_run,
            errors=sorted(self.errors, key=lambda e: (e.row, e.column)),
            errors_truncated=self.truncated,
        )


class Abort(Exception):
    """Raised inside an import's transaction to roll it back when rows have errors."""


@dataclass
class Sheet:
    """A file's header, its columns mapped to the importer's fields, and its data rows."""

    headers: list[str]
    columns: dict[str, int]  # field -> column index
    rows: list[tuple[int, Row]]  # (spreadsheet row number, cells)


def read_sheet(
    source: Source,
    *,
    filename: str,
    spec: dict[str, list[str]],
    errors: ErrorCollector,
    dry_run: bool,
) -> Sheet | ImportResult:
    """Open the file and map its header to `spec` (field -> accepted headers); the failed
    result instead when the file, its header or its lack of rows won't do (the file as a
    whole is reported as row 0, the header as row 1)."""
    try:
        table = read_table(source, filename=filename)
        rows = list(table.rows)
    except TableError as exc:
        for message in exc.messages:
            errors.add(0, "", "", message)
        return errors.failed(0, dry_run=dry_run)
    except OSError as exc:
        errors.add(0, "", "", _("无法读取文件：%(error)s") % {"error": exc})
        return errors.failed(0, dry_run=dry_run)
    try:
        columns = resolve_columns(table.headers, spec)
    except TableError as exc:
        for message in exc.messages:
            errors.add(1, "", "", message)
        return errors.failed(len(rows), dry_run=dry_run)
    if not rows:
        errors.add(0, "", "", _("文件中没有数据行（第1行应为表头，数据从第2行开始）。"))
        return errors.failed(0, dry_run=dry_run)
    return Sheet(headers=table.headers, columns=columns, rows=rows)


def run_import(
    run: Callable[[], tuple[int, int, int]],
    *,
    rows: int,
    errors: ErrorCollector,
    dry_run: bool,
    progress: ProgressCallback | None,
) -> ImportResult:
    """Run an importer's checks and writes, which return (created, updated, unchanged) or
    raise Abort when rows have errors: the result, with nothing written unless it is ok."""
    try:
        created, updated, unchanged = run()
    except Abort:
        return errors.failed(rows, dry_run=dry_run)
    except DatabaseError as exc:
        # Only a concurrent change can get here: every constraint was checked beforehand.
        errors.add(0, "", "", _("写入数据库失败，未写入任何数据：%(error)s") % {"error": exc})
        return errors.failed(rows, dry_run=dry_run)
    if errors:  # a dry run's errors
        return errors.failed(rows, dry_run=dry_run)
    if progress is not None:
        progress(rows, rows)
    return ImportResult(
        ok=True,
        created=created,
        updated=updated,
        unchanged=unchanged,
        rows=rows,
        dry_run=dry_run,
    )
