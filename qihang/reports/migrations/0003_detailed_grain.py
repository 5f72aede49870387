# Rates by major, degree level and gender come from the summaries too: weekly flows per
# department, major and gender as well as per department, totals and the roster at that
# detailed grain. The triggers are reinstalled and recount everything (PostgreSQL only).

from django.db import migrations, models


def install_triggers(apps, schema_editor):
    # Superseded: 0004 installs the triggers for the dated roster and recounts. (This
    # migration used to install them; the current code reads the roster periods that
    # graduates.0004 adds.)
    pass


def drop_triggers(apps, schema_editor):
    from qihang.reports import summary

    summary.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_period_totals"),
    ]

    operations = [
        migrations.CreateModel(
            name="DetailedPeriodFlow",
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
                ("gender", models.CharField(max_length=1)),
                ("code", models.CharField(max_length=4)),
                ("week", models.DateField()),
                ("starts", models.IntegerField(default=0)),
                ("ends", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "cohort_id",
                            "kind",
                            "department_id",
                            "major_id",
                            "gender",
                            "code",
                            "week",
                        ),
                        name="reports_detailedperiodflow_unique",
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
            model_name="periodtotal",
            name="gender",
            field=models.CharField(default="", max_length=1),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rostercount",
            name="major_id",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rostercount",
            name="gender",
            field=models.CharField(default="", max_length=1),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="periodtotal",
            constraint=models.UniqueConstraint(
                fields=("cohort_id", "kind", "department_id", "major_id", "gender", "code"),
                name="reports_periodtotal_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="rostercount",
            constraint=models.UniqueConstraint(
                fields=("cohort_id", "department_id", "major_id", "gender"),
                name="reports_rostercount_unique",
            ),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
