from django.db import migrations

from qihang.employers.reference import load_channels


def forwards(apps, schema_editor):
    load_channels(apps, "2026")


class Migration(migrations.Migration):
    dependencies = [("employers", "0002_employer_licence_join_request_relationships_alumni")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
