from django.db import migrations, models


def backfill(apps, schema_editor):
    """Periods written before the division was carried get only what is known to have held
    while they held: an open period holds the record's present values (official: the approved
    version's division; reported: the current one), if it lies in the period's province; any
    other period — a closed one may have been in another city — gets its province code. So
    province-defined regions stay exact as of any day, and such a period never counts in a
    prefecture-defined region (粤港澳大湾区)."""
    Destination = apps.get_model("destinations", "Destination")
    DestinationPeriod = apps.get_model("destinations", "DestinationPeriod")
    DestinationPeriod.objects.exclude(employer_province="").update(
        employer_division=models.F("employer_province")
    )
    fields = ("graduate_id", "employer_division", "official_values")
    for graduate_id, division, official in Destination.objects.values_list(*fields).iterator():
        official_division = (official or {}).get("employer_division", division) or ""
        for kind, value in (("official", official_division), ("reported", division)):
            if not value:
                continue
            DestinationPeriod.objects.filter(
                graduate_id=graduate_id,
                kind=kind,
                valid_to__isnull=True,
                employer_province=value[:2] + "0000",
            ).update(employer_division=value)


class Migration(migrations.Migration):
    """Rates by strategic region need the employer's division on the period: 粤港澳大湾区 is
    nine cities of Guangdong, not the province (qihang.regions, reports "by region")."""

    dependencies = [("destinations", "0006_destination_constraints")]

    operations = [
        migrations.AddField(
            model_name="destinationperiod",
            name="employer_division",
            field=models.CharField(blank=True, default="", max_length=6),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
