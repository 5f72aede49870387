"""Loading versioned reference data (destination codes, employer natures) from data files.

A code set file lists, per code: name, category, counts_as_placed, flexible, parent (sub-codes
such as 502 report under 50), needs_employer, and `required_fields`: the Destination fields a
record with that code must fill (employer_name, employer_credit_code, employer_nature,
employer_division, employer_country, agreement_no, signed_on), and `abroad` for 出国、出境
(85), whose country must be outside mainland China. Codes of category not_employed (70–72)
carry no employer at all.
"""

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
    # Data migrations run with the historical model: fields added later are set by then.
    field_names = {f.name for f in DestinationCode._meta.get_fields()}
    has_required = "required_fields" in field_names
    by_code = {}
    for order, row in enumerate(data["codes"]):
        parent = by_code.get(row.get("parent"))
        defaults = {
            "name": row["name"],
            "category": row["category"],
            "flexible": row.get("flexible", False),
            "counts_as_placed": row["counts_as_placed"],
            "needs_employer": row.get("needs_employer", False),
            "parent": parent,
            "sort_order": order,
        }
        if has_required:
            defaults["required_fields"] = row.get("required_fields", [])
        if "abroad" in field_names:
            defaults["abroad"] = row.get("abroad", False)
        obj, _ = DestinationCode.objects.update_or_create(
            code_set=code_set, code=row["code"], defaults=defaults
        )
        by_code[row["code"]] = obj
    for code, name in data["employer_natures"]:
        EmployerNature.objects.update_or_create(
            code_set=code_set, code=code, defaults={"name": name}
        )
