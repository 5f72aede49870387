"""`qihang remind_applications`: remind employers of applications waiting for an answer.

Run it once a day (a systemd timer or cron, like send_digests): each employer gets one message
per institution listing the applications that have waited the institution's number of days
(applications policy, default 7) without an answer, and again after as many more.
"""

from typing import Any

from django.core.management.base import BaseCommand

from qihang.applications.services import applications_remind


class Command(BaseCommand):
    help = "Remind employers of applications that have waited too long for an answer."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = applications_remind()
        self.stdout.write(f"已提醒{sent}家用人单位答复待处理的求职申请。")
