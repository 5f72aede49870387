"""What the dashboard page adds to the selectors' figures: the default "as of" day and the
rows its ranking chart draws.

Reads go through the public selectors and `scoped()`; nothing here counts graduates itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils import timezone

from qihang.destinations.models import DestinationPeriod
from qihang.graduates.models import RosterPeriod
from qihang.institutions.models import Cohort
from qihang.institutions.scoping import Actor
from qihang.reports import selectors, stats

# What a single department's chart ranks instead of its one bar, in order of preference.
_WITHIN_DEPARTMENT = ("major", "gender")


def default_as_of(*, actor: Actor, cohort: Cohort, today: dt.date | None = None) -> dt.date:
    """The day the dashboard opens on.

    Today while the cohort's season (its graduation year) is current; afterwards the last day
    anything was recorded for the cohort, so a finished or abandoned season opens on its own
    last day and "against last year" compares the same point of both seasons (not a frozen
    season with a complete one a year later). Two queries after the season, none during it.

    The last day is the institution's, not that of the departments the actor sees: every
    officer's page then opens on the same day as the career centre's, and their figures agree.
    The cohort comes from `scoped()`; only its institution's date of last activity is read.
    """
    today = today or timezone.localdate()
    if cohort.year >= today.year or cohort.institution_id != actor.institution_id:
        return today
    moments = []
    for model in (DestinationPeriod, RosterPeriod):  # a destination, or who is on the roster
        last = model.objects.filter(institution_id=cohort.institution_id, cohort=cohort).aggregate(
            started=Max("valid_from"), ended=Max("valid_to")
        )
        moments += [m for m in (last["started"], last["ended"]) if m is not None]
    if not moments:
        return today
    return min(today, stats.local(max(moments)).date())


def share_of_placed(rows: list[dict[str, Any]], total: dict[str, Any]) -> None:
    """Grouping by the employer's province: every graduate with a province is placed, so a
    placement rate per province is always 100%. Where graduates went is the number placed in
    each province and its share of all placed graduates; added to each row in place."""
    for row in [*rows, total]:
        row["share_of_placed"] = stats.rate(row["placed"], total["placed"])


def chart_rows(
    *,
    actor: Actor,
    cohort: Cohort,
    data: dict[str, Any],
    by: str,
    as_of: dt.date | None,
    kind: str,
) -> tuple[str, list[dict[str, Any]]]:
    """The grouping the ranking chart draws and its rows: the table's own grouping, except that
    a single department (one bar ranks nothing) ranks its majors, or, with a single major, its
    men and women. Queries: none, or one or two groupings' figures (selectors.cohort_stats)."""
    rows = data["stats"]["rows"]
    if by != "department" or len(rows) != 1:
        return by, rows
    for inner in _WITHIN_DEPARTMENT:
        found = selectors.cohort_stats(actor=actor, cohort=cohort, by=inner, as_of=as_of, kind=kind)
        if len(found["rows"]) > 1:
            return inner, found["rows"]
    return by, rows
