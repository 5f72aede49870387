"""National code tables (性别, 民族, 政治面貌, 学历 with their standards), 2020 version."""

import django.db.models.deletion
from django.db import migrations, models

from qihang.graduates.codes import load_code_tables


def forwards(apps, schema_editor):
    # The data file as of this migration; a later version gets a migration of its own.
    load_code_tables(apps, "2020")


class Migration(migrations.Migration):
    dependencies = [
        ("graduates", "0004_roster_periods"),
    ]

    operations = [
        migrations.CreateModel(
            name="NationalCodeTable",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=30)),
                ("version", models.CharField(max_length=20)),
                ("name", models.CharField(max_length=60, verbose_name="名称")),
                ("standard", models.CharField(max_length=120, verbose_name="标准")),
                ("source", models.TextField(blank=True, default="", verbose_name="出处")),
                ("uncertain", models.TextField(blank=True, default="")),
            ],
            options={
                "verbose_name": "国家标准代码表",
                "verbose_name_plural": "国家标准代码表",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "version"), name="national_code_table_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NationalCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=10, verbose_name="代码")),
                ("name", models.CharField(max_length=60, verbose_name="名称")),
                ("value", models.CharField(max_length=30)),
                ("aliases", models.JSONField(blank=True, default=list)),
                ("sort_order", models.PositiveSmallIntegerField(default=0)),
                (
                    "table",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="graduates.nationalcodetable",
                    ),
                ),
            ],
            options={
                "verbose_name": "国家标准代码",
                "verbose_name_plural": "国家标准代码",
                "ordering": ["table", "sort_order"],
                "constraints": [
                    models.UniqueConstraint(fields=("table", "code"), name="national_code_unique")
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
