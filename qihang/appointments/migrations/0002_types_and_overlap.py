"""The appointment types (reference data from data/appointment_types.json) and the database
guarantee that an adviser's live slots never overlap (see qihang.appointments.models).

PostgreSQL: an exclusion constraint over (adviser, time range), needing btree_gist for the
equality on adviser_id. SQLite: two triggers that abort an insert or update meeting a live slot
of the same adviser (SQLite has no exclusion constraints; its writers are serialised).
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "appointment_types.json"
TABLE = "appointments_slot"
NAME = "slot_no_overlap"

_SQLITE_CHECK = f"""
    SELECT RAISE(ABORT, '{NAME}: the adviser already has a slot at that time')
    WHERE NOT NEW.withdrawn AND EXISTS (
        SELECT 1 FROM {TABLE} s
        WHERE s.adviser_id = NEW.adviser_id AND s.id IS NOT NEW.id AND NOT s.withdrawn
          AND s.starts_at < NEW.ends_at AND NEW.starts_at < s.ends_at
    );
"""


def load_types(apps, schema_editor):
    model = apps.get_model("appointments", "AppointmentType")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data["types"]:
        model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "minutes": row["minutes"],
                "sort_order": row["sort_order"],
                "version": data["version"],
            },
        )


def add_overlap_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} EXCLUDE USING gist "
            "(adviser_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (NOT withdrawn)"
        )
    elif vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {NAME}_{event.lower()} BEFORE {event} ON {TABLE} "
                f"FOR EACH ROW BEGIN {_SQLITE_CHECK} END"
            )
    else:  # pragma: no cover - the two databases Qihang runs on
        raise NotImplementedError(f"no overlap guard for {vendor}")


def drop_overlap_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}")
    else:
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}_{event}")


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        migrations.RunPython(load_types, migrations.RunPython.noop),
        migrations.RunPython(add_overlap_guard, drop_overlap_guard),
    ]
