"""民族 becomes a sensitive attribute: ciphertext at rest, with a keyed digest to compare and
group by; the ID number's digest is computed by its field from now on (no data change)."""

from django.db import migrations, models

import qihang.lib.sensitive
from qihang.lib import crypto

BATCH = 2000


def seal_ethnicities(apps, schema_editor):
    Graduate = apps.get_model("graduates", "Graduate")
    rows = (
        Graduate.objects.exclude(ethnicity="")
        .order_by("pk")
        .values_list("pk", "ethnicity")
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for pk, text in rows:
        batch.append(
            Graduate(
                pk=pk,
                ethnicity=crypto.encrypt(text),
                ethnicity_digest=crypto.blind_index(text, "graduate.ethnicity"),
            )
        )
        if len(batch) == BATCH:
            Graduate.objects.bulk_update(batch, ["ethnicity", "ethnicity_digest"])
            batch = []
    if batch:
        Graduate.objects.bulk_update(batch, ["ethnicity", "ethnicity_digest"])


def open_ethnicities(apps, schema_editor):
    Graduate = apps.get_model("graduates", "Graduate")
    batch = [
        Graduate(pk=pk, ethnicity=crypto.decrypt(token), ethnicity_digest="")
        for pk, token in Graduate.objects.exclude(ethnicity="").values_list("pk", "ethnicity")
    ]
    Graduate.objects.bulk_update(batch, ["ethnicity", "ethnicity_digest"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("graduates", "0005_national_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="graduate",
            name="ethnicity_digest",
            field=models.CharField(max_length=64, blank=True, default="", editable=False),
        ),
        # A plain text column first: the conversion below reads and writes raw values.
        migrations.AlterField(
            model_name="graduate",
            name="ethnicity",
            field=models.TextField(verbose_name="民族", blank=True, default=""),
        ),
        migrations.RunPython(seal_ethnicities, open_ethnicities, elidable=True),
        migrations.AlterField(
            model_name="graduate",
            name="ethnicity",
            field=qihang.lib.sensitive.SensitiveField(verbose_name="民族"),
        ),
        migrations.AlterField(
            model_name="graduate",
            name="ethnicity_digest",
            field=qihang.lib.sensitive.BlindIndexField(
                purpose="graduate.ethnicity", source="ethnicity"
            ),
        ),
        migrations.AlterField(
            model_name="graduate",
            name="id_number_digest",
            field=qihang.lib.sensitive.BlindIndexField(
                normalize="upper", purpose="graduate.id_number", source="id_number"
            ),
        ),
    ]
