"""Background task of appointments (django.tasks; `qihang db_worker` runs it): the task form of
`qihang send_appointment_reminders`, for deployments that schedule tasks rather than commands."""

from __future__ import annotations

from django.tasks import task

from qihang.appointments.services import reminders_send


@task()
def send_appointment_reminders() -> int:
    """Remind graduates of tomorrow's appointments (safe to run twice)."""
    return reminders_send()
