"""Key-group memberships: suggested, then confirmed by a person; the kind named by a keyed
digest, never by a reference to its name; dated for figures as of a day. Rows from before are
the roster's labels as they stood: they become confirmed memberships from the graduate's
arrival on the roster (what the figures of those days counted)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import qihang.lib.sensitive
from qihang.lib import crypto

BASIS = "生源名单“困难生类别”（启用确认流程前导入）"


def to_memberships(apps, schema_editor):
    Link = apps.get_model("graduates", "GraduateKeyGroup")
    codes = dict(apps.get_model("graduates", "KeyGroupKind").objects.values_list("pk", "code"))
    sealed = crypto.encrypt(BASIS)
    batch = []
    for link in Link.objects.select_related("graduate").iterator(chunk_size=2000):
        arrived = link.graduate.created_at
        link.kind_digest = crypto.blind_index(codes[link.kind_id], "graduate.key_group")
        link.source = "roster"
        link.basis = sealed
        link.status = "confirmed"
        link.suggested_at = link.decided_at = link.valid_from = arrived
        batch.append(link)
        if len(batch) == 2000:
            _save(Link, batch)
            batch = []
    _save(Link, batch)


def _save(Link, batch):
    fields = ["kind_digest", "source", "basis", "status", "suggested_at", "decided_at"]
    Link.objects.bulk_update(batch, [*fields, "valid_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("graduates", "0006_ethnicity_sensitive"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="graduate", name="key_groups"),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="kind_digest",
            field=models.CharField(max_length=64, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="source",
            field=models.CharField(
                choices=[
                    ("roster", "生源名单（困难生类别）"),
                    ("profile", "生源信息"),
                    ("staff", "工作人员"),
                ],
                max_length=10,
                default="roster",
            ),
            preserve_default=False,
        ),
        # Plain text while the rows are converted (the conversion writes ciphertext itself).
        migrations.AddField(
            model_name="graduatekeygroup",
            name="basis",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="status",
            field=models.CharField(
                choices=[
                    ("suggested", "待确认"),
                    ("confirmed", "已确认"),
                    ("dismissed", "不属于"),
                    ("ended", "已撤销"),
                ],
                default="suggested",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="note",
            field=qihang.lib.sensitive.SensitiveField(),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="suggested_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="valid_from",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="graduatekeygroup",
            name="valid_to",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(to_memberships, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="graduatekeygroup", name="graduate_key_group_unique"
        ),
        migrations.RemoveField(model_name="graduatekeygroup", name="kind"),
        migrations.AlterField(
            model_name="graduatekeygroup",
            name="basis",
            field=qihang.lib.sensitive.SensitiveField(),
        ),
        migrations.AlterField(
            model_name="graduatekeygroup",
            name="suggested_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="graduatekeygroup",
            name="graduate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="key_groups",
                to="graduates.graduate",
            ),
        ),
        migrations.AddConstraint(
            model_name="graduatekeygroup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["suggested", "confirmed"])),
                fields=("graduate", "kind_digest"),
                name="graduate_key_group_one_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="graduatekeygroup",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_to__isnull", True))
                | models.Q(("valid_from__isnull", False), ("valid_to__gte", models.F("valid_from"))),
                name="graduate_key_group_ordered",
            ),
        ),
        migrations.AddConstraint(
            model_name="graduatekeygroup",
            constraint=models.CheckConstraint(
                condition=~models.Q(("status", "confirmed")) | models.Q(("valid_from__isnull", False)),
                name="graduate_key_group_confirmed_dated",
            ),
        ),
        migrations.AddIndex(
            model_name="graduatekeygroup",
            index=models.Index(fields=["institution", "status"], name="graduates_g_institu_e2b671_idx"),
        ),
    ]
