from django.db import migrations

from qihang.destinations.reference import read_code_set


def backfill(apps, schema_editor):
    """Rows written before versions existed: their approved values are the official ones, and
    the codes learn which fields they require from the code set's data file."""
    Destination = apps.get_model("destinations", "Destination")
    DestinationCode = apps.get_model("destinations", "DestinationCode")
    for code_set_version in DestinationCode.objects.values_list(
        "code_set__version", flat=True
    ).distinct():
        try:
            data = read_code_set(code_set_version)
        except FileNotFoundError:
            continue
        for row in data["codes"]:
            DestinationCode.objects.filter(
                code_set__version=code_set_version, code=row["code"]
            ).update(required_fields=row.get("required_fields", []))
    for destination in Destination.objects.filter(status="approved").select_related(
        "code", "employer_nature"
    ):
        destination.official_code_id = destination.code_id
        destination.official_values = {
            "code": destination.code.code,
            "employer_name": destination.employer_name,
            "employer_credit_code": destination.employer_credit_code,
            "employer_nature": destination.employer_nature.code
            if destination.employer_nature_id
            else "",
            "employer_division": destination.employer_division,
            "agreement_no": destination.agreement_no,
            "signed_on": destination.signed_on.isoformat() if destination.signed_on else "",
            "note": destination.note,
        }
        if destination.approved_at is None:
            destination.approved_at = destination.submitted_at
        destination.save(update_fields=["official_code", "official_values", "approved_at"])
    Destination.objects.filter(status="returned", return_reason="").update(
        return_reason="（未记录原因）"
    )


class Migration(migrations.Migration):
    dependencies = [("destinations", "0004_destination_versions")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
