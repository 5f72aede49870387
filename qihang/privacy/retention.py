"""Retention: a cohort's personal data is anonymised once its retention period is over.

A cohort is due after 31 December of the year `settings.QIHANG_SENSITIVE_RETENTION_YEARS`
(at least 3, default 5) after its graduation year. Its graduates are then anonymised in place —
name, 学号, ID number and its digest, 民族, phone, e-mail, the county of origin (the province
stays), their accounts (unless another institution also holds the account) — and every sealed
text about them is emptied: key-group bases and notes, assistance files, plan steps, follow-ups
and subsidy accounts, wellbeing answers, triggers and notes, correction requests' requested
values. What figures are made of stays: roster and destination periods, key-group memberships'
kinds and dates, counts of check-ins. So `qihang stats` for any past day gives the same figures
before and after. One `CohortAnonymisation` row and one audit entry per cohort; running it again
does nothing. The audit log itself is append-only and keeps the names its entries were written
with (docs/privacy.md).

Run daily by `qihang purge_sensitive` (a systemd timer, like `qihang purge_evidence`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record
from qihang.graduates.models import CohortAnonymisation, Graduate, GraduateKeyGroup
from qihang.institutions.models import Cohort, Membership

ANONYMOUS = "（已匿名）"


def due_cohorts(today: dt.date) -> list[Cohort]:
    years = max(settings.QIHANG_SENSITIVE_RETENTION_YEARS, 3)
    return list(
        Cohort.objects.filter(year__lt=today.year - years, anonymisation__isnull=True)
        .select_related("institution")
        .order_by("institution_id", "year")
    )


def purge_sensitive(*, today: dt.date | None = None, dry_run: bool = False) -> list[dict[str, Any]]:
    """Anonymise every cohort past its retention; returns one report per cohort."""
    today = today or timezone.localdate()
    reports = []
    for cohort in due_cohorts(today):
        if dry_run:
            reports.append(
                {
                    "cohort": cohort.pk,
                    "year": cohort.year,
                    "institution": cohort.institution.code,
                    "graduates": Graduate.objects.filter(cohort=cohort).count(),
                    "dry_run": True,
                }
            )
            continue
        reports.append(anonymise_cohort(cohort, today=today))
    return reports


@transaction.atomic
def anonymise_cohort(cohort: Cohort, *, today: dt.date) -> dict[str, Any]:
    from qihang.accounts.models import User
    from qihang.assistance.models import AssistanceFile, FollowUp, PlanStep, Subsidy
    from qihang.reporting.models import CorrectionRequest
    from qihang.wellbeing.models import CheckIn, Referral, ReferralNote

    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if CohortAnonymisation.objects.filter(cohort=cohort).exists():
        return {"cohort": cohort.pk, "year": cohort.year, "skipped": True}
    graduates = Graduate.objects.filter(cohort=cohort)
    ids = list(graduates.values_list("pk", flat=True))
    user_ids = set(graduates.exclude(user__isnull=True).values_list("user_id", flat=True))
    # An account another institution also holds is not this cohort's to anonymise: unlinked.
    shared = set(
        Membership.objects.filter(user_id__in=user_ids)
        .exclude(institution_id=cohort.institution_id)
        .values_list("user_id", flat=True)
    )
    pk_text = Cast("pk", CharField())
    counts: dict[str, int] = {}
    # Blind indexes are written here by value (a queryset update bypasses save()): the ID
    # digest becomes a unique marker, so the per-cohort uniqueness still holds.
    counts["graduates"] = graduates.update(
        name=ANONYMOUS,
        student_no=Concat(Value("anon-"), pk_text),
        id_number="",
        id_number_digest=Concat(Value("anonymised:"), pk_text),
        ethnicity="",
        ethnicity_digest="",
        phone="",
        email="",
        origin_division=F("origin_province"),
        roster_status_reason="",
        user=None,
        updated_at=timezone.now(),
    )
    own_accounts = user_ids - shared
    counts["accounts"] = User.objects.filter(pk__in=own_accounts).update(
        username=Concat(Value("anonymised-"), pk_text),
        display_name="",
        email="",
        first_name="",
        last_name="",
        is_active=False,
        password=make_password(None),
    )
    counts["key_groups"] = GraduateKeyGroup.objects.filter(graduate_id__in=ids).update(
        basis="", note=""
    )
    files = AssistanceFile.objects.filter(graduate_id__in=ids)
    counts["assistance_steps"] = PlanStep.objects.filter(file__in=files).update(text="")
    counts["assistance_files"] = files.update(situation="", needs="", goals="", measures="")
    counts["follow_ups"] = FollowUp.objects.filter(graduate_id__in=ids).update(
        discussed="", next_step=""
    )
    counts["subsidies"] = Subsidy.objects.filter(graduate_id__in=ids).update(bank_account="")
    counts["check_ins"] = CheckIn.objects.filter(cohort=cohort).update(answers="")
    referrals = Referral.objects.filter(graduate_id__in=ids)
    counts["referral_notes"] = ReferralNote.objects.filter(referral__in=referrals).update(text="")
    counts["referrals"] = referrals.update(trigger="")
    counts["corrections"] = CorrectionRequest.objects.filter(graduate_id__in=ids).update(
        requested_secret="", requested_value="", current_value=""
    )
    now = timezone.now()
    CohortAnonymisation.objects.create(
        institution_id=cohort.institution_id, cohort=cohort, at=now, counts=counts
    )
    audit_record(
        institution_id=cohort.institution_id,
        actor_id=None,
        action="graduate.cohort_anonymise",
        target=cohort,
        summary=_("%(year)s届个人信息保存期满，已匿名化 %(n)s 名毕业生")
        % {"year": cohort.year, "n": counts["graduates"]},
        data={
            **counts,
            "today": today.isoformat(),
            "retention_years": settings.QIHANG_SENSITIVE_RETENTION_YEARS,
        },
    )
    return {
        "cohort": cohort.pk,
        "year": cohort.year,
        "institution": cohort.institution.code,
        **counts,
    }
