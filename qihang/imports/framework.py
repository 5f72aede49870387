"""What every import shares: the error report, the result, and the all-or-nothing rule.

An importer reads the whole file, validates every row and collects every error; only when there
are none is anything committed, in one transaction. (An importer may send rows to the database
while it still checks later ones, inside that transaction, and roll it back on the first error:
graduates.importing does so on PostgreSQL.) So a file with one bad row writes nothing, and the
report lists every problem at once (row as the spreadsheet numbers it, header = 1).

Findings are of two kinds. An *error* means the row cannot be right (the 学号 is unknown, a
required value is missing, a date is in the future): the file is refused. A *warning* is a
value that has no meaning for its row (a 签约日期 on a not-placed 70/71/72 row, a column the
importer does not know) or a cell the importer normalised: it says what was done with the value
(`dropped` or `normalised`) and never blocks the import. Both name row, column and value.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError
from django.utils.translation import gettext as _

from qihang.lib.tabular import (
    Limits,
    Row,
    Source,
    TableError,
    column_letter,
    read_table,
    resolve_columns,
    unrecognised_columns,
)

ProgressCallback = Callable[[int, int], None]  # (rows done, rows total)
# After the database refused a write: the file's (row, column header, value) that another
# writer stored meanwhile, found by looking again once the import's transaction is rolled back.
ConflictFinder = Callable[[], list[tuple[int, str, str]]]

logger = logging.getLogger(__name__)

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


class WarningAction:
    """What the importer did with a value it warns about."""

    DROPPED = "dropped"  # not stored: it has no meaning for the row
    NORMALISED = "normalised"  # stored in its normal form


ACTION_LABELS = {WarningAction.DROPPED: "已忽略", WarningAction.NORMALISED: "已规范化"}


@dataclass(frozen=True)
class RowWarning:
    row: int  # as RowError
    column: str
    value: str  # masked where the column is sensitive
    message: str
    action: str  # WarningAction

    def as_text(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            where += f"，{self.column}列"
        shown = f"「{self.value}」" if self.value else ""
        return f"{where}{shown}：{self.message}（{ACTION_LABELS.get(self.action, self.action)}）"


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
    warnings: list[RowWarning] = field(default_factory=list)
    warnings_truncated: bool = False

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
            "warnings": [asdict(w) for w in self.warnings],
            "warnings_truncated": self.warnings_truncated,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def as_text(self) -> str:
        if self.ok:
            verb = "校验通过（未写入）" if self.dry_run else "导入成功"
            lines = [
                f"{verb}：共{self.rows}行，新增{self.created}，更新{self.updated}，"
                f"未变{self.unchanged}。"
            ]
        else:
            lines = [f"导入失败，未写入任何数据：发现{len(self.errors)}处错误。"]
            lines += [e.as_text() for e in self.errors]
            if self.errors_truncated:
                lines.append(f"（只列出前{MAX_REPORTED_ERRORS}处错误）")
        if self.warnings:
            lines.append(f"提示{len(self.warnings)}处（不影响导入）：")
            lines += [w.as_text() for w in self.warnings]
            if self.warnings_truncated:
                lines.append(f"（只列出前{MAX_REPORTED_ERRORS}处提示）")
        return "\n".join(lines)


class ErrorCollector:
    """Collects row errors and warnings, each capped so a wrong file cannot exhaust memory.

    Its truth is the errors' alone: warnings never make an import fail."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.truncated = False
        self.warnings: list[RowWarning] = []
        self.warnings_truncated = False

    def add(self, row: int, column: str, value: str, message: str) -> None:
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.truncated = True
            return
        self.errors.append(RowError(row, column, value, message))

    def warn(self, row: int, column: str, value: str, message: str, *, action: str) -> None:
        if len(self.warnings) >= MAX_REPORTED_ERRORS:
            self.warnings_truncated = True
            return
        self.warnings.append(RowWarning(row, column, value, message, action))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def sorted_warnings(self) -> list[RowWarning]:
        return sorted(self.warnings, key=lambda w: (w.row, w.column))

    def failed(self, rows: int, *, dry_run: bool) -> ImportResult:
        return ImportResult(
            ok=False,
            rows=rows,
            dry_run=dry_run,
            errors=sorted(self.errors, key=lambda e: (e.row, e.column)),
            errors_truncated=self.truncated,
            warnings=self.sorted_warnings(),
            warnings_truncated=self.warnings_truncated,
        )


