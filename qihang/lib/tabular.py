"""Reading spreadsheet uploads as rows, and writing xlsx and csv exports.

:func:`read_table` yields raw cell values (normalisation is the validators' job) with
the row numbers the user sees in Excel, so error messages can point at them.
:func:`write_annotated_xlsx` writes the rows back with the offending cells highlighted,
for the "download the errors, fix, re-upload" loop.

Django-free on purpose; messages are plain Simplified Chinese strings.
"""

import copy
import csv
import html
import io
import itertools
import os
import re
import unicodedata
import zipfile
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
    "Limits",
    "WARNING_HEADER",
    "Source",
    "Table",
    "TableError",
    "column_letter",
    "neutralize_formula",
    "read_table",
    "recognised_columns",
    "resolve_columns",
    "unrecognised_columns",
    "write_annotated_xlsx",
    "write_csv",
    "write_xlsx",
]

type Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
type Row = list[CellValue]

# Extra last columns of annotated workbooks; resolve_columns ignores them on re-upload.
ERROR_HEADER = "错误"
WARNING_HEADER = "提示"

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


@dataclass(frozen=True)
class Limits:
    """What an upload may expand to once read; beyond it the file is refused before parsing.

    The upload limit bounds only the compressed size: a 617 KB xlsx may hold one 600 MB cell, a
    zip member may expand a thousandfold, and two cells at A1 and CV200000 make the parser lay
    out 20 million empty cells. Hence these bounds, checked on the zip's real (decompressed,
    not declared) sizes and on the cell positions the sheet's XML can reach.
    """

    uncompressed_bytes: int = 400 * 1024 * 1024  # all members of an xlsx together
    part_bytes: int = 200 * 1024 * 1024  # one member (a worksheet, the shared strings)
    cells: int = 10_000_000  # rows × columns of the sheet's used range
    rows: int = 300_000
    columns: int = 1_000
    cell_chars: int = 32_767  # Excel's own limit for one cell
    line_chars: int = 1_000_000  # one physical line of a CSV file

    def megabytes(self, size: int) -> str:
        return f"{size / (1024 * 1024):.0f} MB"


DEFAULT_LIMITS = Limits()


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 → A)."""
    return get_column_letter(index + 1)


# --- reading -------------------------------------------------------------------------


def read_table(
    source: Source, *, filename: str, header_row: int = 1, limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Open an uploaded .xlsx/.xlsm/.xls or .csv file.

    ``filename`` (the upload's name) decides the format.  Workbooks are read with
    python-calamine from the first visible worksheet; numeric cells come back as
    ``float`` and date cells as ``datetime``/``date``.  CSV is decoded as UTF-8 (BOM
    optional), falling back to GB18030 (what Excel on Chinese Windows writes).

    A file beyond ``limits`` raises :class:`TableError` saying which limit and where: an
    xlsx before python-calamine sees it, rows and cells as they are read.
    """
    suffix = Path(filename).suffix.lower()
    # Cell lengths are checked in the file's own bytes where that is cheaper (xlsx, most CSV)
    # than in every cell of every row (a tenth of a 100,000-row import).
    check_cells = True
    if suffix in _WORKBOOK_SUFFIXES:
        if suffix != ".xls":  # the binary .xls format is not a zip; its size is the upload's
            source = read_bytes(source)
            check_workbook(source, limits)
            check_cells = False
        sheet_name, raw_rows = _workbook_rows(source)
    elif suffix in _CSV_SUFFIXES:
        raw_rows, check_cells = _csv_rows(read_bytes(source), limits)
        sheet_name = None
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
    if len(headers) > limits.columns:
        raise TableError(f"表头有{len(headers)}列，超过上限{limits.columns}列（第{header_row}行）")
    return Table(
        headers=headers,
        rows=_data_rows(raw_rows, len(headers), limits, check_cells=check_cells),
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


def _data_rows(
    raw_rows: Iterator[tuple[int, Row]], width: int, limits: Limits, *, check_cells: bool
) -> Iterator[tuple[int, Row]]:
    # Per row of a 100,000-row sheet, so the common cases stay in C: a few blank cells ("")
    # replaced in place, and a first cell of plain printable text deciding the row isn't blank.
    max_rows, max_chars = limits.rows, limits.cell_chars
    for row_number, cells in raw_rows:
        if row_number > max_rows:
            raise TableError(f"文件超过{max_rows}行的上限（第{row_number}行）")
        row = cells[:width]
        if check_cells and max(map(_text_length, row), default=0) > max_chars:
            index = next(i for i, c in enumerate(row) if _text_length(c) > max_chars)
            raise TableError(
                f"第{row_number}行{column_letter(index)}列的内容有{len(row[index])}个字符，"
                f"超过单元格上限{max_chars}个字符"
            )
        while "" in row:
            row[row.index("")] = None
        first = row[0] if row else None
        if not (type(first) is str and first.isascii() and first.isprintable() and first.strip()):
            if _is_blank_row(row):
                continue
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        yield row_number, row


def _text_length(value: CellValue) -> int:
    return len(value) if type(value) is str else 0


# --- the bounds of an xlsx, checked before it is parsed -------------------------------------

_READ_CHUNK = 1024 * 1024
_MAX_CARRY = 4 * 1024 * 1024
_ROW_REF_RE = re.compile(rb'<row r="(\d{1,9})"')
_CELL_AT_RE = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,4}\d{1,9})"')
_LONG_CELL_REF_RE = re.compile(rb'<c r="([A-Z]{2,4})\d')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _cells_without_reference(part: bytes) -> int:
    tags = part.count(b"<c ") + part.count(b"<c>") + part.count(b"<c/>")
    return tags - part.count(b'<c r="')


