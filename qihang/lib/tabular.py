"""Reading spreadsheet uploads as rows, and writing xlsx and csv exports.

:func:`read_table` yields raw cell values (normalisation is the validators' job) with
the row numbers the user sees in Excel, so error messages can point at them.
:func:`write_annotated_xlsx` writes the rows back with the offending cells highlighted,
for the "download the errors, fix, re-upload" loop.

Django-free on purpose; messages are plain Simplified Chinese strings.
"""

import csv
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetVisibleEnum,
)

from qihang.lib.validators import FORMULA_STARTS, CellValue, normalize_text

__all__ = [
    "ERROR_HEADER",
    "Source",
    "Table",
    "TableError",
    "column_letter",
    "neutralize_formula",
    "read_table",
    "resolve_columns",
    "write_annotated_xlsx",
    "write_csv",
    "write_xlsx",
]

type Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
type Row = list[CellValue]

# Extra last column of annotated workbooks; resolve_columns ignores it on re-upload.
ERROR_HEADER = "错误"

_WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
_CSV_SUFFIXES = frozenset({".csv"})


class TableError(ValueError):
    """The file as a whole cannot be used; ``messages`` lists every reason found."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


@dataclass
class Table:
    """Headers plus a one-shot iterator of ``(spreadsheet_row_number, cells)``.

    Cells are padded/truncated to ``len(headers)``; empty cells are ``None`` (text of
    only spaces is passed through: validators treat it as blank, see ``is_blank``).
    Blank rows are skipped without disturbing the numbering (header on row 1 → data
    from row 2).
    """

    headers: list[str]
    rows: Iterator[tuple[int, Row]]
    sheet_name: str | None = None
    header_row: int = 1


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 → A)."""
    return get_column_letter(index + 1)


# --- reading -------------------------------------------------------------------------


def read_table(source: Source, *, filename: str, header_row: int = 1) -> Table:
    """Open an uploaded .xlsx/.xlsm/.xls or .csv file.

    ``filename`` (the upload's name) decides the format.  Workbooks are read with
    python-calamine from the first visible worksheet; numeric cells come back as
    ``float`` and date cells as ``datetime``/``date``.  CSV is decoded as UTF-8 (BOM
    optional), falling back to GB18030 (what Excel on Chinese Windows writes).
    """
    suffix = Path(filename).suffix.lower()
    if suffix in _WORKBOOK_SUFFIXES:
        sheet_name, raw_rows = _workbook_rows(source)
    elif suffix in _CSV_SUFFIXES:
        sheet_name, raw_rows = None, _csv_rows(read_bytes(source))
    elif not suffix:
        raise TableError("无法识别文件类型：文件名没有扩展名，请上传 .xlsx 或 .csv 文件")
    else:
        raise TableError(f"不支持的文件类型“{suffix}”，请上传 .xlsx 或 .csv 文件")

    header_cells: Row | None = None
    for row_number, cells in raw_rows:
        if row_number == header_row:
            header_cells = cells
            break
    headers = [normalize_text(c) for c in header_cells or ()]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise TableError(f"第{header_row}行应为表头（列名），但该行为空")
    return Table(
        headers=headers,
        rows=_data_rows(raw_rows, len(headers)),
        sheet_name=sheet_name,
        header_row=header_row,
    )


