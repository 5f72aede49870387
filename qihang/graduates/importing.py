"""Roster (生源信息) import: the spreadsheet the school already has, checked and written at once.

`import_roster()` reads every row, validates it against the file itself and the data already
stored, and collects every error. One error anywhere and nothing is written. A file without
errors is written in one transaction: graduates that are new are inserted, graduates that the
institution already has under the same 学号 in this cohort are updated (only if something
changed), their key groups replaced by what the file says.

Speed matters (a 100,000-row roster is a normal national upload), so the write goes below the
ORM (`qihang.imports.bulkwrite`): everything the checks need is fetched up front in a handful
of queries, new rows are streamed to the database while later rows are still being checked, and
the transaction is rolled back if any check fails. The number of queries does not depend on the
number of rows.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.accounts.models import User
from qihang.audit.services import audit_record
from qihang.graduates import codes as national_codes
from qihang.graduates import keygroups
from qihang.graduates.models import (
    Gender,
    Graduate,
    GraduateKeyGroup,
    KeyGroupKind,
    KeyGroupSource,
    KeyGroupStatus,
    Origin,
    RosterStatus,
    kind_digest,
)
from qihang.graduates.services import roster_sync
from qihang.imports import bulkwrite
from qihang.imports.framework import (
    Abort,
    ErrorCollector,
    ImportResult,
    ProgressCallback,
    read_sheet,
    run_import,
)
from qihang.institutions.models import Cohort, DegreeLevel, Department, Institution, Major
from qihang.institutions.selectors import shared_account_ids
from qihang.institutions.services import cohort_get_or_create
from qihang.lib import validators as v
from qihang.lib.sensitive import mask_id_number, mask_phone
from qihang.lib.tabular import Source

# --- The sheet --------------------------------------------------------------------------------
# Field -> accepted headers; the first is the one we write, "*" marks a required column. Files
# from the national and provincial graduate systems (and the student-records system behind them)
# name columns by code (性别代码 …) or by the national database's field names (XH, XM, XBDM …,
# as in the MoE's published structures for 生源/派遣 data, e.g. the 2007 普通高等学校研究生派遣方案
# 数据库结构 and schools' field guides for the 生源信息库); their values are national codes.
COLUMN_SPEC: dict[str, list[str]] = {
    "student_no": ["学号*", "XH", "Student No", "Student ID", "Student Number"],
    "name": ["姓名*", "XM", "Name", "Full Name"],
    # 性别 and 学历层次 are required, as a name or as a code column: checked in import_roster.
    "gender": ["性别", "XB", "性别名称", "Gender", "Sex"],
    "id_number": ["身份证号*", "身份证号码", "身份证件号", "SFZH", "ID Number", "ID No", "ID Card"],
    "ethnicity": ["民族", "MZ", "民族名称", "Ethnicity", "Ethnic Group", "Nationality"],
    "political_status": [
        "政治面貌",
        "ZZMM",
        "政治面貌名称",
        "Political Status",
        "Political Affiliation",
    ],
    "degree_level": [
        "学历层次",
        "学历",
        "XL",
        "学历名称",
        "Degree Level",
        "Education Level",
        "Degree",
    ],
    # The national structures found name no department field. 院系所 and 学院名称 are what
    # student-records exports head it with; YXSMC and XYMC their usual abbreviations (not
    # confirmed in a published text). YXMC is the school (院校名称) there, not the department.
    "department": [
        "院系*",
        "院系名称",
        "学院",
        "学院名称",
        "院系所",
        "YXSMC",
        "XYMC",
        "Department",
        "Faculty",
    ],
    "major": ["专业*", "专业名称", "ZYMC", "Major", "Programme", "Program"],
    "specialization": ["专业方向", "Specialization", "Specialisation", "Concentration"],
    "cohort": ["届别", "毕业年份", "Cohort", "Graduation Year", "Class Of"],
    "origin_division": [
        "生源地*",
        "生源地代码",
        "生源所在地代码",
        "SYSZDDM",
        "Origin",
        "Origin Code",
        "Origin Division",
    ],
    "origin_type": ["城乡生源", "Urban Rural", "Urban/Rural", "Origin Type"],
    "hardship": ["困难生类别", "Hardship", "Hardship Category", "Key Groups"],
    "phone": ["手机号码*", "手机号", "手机", "SJHM", "Mobile", "Mobile Phone", "Phone"],
    "email": ["电子邮箱", "邮箱", "DZYX", "Email", "E-mail", "Email Address"],
    # Leaving the cohort (延期毕业, 结业, 退学, another cohort): optional; when the file has no
    # such column, graduates already stored keep their status.
    "roster_status": ["在册状态", "学籍状态", "Roster Status", "Status"],
    "roster_status_reason": ["状态原因", "离册原因", "Status Reason"],
    "roster_status_date": ["状态日期", "离册日期", "Status Date"],
    # The same values as national codes (a cell may also hold the name): GB/T 2261.1, GB/T 3304,
    # GB/T 4762, the national system's 学历代码. With both columns the two must agree.
    "gender_code": ["性别代码", "XBDM"],
    "ethnicity_code": ["民族代码", "MZDM"],
    "political_status_code": ["政治面貌代码", "ZZMMDM"],
    "degree_level_code": ["学历代码", "XLDM"],
    # Kept as the major's code when it has none (the national layout writes it back).
    "major_code": ["专业代码", "ZYDM"],
    # Columns of national files that a roster does not keep: recognised, not read.
    "origin_name": ["生源所在地", "生源所在地名称", "SYSZD"],
    "exam_no": ["考生号", "KSH"],
    "school_code": ["院校代码", "学校代码", "YXDM"],
    "school_name": ["院校名称", "学校名称", "YXMC"],
    "birth_date": ["出生日期", "CSRQ"],
    "length_of_study": ["学制", "XZ"],
    "training_mode_code": ["培养方式代码", "PYFSDM"],
    "training_mode": ["培养方式", "PYFS"],
}
# The columns of our own layout (template, export), in order.
LAYOUT = (
    "student_no",
    "name",
    "gender",
    "id_number",
    "ethnicity",
    "political_status",
    "degree_level",
    "department",
    "major",
    "specialization",
    "cohort",
    "origin_division",
    "origin_type",
    "hardship",
    "phone",
    "email",
    "roster_status",
    "roster_status_reason",
    "roster_status_date",
)
CODED = {  # name column -> its code column
    "gender": "gender_code",
    "ethnicity": "ethnicity_code",
    "political_status": "political_status_code",
    "degree_level": "degree_level_code",
}
NOT_READ = frozenset(
    {
        "origin_name",
        "exam_no",
        "school_code",
        "school_name",
        "birth_date",
        "length_of_study",
        "training_mode_code",
        "training_mode",
    }
)
FIELDS = tuple(COLUMN_SPEC)
LABELS = {f: spellings[0].rstrip("*") for f, spellings in COLUMN_SPEC.items()}
HEADERS = tuple(LABELS[f] for f in LAYOUT)
REQUIRED = frozenset(f for f, s in COLUMN_SPEC.items() if s[0].endswith("*"))
REQUIRED_CODED = frozenset({"gender", "degree_level"})  # required as name or code
MASKERS = {"id_number": mask_id_number, "phone": mask_phone}

# --- Allowed values ---------------------------------------------------------------------------
# Names, national codes and other spellings come from the national code tables (reference data,
# graduates/data/national_codes_*.json, loaded by a migration); an import reads them from the
# database. These module-level copies from the data file serve code without a database.
_FILE_CODES = national_codes.from_file()
GENDERS = _FILE_CODES["sex"].spellings
ETHNICITIES = _FILE_CODES["ethnicity"].spellings
POLITICAL_STATUSES = _FILE_CODES["political_status"].spellings
DEGREE_LEVELS = _FILE_CODES["education_level"].spellings
TABLE_OF = {  # field -> national code table
    "gender": "sex",
    "ethnicity": "ethnicity",
    "political_status": "political_status",
    "degree_level": "education_level",
}
SEX_OF_GENDER = {Gender.MALE: "男", Gender.FEMALE: "女"}
LEVEL_LABELS = {
    DegreeLevel.ASSOCIATE: "专科",
    DegreeLevel.BACHELOR: "本科",
    DegreeLevel.MASTER: "硕士研究生",
    DegreeLevel.DOCTOR: "博士研究生",
}

ORIGIN_TYPES = {"城镇": Origin.URBAN, "农村": Origin.RURAL, "城市": Origin.URBAN}
ORIGIN_TYPES |= {"乡村": Origin.RURAL, "urban": Origin.URBAN, "rural": Origin.RURAL}
ORIGIN_LABELS = {Origin.URBAN: "城镇", Origin.RURAL: "农村"}

ROSTER_STATUSES = {str(label): status for status, label in RosterStatus.choices}
ROSTER_STATUSES |= {
    "正常": RosterStatus.ACTIVE,
    "在籍": RosterStatus.ACTIVE,
    "在读": RosterStatus.ACTIVE,
}
ROSTER_STATUSES |= {"延期": RosterStatus.DEFERRED, "退学": RosterStatus.WITHDRAWN}
ROSTER_STATUSES |= {"转届": RosterStatus.TRANSFERRED, "转入其他届": RosterStatus.TRANSFERRED}
ROSTER_STATUSES |= {status.value: status for status in RosterStatus}
ROSTER_STATUS_LABELS = {status: str(label) for status, label in RosterStatus.choices}

MASKED = "*MASKED*"  # prefix of a masked value awaiting comparison with the stored one
STUDENT_NO = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,29}")
_SPACES = re.compile(r"\s+")
PROGRESS_EVERY = 1000
COPY_BATCH = 5_000  # rows per COPY statement on PostgreSQL

# Graduate columns written on insert, in this order; updates write the same minus the first two.
_INSERT_FIELDS = (
    "institution",
    "cohort",
    "student_no",
    "name",
    "gender",
    "id_number",
    "id_number_digest",
    "ethnicity",
    "ethnicity_digest",
    "political_status",
    "degree_level",
    "department",
    "major",
    "specialization",
    "origin_division",
    "origin_province",
    "origin_type",
    "phone",
    "email",
    "roster_status",
    "roster_status_reason",
    "roster_status_date",
    "created_at",
    "updated_at",
)
_UPDATE_FIELDS = (*_INSERT_FIELDS[3:-2], "updated_at")  # from "name" on, not created_at
_UPDATE_COLUMNS = tuple(f for f in _UPDATE_FIELDS if f != "updated_at")


def _name_key(text: str) -> str:
    """How department and major names are matched: spaces (also full-width) do not count."""
    return _SPACES.sub("", text)


def _text(value: object) -> str:
    return _SPACES.sub(" ", v.normalize_text(value)) if value is not None else ""


@dataclass(slots=True)
class _Existing:
    """A graduate already stored: what an import compares against."""

    pk: int
    cohort_id: int
    values: tuple[Any, ...]  # _UPDATE_COLUMNS with ciphertexts for id_number and phone
    key_groups: frozenset[str] = frozenset()  # kind codes the roster suggested (any decision)
    phone_plain: str | None = None

    def phone(self) -> str:
        if self.phone_plain is None:
            self.phone_plain = _PHONE.open(self.values[_AT_PHONE])
        return self.phone_plain

    def id_number(self) -> str:
        return _ID.open(self.values[_AT_ID])

    def ethnicity(self) -> str:
        return _ETHNICITY.open(self.values[_AT_ETHNICITY])


@dataclass
class _Plan:
    """What a valid file will do once written."""

    new: int = 0
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    unchanged: int = 0
    # Key-group suggestions (graduates.keygroups): what the 困难生类别 column says (None when the
    # file has no such column) and what the profile implies, by 学号 for new graduates and by
    # id for stored ones.
    new_key_groups: dict[str, tuple[frozenset[str] | None, dict[str, str]]] = field(
        default_factory=dict
    )
    replaced_key_groups: dict[int, tuple[frozenset[str] | None, dict[str, str]]] = field(
        default_factory=dict
    )
    # graduate id -> (stored e-mail, the file's e-mail), where the file changes it
    email_changes: dict[int, tuple[str, str]] = field(default_factory=dict)
    accounts_followed: int = 0  # accounts whose e-mail followed the roster's correction


def import_roster(
    source: Source,
    *,
    filename: str,
    institution: Institution,
    cohort_year: int,
    create_missing: bool = False,
    dry_run: bool = False,
    actor_id: int | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a roster file for one cohort; all rows or none. See the module docstring."""
    errors = ErrorCollector()
    if not 1990 <= cohort_year <= 2100:
        errors.add(0, "", str(cohort_year), _("届别 %(year)s 不合理。") % {"year": cohort_year})
        return errors.failed(0, dry_run=dry_run)
    sheet = read_sheet(source, filename=filename, spec=COLUMN_SPEC, errors=errors, dry_run=dry_run)
    if isinstance(sheet, ImportResult):
        return sheet
    missing = [
        f
        for f in sorted(REQUIRED_CODED)
        if f not in sheet.columns and CODED[f] not in sheet.columns
    ]
    if missing:
        for name in missing:
            errors.add(1, "", "", _("缺少必填列“%(label)s”") % {"label": LABELS[name]})
        return errors.failed(len(sheet.rows), dry_run=dry_run)
    run = _RosterRun(
        institution=institution,
        cohort_year=cohort_year,
        headers=sheet.headers,
        columns=sheet.columns,
        rows=sheet.rows,
        errors=errors,
        create_missing=create_missing,
        progress=progress,
    )

    def check_and_write() -> tuple[int, int, int]:
        plan = run.run(dry_run=dry_run, actor_id=actor_id, filename=filename)
        return plan.new, len(plan.updates), plan.unchanged

    return run_import(
        check_and_write,
        rows=len(sheet.rows),
        errors=errors,
        dry_run=dry_run,
        progress=progress,
        conflicts=run.conflicts,
    )


