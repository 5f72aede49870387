"""The layout of the file sent to the education authorities, declared once as versioned data
(`data/report_layout_<version>.json`): each column's header, the national field name, where
its value comes from, which national code table codes it, and whether it is sensitive.

The exporter, the row hash that decides "changed since the last report", the returned-list
import's header spellings and the tests all read this one declaration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CURRENT_VERSION = "2024"
# Where a column's value may come from: the keys of selectors.ReportFacts.values().
SOURCES = frozenset(
    {
        "student_no",
        "name",
        "gender",
        "id_number",
        "degree_level",
        "department",
        "major_code",
        "major",
        "origin_division",
        "code",
        "employer_name",
        "employer_credit_code",
        "employer_nature",
        "employer_division",
        "agreement_no",
        "signed_on",
        "report_kind",
    }
)


@dataclass(frozen=True)
class Column:
    header: str  # what the file's header row says
    field: str  # the national database's field name (also accepted on import)
    source: str
    codes: str = ""  # a graduates.codes table key ("sex" …) whose code is written
    sensitive: bool = False  # masked unless the export is an unmasked one
    required: bool = False
    hashed: bool = True  # part of the row hash ("changed since the last report")


@dataclass(frozen=True)
class Layout:
    version: str
    name: str
    columns: tuple[Column, ...]
    uncertain: str = ""

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def spellings(self, source: str) -> list[str]:
        """The header spellings of the column taking `source` (header, then field name)."""
        return [s for c in self.columns if c.source == source for s in (c.header, c.field)]


@cache
def load(version: str = CURRENT_VERSION) -> Layout:
    data = json.loads((DATA_DIR / f"report_layout_{version}.json").read_text(encoding="utf-8"))
    columns = tuple(Column(**spec) for spec in data["columns"])
    unknown = [c.source for c in columns if c.source not in SOURCES]
    if unknown:
        raise ValueError(f"report layout {version}: unknown sources {unknown}")
    return Layout(
        version=data["version"],
        name=data["name"],
        columns=columns,
        uncertain=data.get("uncertain", ""),
    )


def row_hash(values: Mapping[str, Any], layout: Layout) -> str:
    """The hash of a row's reported values: equal hashes, nothing to report again. Sensitive
    values enter as the caller gives them (the ID number's blind index, never the plaintext)."""
    payload = {c.source: str(values.get(c.source, "") or "") for c in layout.columns if c.hashed}
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
