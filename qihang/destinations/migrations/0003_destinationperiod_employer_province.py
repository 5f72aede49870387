from django.db import migrations, models


class Migration(migrations.Migration):
    """Rates by employer province as of any day need the province on the period itself; rates
    as of a moment inside a week look periods up by valid_to (reports.selectors)."""

    dependencies = [("destinations", "0002_codeset_2020")]

    operations = [
        migrations.AddField(
            model_name="destinationperiod",
            name="employer_province",
            field=models.CharField(blank=True, default="", max_length=6),
        ),
        migrations.AddIndex(
            model_name="destinationperiod",
            index=models.Index(
                fields=["institution", "cohort", "kind", "valid_to"],
                name="destination_period_valid_to",
            ),
        ),
    ]
