"""Summaries that make the rates and the weekly series fast at 100,000 graduates.

On PostgreSQL, database triggers (installed by this app's migration, see `summary.py`) keep
these tables exact in the same transaction as every write to roster periods and destination
periods, whoever writes them (services, bulk imports, the demo generator, raw SQL). What they
count are holdings: a graduate holds a code in a cell (cohort, department, major, gender)
while one of their destination periods overlaps one of their roster periods
(graduates.RosterPeriod) in that cell; the roster periods themselves are counted under the
kind "roster" with the empty code, so the denominators as of T come out of the same sums:

- PeriodFlow: per cohort, kind, department, code and local week (Monday), how many periods
  started (valid_from in that week) and how many ended (valid_to in that week). The number of
  graduates holding a code as of T is the sum of starts minus ends up to T, so any "as of" is a
  sum over a few thousand rows instead of a scan of every graduate.
- DetailedPeriodFlow: the same per major and gender too (rates by major, degree level, gender).
- PeriodTotal: the same per major and gender, summed over all weeks, i.e. the periods held now (if none
  is dated in the future). "As of T" near now is this total less the few flows after T's week, so the
  default "now" view reads a few hundred rows.

A major belongs to one department and degree level, so rates by department, major, degree
level and gender all come from these tables.

On SQLite (local and small installations) the tables stay empty and the selectors count
directly from roster and destination periods; the results are identical (tests compare the two paths).

Their keys are plain integer columns, not foreign keys: the triggers delete a row as soon as it
holds nothing, so deleting graduates, cohorts or an institution empties them in step, and no
cascade order can leave a row pointing at a deleted parent.
"""

from django.db import models

from qihang.institutions.scoping import NONE, Scope


class _Flow(models.Model):
    institution_id = models.BigIntegerField()
    cohort_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    # The roster period's department: where the graduate counted while holding the code.
    department_id = models.BigIntegerField()
    code = models.CharField(max_length=4)
    week = models.DateField()  # Monday of the local (settings.TIME_ZONE) week
    starts = models.IntegerField(default=0)
    ends = models.IntegerField(default=0)

    scope = Scope(department="department_id", mentor=NONE, own=NONE)

    class Meta:
        abstract = True


class PeriodFlow(_Flow):
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort_id", "kind", "department_id", "code", "week"],
                name="reports_periodflow_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id}/{self.kind}/{self.department_id}/{self.code}/{self.week}"


class DetailedPeriodFlow(_Flow):
    """PeriodFlow per major and gender as well (the graduate's current ones): rates by major,
    degree level or gender."""

    major_id = models.BigIntegerField()
    gender = models.CharField(max_length=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort_id", "kind", "department_id", "major_id", "gender", "code", "week"],
                name="reports_detailedperiodflow_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.cohort_id}/{self.kind}/{self.department_id}/{self.major_id}/{self.gender}/"
            f"{self.code}/{self.week}"
        )


class PeriodTotal(models.Model):
    institution_id = models.BigIntegerField()
    cohort_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    department_id = models.BigIntegerField()
    major_id = models.BigIntegerField()
    gender = models.CharField(max_length=1)
    code = models.CharField(max_length=4)
    holding = models.IntegerField(default=0)  # sum of starts minus ends over all weeks

    scope = Scope(department="department_id", mentor=NONE, own=NONE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort_id", "kind", "department_id", "major_id", "gender", "code"],
                name="reports_periodtotal_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.cohort_id}/{self.kind}/{self.department_id}/{self.major_id}/{self.gender}/"
            f"{self.code}: "
            f"{self.holding}"
        )
