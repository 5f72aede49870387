"""Which code set and signing definition apply to a cohort."""

import datetime

from django.core.exceptions import ImproperlyConfigured

from qihang.destinations.models import CodeSet, CohortPolicy
from qihang.destinations.reference import read_code_set
from qihang.institutions.models import Cohort


def policy_for(cohort: Cohort) -> CohortPolicy:
    """The cohort's policy, created with the national defaults the first time it is asked for."""
    policy = CohortPolicy.objects.filter(cohort=cohort).select_related("code_set").first()
    if policy is not None:
        return policy
    code_set = (
        CodeSet.objects.filter(effective_from__lte=datetime.date(cohort.year, 12, 31))
        .order_by("-effective_from")
        .first()
    ) or CodeSet.objects.order_by("effective_from").first()
    if code_set is None:
        raise ImproperlyConfigured("no destination code set loaded: run `qihang migrate`")
    defaults = read_code_set(code_set.version).get("default_signing_codes", ["10", "11"])
    policy, _created = CohortPolicy.objects.get_or_create(
        cohort=cohort,
        defaults={
            "institution_id": cohort.institution_id,
            "code_set": code_set,
            "signing_codes": defaults,
            "registration_deadline": datetime.date(cohort.year, 8, 31),
        },
    )
    return policy
