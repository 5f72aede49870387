"""`qihang import_destinations FILE --institution CODE --cohort YEAR`: import destinations.

The career centre's file, recorded as centre-approved with the file kept as evidence. All or
nothing: a file with any error writes nothing, lists every error (row, column, value, reason)
and exits with status 1. `--json` prints the report as JSON on stdout.
"""

from pathlib import Path
from typing import Any

from qihang.destinations.importing import import_destinations
from qihang.imports.command import ImportCommand
from qihang.imports.framework import ImportResult, ProgressCallback
from qihang.institutions.models import Institution


class Command(ImportCommand):
    help = (
        "Import graduates' destinations (毕业去向) from .xlsx or .csv as approved by the career "
        "centre; columns 学号, 毕业去向代码, 单位名称, 统一社会信用代码, 单位性质, 单位所在地, "
        "协议书编号, 签约日期."
    )

    def run_import(
        self,
        path: Path,
        *,
        institution: Institution,
        options: dict[str, Any],
        progress: ProgressCallback | None,
    ) -> ImportResult:
        return import_destinations(
            path,
            filename=path.name,
            institution=institution,
            cohort_year=options["cohort"],
            dry_run=options["dry_run"],
            progress=progress,
        )