class Abort(Exception):
    """Raised inside an import's transaction to roll it back when rows have errors."""


@dataclass
class Sheet:
    """A file's header, its columns mapped to the importer's fields, and its data rows."""

    headers: list[str]
    columns: dict[str, int]  # field -> column index
    rows: list[tuple[int, Row]]  # (spreadsheet row number, cells)


def import_limits() -> Limits:
    """The bounds an import file must stay within, from the settings (QIHANG_IMPORT_MAX_*)."""
    return Limits(
        uncompressed_bytes=settings.QIHANG_IMPORT_MAX_UNCOMPRESSED_BYTES,
        part_bytes=settings.QIHANG_IMPORT_MAX_PART_BYTES,
        cells=settings.QIHANG_IMPORT_MAX_CELLS,
        rows=settings.QIHANG_IMPORT_MAX_ROWS,
        columns=settings.QIHANG_IMPORT_MAX_COLUMNS,
        cell_chars=settings.QIHANG_IMPORT_MAX_CELL_CHARS,
    )


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
        table = read_table(source, filename=filename, limits=import_limits())
        rows = list(table.rows)
    except TableError as exc:
        for message in exc.messages:
            errors.add(0, "", "", message)
        return errors.failed(0, dry_run=dry_run)
    except OSError as exc:
        errors.add(0, "", "", _("无法读取文件：%(error)s") % {"error": exc})
        return errors.failed(0, dry_run=dry_run)
    for index in unrecognised_columns(table.headers, spec):
        errors.warn(
            1,
            table.headers[index],
            "",
            _("无法识别的列（%(letter)s列），该列未导入") % {"letter": column_letter(index)},
            action=WarningAction.DROPPED,
        )
    try:
        # A column the importer does not know (a provincial export's 姓名 in a destinations
        # file, an office's own 备注) is left out, with a warning: it cannot make a row wrong.
        columns = resolve_columns(table.headers, spec, ignore_unknown=True)
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
    conflicts: ConflictFinder | None = None,
) -> ImportResult:
    """Run an importer's checks and writes, which return (created, updated, unchanged) or
    raise Abort when rows have errors: the result, with nothing written unless it is ok.

    When the database refuses the write (another import or a person wrote the same 学号 since
    the checks), `conflicts` names the rows concerned; the report says so in words."""
    try:
        created, updated, unchanged = run()
    except Abort:
        return errors.failed(rows, dry_run=dry_run)
    except IntegrityError:
        # Every constraint was checked beforehand: only a concurrent write gets here. The
        # person gets words and the rows, never the database's message (that goes to the log).
        logger.warning("import refused by a database constraint", exc_info=True)
        _report_conflicts(errors, conflicts)
        return errors.failed(rows, dry_run=dry_run)
    except DatabaseError:
        logger.exception("import failed in the database")
        errors.add(
            0,
            "",
            "",
            _("写入数据库时出错，未写入任何数据；请稍后重新导入，如果仍然出错请联系管理员。"),
        )
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
        warnings=errors.sorted_warnings(),
        warnings_truncated=errors.warnings_truncated,
    )


def _report_conflicts(errors: ErrorCollector, conflicts: ConflictFinder | None) -> None:
    found: list[tuple[int, str, str]] = []
    if conflicts is not None:
        try:
            found = conflicts()
        except DatabaseError:  # the connection may be unusable: the general words then
            logger.warning("could not look for the conflicting rows", exc_info=True)
    for row, column, value in found:
        errors.add(
            row,
            column,
            value,
            _(
                "另一个导入或另一位用户同时写入了%(column)s %(value)s 的数据；"
                "本次导入未写入任何数据，请重新导入。"
            )
            % {"column": column, "value": value},
        )
    if not found:
        errors.add(
            0,
            "",
            "",
            _(
                "写入时与同时进行的另一项修改冲突（例如另一个导入写入了相同的学号），"
                "本次导入未写入任何数据；请重新导入。"
            ),
        )
