"""Loading versioned reference data (destination codes, employer natures) from data files."""

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_code_set(version: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"codeset_{version}.json").read_text(encoding="utf-8"))


def load_code_set(apps: Any, version: str) -> None:
    """Create a code set and its codes; used by data migrations (historical models)."""
    CodeSet = apps.get_model("destinations", "CodeSet")
    DestinationCode = apps.get_model("destinations", "DestinationCode")
    EmployerNature = apps.get_model("destinations", "EmployerNature")
    data = read_code_set(version)
    code_set, _ = CodeSet.objects.update_or_create(
        version=data["version"],
        defaults={"name": data["name"], "effective_from": data["effective_from"]},
    )
    by_code = {}
    for order, row in enumerate(data["codes"]):
        parent = by_code.get(row.get("parent"))
        obj, _ = DestinationCode.objects.update_or_create(
            code_set=code_set,
            code=row["code"],
            defaults={
                "name": row["name"],
                "category": row["category"],
                "flexible": row.get("flexible", False),
                "counts_as_placed": row["counts_as_placed"],
                "needs_employer": row.get("needs_employer", False),
                "parent": parent,
                "sort_order": order,
            },
        )
        by_code[row["code"]] = obj
    for code, name in data["employer_natures"]:
        EmployerNature.objects.update_or_create(
            code_set=code_set, code=code, defaults={"name": name}
        )
