"""The cultural-creative parks directory (reference data, version 1) from data/parks.json.
Later edits go through ventures.services.park_update, which raises each park's version."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "parks.json"


def load_parks(apps, schema_editor):
    park = apps.get_model("ventures", "Park")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data["parks"]:
        park.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "city": row["city"],
                "district": row["district"],
                "focus": row["focus"],
                "stages": row["stages"],
                "support": row["support"],
                "contact": row["contact"],
                "version": data["version"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ventures", "0001_initial")]

    operations = [migrations.RunPython(load_parks, migrations.RunPython.noop)]
