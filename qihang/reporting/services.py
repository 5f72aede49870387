"""Writes for reporting: exports, report runs, the authority's returned list, check windows,
graduates' confirmations and correction requests, and the department's decisions on them.

Each function is one transaction with its audit row. A file that carries ID numbers in clear
(every report run: the national system identifies graduates by 身份证号) needs
Perm.ROSTER_EXPORT_UNMASKED and a reason, and logs an unmasked read of every graduate in it
(audit.services.sensitive_reads_record) in the same transaction.

Nothing here can hold a diploma, a degree or anything else of a graduate's, and nothing
counts placements per counsellor: see docs/reporting.md ("四不准", "三不得").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.services import audit_record, reveal_reason, sensitive_reads_record
from qihang.destinations.models import Destination, ReviewStatus
from qihang.destinations.rules import snapshot
from qihang.graduates.models import Graduate
from qihang.graduates.services import graduate_roster_correct, id_number_digest
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.sensitive import plaintext_of
from qihang.lib.tabular import (
    Limits,
    TableError,
    neutralize_formula,
    read_table,
    resolve_columns,
    write_csv,
    write_xlsx,
)
from qihang.lib.validators import FieldError, is_blank, mask_id_number, normalize_text
from qihang.notifications.kinds import LINK_MARK, Kind
from qihang.notifications.services import notify
from qihang.reporting import backends as report_backends
from qihang.reporting import corrections as correctable
from qihang.reporting import layout as layouts
from qihang.reporting.models import (
    CheckAnswer,
    CheckWindow,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTarget,
    ReportingRecord,
    ReportRun,
    ReportRunItem,
    ReportState,
    ReturnedItem,
    ReturnedList,
    RosterCheck,
    RunScope,
)
from qihang.reporting.selectors import TO_REPORT, ReportFacts, report_facts

MIN_REASON = 2
FORMATS = ("xlsx", "csv")


def _reason(text: str) -> str:
    return " ".join((text or "").split())[:300]


# --- The file ----------------------------------------------------------------------------------
def _selected(facts: list[ReportFacts], extent: str) -> list[ReportFacts]:
    if extent == RunScope.CHANGED:
        return [f for f in facts if f.state in TO_REPORT]
    return facts


def report_file(
    facts: Sequence[ReportFacts], *, layout: layouts.Layout, fmt: str, unmasked: bool
) -> bytes:
    """The rows in the layout's columns and order; every text cell formula-neutralised."""
    out: BinaryIO = io.BytesIO()
    rows = (
        [neutralize_formula(values.get(c.source, "") or "") for c in layout.columns]
        for values in (f.values(unmasked=unmasked) for f in facts)
    )
    if fmt == "csv":
        write_csv(out, layout.headers, rows)
    else:
        write_xlsx(out, layout.headers, rows, sheet_title=layout.name[:31])
    return out.getvalue()


def report_filename(cohort: Cohort, *, extent: str, fmt: str, at: dt.datetime) -> str:
    kind = "变更" if extent == RunScope.CHANGED else "全部"
    day = timezone.localtime(at).strftime("%Y%m%d")
    return f"{cohort.year}届毕业去向上报（{kind}）{day}.{fmt}"


def _check_choice(extent: str, fmt: str) -> None:
    if extent not in RunScope.values:
        raise ValidationError({"extent": _("请选择上报范围。")})
    if fmt not in FORMATS:
        raise ValidationError({"fmt": _("文件格式应为 xlsx 或 csv。")})


