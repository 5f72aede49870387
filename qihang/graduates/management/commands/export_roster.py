"""`qihang export_roster --institution CODE --cohort YEAR [--destinations] -o FILE`.

Writes the cohort's roster (or, with --destinations, its destination records) as a masked
xlsx, the same file the export pages give the career centre, and records the export in the
audit log (as done by the system: the command runs on the server, not as a signed-in person).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.graduates.exporting import export_destinations, export_roster
from qihang.institutions.models import Cohort, Institution
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor


class Command(BaseCommand):
    help = "Export a cohort's roster (生源信息) or destinations to a masked xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", required=True, help="school code")
        parser.add_argument("--cohort", required=True, type=int, help="graduation year (届别)")
        parser.add_argument(
            "--destinations", action="store_true", help="export destinations (毕业去向) instead"
        )
        parser.add_argument("-o", "--output", required=True, type=Path, help="the .xlsx to write")

    def handle(self, *args: Any, **options: Any) -> None:
        institution = Institution.objects.filter(code=options["institution"].strip()).first()
        if institution is None:
            raise CommandError(f"学校代码 {options['institution']} 不存在。")
        cohort = Cohort.objects.filter(institution=institution, year=options["cohort"]).first()
        if cohort is None:
            raise CommandError(f"{institution.name}没有{options['cohort']}届。")
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件应以 .xlsx 结尾。")
        # The system, seeing the whole institution, with nothing but the export permissions.
        system = Actor(
            user_id=None,  # type: ignore[arg-type]  # recorded as "system" in the audit log
            institution_id=institution.pk,
            roles=frozenset(),
            is_platform_admin=True,
            perms=frozenset({Perm.ROSTER_EXPORT, Perm.DESTINATION_VIEW}),
        )
        export = export_destinations if options["destinations"] else export_roster
        with output.open("wb") as out:
            export(system, cohort, out)
        what = "毕业去向" if options["destinations"] else "生源信息"
        self.stdout.write(self.style.SUCCESS(f"已导出{cohort.year}届{what}（脱敏）到 {output}"))
