"""Background tasks of the outbox (django.tasks; `qihang db_worker` runs them).

`notify()` enqueues `deliver` on commit; `send_digests` is the task form of
`qihang send_digests` for deployments that schedule tasks rather than commands.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from qihang.notifications.delivery import deliver_notifications, digests_send


@task()
def deliver(notification_ids: list[int]) -> int:
    """Send these notifications' pending instant deliveries (safe to run twice)."""
    return deliver_notifications(notification_ids)


@task()
def send_digests(day: str) -> int:
    """The digest e-mails of `day` (YYYY-MM-DD)."""
    return digests_send(day=dt.date.fromisoformat(day))