# Every letter becomes A and every digit 0, so one count finds references of two letters.
_REFERENCE_SHAPE = bytes.maketrans(bytes(range(65, 91)) + b"0123456789", b"A" * 26 + b"0" * 10)


@dataclass
class _SheetExtent:
    """Upper bounds of the rows and columns a worksheet's cells can reach, from its XML.

    A row or cell without its own reference (``r="B7"``) follows the previous one, so the
    bounds are the largest reference plus the rows (or, within a row, cells) without one.
    Made of bytes operations per row, not an XML parse: it runs before every import.
    """

    max_row_ref: int = 0
    unreferenced_rows: int = 0
    max_column_ref: int = 0
    unreferenced_in_row: int = 0  # in the row being read
    max_unreferenced_in_row: int = 0

    def feed(self, piece: bytes) -> None:
        refs = _ROW_REF_RE.findall(piece)
        if refs:
            self.max_row_ref = max(self.max_row_ref, *map(int, refs))
        unreferenced = piece.count(b"<row") - len(refs)
        if unreferenced:  # perhaps only the <rowBreaks> at the end
            self.unreferenced_rows += unreferenced - piece.count(b"<rowBreaks")
        # "<c" also starts <cols>, <cfRule> …: when the counts differ, count exactly.
        if piece.count(b"<c") != piece.count(b'<c r="'):
            self._count_cells_per_row(piece)
        if b'<c r="' not in piece:
            return
        if piece.translate(_REFERENCE_SHAPE).count(b'<c r="AA') == 0:
            widest = 26  # one-letter columns only: at most Z
        else:
            widest = max(map(_column_number, set(_LONG_CELL_REF_RE.findall(piece))), default=26)
        self.max_column_ref = max(self.max_column_ref, widest)

    def _count_cells_per_row(self, piece: bytes) -> None:
        parts = piece.split(b"<row")
        # The text before the first row tag continues the previous piece's row.
        self.unreferenced_in_row += _cells_without_reference(parts[0])
        for part in itertools.islice(parts, 1, None):
            if part.startswith(b"Breaks"):
                continue
            self.max_unreferenced_in_row = max(
                self.max_unreferenced_in_row, self.unreferenced_in_row
            )
            self.unreferenced_in_row = _cells_without_reference(part)
        self.max_unreferenced_in_row = max(self.max_unreferenced_in_row, self.unreferenced_in_row)

    def bounds(self) -> tuple[int, int]:
        return (
            self.max_row_ref + self.unreferenced_rows,
            self.max_column_ref + self.max_unreferenced_in_row,
        )


