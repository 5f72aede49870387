"""National code tables (性别, 民族, 政治面貌, 学历): the values rosters of the national and
provincial graduate systems carry instead of names.

The tables are versioned reference data: `data/national_codes_<version>.json` (each table with
the standard it comes from and what is uncertain about it), loaded into NationalCodeTable and
NationalCode by a migration. Imports read them from the database (`CodeTables.load()`, one
query); exports in the national layout write the codes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CURRENT_VERSION = "2020"
# The Graduate field each table codes.
TABLE_KEYS = ("sex", "ethnicity", "political_status", "education_level")


def read_code_tables(version: str = CURRENT_VERSION) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"national_codes_{version}.json").read_text(encoding="utf-8"))


def load_code_tables(apps: Any, version: str) -> None:
    """Create or update one version's tables; used by data migrations (historical models)."""
    Table = apps.get_model("graduates", "NationalCodeTable")
    Code = apps.get_model("graduates", "NationalCode")
    data = read_code_tables(version)
    for key, spec in data["tables"].items():
        table, _ = Table.objects.update_or_create(
            key=key,
            version=data["version"],
            defaults={
                "name": spec["name"],
                "standard": spec["standard"],
                "source": spec["source"],
                "uncertain": spec.get("uncertain", ""),
            },
        )
        for order, row in enumerate(spec["codes"]):
            Code.objects.update_or_create(
                table=table,
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "value": row["value"],
                    "aliases": row.get("aliases", []),
                    "sort_order": order,
                },
            )


@dataclass
class CodeTable:
    """One table as the importer and the exporter use it."""

    spellings: dict[str, str] = field(default_factory=dict)  # name, code or alias -> value
    code_of: dict[str, str] = field(default_factory=dict)  # value -> national code

    def add(self, code: str, name: str, value: str, aliases: list[str]) -> None:
        # The name comes first: validators.choice lists the first spelling of each value.
        for spelling in (name, code, *aliases):
            self.spellings.setdefault(spelling, value)
        # Excel turns "01" into the number 1 unless the column is text: accept "1" for "01".
        if code.isdigit() and code.startswith("0"):
            self.spellings.setdefault(str(int(code)), value)
        self.code_of.setdefault(value, code)


def spellings_from(rows: Any) -> dict[str, CodeTable]:
    """{table key: CodeTable} from (key, code, name, value, aliases) rows in table order."""
    tables: dict[str, CodeTable] = {key: CodeTable() for key in TABLE_KEYS}
    for key, code, name, value, aliases in rows:
        tables.setdefault(key, CodeTable()).add(code, name, value, list(aliases or []))
    return tables


def load(version: str = CURRENT_VERSION) -> dict[str, CodeTable]:
    """The tables of `version` from the database: one query."""
    from qihang.graduates.models import NationalCode

    rows = (
        NationalCode.objects.filter(table__version=version)
        .order_by("table__key", "sort_order")
        .values_list("table__key", "code", "name", "value", "aliases")
    )
    return spellings_from(rows)


def from_file(version: str = CURRENT_VERSION) -> dict[str, CodeTable]:
    """The same tables straight from the data file, for code that runs without a database
    (the benchmark's generator, module-level defaults)."""
    data = read_code_tables(version)
    return spellings_from(
        (key, row["code"], row["name"], row["value"], row.get("aliases", []))
        for key, spec in data["tables"].items()
        for row in spec["codes"]
    )
