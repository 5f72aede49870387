"""The audit log becomes append-only and hash-chained per institution (docs/audit.md): every
existing entry is chained in (at, id) order, and triggers refuse UPDATE and DELETE."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    from qihang.audit import chain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    institutions = (
        AuditEvent.objects.using(db).order_by().values_list("institution_id", flat=True).distinct()
    )
    for institution_id in list(institutions):
        seq, prev = 0, chain.GENESIS
        rows = AuditEvent.objects.using(db).filter(institution_id=institution_id)
        batch = []
        for row in rows.order_by("at", "id").iterator(chunk_size=2000):
            seq += 1
            row.seq, row.prev_hash = seq, prev
            row.hash = prev = chain.hash_of(row)
            batch.append(row)
            if len(batch) == 2000:
                AuditEvent.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
                batch = []
        AuditEvent.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
        AuditChainHead.objects.using(db).create(institution_id=institution_id, seq=seq, hash=prev)


def install_triggers(apps, schema_editor):
    from qihang.audit import triggers

    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from qihang.audit import triggers

    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("institutions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "institution",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="institutions.institution",
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "操作记录链头",
                "verbose_name_plural": "操作记录链头",
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="summary",
            field=models.TextField(blank=True, default="", verbose_name="摘要"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="institution",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="institutions.institution",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(verbose_name="序号"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("institution", "seq"), name="audit_event_chain_seq"
            ),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