@transaction.atomic
def reporting_export(
    *,
    actor: Actor,
    cohort: Cohort,
    extent: str = RunScope.ALL,
    fmt: str = "xlsx",
    unmasked: bool = False,
    reason: str = "",
) -> tuple[bytes, str, int]:
    """The file a report would carry, without reporting it (to check it first): (bytes,
    filename, rows). Masked unless `unmasked` (Perm.ROSTER_EXPORT_UNMASKED and a reason; one
    unmasked read per graduate in it)."""
    actor.require(Perm.REPORTING_MANAGE)
    _check_choice(extent, fmt)
    if unmasked:
        actor.require(Perm.ROSTER_EXPORT_UNMASKED)
        reason = reveal_reason(reason)
    layout = layouts.load()
    facts = _selected(report_facts(actor=actor, cohort=cohort, layout=layout), extent)
    data = report_file(facts, layout=layout, fmt=fmt, unmasked=unmasked)
    if unmasked:
        sensitive_reads_record(
            actor=actor,
            model=Graduate,
            targets=((f.graduate_id, f.label) for f in facts),
            fields=("id_number",),
            reason=reason,
        )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="reporting.export",
        target=cohort,
        summary=_("导出%(year)s届上报数据（%(masked)s）%(n)s条")
        % {
            "year": cohort.year,
            "masked": _("不脱敏") if unmasked else _("脱敏"),
            "n": len(facts),
        },
        data={
            "cohort": cohort.year,
            "extent": extent,
            "format": fmt,
            "layout": layout.version,
            "rows": len(facts),
            "masked": not unmasked,
            **({"reason": reason} if unmasked else {}),
        },
    )
    now = timezone.now()
    return data, report_filename(cohort, extent=extent, fmt=fmt, at=now), len(facts)


@transaction.atomic
def report_run_create(
    *,
    actor: Actor,
    cohort: Cohort,
    extent: str,
    fmt: str,
    reason: str,
    backend: report_backends.Backend | None = None,
) -> ReportRun:
    """Report the cohort's approved records (all, or those new, changed or returned since the
    last report) through the backend, and record the run with what it contained.

    The file carries ID numbers in clear: Perm.ROSTER_EXPORT_UNMASKED and a reason, one unmasked
    read per graduate. Runs of one cohort are serialised (the cohort row is locked), so two
    people reporting at once cannot both send the same changes.
    """
    actor.require(Perm.REPORTING_MANAGE)
    actor.require(Perm.ROSTER_EXPORT_UNMASKED)
    _check_choice(extent, fmt)
    reason = reveal_reason(reason)
    if cohort.institution_id != actor.institution_id:
        raise PermissionDenied("cohort of another institution")
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    layout = layouts.load()
    facts = _selected(report_facts(actor=actor, cohort=cohort, layout=layout), extent)
    if not facts:
        raise ValidationError(
            _("没有需要上报的记录：已审批的去向记录自上次上报以来都没有新增、变更或退回。")
            if extent == RunScope.CHANGED
            else _("本届还没有已审批的去向记录，无可上报的内容。")
        )
    now = timezone.now()
    data = report_file(facts, layout=layout, fmt=fmt, unmasked=True)
    chosen = backend or report_backends.backend()
    run = ReportRun.objects.create(
        institution_id=actor.institution_id,
        cohort=cohort,
        extent=extent,
        layout_version=layout.version,
        fmt=fmt,
        filename=report_filename(cohort, extent=extent, fmt=fmt, at=now),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        rows=len(facts),
        backend=chosen.name,
        reason=reason,
        created_by_id=actor.user_id,
        created_at=now,
    )
    ReportRunItem.objects.bulk_create(
        ReportRunItem(
            institution_id=actor.institution_id,
            run=run,
            graduate_id=f.graduate_id,
            state=f.state,
            row_hash=f.row_hash,
        )
        for f in facts
    )
    existing = {
        r.graduate_id: r
        for r in ReportingRecord.objects.select_for_update().filter(
            institution_id=actor.institution_id, graduate_id__in=[f.graduate_id for f in facts]
        )
    }
    updated, created = [], []
    for f in facts:
        record = existing.get(f.graduate_id) or ReportingRecord(
            institution_id=actor.institution_id, cohort=cohort, graduate_id=f.graduate_id
        )
        record.reported_hash = f.row_hash
        record.reported_at = now
        record.last_run = run
        record.returned_reason = ""
        record.returned_at = None
        record.returned_item = None
        (updated if record.pk else created).append(record)
    ReportingRecord.objects.bulk_create(created)
    ReportingRecord.objects.bulk_update(
        updated,
        [
            "reported_hash",
            "reported_at",
            "last_run",
            "returned_reason",
            "returned_at",
            "returned_item",
        ],
    )
    sensitive_reads_record(
        actor=actor,
        model=Graduate,
        targets=((f.graduate_id, f.label) for f in facts),
        fields=("id_number",),
        reason=reason,
    )
    receipt = chosen.push(
        report_backends.Submission(
            institution_code=_institution_code(actor),
            run_id=run.pk,
            filename=run.filename,
            data=data,
            at=now,
        )
    )
    run.receipt = receipt.reference[:300]
    run.save(update_fields=["receipt"])
    states = {s: sum(1 for f in facts if f.state == s) for s in ReportState}
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="reporting.run",
        target=run,
        summary=_("%(year)s届毕业去向上报%(n)s条（%(extent)s）")
        % {"year": cohort.year, "n": run.rows, "extent": RunScope(extent).label},
        data={
            "cohort": cohort.year,
            "extent": extent,
            "format": fmt,
            "layout": layout.version,
            "rows": run.rows,
            "states": {str(k): v for k, v in states.items() if v},
            "sha256": run.sha256,
            "backend": run.backend,
            "receipt": run.receipt,
            "reason": reason,
        },
    )
    return run


