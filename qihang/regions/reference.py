"""Loading a version of the strategic regions from its data file (used by data migrations)."""

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_region_set(version: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"regionset_{version}.json").read_text(encoding="utf-8"))


def load_region_set(apps: Any, version: str) -> None:
    """Create (or refresh) a region set, its regions and their members (historical models)."""
    RegionSet = apps.get_model("regions", "RegionSet")
    Region = apps.get_model("regions", "Region")
    RegionMember = apps.get_model("regions", "RegionMember")
    data = read_region_set(version)
    region_set, _ = RegionSet.objects.update_or_create(
        version=data["version"],
        defaults={"name": data["name"], "published_on": data["published_on"]},
    )
    for order, row in enumerate(data["regions"]):
        region, _ = Region.objects.update_or_create(
            region_set=region_set,
            code=row["code"],
            defaults={
                "name": row["name"],
                "sort_order": order,
                "definition": row.get("definition", ""),
                "source": row.get("source", ""),
            },
        )
        region.members.all().delete()
        RegionMember.objects.bulk_create(
            [RegionMember(region=region, division=d) for d in row.get("divisions", [])]
            + [RegionMember(region=region, country=c) for c in row.get("countries", [])]
        )
