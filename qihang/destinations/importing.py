"""Destination (毕业去向) import: the career centre's spreadsheet, checked and written at once.

Columns: 学号, 毕业去向代码, 单位名称, 统一社会信用代码, 单位性质 (code or name), 单位所在地 (6-digit
division code), 国家/地区 (a Chinese or English name, ISO alpha-2 or alpha-3: 俄罗斯, RU, RUS,
Russia), 协议书编号, 签约日期 (English aliases accepted). Each row is checked by the same
rules as a record made in the pages (destinations.rules), plus: the 学号 must be a graduate of
the chosen cohort, appear once in the file, and an agreement number belongs to one graduate.

All-or-nothing, like the roster import: any error and nothing is written; the report names the
row (header = 1), column, value and reason. A file without errors is written in one transaction
as centre-approved (the "import" action of destinations.workflow's table gives the status, the
history entry and the audit kind; the rows are written in bulk): for each row that changes something, the record gets a new version (source
"import", status "approved"), a DestinationChange row (action "import", values before and
after), a new official and a new reported period (the previous ones closed at the same instant),
and an Evidence row pointing at the imported file (the record's evidence: an imported file
satisfies any code's evidence rule, destinations.evidence_rules), which is stored once under MEDIA_ROOT
(content-addressed; or the import job's stored upload when `evidence_path` names it). Rows whose
record is already approved with the same values are left alone, so re-importing a file is
idempotent: no new versions, history, periods or evidence. The 备注 of an existing record is kept.

The number of queries does not depend on the number of rows: everything the checks need is read
up front, and the writes go through qihang.imports.bulkwrite.

Errors and warnings (qihang.imports.framework). An error means the row cannot be right, and the
file is refused; a warning reports a value the import did not take as written, and never blocks:
- errors: 学号 empty, repeated in the file, not a graduate of the institution or of this cohort;
  毕业去向代码 missing or not in the cohort's code set; a field the code requires left blank
  (10: employer, credit code, nature, location, agreement number, signing date …); on a row
  that carries an employer, an invalid 统一社会信用代码, 单位性质, 单位所在地, 国家/地区, 协议书编号
  or 签约日期 (unreadable, in the future, before the cohort's first signing year), a value too long;
  a 单位所在地 with a country that has none, 85 (出国、出境) without a country outside mainland
  China; an agreement number repeated in the file or already another graduate's. Each of these would
  store a record that is false or incomplete.
- warnings, value dropped: any employer field (单位名称, 统一社会信用代码, 单位性质, 单位所在地,
  国家/地区, 协议书编号, 签约日期) on a row whose code carries no employer (70, 71, 72 and any other
  not-placed code): provincial exports keep such dates from an earlier record; the value has no
  meaning for the row, is not checked and is not stored (the pages still refuse it, where the
  person typing can correct it); a column the import does not know (姓名, 院系 …).
- warnings, value normalised: spaces inside a 学号 or 协议书编号, removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record
from qihang.destinations.evidence import describe_existing, store_import_file, stored_files
from qihang.destinations.models import (
    Destination,
    DestinationChange,
    DestinationPeriod,
    Evidence,
    EvidenceKind,
    PeriodKind,
    Source,
)
from qihang.destinations.policy import policy_for, policy_preview
from qihang.destinations.rules import (
    EMPLOYER_FIELDS,
    LABELS,
    DestinationInvalid,
    Reference,
    clean_destination,
)
from qihang.destinations.rules import diff as values_diff
from qihang.destinations.rules import snapshot as values_snapshot
from qihang.destinations.workflow import DESTINATION_REVIEW
from qihang.graduates.models import Graduate
from qihang.imports import bulkwrite
from qihang.imports.framework import (
    Abort,
    ErrorCollector,
    ImportResult,
    ProgressCallback,
    WarningAction,
    read_sheet,
    run_import,
)
from qihang.institutions.models import Cohort, Institution
from qihang.lib import validators as v
from qihang.lib.tabular import Source as TableSource
from qihang.lib.tabular import read_bytes

# Field -> accepted headers; the first is the one we write, "*" marks a required column. The
# national graduate system's field names (XH, BYQXDM, DWMC, TYSHXYDM, DWXZDM, DWSZDDM, as in
# the MoE's published 就业方案/派遣 structures) are aliases; its values are codes, which every
# coded column takes (单位性质 by code or name, 单位所在地 as a GB/T 2260 code).
COLUMN_SPEC: dict[str, list[str]] = {
    "student_no": ["学号*", "XH", "Student No", "Student ID", "Student Number"],
    "code": [
        "毕业去向代码*",
        "毕业去向",
        "去向代码",
        "BYQXDM",
        "Destination Code",
        "Destination",
    ],
    "employer_name": ["单位名称", "就业单位", "工作单位", "DWMC", "Employer", "Employer Name"],
    "employer_credit_code": [
        "统一社会信用代码",
        "社会信用代码",
        "单位统一社会信用代码",
        "TYSHXYDM",
        "Credit Code",
        "USCC",
    ],
    "employer_nature": ["单位性质", "单位性质代码", "DWXZDM", "Employer Nature", "Employer Type"],
    "employer_division": [
        "单位所在地",
        "单位所在地代码",
        "单位地区代码",
        "DWSZDDM",
        "Employer Location",
        "Employer Division",
    ],
    "employer_country": [
        "国家/地区",
        "国家（地区）",
        "国家",
        "国家或地区",
        "所在国家",
        "所在国家/地区",
        "留学国家",
        "留学国家/地区",
        "Country",
        "Country/Region",
        "Employer Country",
    ],
    "agreement_no": ["协议书编号", "协议书号", "协议编号", "Agreement No", "Agreement Number"],
    "signed_on": ["签约日期", "Signed On", "Signing Date", "Date Signed"],
    # Columns of national files that the import does not read: recognised, not read.
    "graduate_name": ["姓名", "XM", "Name"],
}
NOT_READ = frozenset({"graduate_name"})
HEADERS = tuple(
    spellings[0].rstrip("*") for name, spellings in COLUMN_SPEC.items() if name not in NOT_READ
)
HEADER_OF = dict(zip((f for f in COLUMN_SPEC if f not in NOT_READ), HEADERS, strict=True))
PROGRESS_EVERY = 1000

_DESTINATION_FIELDS = (
    "institution",
    "cohort",
    "graduate",
    "code",
    "employer_name",
    "employer_credit_code",
    "employer_nature",
    "employer_division",
    "employer_province",
    "employer_country",
    "agreement_no",
    "signed_on",
    "confirmed_not_internship",
    "source",
    "status",
    "return_reason",
    "note",
    "version",
    "official_code",
    "official_values",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "approved_by",
    "approved_at",
    "updated_at",
)
_UPDATE_FIELDS = _DESTINATION_FIELDS[3:]  # from "code" on
_CHANGE_FIELDS = (
    "institution",
    "destination",
    "graduate",
    "action",
    "version",
    "actor",
    "reason",
    "before",
    "after",
    "at",
)
_PERIOD_FIELDS = (
    "institution",
    "cohort",
    "graduate",
    "kind",
    "code",
    "employer_province",
    "employer_division",
    "employer_country",
    "valid_from",
    "valid_to",
)
_EVIDENCE_FIELDS = (
    "institution",
    "destination",
    "graduate",
    "kind",
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "version",
    "source_row",
    "uploaded_by",
    "uploaded_at",
)

# The import is the career centre approving from its file: status, history and audit kind.
IMPORT = DESTINATION_REVIEW.action("import")


def _prep(model: type[models.Model], fields: tuple[str, ...], values: tuple[Any, ...]) -> tuple:
    """Values in database form (what the ORM would send) for the bulk writers."""
    meta = model._meta
    return tuple(
        meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in zip(fields, values, strict=True)
    )


@dataclass(slots=True)
class _Stored:
    """A destination already stored for a graduate of the cohort."""

    pk: int
    snapshot: dict[str, Any]
    status: str
    version: int
    note: str
    official_code_id: int | None
    official_values: dict[str, Any]


@dataclass(slots=True)
class _Row:
    number: int
    graduate_id: int
    student_no: str
    values: dict[str, Any]
    snapshot: dict[str, Any]
    existing: _Stored | None


@dataclass
class _Plan:
    rows: list[_Row] = field(default_factory=list)  # rows that change something
    unchanged: int = 0

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.existing is None)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.existing is not None)


def import_destinations(
    source: TableSource,
    *,
    filename: str,
    institution: Institution,
    cohort_year: int,
    dry_run: bool = False,
    actor_id: int | None = None,
    progress: ProgressCallback | None = None,
    evidence_path: str | None = None,
) -> ImportResult:
    """Import a destinations file for one cohort as centre-approved; all rows or none.

    `evidence_path`: the storage name (relative to MEDIA_ROOT) of this very file when it is
    already stored (an import job's upload); otherwise the file is copied into storage.
    """
    errors = ErrorCollector()
    try:
        data = read_bytes(source)  # kept as the import's evidence
    except OSError as exc:
        errors.add(0, "", "", _("无法读取文件：%(error)s") % {"error": exc})
        return errors.failed(0, dry_run=dry_run)
    sheet = read_sheet(data, filename=filename, spec=COLUMN_SPEC, errors=errors, dry_run=dry_run)
    if isinstance(sheet, ImportResult):
        return sheet
    cohort = Cohort.objects.filter(institution=institution, year=cohort_year).first()
    if cohort is None:
        errors.add(
            0,
            "",
            str(cohort_year),
            _("%(name)s还没有%(year)s届毕业生，请先导入生源信息。")
            % {"name": institution.name, "year": cohort_year},
        )
        return errors.failed(len(sheet.rows), dry_run=dry_run)

    run = _DestinationRun(
        institution=institution,
        cohort=cohort,
        headers=sheet.headers,
        columns=sheet.columns,
        rows=sheet.rows,
        errors=errors,
        progress=progress,
    )

    def check_and_write() -> tuple[int, int, int]:
        if dry_run:
            plan = run.check(policy_preview(cohort))
        else:
            with transaction.atomic(), stored_files() as stored:
                # Imports of one institution run one after another: each sees the other's result.
                Institution.objects.select_for_update().filter(pk=institution.pk).exists()
                plan = run.check(policy_for(cohort))
                if errors:
                    raise Abort
                run.write(
                    plan,
                    actor_id=actor_id,
                    filename=filename,
                    data=data,
                    evidence_path=evidence_path,
                    stored=stored,
                )
        return plan.created, plan.updated, plan.unchanged

    return run_import(
        check_and_write,
        rows=len(sheet.rows),
        errors=errors,
        dry_run=dry_run,
        progress=progress,
        conflicts=run.conflicts,
    )


class _DestinationRun:
    """One import: what it checks against, the row checks, and the bulk write."""

    def __init__(
        self,
        *,
        institution: Institution,
        cohort: Cohort,
        headers: list[str],
        columns: dict[str, int],
        rows: list[tuple[int, list[Any]]],
        errors: ErrorCollector,
        progress: ProgressCallback | None,
    ) -> None:
        self.institution = institution
        self.cohort = cohort
        self.headers = headers
        self.columns = columns
        self.rows = rows
        self.errors = errors
        self.progress = progress
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.plan = _Plan()

    # --- reading what the checks need: a fixed number of queries ------------------------------
    def _load(self, policy: Any) -> None:
        institution, cohort = self.institution, self.cohort
        self.ref = Reference.load(policy, cohort.year)
        self.graduates: dict[str, tuple[int, int]] = {
            student_no: (pk, cohort_id)
            for student_no, pk, cohort_id in Graduate.objects.filter(
                institution=institution
            ).values_list("student_no", "pk", "cohort_id")
        }
        self.cohort_years = dict(
            Cohort.objects.filter(institution=institution).values_list("pk", "year")
        )
        self.existing: dict[int, _Stored] = {}
        for row in Destination.objects.filter(institution=institution, cohort=cohort).values(
            "pk",
            "graduate_id",
            "code_id",
            "employer_name",
            "employer_credit_code",
            "employer_nature_id",
            "employer_division",
            "employer_country",
            "agreement_no",
            "signed_on",
            "note",
            "status",
            "version",
            "official_code_id",
            "official_values",
        ):
            self.existing[row["graduate_id"]] = _Stored(
                pk=row["pk"],
                snapshot=values_snapshot(
                    {
                        **row,
                        "code": self.ref.code_by_id(row["code_id"]),
                        "employer_nature": self.ref.nature_by_id(row["employer_nature_id"]),
                    }
                ),
                status=row["status"],
                version=row["version"],
                note=row["note"],
                official_code_id=row["official_code_id"],
                official_values=row["official_values"] or {},
            )
        # Agreement numbers already given, institution-wide: one number per graduate.
        self.agreements: dict[str, tuple[int, str]] = {
            number: (graduate_id, student_no)
            for number, graduate_id, student_no in Destination.objects.filter(
                institution=institution
            )
            .exclude(agreement_no="")
            .values_list("agreement_no", "graduate_id", "graduate__student_no")
        }

    # --- checking -------------------------------------------------------------------------------
    def check(self, policy: Any) -> _Plan:
        self._load(policy)
        plan = self.plan = _Plan()
        seen: dict[str, int] = {}
        seen_agreements: dict[str, int] = {}
        total = len(self.rows)
        for done, (number, cells) in enumerate(self.rows):
            if self.progress is not None and done % PROGRESS_EVERY == 0:
                self.progress(done, total)
            row = self._row(number, cells, seen, seen_agreements)
            if row is None:
                continue
            if row.existing is not None and (
                row.existing.status == IMPORT.target and row.existing.snapshot == row.snapshot
            ):
                plan.unchanged += 1
            else:
                plan.rows.append(row)
        return plan

    def conflicts(self) -> list[tuple[int, str, str]]:
        """Rows whose record someone else created or changed since the checks read it (asked
        by run_import after the database refused the write)."""
        now = dict(
            Destination.objects.filter(
                institution=self.institution, cohort=self.cohort
            ).values_list("graduate_id", "version")
        )
        index = self.columns["student_no"]
        header = self.headers[index]
        return [
            (row.number, header, row.student_no)
            for row in self.plan.rows
            if now.get(row.graduate_id) != (row.existing.version if row.existing else None)
        ]

    def _cell(self, cells: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        return cells[index] if index is not None else None

    def _error(self, number: int, name: str, raw: object, message: str) -> None:
        index = self.columns.get(name)
        header = self.headers[index] if index is not None else str(LABELS.get(name, name))
        self.errors.add(number, header, v.normalize_text(raw), message)

    def _warn(self, number: int, name: str, raw: object, message: str, action: str) -> None:
        index = self.columns.get(name)
        header = self.headers[index] if index is not None else str(LABELS.get(name, name))
        self.errors.warn(number, header, v.normalize_text(raw), message, action=action)

    def _drop_meaningless(self, number: int, raw: dict[str, Any]) -> None:
        """Blank the employer fields of a row whose code carries no employer, with a warning
        for each one that was filled (see the module docstring)."""
        code = self.ref.find_code(" ".join(v.normalize_text(raw.get("code")).split()))
        if code is None or code.carries_employer:
            return
        for name in EMPLOYER_FIELDS:
            if v.is_blank(raw.get(name)):
                continue
            self._warn(
                number,
                name,
                raw[name],
                _("毕业去向为“%(code)s”时%(label)s没有意义，未导入该值")
                % {"code": f"{code.code} {code.name}", "label": LABELS[name]},
                WarningAction.DROPPED,
            )
            raw[name] = None

    def _row(
        self,
        number: int,
        cells: list[Any],
        seen: dict[str, int],
        seen_agreements: dict[str, int],
    ) -> _Row | None:
        raw_student_no = self._cell(cells, "student_no")
        student_no = v.normalize_text(raw_student_no).replace(" ", "")
        graduate_id: int | None = None
        failed = False
        if not student_no:
            self._error(number, "student_no", raw_student_no, _("学号不能为空"))
            failed = True
        elif student_no in seen:
            self._error(
                number,
                "student_no",
                raw_student_no,
                _("学号与第%(row)s行重复") % {"row": seen[student_no]},
            )
            failed = True
        else:
            seen[student_no] = number
            found = self.graduates.get(student_no)
            if found is None:
                self._error(
                    number,
                    "student_no",
                    raw_student_no,
                    _("学号%(no)s不在%(year)s届毕业生名单中")
                    % {"no": student_no, "year": self.cohort.year},
                )
                failed = True
            elif found[1] != self.cohort.pk:
                self._error(
                    number,
                    "student_no",
                    raw_student_no,
                    _("学号%(no)s是%(other)s届的毕业生，不能导入到%(year)s届")
                    % {
                        "no": student_no,
                        "other": self.cohort_years.get(found[1], "?"),
                        "year": self.cohort.year,
                    },
                )
                failed = True
            else:
                graduate_id = found[0]

        raw = {
            name: self._cell(cells, name)
            for name in COLUMN_SPEC
            if name != "student_no" and name not in NOT_READ
        }
        self._drop_meaningless(number, raw)
        try:
            values = clean_destination(raw, self.ref, today=self.today, require_confirmation=False)
        except DestinationInvalid as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    self._error(number, name, raw.get(name), message)
            return None
        if failed or graduate_id is None:
            return None
        if " " in v.normalize_text(raw_student_no).strip():
            self._warn(
                number,
                "student_no",
                raw_student_no,
                _("学号中的空格已去掉：%(no)s") % {"no": student_no},
                WarningAction.NORMALISED,
            )
        if values["agreement_no"] and " " in v.normalize_text(raw.get("agreement_no")).strip():
            self._warn(
                number,
                "agreement_no",
                raw.get("agreement_no"),
                _("协议书编号中的空格已去掉：%(no)s") % {"no": values["agreement_no"]},
                WarningAction.NORMALISED,
            )

        agreement = values["agreement_no"]
        if agreement:
            first = seen_agreements.get(agreement)
            owner = self.agreements.get(agreement)
            if first is not None:
                self._error(
                    number,
                    "agreement_no",
                    raw.get("agreement_no"),
                    _("协议书编号与第%(row)s行重复") % {"row": first},
                )
                return None
            seen_agreements[agreement] = number
            if owner is not None and owner[0] != graduate_id:
                self._error(
                    number,
                    "agreement_no",
                    raw.get("agreement_no"),
                    _("协议书编号%(no)s已用于学号为%(student)s的毕业生")
                    % {"no": agreement, "student": owner[1]},
                )
                return None

        existing = self.existing.get(graduate_id)
        if existing is not None:
            values["note"] = existing.note  # the file has no 备注 column: keep what is there
        return _Row(
            number=number,
            graduate_id=graduate_id,
            student_no=student_no,
            values=values,
            snapshot=values_snapshot(values),
            existing=existing,
        )

    # --- writing (inside the transaction, only when every row passed) ------------------------
    def write(
        self,
        plan: _Plan,
        *,
        actor_id: int | None,
        filename: str,
        data: bytes,
        evidence_path: str | None,
        stored: list[str],
    ) -> None:
        if not plan.rows:
            self._audit(plan, actor_id=actor_id, filename=filename)
            return
        now = self.now
        institution_id, cohort_id = self.institution.pk, self.cohort.pk
        if evidence_path:
            file_fields = describe_existing(evidence_path, filename=filename)
        else:
            file_fields = store_import_file(
                data, institution_id=institution_id, filename=filename, stored=stored
            )
        reason = _("导入文件 %(file)s") % {"file": file_fields["original_name"]}
        evidence_label = f"{file_fields['original_name']}（{EvidenceKind.IMPORT_FILE.label}）"

        inserts: list[tuple] = []
        updates: list[tuple] = []
        for row in plan.rows:
            values = row.values
            existing = row.existing
            version = existing.version + 1 if existing else 1
            fields = (
                values["code"].pk,
                values["employer_name"],
                values["employer_credit_code"],
                values["employer_nature"].pk if values["employer_nature"] else None,
                values["employer_division"],
                values["employer_province"],
                values["employer_country"],
                values["agreement_no"],
                values["signed_on"],
                False,  # no graduate's statement: the centre vouches for its file
                Source.IMPORT.value,
                IMPORT.target,
                "",
                values["note"],
                version,
                values["code"].pk,
                row.snapshot,
                actor_id,
                now,
                None,
                None,
                actor_id,
                now,
                now,
            )
            if existing is None:
                inserts.append(
                    _prep(
                        Destination,
                        _DESTINATION_FIELDS,
                        (institution_id, cohort_id, row.graduate_id, *fields),
                    )
                )
            else:
                updates.append((existing.pk, *_prep(Destination, _UPDATE_FIELDS, fields)))
        bulkwrite.insert_rows(Destination, _DESTINATION_FIELDS, inserts)
        bulkwrite.update_rows(Destination, _UPDATE_FIELDS, updates)
        ids = dict(
            Destination.objects.filter(institution_id=institution_id, cohort_id=cohort_id)
            .values_list("graduate_id", "pk")
            .iterator(chunk_size=10000)
        )

        # Close the open periods of the graduates this import changes, open the new ones.
        self._close_periods({row.graduate_id for row in plan.rows})
        periods, changes, evidence = [], [], []
        for row in plan.rows:
            values = row.values
            code = values["code"]
            destination_id = ids[row.graduate_id]
            existing = row.existing
            version = existing.version + 1 if existing else 1
            for kind in (PeriodKind.OFFICIAL, PeriodKind.REPORTED):
                periods.append(
                    _prep(
                        DestinationPeriod,
                        _PERIOD_FIELDS,
                        (
                            institution_id,
                            cohort_id,
                            row.graduate_id,
                            kind.value,
                            code.reporting_code,
                            values["employer_province"],
                            values["employer_division"],
                            values["employer_country"],
                            now,
                            None,
                        ),
                    )
                )
            before = existing.snapshot if existing else {}
            before_status = {"status": existing.status} if existing else {}
            change_before, change_after = values_diff(
                {**before, **before_status}, {**row.snapshot, "status": IMPORT.target}
            )
            change_after["evidence"] = [evidence_label]
            changes.append(
                _prep(
                    DestinationChange,
                    _CHANGE_FIELDS,
                    (
                        institution_id,
                        destination_id,
                        row.graduate_id,
                        IMPORT.history,
                        version,
                        actor_id,
                        reason,
                        change_before,
                        change_after,
                        now,
                    ),
                )
            )
            evidence.append(
                _prep(
                    Evidence,
                    _EVIDENCE_FIELDS,
                    (
                        institution_id,
                        destination_id,
                        row.graduate_id,
                        EvidenceKind.IMPORT_FILE.value,
                        file_fields["file"],
                        file_fields["original_name"],
                        file_fields["content_type"],
                        file_fields["size"],
                        file_fields["sha256"],
                        version,
                        row.number,
                        actor_id,
                        now,
                    ),
                )
            )
        bulkwrite.insert_rows(DestinationPeriod, _PERIOD_FIELDS, periods)
        bulkwrite.insert_rows(DestinationChange, _CHANGE_FIELDS, changes)
        bulkwrite.insert_rows(Evidence, _EVIDENCE_FIELDS, evidence)
        self._audit(plan, actor_id=actor_id, filename=filename)

    def _close_periods(self, wanted: set[int]) -> None:
        """Close these graduates' open periods (both kinds) now: two queries, any number."""
        now_db = DestinationPeriod._meta.get_field("valid_to").get_db_prep_save(
            self.now, connection
        )
        rows = [
            (pk, now_db)
            for pk, graduate_id in DestinationPeriod.objects.filter(
                cohort_id=self.cohort.pk, valid_to__isnull=True
            ).values_list("pk", "graduate_id")
            if graduate_id in wanted
        ]
        bulkwrite.update_rows(DestinationPeriod, ["valid_to"], rows)

    def _audit(self, plan: _Plan, *, actor_id: int | None, filename: str) -> None:
        audit_record(
            institution_id=self.institution.pk,
            actor_id=actor_id,
            action=IMPORT.audit,
            target=self.cohort,
            summary=_("导入毕业去向 %(file)s：新增%(created)s，更新%(updated)s")
            % {"file": filename, "created": plan.created, "updated": plan.updated},
            data={
                "file": filename,
                "cohort": self.cohort.year,
                "rows": len(self.rows),
                "created": plan.created,
                "updated": plan.updated,
                "unchanged": plan.unchanged,
            },
        )
