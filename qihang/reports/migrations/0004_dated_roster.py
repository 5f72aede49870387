# The roster is dated (graduates.RosterPeriod): the summaries count holdings — destination
# periods within roster periods, and the roster periods themselves under the kind "roster" —
# so the roster count by graduates' current attributes (RosterCount) and its triggers on the
# graduates table go. The new triggers are installed first (which drops the old ones), then
# the table is removed. PostgreSQL only; elsewhere the selectors count directly.

from django.db import migrations


def install_triggers(apps, schema_editor):
    from qihang.reports import summary

    summary.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from qihang.reports import summary

    summary.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_detailed_grain"),
        ("graduates", "0004_roster_periods"),
    ]

    operations = [
        migrations.RunPython(install_triggers, drop_triggers),
        migrations.RemoveConstraint(
            model_name="rostercount",
            name="reports_rostercount_unique",
        ),
        migrations.DeleteModel(
            name="RosterCount",
        ),
    ]
