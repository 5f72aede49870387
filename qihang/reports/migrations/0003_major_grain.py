# Rates by major and by degree level come from the summaries too: weekly flows per major as
# well as per department, totals and the roster per major. The triggers are reinstalled and
# recount everything (PostgreSQL only).

from django.db import migrations, models


def install_triggers(apps, schema_editor):
    # PostgreSQL only: triggers keep the summaries exact, and install() counts what is
    # already there. On SQLite the tables stay empty (the selectors count directly).
    from qihang.reports import summary

    summary.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from qihang.reports import summary

    summary.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_period_totals"),
    ]

    operations = [
        migrations.CreateModel(
            name="MajorPeriodFlow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("institution_id", models.BigIntegerField()),
                ("cohort_id", models.BigIntegerField()),
                ("kind", models.CharField(max_length=10)),
                ("department_id", models.BigIntegerField()),
                ("major_id", models.BigIntegerField()),
                ("code", models.CharField(max_length=4)),
                ("week", models.DateField()),
                ("starts", models.IntegerField(default=0)),
                ("ends", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cohort_id", "kind", "department_id", "major_id", "code", "week"),
                        name="reports_majorperiodflow_unique",
                    )
                ],
            },
        ),
        migrations.RemoveConstraint(model_name="periodtotal", name="reports_periodtotal_unique"),
        migrations.RemoveConstraint(model_name="rostercount", name="reports_rostercount_unique"),
        migrations.AddField(
            model_name="periodtotal",
            name="major_id",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rostercount",
            name="major_id",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="periodtotal",
            constraint=models.UniqueConstraint(
                fields=("cohort_id", "kind", "department_id", "major_id", "code"),
                name="reports_periodtotal_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="rostercount",
            constraint=models.UniqueConstraint(
                fields=("cohort_id", "department_id", "major_id"),
                name="reports_rostercount_unique",
            ),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
