from django.db import migrations, models


class Migration(migrations.Migration):
    """The record's invariants as database constraints (after 0005 made old rows satisfy them)."""

    dependencies = [("destinations", "0005_destination_versions_backfill")]

    operations = [
        migrations.AddIndex(
            model_name='destination',
            index=models.Index(condition=models.Q(('agreement_no', ''), _negated=True), fields=['institution', 'agreement_no'], name='destination_agreement_no'),
        ),
        migrations.AddConstraint(
            model_name='destination',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['submitted', 'reviewed', 'approved', 'returned'])), name='destination_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='destination',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['self', 'counsellor', 'import', 'agreement'])), name='destination_source_valid'),
        ),
        migrations.AddConstraint(
            model_name='destination',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'returned'), _negated=True), models.Q(('return_reason', ''), _negated=True), _connector='OR'), name='destination_returned_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='destination',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), models.Q(('approved_at__isnull', False), ('official_code__isnull', False)), _connector='OR'), name='destination_approved_is_official'),
        ),
        migrations.AddConstraint(
            model_name='destinationperiod',
            constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='destination_period_ordered'),
        ),
    ]
