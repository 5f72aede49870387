"""`qihang export_roster --institution CODE --cohort YEAR [--destinations] [--layout national]
[--unmasked --user LOGIN --reason TEXT] -o FILE`.

Writes the cohort's roster (or, with --destinations, its destination records) as xlsx or csv
(by the output's suffix), the same file the export pages give, and records the export in the
audit log. `--layout national` writes the national graduate system's field names and codes.

Masked, as done by the system (the command runs on the server, not as a signed-in person),
unless `--unmasked`: an unmasked file names the person responsible (`--user`, who must hold
the unmasked-export permission in the institution) and why (`--reason`), and every graduate in
it is logged as an unmasked read by that person.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.accounts.models import User
from qihang.graduates.exporting import Format, Layout, export_destinations, export_roster
from qihang.institutions.models import Cohort, Institution
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, build_actor

SUFFIXES = {".xlsx": Format.XLSX, ".csv": Format.CSV}


class Command(BaseCommand):
    help = "Export a cohort's roster (生源信息) or destinations to an xlsx or csv file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument("--cohort", required=True, type=int, help="graduation year (届别)")
        parser.add_argument(
            "--destinations", action="store_true", help="export destinations (毕业去向) instead"
        )
        parser.add_argument(
            "--layout",
            choices=[layout.value for layout in Layout],
            default=Layout.SCHOOL.value,
            help="school: our columns with names; national: the national system's field "
            "names (XH, XBDM, MZDM …) with national codes",
        )
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help="full 身份证号 and 手机号码 (roster only); needs --user and --reason",
        )
        parser.add_argument("--user", help="who is responsible for an unmasked export (login)")
        parser.add_argument("--reason", default="", help="why the unmasked export is needed")
        parser.add_argument(
            "-o", "--output", required=True, type=Path, help="the .xlsx or .csv to write"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        institution = Institution.objects.filter(code=options["institution"].strip()).first()
        if institution is None:
            raise CommandError(f"学校代码 {options['institution']} 不存在。")
        cohort = Cohort.objects.filter(institution=institution, year=options["cohort"]).first()
        if cohort is None:
            raise CommandError(f"{institution.name}没有{options['cohort']}届。")
        output = Path(options["output"])
        fmt = SUFFIXES.get(output.suffix.lower())
        if fmt is None:
            raise CommandError("输出文件应以 .xlsx 或 .csv 结尾。")
        layout = Layout(options["layout"])
        unmasked = options["unmasked"]
        if unmasked and options["destinations"]:
            raise CommandError("毕业去向导出不含需要脱敏的信息，无需 --unmasked。")
        actor = self._actor(institution, options) if unmasked else _system(institution)
        # Checked before the file is opened, so a refused export leaves no empty file behind.
        if unmasked and not actor.has(Perm.ROSTER_EXPORT_UNMASKED):
            raise CommandError(f"{options['user']} 没有不脱敏导出生源信息的权限。")
        try:
            with output.open("wb") as out:
                if options["destinations"]:
                    export_destinations(actor, cohort, out, layout=layout, fmt=fmt)
                else:
                    export_roster(
                        actor,
                        cohort,
                        out,
                        layout=layout,
                        fmt=fmt,
                        unmasked=unmasked,
                        reason=options["reason"],
                    )
        except (ValidationError, PermissionDenied) as exc:
            output.unlink(missing_ok=True)
            message = " ".join(getattr(exc, "messages", [])) or str(exc)
            raise CommandError(message) from exc
        what = "毕业去向" if options["destinations"] else "生源信息"
        masked = "不脱敏" if unmasked else "脱敏"
        self.stdout.write(self.style.SUCCESS(f"已导出{cohort.year}届{what}（{masked}）到 {output}"))

    def _actor(self, institution: Institution, options: dict[str, Any]) -> Actor:
        login = (options.get("user") or "").strip()
        if not login:
            raise CommandError("不脱敏导出须用 --user 指明负责人，并用 --reason 写明事由。")
        user = (
            User.objects.filter(email__iexact=login).first()
            or User.objects.filter(username=login).first()
        )
        if user is None:
            raise CommandError(f"账号 {login} 不存在。")
        actor = build_actor(user, institution.pk)
        if actor is None or actor.institution_id != institution.pk:
            raise CommandError(f"{login} 不是{institution.name}的工作人员。")
        return actor


def _system(institution: Institution) -> Actor:
    """The system, seeing the whole institution, with nothing but the export permissions."""
    return Actor(
        user_id=None,  # type: ignore[arg-type]  # recorded as "system" in the audit log
        institution_id=institution.pk,
        roles=frozenset(),
        is_platform_admin=True,
        perms=frozenset({Perm.ROSTER_EXPORT, Perm.DESTINATION_VIEW}),
    )