class _RosterRun:
    """One import: the reference data it checks against and the row checks themselves."""

    def __init__(
        self,
        *,
        institution: Institution,
        cohort_year: int,
        headers: list[str],
        columns: dict[str, int],
        rows: list[tuple[int, list[Any]]],
        errors: ErrorCollector,
        create_missing: bool,
        progress: ProgressCallback | None,
    ) -> None:
        self.institution = institution
        self.institution_id = institution.pk
        self.cohort_year = cohort_year
        self.headers = headers
        self.columns = columns
        self.rows = rows
        self.errors = errors
        self.create_missing = create_missing
        self.progress = progress
        self.cohort: Cohort | None = None
        # One moment for the whole import: rows, roster periods (graduates.RosterPeriod) and
        # the audit row all say the same "when".
        self.now = timezone.now()
        now = connection.ops.adapt_datetimefield_value(self.now)
        # As text: COPY would otherwise format the same datetime twice for every row.
        self.now_db: Any = now.isoformat() if connection.vendor == "postgresql" else now
        self.seen: dict[str, int] = {}  # student_no -> first row
        self.seen_digests: dict[str, int] = {}  # ID number digest -> first row
        self.cohort_id = _STAND_IN_COHORT
        self.pending_departments: dict[int, str] = {}  # stand-in id -> name
        self.pending_majors: dict[int, tuple[int, str, str]] = {}  # -> (department, level, name)
        self.real_ids: dict[int, int] = {}  # stand-in id -> id of what _create_missing made
        # Majors without a 专业代码 that the file gives one (ZYDM): major id -> code.
        self.major_codes: dict[int, str] = {}

    # --- the ways through -------------------------------------------------------------------------
    def run(self, *, dry_run: bool, actor_id: int | None, filename: str) -> _Plan:
        """Check every row and, unless `dry_run`, write them all; raise Abort on errors."""
        if not dry_run and connection.vendor == "postgresql":
            return self._run_streaming(actor_id=actor_id, filename=filename)
        # Elsewhere check first, outside the transaction (so a job's progress is visible and
        # SQLite's single writer is not held), then write what the check planned.
        self.cohort = Cohort.objects.filter(
            institution=self.institution, year=self.cohort_year
        ).first()
        self.cohort_id = self.cohort.pk if self.cohort else _STAND_IN_COHORT
        self._load()
        new_rows: list[tuple[Any, ...]] = []
        plan = self.check(write=None if dry_run else new_rows.append)
        if self.errors or dry_run:
            return plan
        with transaction.atomic():
            self._lock_and_cohort()
            real = {_STAND_IN_COHORT: self.cohort.pk, **self._create_missing()}
            self.real_ids = real
            if len(real) > 1 or self.cohort_id == _STAND_IN_COHORT:
                new_rows = [_remap(row, _INSERT_IDS, real) for row in new_rows]
                plan.updates = [_remap(row, _UPDATE_IDS, real) for row in plan.updates]
            bulkwrite.insert_rows(Graduate, _INSERT_FIELDS, new_rows)
            self._finish(plan, actor_id=actor_id, filename=filename)
        return plan

    def _run_streaming(self, *, actor_id: int | None, filename: str) -> _Plan:
        """PostgreSQL: rows go to the server (COPY) while later rows are checked, so it
        maintains the table's indexes on the other core meanwhile; errors roll it all back."""
        with transaction.atomic():
            self._lock_and_cohort()
            self.cohort_id = self.cohort.pk
            self._load()
            real = self._create_missing()
            self.real_ids = real
            if real:
                self.departments = {k: real.get(pk, pk) for k, pk in self.departments.items()}
                self.majors = {
                    (real.get(d, d), level, k): real.get(pk, pk)
                    for (d, level, k), pk in self.majors.items()
                }
            with bulkwrite.copy_rows(
                Graduate, _INSERT_FIELDS, background=True, batch_size=COPY_BATCH
            ) as write_new:
                plan = self.check(write=write_new)
                if self.errors:
                    raise Abort
            self._finish(plan, actor_id=actor_id, filename=filename)
        return plan

    def _lock_and_cohort(self) -> None:
        institution = self.institution
        # Imports of one institution run one after another: each sees the other's result.
        Institution.objects.select_for_update().filter(pk=institution.pk).exists()
        self.cohort = cohort_get_or_create(institution=institution, year=self.cohort_year)
        from qihang.destinations.policy import policy_for  # destinations imports graduates

        policy_for(self.cohort)

    def _finish(self, plan: _Plan, *, actor_id: int | None, filename: str) -> None:
        """After the new rows: updates, key groups, roster periods, the audit row."""
        self._apply(plan)
        # New graduates count from now; moved ones move now; leavers stop counting now.
        roster_sync(institution_id=self.institution_id, at=self.now, cohort_ids=[self.cohort.pk])
        audit_record(
            institution_id=self.institution.pk,
            actor_id=actor_id,
            action="roster.import",
            target=self.cohort,
            summary=_("导入生源信息 %(file)s：新增%(created)s，更新%(updated)s")
            % {"file": filename, "created": plan.new, "updated": len(plan.updates)},
            data={
                "file": filename,
                "cohort": self.cohort_year,
                "rows": len(self.rows),
                "created": plan.new,
                "updated": len(plan.updates),
                "unchanged": plan.unchanged,
                "accounts_email_followed": plan.accounts_followed,
                "create_missing": self.create_missing,
            },
        )

    def check(self, *, write: bulkwrite.RowWriter | None) -> _Plan:
        """Validate every row; with `write`, send each new graduate's row to it (until the
        first error: after that the transaction is going to be rolled back anyway)."""
        plan = _Plan()
        self._parsers()
        total = len(self.rows)
        progress = self.progress
        for done, (number, cells) in enumerate(self.rows):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
            row = self._row(number, cells)
            if row is None:
                continue
            self._plan_row(number, cells, row, plan, None if self.errors else write)
        return plan

    def conflicts(self) -> list[tuple[int, str, str]]:
        """Rows whose 学号 the database holds now though the checks found it new: what
        another writer stored meanwhile (asked by run_import after a refused write)."""
        stored = set(
            Graduate.objects.filter(institution=self.institution).values_list(
                "student_no", flat=True
            )
        )
        header = self.headers[self.columns["student_no"]]
        return [
            (row, header, student_no)
            for student_no, row in self.seen.items()
            if student_no in stored and student_no not in self.existing
        ]

    # --- reference data --------------------------------------------------------------------------
    def _load(self) -> None:
        institution = self.institution
        self.departments: dict[str, int] = {
            _name_key(name): pk
            for name, pk in Department.objects.filter(institution=institution).values_list(
                "name", "pk"
            )
        }
        self.majors: dict[tuple[int, str, str], int] = {}
        self.coded_majors: set[int] = set()  # majors that have a 专业代码 already
        for department_id, level, name, pk, code in Major.objects.filter(
            institution=institution
        ).values_list("department_id", "degree_level", "name", "pk", "code"):
            self.majors[department_id, level, _name_key(name)] = pk
            if code:
                self.coded_majors.add(pk)
        kinds: dict[str, str] = {}
        self.kind_names: dict[str, str] = {}
        for code, name, aliases in KeyGroupKind.objects.values_list("code", "name", "aliases"):
            kinds[name] = code
            self.kind_names[code] = name
            for alias in [code, *(aliases or [])]:
                kinds.setdefault(alias, code)
        self.key_group_kinds = kinds
        self.code_tables = national_codes.load()
        cohort_id = self.cohort_id
        # Every graduate of the institution: 学号 is unique across cohorts. Sensitive values
        # stay ciphertext (Cast skips the field's decryption) and are decrypted only when
        # a row of the file needs them.
        existing = (
            Graduate.objects.filter(institution=institution)
            .annotate(
                **{f"{c}_cipher": Cast(c, models.TextField()) for c in _SEALED},
            )
            .values_list(
                "pk",
                "student_no",
                "cohort_id",
                "cohort__year",
                *(f"{c}_cipher" if c in _SEALED else c for c in _UPDATE_COLUMNS),
            )
        )
        self.existing: dict[str, _Existing] = {}
        self.cohort_years: dict[int, int] = {}
        self.digests: dict[str, str] = {}  # this cohort's ID digests -> student_no
        digest_at = _UPDATE_COLUMNS.index("id_number_digest")
        for pk, student_no, graduate_cohort, year, *values in existing:
            self.existing[student_no] = _Existing(pk, graduate_cohort, tuple(values))
            self.cohort_years[graduate_cohort] = year
            if graduate_cohort == cohort_id:
                self.digests[values[digest_at]] = student_no
        by_graduate: dict[int, set[str]] = {}
        code_of = {kind_digest(code): code for code in self.kind_names}
        for graduate_id, digest in (
            GraduateKeyGroup.objects.filter(
                institution=institution,
                graduate__cohort_id=cohort_id,
                source=KeyGroupSource.ROSTER,
            )
            .exclude(status=KeyGroupStatus.ENDED)
            .values_list("graduate_id", "kind_digest")
        ):
            by_graduate.setdefault(graduate_id, set()).add(code_of.get(digest, digest))
        if by_graduate:
            for graduate in self.existing.values():
                if graduate.pk in by_graduate:
                    graduate.key_groups = frozenset(by_graduate[graduate.pk])
        if self.create_missing:
            self._plan_missing()

    def _wanted_programmes(self) -> tuple[dict[str, str], dict[tuple[str, str, str], str]]:
        """Department and (department, level, major) names the file uses, as first written."""
        departments: dict[str, str] = {}
        majors: dict[tuple[str, str, str], str] = {}
        at_department = self.columns["department"]
        at_major = self.columns["major"]
        at_level = self.columns.get("degree_level", self.columns.get("degree_level_code"))
        levels = self.code_tables["education_level"].spellings
        seen: set[tuple[Any, Any, Any]] = set()  # a roster has few distinct combinations
        for _number, cells in self.rows:
            combination = (cells[at_department], cells[at_level], cells[at_major])
            if combination in seen:
                continue
            seen.add(combination)
            department = _text(cells[at_department])
            if not department:
                continue
            key = _name_key(department)
            departments.setdefault(key, department)
            major = _text(cells[at_major])
            try:
                level = v.choice(cells[at_level], levels, field_label="学历层次")
            except v.FieldError:
                continue
            if major:
                majors.setdefault((key, level, _name_key(major)), major)
        return departments, majors

    def _plan_missing(self) -> None:
        """Stand-in (negative) ids for the departments and majors the file names but the
        institution lacks; `_create_missing` creates them once every row has passed."""
        departments, majors = self._wanted_programmes()
        stand_in = _STAND_IN_COHORT - 1
        for key, name in departments.items():
            if key not in self.departments:
                self.departments[key] = stand_in
                self.pending_departments[stand_in] = name
                stand_in -= 1
        for (department_key, level, major_key), name in majors.items():
            key = (self.departments[department_key], level, major_key)
            if key not in self.majors:
                self.majors[key] = stand_in
                self.pending_majors[stand_in] = (key[0], level, name)
                stand_in -= 1

    def _create_missing(self) -> dict[int, int]:
        """Create the planned departments and majors: {stand-in id: real id}."""
        institution = self.institution
        real: dict[int, int] = {}
        pending = list(self.pending_departments.items())
        created = Department.objects.bulk_create(
            [Department(institution=institution, name=name) for _stand_in, name in pending]
        )
        real.update((stand_in, d.pk) for (stand_in, _name), d in zip(pending, created, strict=True))
        majors = list(self.pending_majors.items())
        created_majors = Major.objects.bulk_create(
            [
                Major(
                    institution=institution,
                    department_id=real.get(department_id, department_id),
                    degree_level=level,
                    name=name,
                )
                for _stand_in, (department_id, level, name) in majors
            ]
        )
        real.update(
            (stand_in, m.pk) for (stand_in, _spec), m in zip(majors, created_majors, strict=True)
        )
        return real

    # --- one row -------------------------------------------------------------------------------
    def _error(self, number: int, field_name: str, raw: object, message: str) -> None:
        index = self.columns.get(field_name)
        header = self.headers[index] if index is not None else LABELS[field_name]
        shown = v.normalize_text(raw)
        masker = MASKERS.get(field_name)
        if masker is not None and shown:
            shown = masker(shown)
        self.errors.add(number, header, shown, message)

    def _parsers(self) -> None:
        """Set up the cell parsers for the columns the file has.

        Each row's own values (学号, 姓名, 身份证号 …) are parsed cell by cell. The other columns
        come in groups parsed once per distinct combination of their cells: a 100,000-row roster
        has a few hundred programmes (学历层次, 院系, 专业 …) and personal profiles (性别, 民族 …),
        so one lookup per group replaces a parse per cell.
        """
        kinds = self.key_group_kinds

        def hardship(raw: object, text: str) -> frozenset[str] | str:
            if text and set(text) == {"*"}:  # masked, as exported: what is stored stays
                return MASKED
            chosen = v.multi_choice(text, kinds, separators="、;；,，/", field_label="困难生类别")
            return frozenset(chosen)

        def choice(mapping: dict[str, str], label: str) -> Any:
            return lambda raw, text: v.choice(text, mapping, field_label=label)

        tables = {f: self.code_tables[t].spellings for f, t in TABLE_OF.items()}

        def ethnicity(raw: object, text: str) -> str:
            if text and set(text) == {"*"}:  # masked, as exported: the stored value stays
                return MASKED
            try:
                return v.choice(text, tables["ethnicity"], field_label="民族")
            except v.FieldError:
                # The list of 58 names is too long for a message.
                raise v.FieldError(
                    f"民族“{text}”不是GB/T 3304中的民族名称或代码（如汉族或01、回族或03）", "choice"
                ) from None

        parsers: dict[str, Any] = {
            "student_no": _student_no,
            "name": _person_name,
            "gender": choice(tables["gender"], "性别"),
            "id_number": _id_number,
            "ethnicity": ethnicity,
            "political_status": choice(tables["political_status"], "政治面貌"),
            "degree_level": choice(tables["degree_level"], "学历层次"),
            "department": _department_or_major,
            "major": _department_or_major,
            "specialization": _specialization,
            "cohort": lambda raw, text: v.year(raw),
            "origin_division": lambda raw, text: v.division_code(raw),
            "origin_type": choice(ORIGIN_TYPES, "城乡生源"),
            "hardship": hardship,
            "phone": _phone,
            "email": lambda raw, text: v.email(text),
            "major_code": _major_code,
            "roster_status": choice(ROSTER_STATUSES, "在册状态"),
            "roster_status_reason": _status_reason,
            "roster_status_date": lambda raw, text: v.date_value(raw),
        }
        for name, code_field in CODED.items():  # a code column takes the name as well
            parsers[code_field] = parsers[name]
        columns = self.columns
        self.plain = [(name, columns[name], parsers[name]) for name in _PLAIN if name in columns]
        self.groups = []
        groups = ((_PROGRAMME, self._programme), (_PROFILE, _merge_coded), (_ORIGIN, None))
        for names, check in (*groups, (_STATUS, _check_status)):
            present = [(name, columns[name], parsers[name]) for name in names if name in columns]
            indexes = [index for _name, index, _parser in present]
            self.groups.append((_cells_getter(indexes), {}, present, check))

    def _parse(self, name: str, raw: object, parser: Any) -> tuple[Any, str]:
        """(value, "") or (None, error message) for one cell."""
        text = v.normalize_text(raw)
        if not text:
            if name in REQUIRED:
                return None, _("%(label)s不能为空") % {"label": LABELS[name]}
            return None, ""
        try:
            return parser(raw, text), ""
        except v.FieldError as exc:
            return None, exc.message

    def _parse_group(
        self, present: list[tuple[str, int, Any]], key: tuple[Any, ...], check: Any
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Values and (field, message) errors of one combination of a group's cells."""
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for (name, _index, parser), raw in zip(present, key, strict=True):
            value, message = self._parse(name, raw, parser)
            values[name] = value
            if message:
                errors.append((name, message))
        if check is not None:
            check(values, errors)
        return values, errors

    def _programme(self, values: dict[str, Any], errors: list[tuple[str, str]]) -> None:
        """届别, 院系 and 专业 against the import's cohort and the institution's programmes."""
        _merge_coded(values, errors)
        year = values.get("cohort")
        if year is not None and year != self.cohort_year:
            message = _("届别%(year)s与导入选择的%(cohort)s届不一致") % {
                "year": year,
                "cohort": self.cohort_year,
            }
            errors.append(("cohort", message))
        department, level, major = values["department"], values["degree_level"], values["major"]
        if department is None:
            return  # its own error says why
        department_id = self.departments.get(_name_key(department))
        if department_id is None:
            message = _("院系“%(name)s”不存在；请先在系统中添加，或勾选“自动创建院系和专业”") % {
                "name": department
            }
            errors.append(("department", message))
            return
        if level is None or major is None:
            return
        major_id = self.majors.get((department_id, level, _name_key(major)))
        if major_id is None:
            message = _(
                "%(department)s没有%(level)s专业“%(name)s”；请先添加，或勾选“自动创建院系和专业”"
            ) % {"department": department, "level": LEVEL_LABELS[level], "name": major}
            errors.append(("major", message))
            return
        values["department_id"] = department_id
        values["major_id"] = major_id
        code = values.pop("major_code", None)
        if code and major_id not in self.coded_majors:
            self.major_codes.setdefault(major_id, code)

    def _row(self, number: int, cells: list[Any]) -> dict[str, Any] | None:
        """The row's values, cleaned; None (with errors recorded) if any is wrong."""
        row: dict[str, Any] = {}
        failed = False
        normalize = v.normalize_text
        for name, index, parser in self.plain:  # _parse, inlined: five cells of every row
            raw = cells[index]
            text = normalize(raw)
            if text:
                try:
                    row[name] = parser(raw, text)
                    continue
                except v.FieldError as exc:
                    message = exc.message
            elif name in REQUIRED:
                message = _("%(label)s不能为空") % {"label": LABELS[name]}
            else:
                row[name] = None
                continue
            row[name] = None
            self._error(number, name, raw, message)
            failed = True
        for cells_of, memo, present, check in self.groups:
            key = cells_of(cells)
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = self._parse_group(present, key, check)
            values, errors = hit
            row.update(values)
            for name, message in errors:
                index = self.columns.get(name)
                self._error(number, name, cells[index] if index is not None else "", message)
                failed = True

        gender = row.get("gender")
        id_number = row.get("id_number")
        if gender and id_number and not id_number.startswith(MASKED):
            if v.id_number_sex(id_number) != SEX_OF_GENDER[gender]:
                try:  # the validator words the mismatch
                    v.id_number(id_number, sex=SEX_OF_GENDER[gender])
                except v.FieldError as exc:
                    self._error(number, "id_number", cells[self.columns["id_number"]], exc.message)
                    failed = True
        return None if failed else row

    def _plan_row(
        self,
        number: int,
        cells: list[Any],
        row: dict[str, Any],
        plan: _Plan,
        write: bulkwrite.RowWriter | None,
    ) -> None:
        """Check the row against the others and the stored data; write or plan its change."""
        student_no = row["student_no"]
        existing = self.existing.get(student_no)
        cohort_id = self.cohort_id
        columns = self.columns
        seen = self.seen
        if student_no in seen:
            self._error(
                number,
                "student_no",
                cells[columns["student_no"]],
                _("学号与第%(row)s行重复") % {"row": seen[student_no]},
            )
            return
        seen[student_no] = number
        if existing is not None and existing.cohort_id != cohort_id:
            self._error(
                number,
                "student_no",
                cells[columns["student_no"]],
                _("学号%(no)s已属于%(year)s届的毕业生，不能导入到%(cohort)s届")
                % {
                    "no": student_no,
                    "year": self.cohort_years[existing.cohort_id],
                    "cohort": self.cohort_year,
                },
            )
            return
        same_cohort = existing  # of this cohort (another cohort was refused above)

        # Masked values (from an export) stand for the stored value they mask.
        id_number: str = row["id_number"]
        phone: str = row.get("phone") or ""
        if id_number.startswith(MASKED):
            shown = id_number.removeprefix(MASKED)
            stored = same_cohort.id_number() if same_cohort else ""
            if not stored or mask_id_number(stored) != shown:
                self._error(
                    number, "id_number", cells[columns["id_number"]], _masked_message("身份证号")
                )
                return
            id_number = stored
        if phone.startswith(MASKED):
            shown = phone.removeprefix(MASKED)
            stored = same_cohort.phone() if same_cohort else ""
            if not stored or mask_phone(stored) != shown:
                self._error(number, "phone", cells[columns["phone"]], _masked_message("手机号码"))
                return
            phone = stored
        ethnicity: str = row.get("ethnicity") or ""
        if ethnicity == MASKED:
            ethnicity = same_cohort.ethnicity() if same_cohort else ""
            if not ethnicity:
                self._error(
                    number, "ethnicity", cells[columns["ethnicity"]], _masked_message("民族")
                )
                return

        digest = _ID_INDEX.digest(id_number)
        first = self.seen_digests.get(digest)
        if first is not None:
            self._error(
                number,
                "id_number",
                cells[columns["id_number"]],
                _("身份证号与第%(row)s行重复") % {"row": first},
            )
            return
        self.seen_digests[digest] = number
        owner = self.digests.get(digest)
        if owner is not None and owner != student_no:
            self._error(
                number,
                "id_number",
                cells[columns["id_number"]],
                _("身份证号已属于本届学号为%(no)s的毕业生") % {"no": owner},
            )
            return

        origin = row["origin_division"]
        province = origin[:2] + "0000"
        values = [
            row["name"],
            row["gender"],
            None,  # id_number ciphertext, filled below
            digest,
            None,  # ethnicity ciphertext, filled below
            _ETHNICITY_INDEX.digest(ethnicity),
            row.get("political_status") or "",
            row["degree_level"],
            row["department_id"],
            row["major_id"],
            row.get("specialization") or "",
            origin,
            province,
            row.get("origin_type") or "",
            None,  # phone ciphertext, filled below
            row.get("email") or "",
            row.get("roster_status") or RosterStatus.ACTIVE.value,
            row.get("roster_status_reason") or "",
            row.get("roster_status_date"),
        ]
        key_groups: frozenset[str] | None = (
            (row.get("hardship") or frozenset()) if "hardship" in self.columns else None
        )
        if key_groups == MASKED:
            key_groups = None
        profile = keygroups.profile_suggestions(
            ethnicity=ethnicity, origin=origin, cohort_year=self.cohort_year
        )
        if same_cohort is None:
            plan.new += 1
            if key_groups or profile:
                plan.new_key_groups[student_no] = (key_groups, profile)
            if write is not None:
                values[_AT_ID] = _ID.seal(id_number)
                values[_AT_ETHNICITY] = _ETHNICITY.seal(ethnicity)
                values[_AT_PHONE] = _PHONE.seal(phone)
                values[_AT_DATE] = _date_db(values[_AT_DATE])
                write(
                    (
                        self.institution_id,
                        cohort_id,
                        student_no,
                        *values,
                        self.now_db,
                        self.now_db,
                    )
                )
            return

        stored = same_cohort.values
        if "roster_status" not in self.columns:  # no status column: the stored one stays
            values[_AT_STATUS : _AT_STATUS + 3] = stored[_AT_STATUS : _AT_STATUS + 3]
        same_phone = same_cohort.phone() == phone
        # Same digest: same value; the stored ciphertext stays.
        values[_AT_ID] = stored[_AT_ID]
        if stored[_AT_DIGEST] != digest:
            values[_AT_ID] = _ID.seal(id_number) if write is not None else ""
        values[_AT_ETHNICITY] = stored[_AT_ETHNICITY]
        if stored[_AT_ETHNICITY_DIGEST] != values[_AT_ETHNICITY_DIGEST]:
            values[_AT_ETHNICITY] = _ETHNICITY.seal(ethnicity) if write is not None else ""
        values[_AT_PHONE] = stored[_AT_PHONE] if same_phone else None
        changed = (
            any(
                a != b
                for i, (a, b) in enumerate(zip(values, stored, strict=True))
                if i not in (_AT_ID, _AT_ETHNICITY, _AT_PHONE)
            )
            or not same_phone
        )
        roster_changed = key_groups is not None and key_groups != same_cohort.key_groups
        if roster_changed or profile:
            plan.replaced_key_groups[same_cohort.pk] = (key_groups, profile)
        changed = changed or roster_changed
        if not changed:
            plan.unchanged += 1
            return
        if values[_AT_PHONE] is None:
            values[_AT_PHONE] = _PHONE.seal(phone) if write is not None else ""
        if values[_AT_EMAIL] != stored[_AT_EMAIL]:
            plan.email_changes[same_cohort.pk] = (stored[_AT_EMAIL], values[_AT_EMAIL])
        values[_AT_DATE] = _date_db(values[_AT_DATE])
        plan.updates.append((same_cohort.pk, *values, self.now_db))

    # --- after every row passed ----------------------------------------------------------------
    def _apply(self, plan: _Plan) -> None:
        bulkwrite.update_rows(Graduate, _UPDATE_FIELDS, plan.updates)
        if self.major_codes:  # a national file's ZYDM, for majors that had no code
            real = self.real_ids
            Major.objects.bulk_update(
                [Major(pk=real.get(pk, pk), code=code) for pk, code in self.major_codes.items()],
                ["code"],
            )
        plan.accounts_followed = self._follow_account_emails(plan.email_changes)
        self._suggest_key_groups(plan)

    def _follow_account_emails(self, changes: dict[int, tuple[str, str]]) -> int:
        """Accounts opened from the roster carry its e-mail address (accounts.services
        graduate_accounts_provision); when the roster corrects the address, they follow. An
        address the graduate chose themselves (not the old roster one) stays, and so does one the
        roster now leaves empty or another account already signs in with, and the address of an
        account another institution also holds (its global fields are not ours). Five queries."""
        if not changes:
            return 0
        accounts = User.objects.filter(graduate__pk__in=list(changes)).only("pk", "email")
        following: list[User] = []
        for user in accounts.annotate(graduate_pk=models.F("graduate__pk")):
            old, new = changes[user.graduate_pk]
            new = new.strip().lower()
            if new and user.email and user.email.lower() == old.strip().lower():
                user.email = new
                following.append(user)
        taken = set(
            User.objects.annotate(address=Lower("email"))
            .filter(address__in={u.email for u in following})
            .exclude(pk__in=[u.pk for u in following])
            .values_list("address", flat=True)
        )
        following = [u for u in following if u.email not in taken]
        # An account another institution also holds is not this roster's to readdress.
        shared = shared_account_ids([u.pk for u in following], self.institution_id)
        following = [u for u in following if u.pk not in shared]
        User.objects.bulk_update(following, ["email"], batch_size=1000)
        return len(following)

    def _suggest_key_groups(self, plan: _Plan) -> None:
        """Suggestions from the 困难生类别 column and the profile (graduates.keygroups), for
        a person to confirm: nothing is labelled by the import itself."""
        wanted = dict(plan.replaced_key_groups)
        numbers = list(plan.new_key_groups)
        for start in range(0, len(numbers), 5000):  # only the new graduates that need it
            chunk = numbers[start : start + 5000]
            for student_no, pk in Graduate.objects.filter(
                institution_id=self.institution_id, cohort=self.cohort, student_no__in=chunk
            ).values_list("student_no", "pk"):
                wanted[pk] = plan.new_key_groups[student_no]
        basis = {code: f"生源名单“困难生类别”：{name}" for code, name in self.kind_names.items()}
        keygroups.suggest(
            institution_id=self.institution_id,
            at=self.now,
            roster={
                pk: {code: basis[code] for code in codes}
                for pk, (codes, _profile) in wanted.items()
                if codes is not None
            },
            profile={pk: profile for pk, (_codes, profile) in wanted.items() if profile},
        )


_AT_ID = _UPDATE_COLUMNS.index("id_number")
_STAND_IN_COHORT = -1  # the cohort's id before a two-phase run creates it
# Positions of the ids a two-phase run fills in once the cohort, departments, majors exist.
_INSERT_IDS = tuple(_INSERT_FIELDS.index(f) for f in ("cohort", "department", "major"))
_UPDATE_IDS = tuple(1 + _UPDATE_COLUMNS.index(f) for f in ("department", "major"))


def _remap(row: tuple[Any, ...], positions: tuple[int, ...], real: dict[int, int]) -> tuple:
    if not any(row[i] in real for i in positions):
        return row
    values = list(row)
    for i in positions:
        values[i] = real.get(values[i], values[i])
    return tuple(values)


_AT_DIGEST = _UPDATE_COLUMNS.index("id_number_digest")
_AT_ETHNICITY = _UPDATE_COLUMNS.index("ethnicity")
_AT_ETHNICITY_DIGEST = _UPDATE_COLUMNS.index("ethnicity_digest")
# The sensitive columns are read as ciphertext (compared by digest, opened only when a row needs
# the value) and written through their fields' own seal() and digest(), as save() would.
_SEALED = ("id_number", "ethnicity", "phone")
_ID, _ETHNICITY, _PHONE = (Graduate._meta.get_field(c) for c in _SEALED)
_ID_INDEX = Graduate._meta.get_field("id_number_digest")
_ETHNICITY_INDEX = Graduate._meta.get_field("ethnicity_digest")
_AT_EMAIL = _UPDATE_COLUMNS.index("email")
_AT_PHONE = _UPDATE_COLUMNS.index("phone")
_AT_STATUS = _UPDATE_COLUMNS.index("roster_status")
_AT_DATE = _UPDATE_COLUMNS.index("roster_status_date")


def _date_db(value: Any) -> Any:
    return connection.ops.adapt_datefield_value(value) if value is not None else None


def _masked_message(label: str) -> str:
    return _(
        "%(label)s是脱敏后的值（含*），只能用于更新本届已有的同一名毕业生且须与已存的值一致；"
        "请填写完整号码"
    ) % {"label": label}


# Column groups of _RosterRun._parsers: each row's own values, then groups parsed once per
# distinct combination of cells (the first group is also checked against the institution).
_PLAIN = ("student_no", "name", "id_number", "phone", "email")
_PROGRAMME = (
    "degree_level",
    "degree_level_code",
    "department",
    "major",
    "major_code",
    "specialization",
    "cohort",
)
_PROFILE = (
    "gender",
    "gender_code",
    "ethnicity",
    "ethnicity_code",
    "political_status",
    "political_status_code",
    "origin_type",
    "hardship",
)
_ORIGIN = ("origin_division",)
_STATUS = ("roster_status", "roster_status_reason", "roster_status_date")
assert sorted(_PLAIN + _PROGRAMME + _PROFILE + _ORIGIN + _STATUS + tuple(NOT_READ)) == sorted(
    FIELDS
)


def _status_reason(raw: object, text: str) -> str:
    if len(text) > 200:
        raise v.FieldError("状态原因不能超过200个字符", "too_long")
    return text


def _check_status(values: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    """A graduate who left the cohort needs the reason and the day (not in the future: it
    counts from the import, and figures of past days never move)."""
    status = values.get("roster_status") or RosterStatus.ACTIVE
    on = values.get("roster_status_date")
    if status == RosterStatus.ACTIVE:
        values["roster_status_reason"] = None  # meaningless for a graduate in the roster
        values["roster_status_date"] = None
        return
    label = ROSTER_STATUS_LABELS[status]
    if not values.get("roster_status_reason"):
        errors.append(("roster_status_reason", _("%(status)s须填写状态原因") % {"status": label}))
    if on is None:
        errors.append(("roster_status_date", _("%(status)s须填写状态日期") % {"status": label}))
    elif on > timezone.localdate():
        errors.append(("roster_status_date", _("状态日期不能晚于今天")))


def _merge_coded(values: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    """A value given as a name column, a code column or both (which must agree) ends up under
    the name's field; a required one present in neither is an error."""
    failed = {name for name, _message in errors}
    for name, code_field in CODED.items():
        if name not in values and code_field not in values:
            continue  # not a column of this group
        column = name if name in values else code_field
        by_name, by_code = values.get(name), values.pop(code_field, None)
        values[name] = by_name if by_name is not None else by_code
        if name in failed or code_field in failed:
            values[name] = None  # its own error says why
        elif by_name is not None and by_code is not None and by_name != by_code:
            values[name] = None
            message = _("%(code)s与%(name)s不一致") % {
                "code": LABELS[code_field],
                "name": LABELS[name],
            }
            errors.append((code_field, message))
        elif values[name] is None and name in REQUIRED_CODED:
            errors.append((column, _("%(label)s不能为空") % {"label": LABELS[name]}))


def _cells_getter(indexes: list[int]) -> Any:
    """cells -> tuple of the cells at `indexes` (an itemgetter always giving a tuple)."""
    if not indexes:
        return lambda cells: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    return operator.itemgetter(*indexes)


# --- cell parsers used only here ---------------------------------------------------------------
def _student_no(raw: object, text: str) -> str:
    if " " in text:
        text = text.replace(" ", "")
    if not STUDENT_NO.fullmatch(text):
        raise v.FieldError("学号只能包含字母、数字、下划线和连字符，最长30位", "format")
    return text


def _person_name(raw: object, text: str) -> str:
    if " " in text:
        text = _SPACES.sub(" ", text)
        # "张 三" is 张三; names in Latin script ("Anna Smith") keep their single spaces.
        if not any("a" <= c.lower() <= "z" for c in text):
            text = text.replace(" ", "")
    if len(text) > 60:
        raise v.FieldError("姓名过长（最多60个字符）", "length")
    return text


def _major_code(raw: object, text: str) -> str:
    text = text.replace(" ", "")
    if len(text) > 20:
        raise v.FieldError("专业代码过长（最多20个字符）", "length")
    return text


def _department_or_major(raw: object, text: str) -> str:
    return _SPACES.sub(" ", text)


def _specialization(raw: object, text: str) -> str:
    text = _SPACES.sub(" ", text)
    if len(text) > 60:
        raise v.FieldError("专业方向过长（最多60个字符）", "length")
    return text


def _id_number(raw: object, text: str) -> str:
    if "*" in text:  # masked, as exported (3101************3X): resolved per row
        return MASKED + text.replace(" ", "").upper()
    return v.id_number(raw)


def _phone(raw: object, text: str) -> str:
    if "*" in text:
        return MASKED + text.replace(" ", "")
    return v.mobile_phone(raw)
