"""Roster and destination exports to xlsx, masked, scoped to what the actor may see.

The roster export has the import's columns in the import's order, so a sheet that was exported,
corrected and uploaded again imports: its masked 身份证号 and 手机号码 (3101************3X,
138****5678) stand for the values already stored (see graduates.importing). Unmasked exports
are not offered. Every export writes an audit row: who exported which cohort, how many rows.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record
from qihang.destinations.models import Destination, ReviewStatus
from qihang.graduates.importing import HEADERS, LEVEL_LABELS, ORIGIN_LABELS, SEX_OF_GENDER
from qihang.graduates.models import Graduate, GraduateKeyGroup
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.tabular import write_xlsx

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
    "协议书编号",
    "签约日期",
    "审核状态",
)
_CHUNK = 2000


def roster_filename(cohort: Cohort) -> str:
    return f"{cohort.year}届生源信息.xlsx"


def destinations_filename(cohort: Cohort) -> str:
    return f"{cohort.year}届毕业去向.xlsx"


def _scope_note(actor: Actor) -> dict[str, Any]:
    if actor.sees_whole_institution:
        return {"scope": "institution"}
    return {"scope": "departments", "departments": sorted(actor.department_ids)}


@transaction.atomic
def export_roster(actor: Actor, cohort: Cohort, dest: BinaryIO | None = None) -> bytes:
    """The cohort's graduates the actor may see, as the import's xlsx; masked.

    Writes into `dest` when given (and returns b""), else returns the workbook's bytes.
    Three queries whatever the size: graduates with department and major, key groups, audit.
    """
    actor.require(Perm.ROSTER_EXPORT)
    graduates = (
        scoped(Graduate, actor)
        .filter(cohort=cohort)
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
            "specialization",
            "origin_division",
            "origin_type",
            "phone",
            "email",
        )
    )
    key_groups: dict[int, list[str]] = {}
    links = (
        scoped(GraduateKeyGroup, actor)
        .filter(graduate__cohort=cohort)
        .order_by("kind__sort_order")
        .values_list("graduate_id", "kind__name")
    )
    for graduate_id, kind_name in links:
        key_groups.setdefault(graduate_id, []).append(kind_name)
    count = 0

    def rows() -> Any:
        nonlocal count
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
            specialization,
            origin,
            origin_type,
            phone,
            email,
        ) in graduates.iterator(chunk_size=_CHUNK):
            count += 1
            yield [
                student_no,
                name,
                SEX_OF_GENDER.get(gender, ""),
                id_number.masked,  # SensitiveValue: the mask, never the plaintext
                ethnicity,
                political,
                LEVEL_LABELS.get(level, level),
                department,
                major,
                specialization,
                cohort.year,
                origin,
                ORIGIN_LABELS.get(origin_type, ""),
                "、".join(key_groups.get(pk, ())),
                phone.masked,
                email,
            ]

    data = _write(dest, HEADERS, rows(), sheet_title=f"{cohort.year}届生源信息")
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="roster.export",
        target=cohort,
        summary=_("导出%(year)s届生源信息（脱敏）%(n)s条") % {"year": cohort.year, "n": count},
        data={"cohort": cohort.year, "rows": count, "masked": True, **_scope_note(actor)},
    )
    return data


@transaction.atomic
def export_destinations(actor: Actor, cohort: Cohort, dest: BinaryIO | None = None) -> bytes:
    """The cohort's current destination records the actor may see; one query for the sheet."""
    actor.require(Perm.ROSTER_EXPORT)
    statuses = dict(ReviewStatus.choices)
    records = (
        scoped(Destination, actor)
        .filter(cohort=cohort)
        .order_by("graduate__department__sort_order", "graduate__student_no")
        .values_list(
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
            "agreement_no",
            "signed_on",
            "status",
        )
    )
    count = 0

    def rows() -> Any:
        nonlocal count
        for (
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
            agreement_no,
            signed_on,
            status,
        ) in records.iterator(chunk_size=_CHUNK):
            count += 1
            yield [
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
                agreement_no,
                signed_on.isoformat() if signed_on else "",
                str(statuses.get(status, status)),
            ]

    data = _write(dest, DESTINATION_HEADERS, rows(), sheet_title=f"{cohort.year}届毕业去向")
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="destination.export",
        target=cohort,
        summary=_("导出%(year)s届毕业去向%(n)s条") % {"year": cohort.year, "n": count},
        data={"cohort": cohort.year, "rows": count, **_scope_note(actor)},
    )
    return data


def _write(dest: BinaryIO | None, headers: Any, rows: Any, *, sheet_title: str) -> bytes:
    if dest is not None:
        write_xlsx(dest, list(headers), rows, sheet_title=sheet_title)
        return b""
    buffer = io.BytesIO()
    write_xlsx(buffer, list(headers), rows, sheet_title=sheet_title)
    return buffer.getvalue()
