"""Writes for verification: draw a round, record a call, decide on a flag, import an enrolment
list. Each is one transaction with its audit row (qihang.audit.services.audit_record)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.destinations.models import Destination
from qihang.destinations.services import destination_return
from qihang.graduates.services import id_number_digest
from qihang.institutions.models import Cohort, Department
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib import tabular
from qihang.reports.selectors import placed_as_of
from qihang.verification import sampling
from qihang.verification.enrolment import EnrolmentSource
from qihang.verification.models import (
    CallResult,
    EnrolmentEntry,
    EnrolmentList,
    FlagDecision,
    FlagStatus,
    VerificationCall,
    VerificationRound,
    VerificationSample,
)
from qihang.verification.workflow import SAMPLE_RESULT

MAX_SEED = 2**62


def _percent(value: Any, field: str) -> Decimal:
    try:
        percent = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("抽样比例应为数字。")}) from None
    if not (Decimal("0") < percent <= Decimal("100")) or percent != percent.quantize(
        Decimal("0.01")
    ):
        raise ValidationError({field: _("抽样比例应在 0.01 至 100 之间（最多两位小数）。")})
    return percent


def _check_cohort(actor: Actor, cohort: Cohort) -> None:
    if cohort.institution_id != actor.institution_id:
        raise PermissionDenied("cohort of another institution")


@transaction.atomic
def round_draw(
    *,
    actor: Actor,
    cohort: Cohort,
    name: str,
    as_of: dt.date,
    default_percent: Any,
    department_percents: Mapping[int, Any] | None = None,
    seed: int | None = None,
) -> VerificationRound:
    """Draw a round from the cohort's placed graduates as of `as_of` and store the sample.

    The seed is random unless given (a given seed redraws an earlier round's sample from the
    same population). `as_of` may not lie in the future: a figure as of a day to come is not
    yet fixed, and the sample must be reproducible.
    """
    actor.require(Perm.VERIFICATION_MANAGE)
    _check_cohort(actor, cohort)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写批次名称。")})
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": _("抽样截止日不能晚于今天。")})
    percent = _percent(default_percent, "default_percent")
    overrides: dict[int, Decimal] = {}
    if department_percents:
        known = set(scoped(Department, actor).values_list("pk", flat=True))
        for department_id, value in department_percents.items():
            if int(department_id) not in known:
                raise ValidationError({"department_percents": _("院系不属于本校。")})
            overrides[int(department_id)] = _percent(value, "department_percents")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not (0 <= int(seed) < MAX_SEED):
        raise ValidationError({"seed": _("随机种子应为 0 至 2^62 之间的整数。")})
    population = placed_as_of(actor=actor, cohort=cohort, as_of=as_of)
    members = [sampling.Member(p.graduate_id, p.department_id, p.code) for p in population]
    sample = sampling.draw(
        members, seed=int(seed), default_percent=percent, department_percents=overrides
    )
    now = timezone.now()
    round_ = VerificationRound(
        institution_id=actor.institution_id,
        cohort=cohort,
        name=name[:100],
        as_of=as_of,
        seed=int(seed),
        default_percent=percent,
        department_percents={str(k): str(v) for k, v in sorted(overrides.items())},
        population=len(members),
        drawn_by_id=actor.user_id,
        drawn_at=now,
    )
    round_.full_clean()
    round_.save()
    records = dict(
        Destination.objects.filter(
            institution_id=actor.institution_id, graduate_id__in=[m.graduate_id for m in sample]
        ).values_list("graduate_id", "pk")
    )
    employers = dict(
        Destination.objects.filter(pk__in=records.values()).values_list(
            "pk", "official_values__employer_name"
        )
    )
    VerificationSample.objects.bulk_create(
        VerificationSample(
            institution_id=actor.institution_id,
            round=round_,
            graduate_id=m.graduate_id,
            department_id=m.department_id,
            code=m.code,
            destination_id=records.get(m.graduate_id),
            employer_name=(employers.get(records.get(m.graduate_id)) or "")[:200],
        )
        for m in sample
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.VERIFICATION_ROUND_DRAW,
        target=round_,
        summary=_("%(name)s：总体 %(population)s 人，抽取 %(sample)s 人")
        % {"name": round_.name, "population": len(members), "sample": len(sample)},
        data={
            "cohort": cohort.year,
            "as_of": as_of.isoformat(),
            "seed": str(round_.seed),
            "default_percent": str(percent),
            "department_percents": round_.department_percents,
            "population": len(members),
            "sample": len(sample),
        },
    )
    return round_


@transaction.atomic
def call_record(
    *, actor: Actor, sample: VerificationSample, result: str, notes: str = ""
) -> VerificationCall:
    """Record one call. A false result sends the destination record back for correction
    through destinations.services.destination_return, with the notes as the reason."""
    notes = (notes or "").strip()[:500]
    if result not in (CallResult.CONFIRMED, CallResult.UNREACHABLE, CallResult.FALSE):
        raise ValidationError({"result": _("请选择核查结果。")})
    if sample.institution_id != actor.institution_id:
        raise PermissionDenied("sample of another institution")
    graduate = sample.graduate
    SAMPLE_RESULT.apply(
        sample,
        actor,
        result,
        institution_id=sample.institution_id,
        reason=notes,
        summary=f"{graduate.student_no} {CallResult(result).label}",
        data={"round": sample.round_id, "result": result},
    )
    now = timezone.now()
    call = VerificationCall.objects.create(
        institution_id=sample.institution_id,
        sample=sample,
        result=result,
        notes=notes,
        caller_id=actor.user_id,
        called_at=now,
    )
    if result == CallResult.FALSE:
        _return_for_correction(actor, sample, notes, now)
    return call


def _return_for_correction(
    actor: Actor, sample: VerificationSample, notes: str, now: dt.datetime
) -> None:
    """Send the record back through the destinations service: a pending version is returned,
    an approved one has its approval withdrawn (it stops counting from now). A record a signed
    agreement wrote is not returned (its placement ends with the agreement's cancellation):
    the sample says so, its returned_at staying empty."""
    if sample.destination_id is None:
        return
    destination = Destination.objects.select_related("graduate", "code").get(
        pk=sample.destination_id
    )
    reason = _("就业核查不属实：%(notes)s") % {"notes": notes}
    try:
        with transaction.atomic():
            destination_return(actor=actor, destination=destination, reason=reason[:300])
    except ValidationError:
        return
    sample.returned_at = now
    sample.save(update_fields=["returned_at"])


@transaction.atomic
def flag_decide(*, actor: Actor, rule: str, key: str, status: str, note: str) -> FlagDecision:
    """Acknowledge or dismiss a finding (or reopen it), with a note; earlier decisions stay."""
    from qihang.verification.anomalies import RULES

    actor.require(Perm.VERIFICATION_MANAGE)
    if rule not in RULES:
        raise ValidationError({"rule": _("未知的异常规则。")})
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise ValidationError({"key": _("缺少异常提示的标识。")})
    if status not in FlagStatus.values:
        raise ValidationError({"status": _("请选择处理方式。")})
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError({"note": _("请填写处理说明。")})
    decision = FlagDecision.objects.create(
        institution_id=actor.institution_id,
        rule=rule,
        key=key,
        status=status,
        note=note[:500],
        decided_by_id=actor.user_id,
        decided_at=timezone.now(),
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.VERIFICATION_FLAG_DECIDE,
        target=decision,
        summary=f"{RULES[rule].title}：{FlagStatus(status).label}",
        data={"rule": rule, "key": key, "status": status, "note": decision.note},
    )
    return decision


class EnrolmentRejected(ValidationError):
    """The list has row errors: nothing was stored; `row_errors` says where."""

    def __init__(self, row_errors: list) -> None:
        self.row_errors = row_errors
        super().__init__([str(e) for e in row_errors])


@transaction.atomic
def enrolment_import(*, actor: Actor, cohort: Cohort, source: EnrolmentSource) -> EnrolmentList:
    """Store an enrolment list for the cohort; any row error refuses the whole list."""
    actor.require(Perm.VERIFICATION_MANAGE)
    _check_cohort(actor, cohort)
    try:
        read = source.read()
    except tabular.TableError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if read.errors:
        raise EnrolmentRejected(read.errors)
    if not read.rows:
        raise ValidationError({"file": _("名单中没有数据行。")})
    enrolment = EnrolmentList.objects.create(
        institution_id=actor.institution_id,
        cohort=cohort,
        source=source.name,
        filename=read.filename[:200],
        sha256=read.sha256,
        rows=len(read.rows),
        imported_by_id=actor.user_id,
        imported_at=timezone.now(),
    )
    EnrolmentEntry.objects.bulk_create(
        (
            EnrolmentEntry(
                institution_id=actor.institution_id,
                enrolment=enrolment,
                row=row.row,
                id_number_digest=id_number_digest(row.id_number),
                name=row.name,
                employer_credit_code=row.employer_credit_code,
            )
            for row in read.rows
        ),
        batch_size=2000,
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.VERIFICATION_ENROLMENT_IMPORT,
        target=enrolment,
        summary=_("%(year)s届社保参保名单：%(rows)s 行") % {"year": cohort.year, "rows": len(read.rows)},
        data={"cohort": cohort.year, "source": source.name, "filename": read.filename,
              "sha256": read.sha256, "rows": len(read.rows)},
    )  # fmt: skip
    return enrolment
