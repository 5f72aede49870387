"""`qihang purge_import_files`: delete import uploads past their retention period.

Run it daily (a systemd timer or cron); every import job also runs it when it finishes. The
jobs keep their reports (rows, errors, warnings); only the uploaded files go.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from qihang.imports.services import import_files_purge


class Command(BaseCommand):
    help = "Delete uploaded import files older than QIHANG_IMPORT_RETENTION_DAYS after their job."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_files_purge()
        days = settings.QIHANG_IMPORT_RETENTION_DAYS
        self.stdout.write(
            f"已删除{purged}个超过保留期限（任务完成后{days}天）的导入文件；任务记录及其报告保留。"
        )
