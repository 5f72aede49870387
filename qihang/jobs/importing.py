"""External job feeds (`qihang import_jobs`): CSV/xlsx through the import framework
(qihang/imports/framework.py read_sheet: hostile-file limits, header mapping, row/column
errors), JSON as a list of objects mapped the same way.

All-or-nothing: every row is checked first; one error and nothing is written. A clean file is
written in one transaction: employers found by credit code (employers.services.employer_record:
created when new, joined when registered elsewhere, with a pending standing here), postings
created or — same source and external id — updated, postings that repeat one already here
(same employer, title and place, any source) counted as duplicates. Every new posting is
submitted for review; with `publish` (a trusted source) it is approved at once unless it is
held (guard flags, or an employer not verified here); held postings are listed in the report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from qihang.employers.models import Employer, EmployerStanding
from qihang.employers.services import employer_record
from qihang.imports.framework import ErrorCollector, Sheet, WarningAction, import_limits, read_sheet
from qihang.institutions.models import Institution
from qihang.institutions.roles import ROLE_PERMISSIONS, Role
from qihang.institutions.scoping import Actor
from qihang.jobs import services
from qihang.jobs.models import Job, JobKind, JobStatus
from qihang.jobs.workflow import hold_reasons
from qihang.lib.places import resolve_division_detailed
from qihang.lib.validators import FieldError, credit_code, date_value, normalize_text

# field -> accepted headers (display spelling first; * marks a required column).
DEFAULT_SPEC: dict[str, list[str]] = {
    "external_id": ["外部编号", "岗位编号"],
    "employer_name": ["单位名称*", "用人单位"],
    "credit_code": ["统一社会信用代码*", "信用代码"],
    "title": ["岗位名称*", "职位名称"],
    "kind": ["岗位类型", "工作性质"],
    "place": ["工作地点", "工作地区"],
    "degree": ["学历要求", "学历"],
    "majors": ["专业要求", "专业"],
    "salary": ["薪资", "薪酬", "薪资待遇"],
    "headcount": ["招聘人数", "人数"],
    "deadline": ["截止日期", "截止时间"],
    "description": ["岗位描述", "职位描述", "岗位职责"],
    "contact": ["联系方式", "联系电话"],
}
REQUIRED = ("employer_name", "credit_code", "title")

KINDS = {
    "全职": JobKind.FULL_TIME,
    "全职工作": JobKind.FULL_TIME,
    "full_time": JobKind.FULL_TIME,
    "兼职": JobKind.PART_TIME,
    "part_time": JobKind.PART_TIME,
    "实习": JobKind.INTERNSHIP,
    "实习生": JobKind.INTERNSHIP,
    "internship": JobKind.INTERNSHIP,
}
DEGREES = [
    ("专科", "associate"),
    ("大专", "associate"),
    ("本科", "bachelor"),
    ("学士", "bachelor"),
    ("硕士", "master"),
    ("研究生", "master"),
    ("博士", "doctor"),
]
DEGREE_ORDER = ["associate", "bachelor", "master", "doctor"]
MAX_JSON_BYTES = 50 * 1024 * 1024


@dataclass
class JobImportReport:
    ok: bool
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    flagged: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def as_text(self) -> str:
        if not self.ok:
            lines = [f"导入失败，未写入任何数据：发现{len(self.errors)}处错误。"]
            lines += [_where(e) + e["message"] for e in self.errors]
        else:
            lines = [
                f"导入成功：新增{self.created}，更新{self.updated}，重复{self.duplicates}，"
                f"暂缓发布{len(self.flagged)}。"
            ]
            lines += [
                f"第{f['row']}行（{f['external_id']}）：{'；'.join(f['reasons'])}"
                for f in self.flagged
            ]
        lines += [_where(w) + w["message"] for w in self.warnings]
        return "\n".join(lines)


def _where(finding: dict[str, Any]) -> str:
    where = f"第{finding['row']}行" if finding["row"] else "文件"
    if finding.get("column"):
        where += f"，{finding['column']}列"
    return where + "："


def _report(errors: ErrorCollector, **values: Any) -> JobImportReport:
    return JobImportReport(
        ok=not errors,
        errors=[asdict(e) for e in sorted(errors.errors, key=lambda e: (e.row, e.column))],
        warnings=[asdict(w) for w in errors.sorted_warnings()],
        **values,
    )


# --- cell parsers -------------------------------------------------------------------------------
_AMOUNT = r"(\d+(?:\.\d+)?)\s*([kK千wW万]?)"
_RANGE_RE = re.compile(
    rf"^{_AMOUNT}\s*(?:[-~～至到]\s*{_AMOUNT})?\s*(元)?\s*(/\s*(月|年)|每月|每年)?$"
)


def _amount(number: str, unit: str) -> int:
    factor = {"k": 1000, "千": 1000, "w": 10000, "万": 10000}.get(unit.lower(), 1)
    return round(float(number) * factor)


def parse_salary(text: str) -> tuple[int | None, int | None, bool]:
    """(min, max, converted from yearly) of 8000-12000, 8k-12k, 1万-1.5万, 10000元/月, 面议."""
    s = text.replace(",", "").replace("，", "").replace(" ", "")
    s = s.removeprefix("月薪")
    yearly = s.startswith("年薪")
    s = s.removeprefix("年薪")
    if s in ("", "面议", "薪资面议", "待遇面议", "面谈"):
        return None, None, False
    found = _RANGE_RE.match(s)
    if found is None:
        raise FieldError(f"无法识别的薪资“{text}”（应如 8000-12000、8k-12k、10000元/月 或 面议）")
    low = _amount(found.group(1), found.group(2))
    high_unit = found.group(4) or found.group(2)
    high = _amount(found.group(3), high_unit) if found.group(3) else low
    if found.group(2) == "" and found.group(4) and found.group(3):
        low = _amount(found.group(1), found.group(4))  # 8-12k: both ends in thousands
    yearly = yearly or found.group(7) == "年" or (found.group(6) or "") == "每年"
    if yearly:
        low, high = round(low / 12), round(high / 12)
    if low > high:
        raise FieldError(f"薪资下限高于上限：“{text}”")
    return low, high, yearly


def parse_degrees(text: str) -> list[str]:
    s = text.strip()
    if s in ("", "不限", "学历不限"):
        return []
    levels: list[str] = []
    for word, level in DEGREES:
        if word in s and level not in levels:
            levels.append(level)
    if not levels:
        raise FieldError(f"无法识别的学历要求“{text}”（应如 本科及以上、硕士、不限）")
    if "及以上" in s or "以上" in s:
        start = min(DEGREE_ORDER.index(level) for level in levels)
        levels = DEGREE_ORDER[start:]
    return sorted(levels, key=DEGREE_ORDER.index)


def resolve_place(text: str) -> str:
    """A division code or a place name (江苏省苏州市, 上海市徐汇区) → its code (lib.places)."""
    found = resolve_division_detailed(text)
    if found.code is None:
        raise FieldError(f"工作地点“{text}”无法识别或有歧义：{found.reason}")
    return found.code


# --- reading ------------------------------------------------------------------------------------
def load_mapping(path: Path | None) -> dict[str, list[str]]:
    """The spec a mapping file gives ({"title": "职位名称", …}: field → the file's header);
    fields it leaves out keep the default spellings."""
    if path is None:
        return DEFAULT_SPEC
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError('映射文件应为 JSON 对象：{"字段": "列名"}')
    unknown = sorted(set(data) - set(DEFAULT_SPEC))
    if unknown:
        raise ValueError(
            f"映射文件中有未知字段：{'、'.join(unknown)}（可用：{'、'.join(DEFAULT_SPEC)}）"
        )
    spec = {name: list(spellings) for name, spellings in DEFAULT_SPEC.items()}
    for name, header in data.items():
        star = "*" if name in REQUIRED else ""
        spec[name] = [header + star]
    return spec


def _json_sheet(path: Path, spec: dict[str, list[str]], errors: ErrorCollector) -> Sheet | None:
    from qihang.lib.tabular import resolve_columns

    limits = import_limits()
    if path.stat().st_size > MAX_JSON_BYTES:
        errors.add(0, "", "", f"JSON 文件超过 {MAX_JSON_BYTES >> 20} MB。")
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        errors.add(0, "", "", f"无法读取 JSON：{exc}")
        return None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        errors.add(0, "", "", 'JSON 应为对象的列表（或 {"items": [...]}）。')
        return None
    if len(items) > limits.rows:
        errors.add(0, "", "", f"JSON 有{len(items)}条，超过上限{limits.rows}条。")
        return None
    headers: list[str] = []
    for item in items:
        for key in item:
            if key not in headers:
                headers.append(str(key))
    if len(headers) > limits.columns:
        errors.add(0, "", "", f"JSON 有{len(headers)}个字段，超过上限{limits.columns}个。")
        return None
    try:
        columns = resolve_columns(headers, spec, ignore_unknown=True)
    except Exception as exc:  # TableError: missing or duplicate columns
        for message in getattr(exc, "messages", [str(exc)]):
            errors.add(1, "", "", message)
        return None
    rows = []
    for number, item in enumerate(items, start=2):  # as if row 1 were the header
        cells = []
        for header in headers:
            value = item.get(header)
            if isinstance(value, dict | list):
                value = json.dumps(value, ensure_ascii=False)
            if isinstance(value, str) and len(value) > limits.cell_chars:
                errors.add(number, header, "", f"内容超过{limits.cell_chars}个字符。")
                value = value[: limits.cell_chars]
            cells.append(value)
        rows.append((number, cells))
    return Sheet(headers=headers, columns=columns, rows=rows)


@dataclass
class ParsedRow:
    row: int
    external_id: str
    employer_name: str
    credit_code: str
    data: dict[str, Any]
    contact: str


def _parse_row(
    sheet: Sheet, row: int, cells: list[Any], errors: ErrorCollector
) -> ParsedRow | None:
    def cell(name: str) -> tuple[str, Any]:
        index = sheet.columns.get(name)
        if index is None:
            return "", None
        return sheet.headers[index], cells[index] if index < len(cells) else None

    def text(name: str) -> str:
        return normalize_text(cell(name)[1])

    bad = False

    def fail(name: str, message: str) -> None:
        nonlocal bad
        header, value = cell(name)
        errors.add(row, header, normalize_text(value)[:60], message)
        bad = True

    for name in REQUIRED:
        if not text(name):
            fail(name, "必填项为空")
    code = ""
    if text("credit_code"):
        try:
            code = credit_code(text("credit_code"))
        except FieldError as exc:
            fail("credit_code", str(exc))
    data: dict[str, Any] = {
        "title": text("title")[:120],
        "majors": text("majors")[:200],
        "description": text("description"),
        "contact": text("contact")[:200],
    }
    kind = text("kind")
    if not kind:
        data["kind"] = JobKind.FULL_TIME
    elif kind in KINDS:
        data["kind"] = KINDS[kind]
    else:
        fail("kind", f"岗位类型应为 全职、兼职 或 实习（当前“{kind}”）")
    place = text("place")
    data["division"] = ""
    if place:
        try:
            data["division"] = resolve_place(place)
        except FieldError as exc:
            fail("place", str(exc))
    try:
        data["degree_levels"] = parse_degrees(text("degree"))
    except FieldError as exc:
        fail("degree", str(exc))
    try:
        low, high, yearly = parse_salary(text("salary"))
        data["salary_min"], data["salary_max"] = low, high
        if yearly:
            header, value = cell("salary")
            errors.warn(
                row,
                header,
                normalize_text(value),
                "年薪已折算为月薪",
                action=WarningAction.NORMALISED,
            )
    except FieldError as exc:
        fail("salary", str(exc))
    headcount = text("headcount")
    data["headcount"] = None
    if headcount in ("若干", "不限"):
        pass
    elif headcount:
        digits = headcount.removesuffix("人").removesuffix("名")
        if digits.isdigit() and 0 < int(digits) < 10000:
            data["headcount"] = int(digits)
        else:
            fail("headcount", "招聘人数应为正整数或“若干”")
    data["deadline"] = None
    header, value = cell("deadline")
    if normalize_text(value):
        try:
            data["deadline"] = date_value(value)
        except FieldError as exc:
            fail("deadline", str(exc))
    if bad:
        return None
    return ParsedRow(
        row=row,
        external_id=text("external_id")[:80],
        employer_name=text("employer_name")[:200],
        credit_code=code,
        data=data,
        contact=data["contact"],
    )


def _import_actor(institution: Institution) -> Actor:
    """The feed acts as the institution's career centre, with no person (audit actor: none)."""
    return Actor(
        user_id=None,  # type: ignore[arg-type]
        institution_id=institution.pk,
        roles=frozenset({Role.CAREER_CENTRE}),
        perms=frozenset(ROLE_PERMISSIONS[Role.CAREER_CENTRE]),
    )


def import_jobs(
    path: Path,
    *,
    institution: Institution,
    source: str,
    mapping: Path | None = None,
    dry_run: bool = False,
    publish: bool = False,
    today: dt.date | None = None,
) -> JobImportReport:
    errors = ErrorCollector()
    try:
        spec = load_mapping(mapping)
    except (OSError, ValueError) as exc:
        errors.add(0, "", "", f"映射文件有误：{exc}")
        return _report(errors)
    if path.suffix.lower() == ".json":
        sheet = _json_sheet(path, spec, errors)
        if sheet is None or errors:
            return _report(errors)
    else:
        result = read_sheet(path, filename=path.name, spec=spec, errors=errors, dry_run=dry_run)
        if not isinstance(result, Sheet):
            return _report(errors)
        sheet = result
    parsed = [p for row, cells in sheet.rows if (p := _parse_row(sheet, row, cells, errors))]
    seen_ids: dict[str, int] = {}
    for p in parsed:
        if p.external_id and p.external_id in seen_ids:
            errors.add(
                p.row, "外部编号", p.external_id, f"与第{seen_ids[p.external_id]}行的外部编号重复"
            )
        if p.external_id:
            seen_ids.setdefault(p.external_id, p.row)
    if errors:
        return _report(errors)
    with transaction.atomic():
        report = _write(
            parsed, institution=institution, source=source, publish=publish, errors=errors
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(
    parsed: list[ParsedRow],
    *,
    institution: Institution,
    source: str,
    publish: bool,
    errors: ErrorCollector,
) -> JobImportReport:
    actor = _import_actor(institution)
    created = updated = duplicates = 0
    flagged: list[dict[str, Any]] = []
    employers = {
        e.credit_code: e
        for e in Employer.objects.filter(credit_code__in={p.credit_code for p in parsed})
    }
    standing_ids = set(
        EmployerStanding.objects.filter(
            institution=institution, employer__in=list(employers.values())
        ).values_list("employer_id", flat=True)
    )
    existing = {
        j.external_id: j
        for j in Job.objects.filter(institution=institution, source=source)
        .exclude(external_id="")
        .select_related("employer")
    }
    open_states = [JobStatus.DRAFT, JobStatus.PENDING, JobStatus.PUBLISHED, JobStatus.RETURNED]
    for p in parsed:
        employer = employers.get(p.credit_code)
        if employer is None or employer.pk not in standing_ids:
            recorded = employer_record(
                actor=actor,
                name=p.employer_name,
                credit_code=p.credit_code,
                division=p.data["division"],
            )
            employer = employers[p.credit_code] = recorded.employer
            standing_ids.add(employer.pk)
            if recorded.created:
                errors.warn(
                    p.row,
                    "统一社会信用代码",
                    p.credit_code,
                    "新单位已登记，待本校认证后岗位才能发布",
                    action=WarningAction.NORMALISED,
                )
        job = existing.get(p.external_id) if p.external_id else None
        if job is not None:
            if job.status not in open_states:
                errors.warn(
                    p.row,
                    "外部编号",
                    p.external_id,
                    "该岗位已关闭或过期，未更新",
                    action=WarningAction.DROPPED,
                )
                continue
            if services.job_update(actor=actor, job=job, data=p.data):
                updated += 1
        else:
            twin = Job.objects.filter(
                institution=institution,
                employer=employer,
                title=p.data["title"],
                division=p.data["division"],
                status__in=open_states,
            ).first()
            if twin is not None:
                duplicates += 1
                errors.warn(
                    p.row,
                    "岗位名称",
                    p.data["title"],
                    f"与已有岗位重复（{twin.source or '本平台'}{'：' + twin.external_id if twin.external_id else ''}），未导入",
                    action=WarningAction.DROPPED,
                )
                continue
            job = services.job_create(
                actor=actor,
                employer=employer,
                institution_id=institution.pk,
                data=p.data,
                source=source,
                external_id=p.external_id,
                submit=True,
            )
            created += 1
        if job.status == JobStatus.DRAFT or job.status == JobStatus.RETURNED:
            services.job_transition(actor=actor, job=job, action="submit")
        reasons = hold_reasons(job)
        if job.flags:
            flagged.append({"row": p.row, "external_id": p.external_id, "reasons": reasons})
        elif reasons:
            errors.warn(
                p.row,
                "单位名称",
                employer.name,
                "；".join(reasons),
                action=WarningAction.NORMALISED,
            )
        elif publish and job.status == JobStatus.PENDING:
            services.job_transition(actor=actor, job=job, action="approve")
    return _report(errors, created=created, updated=updated, duplicates=duplicates, flagged=flagged)
