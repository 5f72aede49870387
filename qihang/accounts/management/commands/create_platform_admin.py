"""`qihang create_platform_admin EMAIL`: a person who registers institutions and can act in any.

The password is asked for interactively (twice), read from standard input with
--password-stdin (for scripts), or left unset with --link, which prints a one-time
set-password link instead (valid for PASSWORD_RESET_TIMEOUT).
"""

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.accounts.services import platform_admin_create, set_password_url


class Command(BaseCommand):
    help = "Create a platform administrator (or promote an existing account)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the administrator's e-mail; they sign in with it")
        parser.add_argument("--name", default="", help="display name, e.g. 张老师")
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
        how.add_argument(
            "--link", action="store_true", help="print a set-password link instead of a password"
        )

    def handle(
        self, *args: Any, email: str, name: str, password_stdin: bool, link: bool, **options: Any
    ) -> None:
        password: str | None = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif not link:
            if not sys.stdin.isatty():
                raise CommandError("没有终端可输入密码：请使用 --password-stdin 或 --link。")
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再输入一次："):
                raise CommandError("两次输入的密码不一致。")
        if password is not None:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            user = platform_admin_create(email=email, display_name=name, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"平台管理员：{user.email}（id {user.pk}）"))
        if link:
            self.stdout.write(f"设置密码的链接：{set_password_url(user)}")
