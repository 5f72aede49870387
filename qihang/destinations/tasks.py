"""Background task: purge evidence past its retention (`qihang db_worker` runs it; the
`purge_evidence` command enqueues nothing and runs the same service directly)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from qihang.destinations.services import evidence_purge


@task()
def purge_evidence(today: str | None = None) -> int:
    """Purge evidence past its retention as of `today` (ISO date; default: today); the number
    of evidence rows purged."""
    day = dt.date.fromisoformat(today) if today else None
    return sum(c["rows"] for c in evidence_purge(today=day).values())
