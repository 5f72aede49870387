from django.db import migrations, models


# The triggers that fill these tables are installed by 0002 (with the table it adds).


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("graduates", "0001_initial"),
        ("destinations", "0003_destinationperiod_employer_province"),
    ]

    operations = [
        migrations.CreateModel(
            name='PeriodFlow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('institution_id', models.BigIntegerField()),
                ('cohort_id', models.BigIntegerField()),
                ('kind', models.CharField(max_length=10)),
                ('department_id', models.BigIntegerField()),
                ('code', models.CharField(max_length=4)),
                ('week', models.DateField()),
                ('starts', models.IntegerField(default=0)),
                ('ends', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('cohort_id', 'kind', 'department_id', 'code', 'week'), name='reports_periodflow_unique')],
            },
        ),
        migrations.CreateModel(
            name='RosterCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('institution_id', models.BigIntegerField()),
                ('cohort_id', models.BigIntegerField()),
                ('department_id', models.BigIntegerField()),
                ('graduates', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('cohort_id', 'department_id'), name='reports_rostercount_unique')],
            },
        ),
    ]
