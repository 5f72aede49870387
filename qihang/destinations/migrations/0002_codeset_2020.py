from django.db import migrations

from qihang.destinations.reference import load_code_set


def forwards(apps, schema_editor):
    load_code_set(apps, "2020")


class Migration(migrations.Migration):
    dependencies = [("destinations", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
