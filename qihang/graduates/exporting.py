"""Roster and destination exports (xlsx or csv), scoped to what the actor may see.

Two layouts. The school layout has the roster import's columns in its order; the national
layout has the national graduate system's field names (XH, XM, XBDM, SFZH, MZDM …) with
national codes as values (graduates.codes). Both re-import as they are: the roster import
reads either, and masked 身份证号 and 手机号码 (3101************3X, 138****5678) stand for the
values already stored (see graduates.importing).

Exports are masked. An unmasked roster export (the file a provincial system needs) takes its
own permission (Perm.ROSTER_EXPORT_UNMASKED) and a reason, and logs an unmasked read of every
graduate in it, in the export's transaction. Every text cell that a spreadsheet would run as a
formula is neutralised, masked or not. Every export writes an audit row: who exported which
cohort, which layout, how many rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Any, BinaryIO

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record, reveal_reason, sensitive_reads_record
from qihang.destinations.models import Destination, ReviewStatus
from qihang.graduates import codes as national_codes
from qihang.graduates.importing import (
    HEADERS,
    LEVEL_LABELS,
    ORIGIN_LABELS,
    ROSTER_STATUS_LABELS,
    SEX_OF_GENDER,
)
from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind, KeyGroupStatus
from qihang.graduates.selectors import GraduateFilters, graduate_list
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.sensitive import mask_all
from qihang.lib.tabular import neutralize_formula, write_csv, write_xlsx
from qihang.regions.countries import country_name


class Layout(StrEnum):
    SCHOOL = "school"  # our own columns, names as values
    NATIONAL = "national"  # the national system's field names, codes as values


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


DESTINATION_HEADERS = (
    "学号",
    "姓名",
    "院系",
    "专业",
    "学历层次",
    "毕业去向代码",
    "毕业去向",
    "单位名称",
    "统一社会信用代码",
    "单位性质",
    "单位所在地",
    "国家/地区",
    "协议书编号",
    "签约日期",
    "审核状态",
    # 档案 and 户口 (documents.Dossier), part of the destination record (empty without one).
    "档案去向",
    "档案接收单位",
    "档案寄送方式",
    "机要/快递单号",
    "档案状态",
    "户口去向",
    "报到证编号",
)
# The dossier's columns above, read through the graduate's reverse relation (documents sits
# above graduates: its model is looked up in the registry, not imported).
DOSSIER_FIELDS = (
    "file_destination",
    "receiver_name",
    "dispatch_method",
    "dispatch_number",
    "file_status",
    "hukou_destination",
    "report_card_number",
)
# The national layouts: the national system's field names where its published structures give
# one (uncertain for SJHM and DZYX), our header where they do not (院系, 专业方向, 城乡生源,
# 困难生类别, 协议书编号, 签约日期). Each header is an alias the imports recognise.
NATIONAL_ROSTER_HEADERS = (
    "XH",  # 学号
    "XM",  # 姓名
    "XBDM",  # 性别代码, GB/T 2261.1
    "SFZH",  # 身份证号
    "MZDM",  # 民族代码, GB/T 3304
    "ZZMMDM",  # 政治面貌代码, GB/T 4762
    "XLDM",  # 学历代码
    "院系",
    "ZYDM",  # 专业代码
    "ZYMC",  # 专业名称
    "专业方向",
    "SYSZDDM",  # 生源所在地代码, GB/T 2260
    "城乡生源",
    "困难生类别",
    "SJHM",  # 手机号码
    "DZYX",  # 电子邮箱
)
NATIONAL_DESTINATION_HEADERS = (
    "XH",  # 学号
    "XM",  # 姓名
    "BYQXDM",  # 毕业去向代码
    "DWMC",  # 单位名称
    "TYSHXYDM",  # 统一社会信用代码
    "DWXZDM",  # 单位性质代码
    "DWSZDDM",  # 单位所在地代码, GB/T 2260
    "协议书编号",
    "签约日期",
)
SENSITIVE_FIELDS = ("id_number", "ethnicity", "phone", "key_groups")
_CHUNK = 2000
_SUFFIX = {Format.XLSX: ".xlsx", Format.CSV: ".csv"}


def roster_filename(
    cohort: Cohort, *, layout: Layout = Layout.SCHOOL, fmt: Format = Format.XLSX
) -> str:
    suffix = "（国家标准代码）" if layout == Layout.NATIONAL else ""
    return f"{cohort.year}届生源信息{suffix}{_SUFFIX[fmt]}"


def destinations_filename(
    cohort: Cohort, *, layout: Layout = Layout.SCHOOL, fmt: Format = Format.XLSX
) -> str:
    suffix = "（国家标准代码）" if layout == Layout.NATIONAL else ""
    return f"{cohort.year}届毕业去向{suffix}{_SUFFIX[fmt]}"


def _scope_note(actor: Actor, filters: GraduateFilters | None) -> dict[str, Any]:
    note: dict[str, Any] = {"scope": "institution"}
    if not actor.sees_whole_institution:
        note = {"scope": "departments", "departments": sorted(actor.department_ids)}
    if filters is not None and filters.active:
        note["filters"] = {k: v for k, v in vars(filters).items() if v}
    return note


def _graduates(actor: Actor, cohort: Cohort, filters: GraduateFilters | None) -> Any:
    """The cohort's graduates the actor may see, narrowed by the list's filters."""
    if filters is not None and filters.active:
        return graduate_list(actor=actor, cohort=cohort, filters=filters)
    return scoped(Graduate, actor).filter(cohort=cohort)


@transaction.atomic
def export_roster(
    actor: Actor,
    cohort: Cohort,
    dest: BinaryIO | None = None,
    *,
    layout: Layout = Layout.SCHOOL,
    fmt: Format = Format.XLSX,
    filters: GraduateFilters | None = None,
    unmasked: bool = False,
    reason: str = "",
) -> bytes:
    """The cohort's graduates the actor may see (and `filters` select), in `layout`.

    Masked unless `unmasked`, which needs Perm.ROSTER_EXPORT_UNMASKED and a `reason` (else
    PermissionDenied / ValidationError before anything is written) and logs one unmasked read
    per graduate. Writes into `dest` when given (and returns b""), else returns the file's
    bytes. Queries do not grow with the rows: graduates with department and major, key
    groups, national codes (national layout), the reads (unmasked, in batches), the audit row.
    """
    actor.require(Perm.ROSTER_EXPORT)
    if unmasked:
        actor.require(Perm.ROSTER_EXPORT_UNMASKED)
        reason = reveal_reason(reason)
    graduates = (
        _graduates(actor, cohort, filters)
        .order_by("department__sort_order", "department__name", "student_no")
        .values_list(
            "pk",
            "student_no",
            "name",
            "gender",
            "id_number",
            "ethnicity",
            "political_status",
            "degree_level",
            "department__name",
            "major__name",
            "major__code",
            "specialization",
            "origin_division",
            "origin_type",
            "phone",
            "email",
            "roster_status",
            "roster_status_reason",
            "roster_status_date",
        )
    )
    # Key groups: an unmasked export names the confirmed memberships; a masked one writes the
    # mask for a graduate who has any open one, suggestions included (an import of the file
    # keeps what is stored: the column round-trips).
    key_groups: dict[int, list[str]] = {}
    links = scoped(GraduateKeyGroup, actor).filter(
        graduate__cohort=cohort, status__in=[KeyGroupStatus.SUGGESTED, KeyGroupStatus.CONFIRMED]
    )
    if filters is not None and filters.active:
        links = links.filter(graduate__in=graduates.values("pk"))
    kinds = {k.digest: k for k in KeyGroupKind.objects.all()}
    for graduate_id, digest, status in links.values_list("graduate_id", "kind_digest", "status"):
        held = key_groups.setdefault(graduate_id, [])
        if digest in kinds and status == KeyGroupStatus.CONFIRMED:
            held.append(digest)
    order = {d: (k.sort_order, k.pk) for d, k in kinds.items()}
    tables = national_codes.load() if layout == Layout.NATIONAL else {}
    read: list[tuple[int, str]] = []  # (pk, label) of every graduate written, when unmasked

    def code(table: str, value: str) -> str:
        # A stored value without a code (typed before the tables existed) is written as is:
        # the import takes names in code columns too.
        return tables[table].code_of.get(value, value) if value else ""

    def rows() -> Iterator[list[Any]]:
        for (
            pk,
            student_no,
            name,
            gender,
            id_number,
            ethnicity,
            political,
            level,
            department,
            major,
            major_code,
            specialization,
            origin,
            origin_type,
            phone,
            email,
            status,
            status_reason,
            status_date,
        ) in graduates.iterator(chunk_size=_CHUNK):
            if unmasked:
                read.append((pk, f"{name}（{student_no}）"))
                id_text, phone_text = id_number.reveal_unlogged(), phone.reveal_unlogged()
                ethnicity_text = ethnicity.reveal_unlogged()
                ethnicity_code = (
                    code("ethnicity", ethnicity_text) if layout == Layout.NATIONAL else ""
                )
            else:  # SensitiveValue: the mask, never the plaintext
                id_text, phone_text = id_number.masked, phone.masked
                ethnicity_text = ethnicity_code = ethnicity.masked
            held = key_groups.get(pk)
            if unmasked:
                groups = "、".join(kinds[d].name for d in sorted(held or (), key=order.get))
            else:
                groups = mask_all("held") if held is not None else ""
            if layout == Layout.NATIONAL:
                yield [
                    student_no,
                    name,
                    code("sex", gender),
                    id_text,
                    ethnicity_code,
                    code("political_status", political),
                    code("education_level", level),
                    department,
                    major_code,
                    major,
                    specialization,
                    origin,
                    ORIGIN_LABELS.get(origin_type, ""),
                    groups,
                    phone_text,
                    email,
                ]
            else:
                yield [
                    student_no,
                    name,
                    SEX_OF_GENDER.get(gender, ""),
                    id_text,
                    ethnicity_text,
                    political,
                    LEVEL_LABELS.get(level, level),
                    department,
                    major,
                    specialization,
                    cohort.year,
                    origin,
                    ORIGIN_LABELS.get(origin_type, ""),
                    groups,
                    phone_text,
                    email,
                    ROSTER_STATUS_LABELS.get(status, status),
                    status_reason,
                    status_date.isoformat() if status_date else "",
                ]

    headers = NATIONAL_ROSTER_HEADERS if layout == Layout.NATIONAL else HEADERS
    counted = _Counter(rows())
    data = _write(dest, headers, counted, fmt=fmt, sheet_title=f"{cohort.year}届生源信息")
    if unmasked:
        sensitive_reads_record(
            actor=actor, model=Graduate, targets=read, fields=SENSITIVE_FIELDS, reason=reason
        )
    masked_word = _("不脱敏") if unmasked else _("脱敏")
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="roster.export",
        target=cohort,
        summary=_("导出%(year)s届生源信息（%(masked)s）%(n)s条")
        % {"year": cohort.year, "masked": masked_word, "n": counted.count},
        data={
            "cohort": cohort.year,
            "rows": counted.count,
            "masked": not unmasked,
            **({"reason": reason} if unmasked else {}),
            **({"layout": str(layout)} if layout != Layout.SCHOOL else {}),
            **({"format": str(fmt)} if fmt != Format.XLSX else {}),
            **_scope_note(actor, filters),
        },
    )
    return data


@transaction.atomic
def export_destinations(
    actor: Actor,
    cohort: Cohort,
    dest: BinaryIO | None = None,
    *,
    layout: Layout = Layout.SCHOOL,
    fmt: Format = Format.XLSX,
    filters: GraduateFilters | None = None,
) -> bytes:
    """The cohort's current destination records the actor may see (of the graduates `filters`
    select); one query for the sheet. The national layout re-imports as it is."""
    actor.require(Perm.ROSTER_EXPORT)
    statuses = dict(ReviewStatus.choices)
    records = scoped(Destination, actor).filter(cohort=cohort)
    if filters is not None and filters.active:
        records = records.filter(graduate__in=_graduates(actor, cohort, filters).values("pk"))
    records = records.order_by("graduate__department__sort_order", "graduate__student_no")
    make_row: Callable[..., list[Any]]
    if layout == Layout.NATIONAL:
        fields: tuple[str, ...] = (
            "graduate__student_no",
            "graduate__name",
            "code__code",
            "employer_name",
            "employer_credit_code",
            "employer_nature__code",
            "employer_division",
            "agreement_no",
            "signed_on",
        )
        headers: Sequence[str] = NATIONAL_DESTINATION_HEADERS

        def make_row(*values: Any) -> list[Any]:
            *rest, signed_on = values
            return [*(v or "" for v in rest), signed_on.isoformat() if signed_on else ""]

    else:
        fields = (
            "graduate__student_no",
            "graduate__name",
            "graduate__department__name",
            "graduate__major__name",
            "graduate__degree_level",
            "code__code",
            "code__name",
            "employer_name",
            "employer_credit_code",
            "employer_nature__name",
            "employer_division",
            "employer_country",
            "agreement_no",
            "signed_on",
            "status",
            *(f"graduate__dossier__{f}" for f in DOSSIER_FIELDS),
        )
        headers = DESTINATION_HEADERS
        dossier = apps.get_model("documents", "Dossier")
        labels = [dict(dossier._meta.get_field(f).flatchoices) for f in DOSSIER_FIELDS]
        shows_dossier = actor.has(Perm.DOSSIER_VIEW)  # the columns stay, empty without it

        def make_row(*values: Any) -> list[Any]:
            dossier_values = values[-len(DOSSIER_FIELDS) :]
            values = values[: -len(DOSSIER_FIELDS)]
            (
                student_no,
                name,
                department,
                major,
                level,
                code,
                code_name,
                employer,
                credit_code,
                nature,
                division,
                country,
                agreement_no,
                signed_on,
                status,
            ) = values
            return [
                student_no,
                name,
                department,
                major,
                LEVEL_LABELS.get(level, level),
                code,
                code_name,
                employer,
                credit_code,
                nature or "",
                division,
                country_name(country),
                agreement_no,
                signed_on.isoformat() if signed_on else "",
                str(statuses.get(status, status)),
                *(
                    str(names.get(value, value)) if value and shows_dossier else ""
                    for names, value in zip(labels, dossier_values, strict=True)
                ),
            ]

    counted = _Counter(
        make_row(*values) for values in records.values_list(*fields).iterator(chunk_size=_CHUNK)
    )
    data = _write(dest, headers, counted, fmt=fmt, sheet_title=f"{cohort.year}届毕业去向")
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="destination.export",
        target=cohort,
        summary=_("导出%(year)s届毕业去向%(n)s条") % {"year": cohort.year, "n": counted.count},
        data={
            "cohort": cohort.year,
            "rows": counted.count,
            **({"layout": str(layout)} if layout != Layout.SCHOOL else {}),
            **({"format": str(fmt)} if fmt != Format.XLSX else {}),
            **_scope_note(actor, filters),
        },
    )
    return data


class _Counter:
    """Rows passed through, counted, each text cell neutralised (no formulas in any export)."""

    def __init__(self, rows: Iterator[list[Any]] | Any) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield [neutralize_formula(value) for value in row]


def _write(
    dest: BinaryIO | None, headers: Sequence[str], rows: Any, *, fmt: Format, sheet_title: str
) -> bytes:
    target: BinaryIO = dest if dest is not None else io.BytesIO()
    if fmt == Format.CSV:
        write_csv(target, list(headers), rows)
    else:
        write_xlsx(target, list(headers), rows, sheet_title=sheet_title)
    if dest is not None:
        return b""
    assert isinstance(target, io.BytesIO)
    return target.getvalue()
