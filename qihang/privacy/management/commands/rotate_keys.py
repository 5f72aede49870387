"""`qihang rotate_keys`: re-seal every sensitive value and sealed file under the current key."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qihang.privacy.keys import rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every sensitive field and every sealed file with the current key (the "
        "first of QIHANG_FIELD_KEYS). Run it after putting a new key first; then the old key "
        "can go. --dry-run counts what would change; --check exits 1 when anything would."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument(
            "--check", action="store_true", help="like --dry-run; exit 1 if anything is stale"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        dry = opts["dry_run"] or opts["check"]
        result = rotate(dry_run=dry, progress=lambda line: self.stdout.write(f"  {line}"))
        verb = "需重新加密" if dry else "已重新加密"
        self.stdout.write(
            f"当前密钥 {result.key}：{verb}字段值 {sum(result.values.values())} 个，"
            f"文件 {sum(result.files.values())} 个"
        )
        if opts["check"] and result.total:
            raise CommandError("仍有数据使用旧密钥加密", returncode=1)
