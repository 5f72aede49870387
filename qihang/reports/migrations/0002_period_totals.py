from django.db import migrations, models


def install_triggers(apps, schema_editor):
    # Superseded: 0003 installs the triggers for the current schema and recounts. (This
    # migration used to install them; the current code expects columns 0003 adds.)
    pass


def drop_triggers(apps, schema_editor):
    from qihang.reports import summary

    summary.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_summary_tables'),
    ]

    operations = [
        migrations.CreateModel(
            name='PeriodTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('institution_id', models.BigIntegerField()),
                ('cohort_id', models.BigIntegerField()),
                ('kind', models.CharField(max_length=10)),
                ('department_id', models.BigIntegerField()),
                ('code', models.CharField(max_length=4)),
                ('holding', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('cohort_id', 'kind', 'department_id', 'code'), name='reports_periodtotal_unique')],
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
