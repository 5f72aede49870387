"""Who may register for an event: one rule, read by the services (refusal) and the selectors
(the graduate's list of upcoming events)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.utils.translation import gettext as _

from qihang.events.models import Event, EventStatus
from qihang.graduates.models import Graduate


def ineligible_reasons(
    event: Event,
    graduate: Graduate,
    *,
    now: dt.datetime,
    department_ids: Collection[int] | None = None,
) -> list[str]:
    """Why `graduate` may not register for `event` (empty: they may). `department_ids`: the
    event's departments when the caller read them for a whole list."""
    reasons: list[str] = []
    if event.status != EventStatus.APPROVED:
        reasons.append(_("该活动未开放报名。"))
    if event.starts_at <= now:
        reasons.append(_("该活动已开始或已结束。"))
    if event.cohort_year and graduate.cohort.year != event.cohort_year:
        reasons.append(_("本场面向%(year)s届毕业生。") % {"year": event.cohort_year})
    if event.degree_levels and graduate.degree_level not in event.degree_levels:
        reasons.append(_("本场面向%(levels)s。") % {"levels": event.degree_labels})
    # Departments are the holding institution's: they narrow only its own graduates.
    if graduate.institution_id == event.institution_id:
        if department_ids is None:
            department_ids = {d.pk for d in event.departments.all()}
        if department_ids and graduate.department_id not in department_ids:
            reasons.append(_("本场只面向部分院系的毕业生。"))
    return reasons
