"""`qihang import_roster FILE --institution CODE --cohort YEAR`: import a roster spreadsheet.

All or nothing: a file with any error writes nothing, lists every error (row, column, value,
reason) and exits with status 1. `--json` prints the report as JSON on stdout.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qihang.graduates.importing import import_roster
from qihang.imports.command import ImportCommand
from qihang.imports.framework import ImportResult, ProgressCallback
from qihang.institutions.models import Institution


class Command(ImportCommand):
    help = "Import a graduate roster (生源信息) from .xlsx or .csv (UTF-8 or GB18030)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create departments and majors the file names but the school does not have",
        )

    def run_import(
        self,
        path: Path,
        *,
        institution: Institution,
        options: dict[str, Any],
        progress: ProgressCallback | None,
    ) -> ImportResult:
        return import_roster(
            path,
            filename=path.name,
            institution=institution,
            cohort_year=options["cohort"],
            create_missing=options["create_missing"],
            dry_run=options["dry_run"],
            progress=progress,
        )
