"""Social-insurance enrolment lists (社保参保名单) behind one interface.

A source yields the list's rows and the errors found in them, each error with the spreadsheet
row and column it concerns. `LocalFileSource` reads a file the centre uploads (xlsx or csv,
through qihang.lib.tabular like every import). An adapter for an official data service would be
another class with the same `name` and `read()`; nothing else changes.

Columns (header spellings as qihang.lib.tabular.resolve_columns compares them): 身份证号
(required), 姓名 and 统一社会信用代码 (optional); other columns are ignored. A file with any
row error is refused as a whole (nothing is stored), with every error listed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from qihang.lib import tabular, validators

COLUMNS = {
    "id_number": ["身份证号*", "公民身份号码", "证件号码", "身份证号码"],
    "name": ["姓名", "参保人姓名"],
    "employer_credit_code": [
        "统一社会信用代码",
        "单位统一社会信用代码",
        "参保单位统一社会信用代码",
    ],
}
MAX_ROWS = 100_000


class EnrolmentRow(NamedTuple):
    row: int
    id_number: str
    name: str
    employer_credit_code: str


class RowError(NamedTuple):
    row: int
    column: str  # "A（身份证号）", or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f" {self.column}" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class EnrolmentRead:
    rows: list[EnrolmentRow]
    errors: list[RowError]
    filename: str = ""
    sha256: str = ""


class EnrolmentSource(Protocol):
    name: str

    def read(self) -> EnrolmentRead:
        """The list's rows; raises tabular.TableError when the source cannot be read at all."""
        ...


class LocalFileSource:
    """A file the centre uploads (xlsx/csv)."""

    name = "file"

    def __init__(self, data: bytes, filename: str) -> None:
        self.data = data
        self.filename = filename

    def read(self) -> EnrolmentRead:
        table = tabular.read_table(self.data, filename=self.filename)
        columns = tabular.resolve_columns(table.headers, COLUMNS, ignore_unknown=True)

        def where(field: str) -> str:
            index = columns[field]
            return f"{tabular.column_letter(index)}（{table.headers[index]}）"

        rows: list[EnrolmentRow] = []
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        for number, cells in table.rows:
            if len(rows) + len(errors) >= MAX_ROWS:
                raise tabular.TableError(f"名单超过{MAX_ROWS}行，请分批导入")
            try:
                id_number = validators.id_number(cells[columns["id_number"]])
            except validators.FieldError as exc:
                errors.append(RowError(number, where("id_number"), exc.message))
                continue
            credit = ""
            if "employer_credit_code" in columns:
                value = cells[columns["employer_credit_code"]]
                if not validators.is_blank(value):
                    try:
                        credit = validators.credit_code(value)
                    except validators.FieldError as exc:
                        errors.append(RowError(number, where("employer_credit_code"), exc.message))
                        continue
            if id_number in seen:
                errors.append(RowError(number, where("id_number"), f"与第{seen[id_number]}行重复"))
                continue
            seen[id_number] = number
            name = validators.normalize_text(cells[columns["name"]]) if "name" in columns else ""
            rows.append(EnrolmentRow(number, id_number, name[:60], credit))
        return EnrolmentRead(
            rows, errors, filename=self.filename, sha256=hashlib.sha256(self.data).hexdigest()
        )
