import django_countries.fields
from django.db import migrations, models

from qihang.destinations.reference import read_code_set

# Divisions that are a country of their own in ISO 3166-1 (as qihang.regions.countries says;
# copied so that this migration keeps meaning what it meant).
DIVISION_COUNTRIES = {"71": "TW", "81": "HK", "82": "MO"}


def country_of(division):
    return DIVISION_COUNTRIES.get(division[:2], "CN") if division else ""


def backfill(apps, schema_editor):
    """Records and periods written before the country was carried: a division means China (or
    中国香港, 中国澳门, 中国台湾 for theirs), no division means not known (""). A period's division
    is what held while it held, so its country is as exact as its division. The codes learn
    from the code set's data file that 85 (出国、出境) is abroad and requires a country."""
    DestinationCode = apps.get_model("destinations", "DestinationCode")
    for version in DestinationCode.objects.values_list("code_set__version", flat=True).distinct():
        try:
            data = read_code_set(version)
        except FileNotFoundError:
            continue
        for row in data["codes"]:
            DestinationCode.objects.filter(code_set__version=version, code=row["code"]).update(
                abroad=row.get("abroad", False), required_fields=row.get("required_fields", [])
            )
    for name in ("Destination", "DestinationPeriod"):
        model = apps.get_model("destinations", name)
        model.objects.exclude(employer_division="").update(employer_country="CN")
        for prefix, country in DIVISION_COUNTRIES.items():
            model.objects.filter(employer_division__startswith=prefix).update(
                employer_country=country
            )
    # The approved version's values (shown while a newer version is pending) say it too.
    Destination = apps.get_model("destinations", "Destination")
    changed = []
    for destination in Destination.objects.exclude(official_values={}).only("official_values"):
        values = destination.official_values
        if "employer_country" not in values:
            values["employer_country"] = country_of(values.get("employer_division") or "")
            changed.append(destination)
    Destination.objects.bulk_update(changed, ["official_values"], batch_size=1000)


class Migration(migrations.Migration):
    """Destinations record the country (ISO 3166-1 alpha-2), so that regions defined by
    countries (“一带一路”沿线国家) count graduates abroad, as of any day like the division."""

    dependencies = [
        ("destinations", "0007_destinationperiod_employer_division"),
    ]

    operations = [
        migrations.AddField(
            model_name="destination",
            name="employer_country",
            field=django_countries.fields.CountryField(
                blank=True, default="", max_length=2, verbose_name="国家/地区"
            ),
        ),
        migrations.AddField(
            model_name="destinationcode",
            name="abroad",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="destinationperiod",
            name="employer_country",
            field=models.CharField(blank=True, default="", max_length=2),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
