"""`qihang send_appointment_reminders`: remind graduates of tomorrow's appointments.

Run it once a day (a systemd timer or cron, like `qihang send_digests`); "tomorrow" is each
institution's own (AppointmentPolicy.time_zone). Running it twice reminds nobody twice.
"""

from typing import Any

from django.core.management.base import BaseCommand

from qihang.appointments.services import reminders_send


class Command(BaseCommand):
    help = "Send the day-before reminders of appointments through the notifications outbox."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send()
        self.stdout.write(f"已发送{sent}条咨询预约提醒。")
