"""Demo data for the channels work (issue 7): the pairing of the two demo schools, then each
app's own demo step, in dependency order (employers before their jobs, jobs before searches and
messages). Each step is `populate(*, seed, today, log)` in qihang/demo/<app>_demo.py."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

from qihang.demo import catalogue as cat
from qihang.institutions.models import Institution, Pairing

STEPS = (
    "employers_demo",
    "jobs_demo",
    "search_demo",
    "resumes_demo",  # resumes (issue 8): after the employers, whose accounts read the résumés
    "applications_demo",  # applications
    "notifications_demo",
    "events_demo",  # events app
    "appointments_demo",  # appointments
    "ventures_demo",  # ventures
    "guidance_demo",  # guidance: after the pairing, for the talk shared with 江城
    "documents_demo",  # documents (issue 9): recommendation forms, 档案/户口
    "agreements_demo",  # agreements (issue 9): after the applications they grow from
    "verification_demo",  # verification (issue 9): after the employers and the season
    "reporting_demo",  # reporting (issue 9): last, after every step that writes destinations
    "wellbeing_demo",  # wellbeing (issue 10): check-ins and referrals, nothing else depends on it
    "assistance_demo",  # key-group assistance (issue 10): files, plans, follow-ups
)


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    """Run the steps; returns the demo logins they add (a step may return a list of them)."""
    first, second = sorted(
        Institution.objects.filter(code__in=[cat.DFCM.code, cat.JCCM.code]), key=lambda i: i.pk
    )
    # The 2020 一帮一 action: paired from April (DOMAIN.md §5), still working together.
    Pairing.objects.create(
        first=first, second=second, name="一帮一结对", starts_on=dt.date(2020, 4, 10)
    )
    logins: list = []
    for step in STEPS:
        try:
            module = importlib.import_module(f"qihang.demo.{step}")
        except ModuleNotFoundError:  # a step another branch of the work adds
            continue
        logins += module.populate(seed=seed, today=today, log=log) or []
    return logins
