"""`qihang create_institution CODE NAME`: register a school (the tenant)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.institutions.services import institution_create


class Command(BaseCommand):
    help = "Create an institution (学校) with its national school code and name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="school code, e.g. the national 5-digit code 10278")
        parser.add_argument("name", help="full name, e.g. 上海音乐学院")
        parser.add_argument("--short-name", default="", help="short name shown in the header")

    def handle(self, *args: Any, code: str, name: str, short_name: str, **options: Any) -> None:
        if not name.strip():
            raise CommandError("学校名称不能为空。")
        try:
            institution = institution_create(code=code, name=name, short_name=short_name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建学校 {institution.code} {institution.name}（id {institution.pk}）"
            )
        )
