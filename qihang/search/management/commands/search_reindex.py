"""`qihang search_reindex`: rebuild the full-text index of every job (in bulk)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qihang.search.services import jobs_reindex_all


class Command(BaseCommand):
    help = "重建全部岗位的全文索引（jieba 分词）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = jobs_reindex_all()
        self.stdout.write(f"indexed {count} jobs")