def _institution_code(actor: Actor) -> str:
    from qihang.institutions.models import Institution

    return Institution.objects.only("code").get(pk=actor.institution_id).code


# --- The authority's returned list ----------------------------------------------------------------
RETURNED_COLUMNS: dict[str, list[str]] = {
    "student_no": layouts.load().spellings("student_no"),
    "id_number": layouts.load().spellings("id_number"),
    "reason": ["退回原因*", "原因", "核查意见", "审核意见", "THYY"],
}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row (header = 1)
    column: str  # as written in the file
    value: str  # masked where sensitive
    message: str

    def __str__(self) -> str:
        where = _("第%(row)s行") % {"row": self.row} if self.row else _("表头")
        column = f"“{self.column}”" if self.column else ""
        value = f"（{self.value}）" if self.value else ""
        return f"{where}{column}{value}：{self.message}"


class ReturnedListInvalid(ValidationError):
    """The file is refused whole; `errors` names every bad row and column."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__([str(e) for e in errors[:200]])


@transaction.atomic
def returned_list_import(
    *,
    actor: Actor,
    cohort: Cohort,
    source: Any,
    filename: str,
    limits: Limits | None = None,
) -> ReturnedList:
    """Import the authority's list of records returned for re-check (xlsx or csv: 学号 or
    身份证号 — either identifies, both must agree — and 退回原因).

    All or nothing: every row is checked first; one bad row refuses the file with every error
    (row, column, value, why) and nothing is written. Each returned graduate's record is
    marked returned (it goes on the department's list and into the next changed-only report);
    a destination still pending review is also returned through destinations.services, so
    the graduate sees the reason. An approved record stays official: the department corrects
    it by recording a new version.
    """
    from qihang.destinations.services import destination_return

    actor.require(Perm.REPORTING_MANAGE)
    if cohort.institution_id != actor.institution_id:
        raise PermissionDenied("cohort of another institution")
    raw = source if isinstance(source, bytes) else source.read()
    try:
        table = read_table(raw, filename=filename, **({"limits": limits} if limits else {}))
        columns = resolve_columns(
            table.headers, RETURNED_COLUMNS, required=["reason"], ignore_unknown=True
        )
    except TableError as exc:
        raise ReturnedListInvalid([RowError(0, "", "", m) for m in exc.messages]) from None
    if "student_no" not in columns and "id_number" not in columns:
        raise ReturnedListInvalid(
            [RowError(0, "", "", _("缺少“学号”或“身份证号”列，无法确定退回的是哪名毕业生。"))]
        )
    header = {name: table.headers[index] for name, index in columns.items()}
    graduates = scoped(Graduate, actor).filter(cohort=cohort)
    by_student = {
        g.student_no: g
        for g in graduates.only("id", "student_no", "name", "id_number_digest", "user_id")
    }
    by_digest = {g.id_number_digest: g for g in by_student.values()}
    reported = set(
        ReportingRecord.objects.filter(institution_id=actor.institution_id, cohort=cohort)
        .exclude(reported_hash="")
        .values_list("graduate_id", flat=True)
    )
    errors: list[RowError] = []
    wanted: dict[int, tuple[int, str]] = {}  # graduate id -> (row, reason)
    for number, cells in table.rows:
        student_no, id_text, reason = (
            normalize_text(cells[columns[name]]) if name in columns else ""
            for name in ("student_no", "id_number", "reason")
        )
        id_text = id_text.upper()
        found = []
        if student_no:
            graduate = by_student.get(student_no)
            if graduate is None:
                errors.append(
                    RowError(number, header["student_no"], student_no, _("本届没有这个学号。"))
                )
            found.append(graduate)
        if id_text:
            graduate = by_digest.get(id_number_digest(id_text))
            if graduate is None:
                errors.append(
                    RowError(
                        number,
                        header["id_number"],
                        mask_id_number(id_text),
                        _("本届没有这个身份证号的毕业生。"),
                    )
                )
            found.append(graduate)
        if not student_no and not id_text:
            errors.append(RowError(number, "", "", _("学号和身份证号都为空。")))
            continue
        if len(found) == 2 and None not in found and found[0].pk != found[1].pk:
            errors.append(
                RowError(
                    number,
                    header["id_number"],
                    mask_id_number(id_text),
                    _("身份证号与学号%(no)s不是同一名毕业生。") % {"no": student_no},
                )
            )
            continue
        if is_blank(reason):
            errors.append(RowError(number, header["reason"], "", _("请填写退回原因。")))
        graduate = next((g for g in found if g is not None), None)
        if graduate is None:
            continue
        column = header["student_no"] if student_no else header["id_number"]
        shown = student_no or mask_id_number(id_text)
        if graduate.pk not in reported:
            errors.append(
                RowError(number, column, shown, _("该毕业生的记录还没有上报过，不能被退回。"))
            )
        elif graduate.pk in wanted:
            errors.append(
                RowError(
                    number,
                    column,
                    shown,
                    _("与第%(row)s行是同一名毕业生。") % {"row": wanted[graduate.pk][0]},
                )
            )
        elif reason:
            wanted[graduate.pk] = (number, _reason(reason))
    if errors:
        raise ReturnedListInvalid(errors)
    if not wanted:
        raise ReturnedListInvalid([RowError(0, "", "", _("文件中没有退回的记录。"))])

    now = timezone.now()
    returned = ReturnedList.objects.create(
        institution_id=actor.institution_id,
        cohort=cohort,
        original_name=filename[:200],
        sha256=hashlib.sha256(raw).hexdigest(),
        rows=len(wanted),
        imported_by_id=actor.user_id,
        imported_at=now,
    )
    items = ReturnedItem.objects.bulk_create(
        ReturnedItem(
            institution_id=actor.institution_id,
            returned_list=returned,
            graduate_id=graduate_id,
            row_number=row,
            reason=reason,
        )
        for graduate_id, (row, reason) in wanted.items()
    )
    records = ReportingRecord.objects.select_for_update().filter(
        institution_id=actor.institution_id, graduate_id__in=list(wanted)
    )
    item_of = {item.graduate_id: item for item in items}
    changed = []
    for record in records:
        record.returned_reason = item_of[record.graduate_id].reason
        record.returned_at = now
        record.returned_item = item_of[record.graduate_id]
        changed.append(record)
    ReportingRecord.objects.bulk_update(
        changed, ["returned_reason", "returned_at", "returned_item"]
    )
    pending = scoped(Destination, actor).filter(
        graduate_id__in=list(wanted),
        status__in=[ReviewStatus.SUBMITTED, ReviewStatus.DEPARTMENT_REVIEWED],
    )
    sent_back = []
    for destination in pending:
        try:
            with transaction.atomic():
                destination_return(
                    actor=actor,
                    destination=destination,
                    reason=_("主管部门退回核查：%(reason)s")
                    % {"reason": item_of[destination.graduate_id].reason},
                )
        except ValidationError:
            continue  # a state the destination workflow does not return from: our list shows it
        sent_back.append(destination.graduate_id)
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="reporting.returned_import",
        target=returned,
        summary=_("导入%(year)s届主管部门退回名单%(n)s条")
        % {"year": cohort.year, "n": len(wanted)},
        data={
            "cohort": cohort.year,
            "file": returned.original_name,
            "sha256": returned.sha256,
            "graduates": sorted(wanted),
            "destinations_returned": sorted(sent_back),
        },
    )
    return returned


# --- Check windows -----------------------------------------------------------------------------
@transaction.atomic
def check_window_open(
    *, actor: Actor, cohort: Cohort, closes_on: dt.date, note: str = ""
) -> CheckWindow:
    actor.require(Perm.REPORTING_MANAGE)
    if cohort.institution_id != actor.institution_id:
        raise PermissionDenied("cohort of another institution")
    if closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("截止日期不能早于今天。")})
    window = CheckWindow(
        institution_id=actor.institution_id,
        cohort=cohort,
        closes_on=closes_on,
        note=_reason(note),
        opened_by_id=actor.user_id,
        opened_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            window.save()
    except IntegrityError:
        raise ValidationError(
            _("%(year)s届已有正在进行的信息核对。") % {"year": cohort.year}
        ) from None
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="reporting.window_open",
        target=window,
        summary=_("开放%(year)s届生源信息核对，截止%(day)s")
        % {"year": cohort.year, "day": closes_on.isoformat()},
        data={"cohort": cohort.year, "closes_on": closes_on.isoformat(), "note": window.note},
    )
    return window


@transaction.atomic
def check_window_close(*, actor: Actor, window: CheckWindow) -> CheckWindow:
    actor.require(Perm.REPORTING_MANAGE)
    window = scoped(CheckWindow, actor).select_for_update().get(pk=window.pk)
    if window.closed_at is not None:
        raise ValidationError(_("该信息核对已经结束。"))
    window.closed_at = timezone.now()
    window.save(update_fields=["closed_at"])
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="reporting.window_close",
        target=window,
        summary=_("结束%(year)s届生源信息核对") % {"year": window.cohort.year},
        data={"cohort": window.cohort.year},
    )
    return window


def _own_graduate(actor: Actor, graduate: Graduate) -> None:
    actor.require(Perm.REPORTING_CHECK_OWN)
    if graduate.user_id != actor.user_id or graduate.institution_id != actor.institution_id:
        raise PermissionDenied("a graduate checks only their own data")


def _window_for(graduate: Graduate) -> CheckWindow:
    window = CheckWindow.objects.filter(
        institution_id=graduate.institution_id, cohort_id=graduate.cohort_id, closed_at=None
    ).first()
    if window is None or window.closes_on < timezone.localdate():
        raise ValidationError(_("学校目前没有开放信息核对。"))
    return window


def _answer(graduate: Graduate, window: CheckWindow, answer: CheckAnswer) -> None:
    RosterCheck.objects.update_or_create(
        window=window,
        graduate=graduate,
        defaults={
            "institution_id": graduate.institution_id,
            "answer": answer,
            "at": timezone.now(),
        },
    )


@transaction.atomic
def roster_check_confirm(*, actor: Actor, graduate: Graduate) -> RosterCheck:
    """The graduate says their roster and destination data are right."""
    _own_graduate(actor, graduate)
    window = _window_for(graduate)
    pending = CorrectionRequest.objects.filter(
        graduate=graduate, status=CorrectionStatus.PENDING
    ).exists()
    if pending:
        raise ValidationError(_("您还有待院系处理的更正申请，处理后再确认。"))
    _answer(graduate, window, CheckAnswer.CONFIRMED)
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="reporting.check_confirm",
        target=graduate,
        summary=_("%(graduate)s确认信息无误") % {"graduate": graduate},
        data={"window": window.pk},
    )
    return RosterCheck.objects.get(window=window, graduate=graduate)


# --- Correction requests -----------------------------------------------------------------------
@transaction.atomic
def correction_request_create(
    *,
    actor: Actor,
    graduate: Graduate,
    target: str,
    field: str,
    value: str,
    reason: str,
) -> CorrectionRequest:
    """A graduate asks to correct one field of their roster or destination record."""
    _own_graduate(actor, graduate)
    graduate = Graduate.objects.select_related("major").get(pk=graduate.pk)
    window = _window_for(graduate)
    reason = _reason(reason)
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("请说明更正的原因。")})
    spec = correctable.spec(target, field)
    if spec is None:
        raise ValidationError({"field": _("这一项不能申请更正。")})
    destination = None
    if target == CorrectionTarget.DESTINATION:
        destination = Destination.objects.filter(graduate=graduate).first()
        if destination is None:
            raise ValidationError(
                {"field": _("您还没有毕业去向记录：请先在“我的毕业去向”中填报。")}
            )
    try:
        clean = spec.clean(value, graduate=graduate)
    except FieldError as exc:
        raise ValidationError({"value": exc.message}) from None
    current = spec.current(graduate, destination)
    shown = spec.shown(clean)
    if (
        clean == plaintext_of(getattr(graduate, field))  # masks alike say nothing
        if spec.sensitive
        else shown == current
    ):
        raise ValidationError({"value": _("与当前内容相同，无需更正。")})
    request = CorrectionRequest(
        institution_id=graduate.institution_id,
        graduate=graduate,
        window=window,
        target=target,
        field=field,
        current_value=current[:200],
        requested_value=shown[:200],
        requested_secret=clean if spec.sensitive else "",
        requested_major=clean if field == "major" else None,
        reason=reason,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError({"field": _("这一项已有待处理的更正申请，请等院系处理。")}) from None
    _answer(graduate, window, CheckAnswer.ASKED)
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="reporting.correction_request",
        target=request,
        summary=_("%(graduate)s申请更正%(field)s") % {"graduate": graduate, "field": spec.label},
        data={
            "target": target,
            "field": field,
            "current": request.current_value,
            "requested": request.requested_value,
            "reason": reason,
        },
    )
    return request


def _locked_request(actor: Actor, request: CorrectionRequest) -> CorrectionRequest:
    actor.require(Perm.REPORTING_CORRECT)
    fresh = (
        scoped(CorrectionRequest, actor)
        .select_for_update(of=("self",))
        .select_related("graduate", "requested_major")
        .filter(pk=request.pk)
        .first()
    )
    if fresh is None:
        raise PermissionDenied("correction request not in scope")
    if fresh.status != CorrectionStatus.PENDING:
        raise ValidationError(
            _("该申请已处理（%(status)s）。") % {"status": fresh.get_status_display()}
        )
    return fresh


@transaction.atomic
def correction_confirm(
    *, actor: Actor, request: CorrectionRequest, note: str = ""
) -> CorrectionRequest:
    """The department confirms: the change is applied through the graduates service (roster:
    its audit row is the roster's history) or destinations.services.destination_record
    (destination: a new version on the record's history, reviewed, for the centre to approve)."""
    from qihang.destinations.services import destination_record

    request = _locked_request(actor, request)
    graduate = request.graduate
    spec = correctable.spec(request.target, request.field)
    assert spec is not None
    reason = _("毕业生申请更正（%(reason)s）") % {"reason": request.reason}
    if note.strip():
        reason = f"{reason}；{_reason(note)}"
    if request.target == CorrectionTarget.ROSTER:
        if request.field == "major":
            value: Any = request.requested_major
        elif spec.sensitive:
            value = request.requested_secret.reveal_unlogged()
        else:
            value = request.requested_value
        graduate_roster_correct(
            actor=actor, graduate=graduate, changes={request.field: value}, reason=reason
        )
    else:
        destination = (
            scoped(Destination, actor)
            .select_related("code", "employer_nature")
            .filter(graduate=graduate)
            .first()
        )
        if destination is None:
            raise ValidationError(_("该毕业生没有毕业去向记录。"))
        data = snapshot(
            {
                "code": destination.code,
                "employer_name": destination.employer_name,
                "employer_credit_code": destination.employer_credit_code,
                "employer_nature": destination.employer_nature,
                "employer_division": destination.employer_division,
                "employer_country": destination.employer_country,
                "agreement_no": destination.agreement_no,
                "signed_on": destination.signed_on,
                "note": destination.note,
            }
        )
        data[request.field] = request.requested_value
        data["confirmed_not_internship"] = destination.confirmed_not_internship
        destination_record(actor=actor, graduate=graduate, data=data, reason=reason[:300])
    return _decide(actor, request, CorrectionStatus.CONFIRMED, _reason(note))


@transaction.atomic
def correction_refuse(
    *, actor: Actor, request: CorrectionRequest, reason: str
) -> CorrectionRequest:
    reason = _reason(reason)
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("请填写不同意更正的理由。")})
    request = _locked_request(actor, request)
    return _decide(actor, request, CorrectionStatus.REFUSED, reason)


def _decide(
    actor: Actor, request: CorrectionRequest, status: CorrectionStatus, reason: str
) -> CorrectionRequest:
    graduate = request.graduate
    if not actor.sees_whole_institution and graduate.department_id not in actor.department_ids:
        raise PermissionDenied("not this department's graduate")
    request.status = status
    request.decided_by_id = actor.user_id
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.full_clean(exclude=["requested_secret", "graduate", "window", "requested_major"])
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    spec = correctable.spec(request.target, request.field)
    label = spec.label if spec else request.field
    confirmed = status == CorrectionStatus.CONFIRMED
    audit_record(
        institution_id=request.institution_id,
        actor_id=actor.user_id,
        action="reporting.correction_confirm" if confirmed else "reporting.correction_refuse",
        target=request,
        summary=_("%(graduate)s的%(field)s更正申请：%(status)s")
        % {"graduate": graduate, "field": label, "status": request.get_status_display()},
        data={
            "target": request.target,
            "field": request.field,
            "requested": request.requested_value,
            "reason": reason,
        },
    )
    if graduate.user_id:
        if confirmed:
            body = _(
                "%(name)s同学：\n\n您申请更正的%(field)s已由院系更正为“%(value)s”。%(extra)s\n\n"
                "查看：%(link)s\n"
            )
            extra = (
                _("去向记录的更正还需就业指导中心审批。")
                if request.target == CorrectionTarget.DESTINATION
                else ""
            )
        else:
            body = _(
                "%(name)s同学：\n\n您申请更正的%(field)s（更正为“%(value)s”）院系未同意，"
                "理由：%(reason)s\n\n如有疑问请联系院系。查看：%(link)s\n"
            )
            extra = ""
        notify(
            recipients=[graduate.user_id],
            kind=Kind.CORRECTION_DECIDED,
            subject=_("【启航】您的信息更正申请已处理"),
            body=body
            % {
                "name": graduate.name,
                "field": label,
                "value": request.requested_value,
                "reason": reason,
                "extra": extra,
                "link": LINK_MARK,
            },
            link=reverse("reporting:my_check"),
            institution_id=request.institution_id,
        )
    return request