def read_bytes(source: Source) -> bytes:
    """The whole upload as bytes, whether given as bytes, a path or an open file."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    return source.read()


def _is_blank_row(row: Row) -> bool:
    for value in row:
        # Usually decided by the first cell; normalize_text only for odd strings.
        if value is not None and (type(value) is not str or normalize_text(value)):
            return False
    return True


def _data_rows(raw_rows: Iterator[tuple[int, Row]], width: int) -> Iterator[tuple[int, Row]]:
    # Per row of a 100,000-row sheet, so the common cases stay in C: a few blank cells ("")
    # replaced in place, and a first cell of plain printable text deciding the row isn't blank.
    for row_number, cells in raw_rows:
        row = cells[:width]
        while "" in row:
            row[row.index("")] = None
        first = row[0] if row else None
        if not (type(first) is str and first.isascii() and first.isprintable() and first.strip()):
            if _is_blank_row(row):
                continue
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        yield row_number, row


def _workbook_rows(source: Source) -> tuple[str, Iterator[tuple[int, Row]]]:
    try:
        if isinstance(source, str | os.PathLike):
            workbook = CalamineWorkbook.from_path(source)
        elif isinstance(source, bytes | bytearray | memoryview):
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(source))
        else:
            workbook = CalamineWorkbook.from_filelike(source)
        index = next(
            (
                i
                for i, meta in enumerate(workbook.sheets_metadata)
                if meta.visible == SheetVisibleEnum.Visible
            ),
            0,
        )
        sheet = workbook.get_sheet_by_index(index)
    except PasswordError:
        raise TableError("文件已加密，请取消密码保护后重新上传") from None
    except (CalamineError, OSError, ValueError) as exc:
        raise TableError("无法读取该Excel文件，文件可能已损坏或不是Excel格式") from exc
    return sheet.name, _sheet_rows(sheet)


def _sheet_rows(sheet: CalamineSheet) -> Iterator[tuple[int, Row]]:
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return
    rows = iter(sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        return
    # calamine 0.9 yields rows from row 1 but columns only from the first used column;
    # detect both trims from the shape rather than trusting one version's behaviour.
    row_offset = start[0] if start[0] > 0 and any(c != "" for c in first) else 0
    pad = [None] * start[1] if len(first) == end[1] - start[1] + 1 and start[1] > 0 else []
    numbered = enumerate(itertools.chain((first,), rows), row_offset + 1)
    if not pad:
        yield from numbered
        return
    for number, cells in numbered:
        yield number, pad + cells


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" saved by Excel
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TableError("无法识别CSV文件的编码，请另存为“CSV UTF-8”格式后重新上传") from None


def _csv_rows(data: bytes) -> Iterator[tuple[int, Row]]:
    text = _decode(data)
    if "\x00" in text:
        raise TableError("CSV文件包含无效字符，可能不是文本文件")
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            # Records, not physical lines: a quoted multi-line cell is still one Excel row.
            yield from enumerate(reader, 1)
        except csv.Error as exc:
            raise TableError(f"CSV文件第{reader.line_num}行格式错误：{exc}") from None

    return rows()


# --- header mapping ------------------------------------------------------------------

_REQUIRED_MARK_RE = re.compile(r"\((?:必填|选填|可选|非必填)\)")
_HEADER_NOISE_RE = re.compile(r"[\s_.\-·*]+")


def _header_key(header: str) -> str:
    key = unicodedata.normalize("NFKC", normalize_text(header)).casefold()
    return _HEADER_NOISE_RE.sub("", _REQUIRED_MARK_RE.sub("", key))


def _display(spelling: str) -> str:
    return normalize_text(spelling).strip("*＊ ")


def resolve_columns(
    headers: Sequence[str],
    spec: Mapping[str, Sequence[str]],
    *,
    required: Collection[str] | None = None,
    ignore: Collection[str] = (ERROR_HEADER,),
    ignore_unknown: bool = False,
) -> dict[str, int]:
    """Map canonical field names to 0-based column indexes.

    ``spec`` maps each field to accepted header spellings, display (Chinese) spelling
    first, e.g. ``{"student_no": ["学号*", "Student No.", "student_no"]}``; the field
    name itself is always accepted.  Comparison ignores case, spaces, ``_ . -``,
    full-/half-width differences and required markers (``*``, ``(必填)``).

    ``required`` lists the fields that must be present; by default those whose first
    spelling ends with ``*``.  Headers in ``ignore`` are skipped silently.

    Raises :class:`TableError` listing every unknown, duplicate and missing column.
    """
    lookup: dict[str, str] = {}
    for name, spellings in spec.items():
        for spelling in (*spellings, name):
            key = _header_key(spelling)
            if lookup.setdefault(key, name) != name:
                raise ValueError(f"header spelling {spelling!r} is ambiguous in spec")
    if required is None:
        required = [n for n, s in spec.items() if s and normalize_text(s[0]).endswith("*")]
    ignored = {_header_key(h) for h in ignore}

    found: dict[str, int] = {}
    messages: list[str] = []
    for index, header in enumerate(headers):
        key = _header_key(header)
        if not key or key in ignored:
            continue
        name = lookup.get(key)
        if name is None:
            if not ignore_unknown:
                messages.append(f"无法识别的列“{header}”（{column_letter(index)}列）")
        elif name in found:
            first = found[name]
            messages.append(
                f"“{header}”（{column_letter(index)}列）与“{headers[first]}”"
                f"（{column_letter(first)}列）重复"
            )
        else:
            found[name] = index
    for name in required:
        if name not in found:
            spellings = spec.get(name) or [name]
            messages.append(f"缺少必填列“{_display(spellings[0])}”")
    if messages:
        raise TableError(messages)
    return found


# --- writing -------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="FFFFC7CE")  # Excel's "light red fill"
_ERROR_FONT = Font(color="FF9C0006")
_WRAP = Alignment(wrap_text=True, vertical="top")
_COMMENT_AUTHOR = "启航"
_WIDTH_SAMPLE_ROWS = 100
_MIN_WIDTH, _MAX_WIDTH = 8, 50


def _display_width(value: CellValue) -> int:
    if value is None:
        return 0
    text = normalize_text(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _auto_widths(headers: Sequence[str], sample: Sequence[Sequence[CellValue]]) -> list[float]:
    widths = [_display_width(h) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], _display_width(value))
    return [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths]


class _SheetWriter:
    """Streams rows into a write-only worksheet; cells are styled only when needed."""

    def __init__(self, headers: Sequence[str], widths: Sequence[float | None], title: str):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title)
        # Column widths and panes must be set before the first row is written.
        for index, width in enumerate(widths):
            if width:
                self.sheet.column_dimensions[column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.row_number = 0

    def cell(
        self,
        value: CellValue,
        *,
        comment: str | None = None,
        fill: PatternFill | None = None,
        font: Font | None = None,
    ) -> CellValue | Cell:
        forced_text = False
        if type(value) is str:
            if not value.isprintable():
                value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl refuses them
            # User text must never become a formula or an error value (CSV injection).
            forced_text = value.startswith("=") or value in ERROR_CODES
        if not (forced_text or comment or fill or font):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        if forced_text:
            cell.data_type = "s"
        if comment:
            note = Comment(comment, _COMMENT_AUTHOR)
            note.width, note.height = 300, 30 + 20 * (comment.count("\n") + len(comment) // 20)
            cell.comment = note
        if fill is not None:
            cell.fill = fill
        if font is not None:
            cell.font = font
        return cell

    def append(self, cells: list[CellValue | Cell]) -> None:
        self.sheet.append(cells)
        self.row_number += 1

    def save(self, dest: str | os.PathLike[str] | BinaryIO) -> None:
        self.workbook.save(dest)


def _as_fill(value: str | PatternFill) -> PatternFill:
    return value if isinstance(value, PatternFill) else PatternFill("solid", fgColor=value)


def write_xlsx(
    dest: str | os.PathLike[str] | BinaryIO,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    *,
    column_widths: Sequence[float | None] | None = None,
    comments: Mapping[tuple[int, int], str] | None = None,
    fills: Mapping[tuple[int, int], str | PatternFill] | None = None,
    sheet_title: str = "Sheet1",
) -> None:
    """Write one sheet (bold, frozen header row) in openpyxl's streaming mode.

    ``comments`` and ``fills`` are keyed by 1-based ``(row, column)`` spreadsheet
    coordinates, the header being row 1; a fill is a PatternFill or an ARGB/RGB colour.
    Without ``column_widths`` widths are estimated from the header and the first rows
    (CJK characters count double).  Strings are always written as text, never formulas.
    """
    rows = iter(rows)
    sample: list[Sequence[CellValue]] = []
    if column_widths is None:
        sample = list(itertools.islice(rows, _WIDTH_SAMPLE_ROWS))
        column_widths = _auto_widths(headers, sample)
    comments = comments or {}
    fill_map = {k: _as_fill(v) for k, v in (fills or {}).items()}
    styled_rows = {r for r, _c in itertools.chain(comments, fill_map)}

    writer = _SheetWriter(headers, column_widths, sheet_title)
    for values in itertools.chain((headers,), sample, rows):
        r = writer.row_number + 1
        if r == 1 or r in styled_rows:
            cells = [
                writer.cell(
                    v,
                    comment=comments.get((r, c)),
                    fill=fill_map.get((r, c), _HEADER_FILL if r == 1 else None),
                    font=_HEADER_FONT if r == 1 else None,
                )
                for c, v in enumerate(values, 1)
            ]
        else:
            cells = [writer.cell(v) for v in values]
        writer.append(cells)
    writer.save(dest)


def write_annotated_xlsx(
    dest: str | os.PathLike[str] | BinaryIO,
    headers: Sequence[str],
    rows: Iterable[tuple[int, Sequence[CellValue]]],
    errors: Iterable[Mapping[str, object]],
    *,
    only_errors: bool = False,
    sheet_title: str = "Sheet1",
) -> None:
    """Write rows back with their validation errors marked.

    ``rows`` are ``(source_row_number, cells)`` as yielded by :func:`read_table`;
    ``errors`` are mappings with ``row`` (source row number), ``column`` (0-based index,
    header text, or ``None`` for a whole-row problem) and ``message``.  Cells with errors
    get a red fill and a comment; a last column 错误 lists all of the row's messages.
    Errors for rows not passed in are ignored.  With ``only_errors`` rows without errors
    are left out (the output then has its own row numbering).
    """
    header_index = {h: i for i, h in enumerate(headers)}
    by_row: dict[int, list[tuple[int | None, str]]] = {}
    for error in errors:
        column = error.get("column")
        if isinstance(column, str):
            column = header_index.get(column)
        if not isinstance(column, int) or not 0 <= column < len(headers):
            column = None
        row_number = error["row"]
        if not isinstance(row_number, int):
            raise TypeError(f"error row must be an int, not {row_number!r}")
        by_row.setdefault(row_number, []).append((column, str(error["message"])))

    width = len(headers)
    widths: list[float | None] = list(_auto_widths(headers, []))
    widths.append(60)
    writer = _SheetWriter(headers, widths, sheet_title)
    writer.append(
        [writer.cell(h, fill=_HEADER_FILL, font=_HEADER_FONT) for h in headers]
        + [writer.cell(ERROR_HEADER, fill=_ERROR_FILL, font=_HEADER_FONT)]
    )
    for row_number, values in rows:
        row_errors = by_row.get(row_number)
        if not row_errors:
            if not only_errors:
                writer.append([writer.cell(v) for v in list(values)[:width]])
            continue
        per_cell: dict[int, list[str]] = {}
        summary: list[str] = []
        for column, message in row_errors:
            if column is None:
                summary.append(message)
            else:
                per_cell.setdefault(column, []).append(message)
                label = _display(headers[column])
                summary.append(message if message.startswith(label) else f"{label}：{message}")
        padded = list(values)[:width]
        padded += [None] * (width - len(padded))
        cells = [
            writer.cell(v, comment="\n".join(per_cell[i]), fill=_ERROR_FILL, font=_ERROR_FONT)
            if i in per_cell
            else writer.cell(v)
            for i, v in enumerate(padded)
        ]
        error_cell = WriteOnlyCell(writer.sheet, value="；".join(summary))
        error_cell.data_type = "s"
        error_cell.font = _ERROR_FONT
        error_cell.alignment = _WRAP
        writer.append([*cells, error_cell])
    writer.save(dest)


# --- exports: no formulas -----------------------------------------------------------------

# Leading spaces, tabs and line breaks do not stop Excel or LibreOffice from reading a formula.
_LEADING_BLANKS = " \t\r\n"


def neutralize_formula(value: CellValue) -> CellValue:
    """A text cell that a spreadsheet would run as a formula, prefixed with an apostrophe so it
    is shown as the text it is; every other value unchanged. Used by every export; the
    imports read it back as the text (validators.normalize_text)."""
    if type(value) is str and value.lstrip(_LEADING_BLANKS).startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(dest: BinaryIO, headers: Sequence[str], rows: Iterable[Sequence[CellValue]]) -> None:
    """Write a UTF-8 CSV with a byte-order mark (so Excel reads it as UTF-8), every text cell
    neutralised (:func:`neutralize_formula`)."""
    text = io.TextIOWrapper(dest, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([neutralize_formula(h) for h in headers])
        for row in rows:
            writer.writerow(["" if v is None else neutralize_formula(v) for v in row])
        text.flush()
    finally:
        text.detach()  # leave `dest` open for the caller