def _long_text(piece: bytes, cell_chars: int) -> int | None:
    """The offset of a text node in `piece` longer than `cell_chars` characters, or None.

    Searched as bytes: only nodes of more bytes than the limit can be longer (a character is
    one to four bytes, an entity several), and those few are decoded and counted."""
    # A node of more than cell_chars bytes covers a whole aligned window of half that size
    # with no "<" in it: memchr over the windows is cheap; the pattern runs only if one is.
    window = max((cell_chars + 1) // 2, 1)
    if all(piece.find(b"<", at, at + window) >= 0 for at in range(0, len(piece) - window, window)):
        return None
    pattern = _LONG_TEXT_RES.get(cell_chars)
    if pattern is None:
        pattern = _LONG_TEXT_RES[cell_chars] = re.compile(
            rb"<t(?:\s[^>]*)?>([^<]{%d,})" % (cell_chars + 1)
        )
    for match in pattern.finditer(piece):
        text = html.unescape(match.group(1).decode("utf-8", "replace"))
        if len(text) > cell_chars:
            return match.start()
    return None


_LONG_TEXT_RES: dict[int, re.Pattern[bytes]] = {}


def _too_long(where: str, piece: bytes, at: int, cell_chars: int) -> TableError:
    start = piece.rfind(b"<c ", 0, at)
    cell = _CELL_AT_RE.match(piece, start) if start >= 0 else None
    if cell is None:  # the shared strings: no cell to name
        return TableError(f"{where}中有内容超过单元格上限{cell_chars}个字符")
    return TableError(
        f"{where}的{cell.group(1).decode()}单元格内容超过单元格上限{cell_chars}个字符"
    )


def check_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an xlsx whose members expand beyond ``limits`` or whose worksheets reach
    further than ``limits`` allows (TableError naming the limit and the member).

    Members are decompressed in chunks and counted as they come, so a member that lies about
    its size in the zip directory is caught too; memory stays at a few megabytes.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: python-calamine says it cannot read it
    with archive:
        infos = archive.infolist()
        if len(infos) > 10_000:
            raise TableError(f"Excel文件包含{len(infos)}个部件，不像正常的工作簿")
        for info in infos:
            if info.file_size > limits.part_bytes:
                raise TableError(
                    f"Excel文件中的“{info.filename}”解压后有{limits.megabytes(info.file_size)}，"
                    f"超过上限{limits.megabytes(limits.part_bytes)}"
                )
        declared = sum(info.file_size for info in infos)
        if declared > limits.uncompressed_bytes:
            raise TableError(
                f"Excel文件解压后有{limits.megabytes(declared)}，"
                f"超过上限{limits.megabytes(limits.uncompressed_bytes)}"
            )
        total = 0
        for info in infos:
            name = info.filename
            is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            extent = _SheetExtent() if is_sheet else None
            where = f"工作表“{name.rsplit('/', 1)[-1]}”" if is_sheet else f"“{name}”"
            # Where cells' text lives: inline in the sheets, or in the shared strings.
            has_text = is_sheet or name == "xl/sharedStrings.xml"
            size = 0
            # Trust the stream, not the directory: read until it really ends (or the limit).
            probe = copy.copy(info)
            probe.file_size = 1 << 62  # never the end: the limit below stops it first
            carry = b""
            try:
                with archive.open(probe) as member:
                    while chunk := member.read(_READ_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > limits.part_bytes:
                            raise TableError(
                                f"Excel文件中的“{name}”解压后超过上限"
                                f"{limits.megabytes(limits.part_bytes)}"
                            )
                        if total > limits.uncompressed_bytes:
                            raise TableError(
                                f"Excel文件解压后超过上限"
                                f"{limits.megabytes(limits.uncompressed_bytes)}（在“{name}”处）"
                            )
                        if has_text:
                            piece = carry + chunk
                            # Whole elements per piece: cut before the last row (or string).
                            cut = piece.rfind(b"<row" if is_sheet else b"<si")
                            if cut <= 0 or len(piece) - cut > _MAX_CARRY:
                                cut = max(len(piece) - 64, 0) if cut <= 0 else len(piece)
                            whole = piece[:cut]
                            carry = piece[cut:]
                            if extent is not None:
                                extent.feed(whole)
                            at = _long_text(whole, limits.cell_chars)
                            if at is not None:
                                raise _too_long(where, whole, at, limits.cell_chars)
            except TableError:
                raise
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError):
                return  # damaged or unusual: python-calamine refuses it with its own words
            if carry and has_text:
                at = _long_text(carry, limits.cell_chars)
                if at is not None:
                    raise _too_long(where, carry, at, limits.cell_chars)
            if extent is None:
                continue
            if carry:
                extent.feed(carry)
            rows, columns = extent.bounds()
            if rows > limits.rows:
                raise TableError(f"{where}的数据可达第{rows}行，超过上限{limits.rows}行")
            if columns > limits.columns:
                raise TableError(f"{where}的数据可达第{columns}列，超过上限{limits.columns}列")
            if rows * columns > limits.cells:
                raise TableError(
                    f"{where}的数据范围达{rows}行×{columns}列，超过{limits.cells}个单元格的上限"
                )


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


def _longest_line(text: str, limits: Limits) -> int:
    start, number, limit, longest = 0, 1, limits.line_chars, 0
    while True:
        end = text.find("\n", start)
        length = (len(text) if end < 0 else end) - start
        if length > limit:
            raise TableError(f"CSV文件第{number}行有{length}个字符，超过一行{limit}个字符的上限")
        longest = max(longest, length)
        if end < 0:
            return longest
        start, number = end + 1, number + 1


def _csv_rows(
    data: bytes, limits: Limits = DEFAULT_LIMITS
) -> tuple[Iterator[tuple[int, Row]], bool]:
    """The records, and whether their cells' lengths still need checking: only when a line
    is longer than a cell may be, or quotes may make one cell of several lines."""
    text = _decode(data)
    if "\x00" in text:
        raise TableError("CSV文件包含无效字符，可能不是文本文件")
    check_cells = _longest_line(text, limits) > limits.cell_chars or '"' in text
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            # Records, not physical lines: a quoted multi-line cell is still one Excel row.
            yield from enumerate(reader, 1)
        except csv.Error as exc:
            raise TableError(f"CSV文件第{reader.line_num}行格式错误：{exc}") from None

    return rows(), check_cells


# --- header mapping ------------------------------------------------------------------

_REQUIRED_MARK_RE = re.compile(r"\((?:必填|选填|可选|非必填)\)")
_HEADER_NOISE_RE = re.compile(r"[\s_.\-·*]+")


def _header_key(header: str) -> str:
    key = unicodedata.normalize("NFKC", normalize_text(header)).casefold()
    return _HEADER_NOISE_RE.sub("", _REQUIRED_MARK_RE.sub("", key))


def _display(spelling: str) -> str:
    return normalize_text(spelling).strip("*＊ ")


def recognised_columns(headers: Sequence[str], spec: Mapping[str, Sequence[str]]) -> dict[int, str]:
    """0-based column index -> field for every header that names one of ``spec``'s fields
    (the first such column of a field; never raises, unlike :func:`resolve_columns`)."""
    lookup = {_header_key(s): name for name, spellings in spec.items() for s in (*spellings, name)}
    found: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = lookup.get(_header_key(header))
        if name is not None and name not in found.values():
            found[index] = name
    return found


def unrecognised_columns(
    headers: Sequence[str],
    spec: Mapping[str, Sequence[str]],
    *,
    ignore: Collection[str] = (ERROR_HEADER, WARNING_HEADER),
) -> list[int]:
    """0-based indexes of the headers that name none of ``spec``'s fields (compared as
    :func:`resolve_columns` compares them); blank headers and ``ignore`` are not counted."""
    known = {_header_key(s) for name, spellings in spec.items() for s in (*spellings, name)}
    ignored = {_header_key(h) for h in ignore}
    return [
        index
        for index, header in enumerate(headers)
        if (key := _header_key(header)) and key not in ignored and key not in known
    ]


def resolve_columns(
    headers: Sequence[str],
    spec: Mapping[str, Sequence[str]],
    *,
    required: Collection[str] | None = None,
    ignore: Collection[str] = (ERROR_HEADER, WARNING_HEADER),
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
_WARNING_FILL = PatternFill("solid", fgColor="FFFFEB9C")  # Excel's "neutral" yellow fill
_WARNING_FONT = Font(color="FF9C5700")
_ACTION_LABELS = {"dropped": "已忽略", "normalised": "已规范化"}
LEGEND_TITLE = "图例"
_LEGEND = (
    (
        ERROR_HEADER,
        _ERROR_FILL,
        _ERROR_FONT,
        "错误：该值不能导入；有错误时整个文件都不会写入，请改正后重新上传",
    ),
    (
        WARNING_HEADER,
        _WARNING_FILL,
        _WARNING_FONT,
        "提示：该值对这一行没有意义而未导入（已忽略），或已按规范写法导入（已规范化）；不影响导入",
    ),
)
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


def _findings_by_row(
    findings: Iterable[Mapping[str, object]], header_index: Mapping[str, int], width: int
) -> dict[int, list[tuple[int | None, str]]]:
    by_row: dict[int, list[tuple[int | None, str]]] = {}
    for finding in findings:
        column = finding.get("column")
        if isinstance(column, str):
            column = header_index.get(column)
        if not isinstance(column, int) or not 0 <= column < width:
            column = None
        row_number = finding["row"]
        if not isinstance(row_number, int):
            raise TypeError(f"finding row must be an int, not {row_number!r}")
        message = str(finding["message"])
        action = finding.get("action")
        if action:
            message = f"{message}（{_ACTION_LABELS.get(str(action), action)}）"
        by_row.setdefault(row_number, []).append((column, message))
    return by_row


def _summary(headers: Sequence[str], findings: list[tuple[int | None, str]]) -> str:
    parts = []
    for column, message in findings:
        label = _display(headers[column]) if column is not None else ""
        parts.append(message if not label or message.startswith(label) else f"{label}：{message}")
    return "；".join(parts)


def write_annotated_xlsx(
    dest: str | os.PathLike[str] | BinaryIO,
    headers: Sequence[str],
    rows: Iterable[tuple[int, Sequence[CellValue]]],
    errors: Iterable[Mapping[str, object]],
    *,
    warnings: Iterable[Mapping[str, object]] = (),
    only_errors: bool = False,
    sheet_title: str = "Sheet1",
) -> None:
    """Write rows back with their validation errors and warnings marked.

    ``rows`` are ``(source_row_number, cells)`` as yielded by :func:`read_table`;
    ``errors`` and ``warnings`` are mappings with ``row`` (source row number, 1 the header),
    ``column`` (0-based index, header text, or ``None`` for a whole-row problem) and
    ``message`` (warnings also ``action``: dropped / normalised).  Cells with errors get a red
    fill, cells with warnings an amber one, each with a comment; the last columns 错误 and 提示
    list the row's messages; a second sheet 图例 explains the colours.  Findings for rows not
    passed in are ignored.  With ``only_errors`` rows without errors or warnings are left out
    (the output then has its own row numbering).
    """
    width = len(headers)
    header_index = {h: i for i, h in enumerate(headers)}
    error_rows = _findings_by_row(errors, header_index, width)
    warning_rows = _findings_by_row(warnings, header_index, width)

    # The 提示 column only when there are warnings: an errors-only sheet looks as it always has.
    with_warnings = bool(warning_rows)
    widths: list[float | None] = list(_auto_widths(headers, []))
    widths += [60, 60] if with_warnings else [60]
    writer = _SheetWriter(headers, widths, sheet_title)
    header_warnings = {c: m for c, m in warning_rows.get(1, []) if c is not None}
    writer.append(
        [
            writer.cell(h, fill=_WARNING_FILL, font=_HEADER_FONT, comment=header_warnings[i])
            if i in header_warnings
            else writer.cell(h, fill=_HEADER_FILL, font=_HEADER_FONT)
            for i, h in enumerate(headers)
        ]
        + [writer.cell(ERROR_HEADER, fill=_ERROR_FILL, font=_HEADER_FONT)]
        + (
            [writer.cell(WARNING_HEADER, fill=_WARNING_FILL, font=_HEADER_FONT)]
            if with_warnings
            else []
        )
    )
    for row_number, values in rows:
        row_errors = error_rows.get(row_number, [])
        row_warnings = warning_rows.get(row_number, [])
        if not row_errors and not row_warnings:
            if not only_errors:
                writer.append([writer.cell(v) for v in list(values)[:width]])
            continue
        cell_errors: dict[int, list[str]] = {}
        for column, message in row_errors:
            if column is not None:
                cell_errors.setdefault(column, []).append(message)
        cell_warnings: dict[int, list[str]] = {}
        for column, message in row_warnings:
            if column is not None:
                cell_warnings.setdefault(column, []).append(message)
        padded = list(values)[:width]
        padded += [None] * (width - len(padded))
        cells: list[CellValue | Cell] = []
        for i, v in enumerate(padded):
            if i in cell_errors:
                notes = cell_errors[i] + cell_warnings.get(i, [])
                cells.append(
                    writer.cell(v, comment="\n".join(notes), fill=_ERROR_FILL, font=_ERROR_FONT)
                )
            elif i in cell_warnings:
                cells.append(
                    writer.cell(
                        v,
                        comment="\n".join(cell_warnings[i]),
                        fill=_WARNING_FILL,
                        font=_WARNING_FONT,
                    )
                )
            else:
                cells.append(writer.cell(v))
        summaries = [(_summary(headers, row_errors), _ERROR_FONT)]
        if with_warnings:
            summaries.append((_summary(headers, row_warnings), _WARNING_FONT))
        for text, font in summaries:
            summary = WriteOnlyCell(writer.sheet, value=text or None)
            summary.data_type = "s"
            summary.font = font
            summary.alignment = _WRAP
            cells.append(summary)
        writer.append(cells)
    legend = writer.workbook.create_sheet(title=LEGEND_TITLE)
    legend.column_dimensions["A"].width = 12
    legend.column_dimensions["B"].width = 80
    for label, fill, font, meaning in _LEGEND:
        sample = WriteOnlyCell(legend, value=label)
        sample.fill, sample.font = fill, font
        legend.append([sample, meaning])
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
