"""`qihang mfa_reset --email X`: remove a person's authenticator binding (a lost or replaced
phone, when they cannot give a code to 重新绑定 themselves). They bind a new one at their next
sign-in. Recorded in the audit log of every institution where they hold a role, with the
operating-system account that ran the command."""

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.accounts.mfa import mfa_reset
from qihang.accounts.models import User


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return ""


class Command(BaseCommand):
    help = "Remove a person's TOTP device: they bind a new one when they next sign in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the person's e-mail")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"没有邮箱为 {email} 的账号。")
        removed = mfa_reset(user=user, operator=_operator())
        if removed:
            self.stdout.write(
                self.style.SUCCESS(f"已解除 {user.email} 的验证器绑定；下次登录时重新绑定。")
            )
        else:
            self.stdout.write(f"{user.email} 没有绑定验证器，无需解除。")
