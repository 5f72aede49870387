"""`qihang demo_otp EMAIL`: the dynamic code a demo account's authenticator shows now (the demo
binds one, with a published secret, for staff who must confirm a code: qihang.demo.mfa_demo)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.accounts.mfa import code_at, confirmed_device, next_code_time
from qihang.accounts.models import User
from qihang.demo.mfa_demo import demo_key


class Command(BaseCommand):
    help = "Print the TOTP code a demo account's authenticator shows now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a demo staff member's e-mail, e.g. centre@dfcm.example")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            raise CommandError(f"{email} 没有绑定验证器（只有需要动态验证码的演示工作人员有）。")
        if device.key != demo_key(user.email):
            # A real person's authenticator: its secret is theirs, never printed.
            raise CommandError(f"{email} 绑定的不是演示验证器。")
        # Each code is accepted once: after a sign-in in this 30 seconds, the next step's code
        # (accepted already: the device allows one step of clock difference).
        self.stdout.write(code_at(device, next_code_time(device, time.time())))
