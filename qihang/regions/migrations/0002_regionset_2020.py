from django.db import migrations

from qihang.regions.reference import load_region_set


def load(apps, schema_editor):
    load_region_set(apps, "2020")


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
