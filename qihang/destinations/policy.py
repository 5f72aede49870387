"""Which code set and signing definition apply to a cohort."""

import datetime

from django.core.exceptions import ImproperlyConfigured

from qihang.destinations.models import CodeSet, CohortPolicy
from qihang.destinations.reference import read_code_set
from qihang.institutions.models import Cohort


def _defaults(cohort: Cohort) -> dict:
    code_set = (
        CodeSet.objects.filter(effective_from__lte=datetime.date(cohort.year, 12, 31))
        .order_by("-effective_from")
        .first()
    ) or CodeSet.objects.order_by("effective_from").first()
    if code_set is None:
        raise ImproperlyConfigured("no destination code set loaded: run `qihang migrate`")
    signing = read_code_set(code_set.version).get("default_signing_codes", ["10", "11"])
    return {
        "institution_id": cohort.institution_id,
        "code_set": code_set,
        "signing_codes": signing,
        # Destination registration can be changed until 31 August of the graduation year.
        "registration_deadline": datetime.date(cohort.year, 8, 31),
    }


def policy_for(cohort: Cohort) -> CohortPolicy:
    """The cohort's policy, created with the national defaults the first time it is asked for."""
    policy = CohortPolicy.objects.filter(cohort=cohort).select_related("code_set").first()
    if policy is not None:
        return policy
    policy, _created = CohortPolicy.objects.get_or_create(cohort=cohort, defaults=_defaults(cohort))
    return policy


def policy_preview(cohort: Cohort) -> CohortPolicy:
    """The cohort's policy, or the one policy_for() would create, unsaved (for reads and dry
    runs, which must not write)."""
    policy = CohortPolicy.objects.filter(cohort=cohort).select_related("code_set").first()
    return policy if policy is not None else CohortPolicy(cohort=cohort, **_defaults(cohort))
