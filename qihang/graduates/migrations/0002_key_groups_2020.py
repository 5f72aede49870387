import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "key_groups_2020.json"


def forwards(apps, schema_editor):
    KeyGroupKind = apps.get_model("graduates", "KeyGroupKind")
    for order, row in enumerate(json.loads(DATA.read_text(encoding="utf-8"))):
        KeyGroupKind.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "aliases": row["aliases"],
                "sort_order": order,
                "version": "2020",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("graduates", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
