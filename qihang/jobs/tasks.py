"""Background task: close the jobs whose deadline has passed (`qihang db_worker` runs it; the
`close_expired_jobs` command enqueues nothing and runs the same service directly)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from qihang.jobs.services import jobs_close_expired


@task()
def close_expired_jobs(today: str | None = None) -> int:
    """Expire published jobs whose deadline is before `today` (ISO date; default: today)."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return jobs_close_expired(today=day)
