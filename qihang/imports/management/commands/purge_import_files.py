"""`qihang purge_import_files`: delete import uploads past their retention period.

Run it daily (a systemd timer or cron); every import job also purges when it finishes. The
jobs keep their reports (rows, errors, warnings); only the uploaded files go. Uploads kept in
plaintext by earlier versions are sealed on the way.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from qihang.imports.services import import_files_purge, import_files_seal_legacy


class Command(BaseCommand):
    help = "Delete uploaded import files older than QIHANG_IMPORT_RETENTION_DAYS after their job."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_files_purge()
        sealed = import_files_seal_legacy()
        days = settings.QIHANG_IMPORT_RETENTION_DAYS
        self.stdout.write(
            f"已删除{purged}个超过保留期限（任务完成后{days}天）的导入文件；任务记录及其报告保留。"
        )
        if sealed:
            self.stdout.write(f"已加密{sealed}个加密功能启用前以明文保存的导入文件。")
