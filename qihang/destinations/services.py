"""Writes for destinations: report, record, review, approve, return, evidence, cohort policy.

Every function is one transaction that writes the change itself, its DestinationChange row (who,
when, action, reason, values before and after), the DestinationPeriod rows it opens or closes,
and an audit row. The callers (views, API, import) fetch objects through scoping first; the
services check again that the actor may act on them (PermissionDenied) and that the record is
in the state the action needs (ValidationError, with messages for people).

Workflow (ReviewStatus): a graduate's report is "submitted"; department staff review it
("reviewed"); the career centre approves it ("approved": an official period opens) from
submitted or reviewed; either may return a pending version with a reason ("returned"), and the
graduate edits and resubmits. A new version after approval is pending while the approved one
stays official (its official period stays open) until the new version is approved.
The period rules are in destinations.models' docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.accounts.models import User
from qihang.audit.services import audit_record
from qihang.destinations.evidence import (
    EvidenceUpload,
    check_upload,
    store_upload,
    stored_files,
    uploads_from,
)
from qihang.destinations.models import (
    PENDING_STATUSES,
    ChangeAction,
    CohortPolicy,
    Destination,
    DestinationChange,
    DestinationCode,
    DestinationPeriod,
    Evidence,
    PeriodKind,
    ReviewStatus,
    Source,
)
from qihang.destinations.policy import policy_for
from qihang.destinations.rules import (
    DestinationInvalid,
    Reference,
    check_evidence_kind,
    clean_destination,
    diff,
    snapshot,
)
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.notifications.kinds import LINK_MARK, Kind
from qihang.notifications.services import Message, notify_each

MIN_REASON = 2


# --- Checks shared by the actions ----------------------------------------------------------------
def _require_visible(actor: Actor, graduate: Graduate) -> None:
    """Defence in depth: the caller fetched `graduate` through scoping; check it again."""
    if graduate.institution_id != actor.institution_id or not (
        scoped(Graduate, actor).filter(pk=graduate.pk).exists()
    ):
        raise PermissionDenied("graduate not in scope")


def may_review(actor: Actor, graduate: Graduate) -> bool:
    """Department review needs the permission and the graduate's department in one's scope."""
    return actor.has(Perm.DESTINATION_REVIEW) and (
        actor.sees_whole_institution or graduate.department_id in actor.department_ids
    )


def deadline_passed(policy: CohortPolicy, today: dt.date) -> bool:
    deadline = policy.registration_deadline
    return deadline is not None and today > deadline


def _reason(reason: str) -> str:
    return " ".join((reason or "").split())[:300]


def _invalid(exc: DestinationInvalid) -> ValidationError:
    return ValidationError(exc.errors)


def _record_snapshot(destination: Destination, ref: Reference) -> dict[str, Any]:
    code = destination.code if destination.code_id else None
    return snapshot(
        {
            "code": code,
            "employer_name": destination.employer_name,
            "employer_credit_code": destination.employer_credit_code,
            "employer_nature": ref.nature_by_id(destination.employer_nature_id),
            "employer_division": destination.employer_division,
            "employer_country": destination.employer_country,
            "agreement_no": destination.agreement_no,
            "signed_on": destination.signed_on,
            "note": destination.note,
        }
    )


def _check_agreement_unique(*, institution_id: int, graduate_id: int, agreement_no: str) -> None:
    """One agreement number per graduate (专人专号)."""
    if not agreement_no:
        return
    other = (
        Destination.objects.filter(institution_id=institution_id, agreement_no=agreement_no)
        .exclude(graduate_id=graduate_id)
        .select_related("graduate")
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "agreement_no": _("协议书编号%(no)s已用于学号为%(student)s的毕业生。")
                % {"no": agreement_no, "student": other.graduate.student_no}
            }
        )


def open_period(
    *,
    institution_id: int,
    cohort_id: int,
    graduate_id: int,
    kind: PeriodKind,
    code: DestinationCode,
    employer_province: str,
    employer_division: str,
    employer_country: str,
    at: dt.datetime,
) -> DestinationPeriod:
    """Close the graduate's open period of `kind` at `at` and open the next one there."""
    DestinationPeriod.objects.filter(
        graduate_id=graduate_id, kind=kind, valid_to__isnull=True
    ).update(valid_to=at)
    return DestinationPeriod.objects.create(
        institution_id=institution_id,
        cohort_id=cohort_id,
        graduate_id=graduate_id,
        kind=kind,
        code=code.reporting_code,
        employer_province=employer_province,
        employer_division=employer_division,
        employer_country=employer_country,
        valid_from=at,
    )


def _locked(graduate: Graduate) -> Destination | None:
    return (
        Destination.objects.select_for_update(of=("self",))
        .select_related("code__parent")
        .filter(graduate=graduate)
        .first()
    )


def _locked_destination(actor: Actor, destination: Destination) -> Destination:
    """The destination re-read under a row lock, checked to be in the actor's scope."""
    fresh = (
        scoped(Destination, actor)
        .select_for_update(of=("self",))
        .select_related("graduate", "code__parent")
        .filter(pk=destination.pk)
        .first()
    )
    if fresh is None:
        raise PermissionDenied("destination not in scope")
    return fresh


def _check_version(destination: Destination, expected_version: int | None) -> None:
    if expected_version is not None and destination.version != expected_version:
        raise ValidationError(
            _("该记录已被更新（当前为第%(version)s版），请刷新页面查看最新内容后再操作。")
            % {"version": destination.version}
        )


def _checked_uploads(uploads: Sequence[EvidenceUpload], code: DestinationCode | None) -> list:
    checked = []
    for upload in uploads:
        problem = check_evidence_kind(upload.kind, code)
        if problem:
            raise ValidationError({"evidence_kind": problem})
        checked.append(check_upload(upload))
    return checked


def _add_evidence(
    *,
    actor: Actor,
    destination: Destination,
    checked: Sequence[Any],
    stored: list[str],
) -> list[Evidence]:
    rows = []
    for item in checked:
        fields = store_upload(
            item,
            institution_id=destination.institution_id,
            graduate_id=destination.graduate_id,
            stored=stored,
        )
        evidence = Evidence(
            institution_id=destination.institution_id,
            destination=destination,
            graduate_id=destination.graduate_id,
            kind=item.upload.kind,
            version=destination.version,
            uploaded_by_id=actor.user_id,
            **fields,
        )
        rows.append(evidence)
    return Evidence.objects.bulk_create(rows)


def _evidence_label(evidence: Evidence) -> str:
    return f"{evidence.original_name}（{evidence.get_kind_display()}）"


# --- Reporting a destination: the graduate, or staff on their behalf -----------------------------
@dataclass(frozen=True)
class _Who:
    source: Source
    action: ChangeAction
    status: ReviewStatus


def destination_submit(
    *,
    actor: Actor,
    graduate: Graduate,
    data: Mapping[str, Any],
    evidence_files: Iterable[Any] = (),
    reason: str = "",
) -> Destination:
    """A graduate reports (or corrects) their own destination: a new version, "submitted".

    Only until the cohort's registration deadline; changing an approved destination needs a
    reason. Unchanged data with new files only adds the files to the current version.
    """
    actor.require(Perm.DESTINATION_REPORT_OWN)
    if graduate.user_id != actor.user_id or graduate.institution_id != actor.institution_id:
        raise PermissionDenied("a graduate reports only their own destination")
    return _write_version(
        actor=actor,
        graduate=graduate,
        data=data,
        uploads=uploads_from(evidence_files),
        reason=reason,
        who=_Who(Source.SELF_REPORT, ChangeAction.SUBMIT, ReviewStatus.SUBMITTED),
        staff=False,
    )


def destination_record(
    *,
    actor: Actor,
    graduate: Graduate,
    data: Mapping[str, Any],
    evidence_files: Iterable[Any] = (),
    reason: str = "",
) -> Destination:
    """Staff (counsellor, department staff, teacher, career centre) record for a graduate.

    The version is "reviewed" when the actor may review the graduate's department, else
    "submitted". Changing an existing record, or any change after the registration deadline,
    needs a reason: a record is never overwritten silently.
    """
    actor.require(Perm.DESTINATION_RECORD)
    _require_visible(actor, graduate)
    status = (
        ReviewStatus.DEPARTMENT_REVIEWED if may_review(actor, graduate) else ReviewStatus.SUBMITTED
    )
    return _write_version(
        actor=actor,
        graduate=graduate,
        data=data,
        uploads=uploads_from(evidence_files),
        reason=reason,
        who=_Who(Source.COUNSELLOR, ChangeAction.RECORD, status),
        staff=True,
    )


def _write_version(
    *,
    actor: Actor,
    graduate: Graduate,
    data: Mapping[str, Any],
    uploads: Sequence[EvidenceUpload],
    reason: str,
    who: _Who,
    staff: bool,
) -> Destination:
    now = timezone.now()
    today = timezone.localdate(now)
    reason = _reason(reason)
    cohort = Cohort.objects.get(pk=graduate.cohort_id)
    with transaction.atomic(), stored_files() as stored:
        policy = policy_for(cohort)
        late = deadline_passed(policy, today)
        if late and not staff:
            raise ValidationError(
                _("去向登记已于%(date)s截止，不能再修改；如需更正，请联系辅导员或院系。")
                % {"date": policy.registration_deadline.isoformat()}
            )
        ref = Reference.load(policy, cohort.year)
        try:
            values = clean_destination(data, ref, today=today)
        except DestinationInvalid as exc:
            raise _invalid(exc) from None
        checked = _checked_uploads(uploads, values["code"])
        current = _locked(graduate)
        before = _record_snapshot(current, ref) if current else {}
        after = snapshot(values)
        changed = before != after
        if current is not None and not changed and current.status != ReviewStatus.RETURNED:
            if checked:
                return _evidence_only(
                    actor=actor, destination=current, checked=checked, stored=stored, now=now
                )
            raise ValidationError(_("内容与当前记录相同，没有需要提交的修改。"))
        if (
            current is not None
            and not changed
            and current.status == ReviewStatus.RETURNED
            and not staff
            and not checked
            and not _evidence_since_return(current)
        ):
            raise ValidationError(_unchanged_resubmission(current))
        if len(reason) < MIN_REASON:
            if staff and late:
                raise ValidationError({"reason": _("登记截止后修改须填写原因。")})
            if staff and current is not None:
                raise ValidationError({"reason": _("修改已有的去向记录须填写原因。")})
            if current is not None and current.official_code_id and changed:
                raise ValidationError({"reason": _("变更已审批的毕业去向须填写变更原因。")})
        _check_agreement_unique(
            institution_id=graduate.institution_id,
            graduate_id=graduate.pk,
            agreement_no=values["agreement_no"],
        )

        status_before = {"status": current.status} if current else {}
        destination = current or Destination(
            institution_id=graduate.institution_id,
            cohort_id=graduate.cohort_id,
            graduate=graduate,
            version=0,
        )
        for field in (
            "code",
            "employer_name",
            "employer_credit_code",
            "employer_nature",
            "employer_division",
            "employer_province",
            "employer_country",
            "agreement_no",
            "signed_on",
            "note",
            "confirmed_not_internship",
        ):
            setattr(destination, field, values[field])
        destination.version += 1
        destination.source = who.source
        destination.status = who.status
        destination.return_reason = ""
        destination.submitted_by_id = actor.user_id
        destination.submitted_at = now
        reviewed = who.status == ReviewStatus.DEPARTMENT_REVIEWED
        destination.reviewed_by_id = actor.user_id if reviewed else None
        destination.reviewed_at = now if reviewed else None
        destination.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                destination.save()
        except IntegrityError:
            raise ValidationError(_("该毕业生的去向刚被他人同时修改，请刷新页面后重试。")) from None

        change_before, change_after = diff(
            {**before, **status_before}, {**after, "status": who.status}
        )
        if values["confirmed_not_internship"]:
            change_after["confirmed_not_internship"] = True
        evidence = _add_evidence(
            actor=actor, destination=destination, checked=checked, stored=stored
        )
        if evidence:
            change_after["evidence"] = [_evidence_label(e) for e in evidence]
        DestinationChange.objects.create(
            institution_id=destination.institution_id,
            destination=destination,
            graduate_id=graduate.pk,
            action=who.action,
            version=destination.version,
            actor_id=actor.user_id,
            reason=reason,
            before=change_before,
            after=change_after,
            at=now,
        )
        open_period(
            institution_id=destination.institution_id,
            cohort_id=destination.cohort_id,
            graduate_id=graduate.pk,
            kind=PeriodKind.REPORTED,
            code=values["code"],
            employer_province=values["employer_province"],
            employer_division=values["employer_division"],
            employer_country=values["employer_country"],
            at=now,
        )
        audit_record(
            institution_id=destination.institution_id,
            actor_id=actor.user_id,
            action=f"destination.{who.action}",
            target=destination,
            summary=f"{graduate.student_no} {values['code'].code} v{destination.version}",
            data={"version": destination.version, "status": who.status, "reason": reason},
        )
    return destination


def _evidence_since_return(destination: Destination) -> bool:
    """Whether files were added to a returned record after it was returned (the correction a
    return asked for may be a file alone)."""
    returned = (
        DestinationChange.objects.filter(destination=destination, action=ChangeAction.RETURN)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    if returned is None:
        return False
    return Evidence.objects.filter(destination=destination, uploaded_at__gt=returned).exists()


def _unchanged_resubmission(destination: Destination) -> str:
    """Resubmitting a returned record as it was only sends the reviewer the same thing again."""
    return _(
        "你的去向记录已被退回，退回原因：%(reason)s。重新提交前请按退回原因修改内容或补充证明材料；"
        "内容未作任何修改，不能重新提交。"
    ) % {"reason": destination.return_reason or "—"}


def _evidence_only(
    *,
    actor: Actor,
    destination: Destination,
    checked: Sequence[Any],
    stored: list[str],
    now: dt.datetime,
    reason: str = "",
) -> Destination:
    evidence = _add_evidence(actor=actor, destination=destination, checked=checked, stored=stored)
    DestinationChange.objects.create(
        institution_id=destination.institution_id,
        destination=destination,
        graduate_id=destination.graduate_id,
        action=ChangeAction.EVIDENCE,
        version=destination.version,
        actor_id=actor.user_id,
        reason=reason,
        before={},
        after={"evidence": [_evidence_label(e) for e in evidence]},
        at=now,
    )
    audit_record(
        institution_id=destination.institution_id,
        actor_id=actor.user_id,
        action="destination.evidence",
        target=destination,
        summary=", ".join(e.original_name for e in evidence),
    )
    return destination


def evidence_add(
    *,
    actor: Actor,
    destination: Destination,
    evidence_files: Iterable[Any],
    reason: str = "",
) -> Destination:
    """Add files to the current version without changing it (its status stays as it is).

    The graduate may add to their own record until the deadline; staff who may record for the
    graduate may add at any time.
    """
    uploads = uploads_from(evidence_files)
    if not uploads:
        raise ValidationError({"evidence": _("请选择要上传的文件。")})
    now = timezone.now()
    with transaction.atomic(), stored_files() as stored:
        destination = _locked_destination(actor, destination)
        graduate = destination.graduate
        own = graduate.user_id == actor.user_id and actor.has(Perm.DESTINATION_REPORT_OWN)
        if not own and not actor.has(Perm.DESTINATION_RECORD):
            raise PermissionDenied("may not add evidence")
        if own and not actor.has(Perm.DESTINATION_RECORD):
            policy = policy_for(Cohort.objects.get(pk=destination.cohort_id))
            if deadline_passed(policy, timezone.localdate(now)):
                raise ValidationError(
                    _("去向登记已于%(date)s截止，不能再上传材料；如需补充，请联系辅导员或院系。")
                    % {"date": policy.registration_deadline.isoformat()}
                )
        checked = _checked_uploads(uploads, destination.code)
        return _evidence_only(
            actor=actor,
            destination=destination,
            checked=checked,
            stored=stored,
            now=now,
            reason=_reason(reason),
        )


# --- Review, approval, return --------------------------------------------------------------------
@transaction.atomic
def destination_review(
    *, actor: Actor, destination: Destination, expected_version: int | None = None
) -> Destination:
    """Department review: submitted -> reviewed (the career centre approves next)."""
    actor.require(Perm.DESTINATION_REVIEW)
    destination = _locked_destination(actor, destination)
    if not may_review(actor, destination.graduate):
        raise PermissionDenied("not this department's reviewer")
    _check_version(destination, expected_version)
    if destination.status != ReviewStatus.SUBMITTED:
        raise ValidationError(
            _("只有“待院系审核”的记录可以审核（当前：%(status)s）。")
            % {"status": destination.get_status_display()}
        )
    now = timezone.now()
    destination.status = ReviewStatus.DEPARTMENT_REVIEWED
    destination.reviewed_by_id = actor.user_id
    destination.reviewed_at = now
    destination.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    _status_change(actor, destination, ChangeAction.REVIEW, ReviewStatus.SUBMITTED, now)
    return destination


def destination_approve(
    *, actor: Actor, destination: Destination, expected_version: int | None = None
) -> Destination:
    """Career-centre approval: submitted or reviewed -> approved; the official period opens
    (closing the graduate's previous official period at the same instant)."""
    approved, skipped = destination_bulk_approve(
        actor=actor, items=[(destination.pk, expected_version)]
    )
    if skipped:
        raise ValidationError(skipped[0][1])
    return approved[0]


def destination_bulk_approve(
    *, actor: Actor, items: Sequence[tuple[int, int | None]]
) -> tuple[list[Destination], list[tuple[int, str]]]:
    """Approve many records at once: (destination id, version seen or None) pairs.

    Records not in scope, no longer pending, or changed since they were seen are skipped with a
    reason: (approved, [(id, why)]). A constant number of queries, whatever the number.
    """
    actor.require(Perm.DESTINATION_APPROVE)
    wanted = {pk: version for pk, version in items}
    now = timezone.now()
    approved: list[Destination] = []
    skipped: list[tuple[int, str]] = []
    with transaction.atomic():
        found = {
            d.pk: d
            for d in scoped(Destination, actor)
            .select_for_update(of=("self",))
            .select_related("graduate", "code__parent", "employer_nature")
            .filter(pk__in=list(wanted))
        }
        for pk, version in wanted.items():
            destination = found.get(pk)
            if destination is None:
                raise PermissionDenied("destination not in scope")
            if version is not None and destination.version != version:
                skipped.append(
                    (
                        pk,
                        _("%(student)s的记录已更新（第%(version)s版），请刷新后再审批。")
                        % {
                            "student": destination.graduate.student_no,
                            "version": destination.version,
                        },
                    )
                )
            elif destination.status not in PENDING_STATUSES:
                skipped.append(
                    (
                        pk,
                        _("%(student)s的记录当前为“%(status)s”，不能审批。")
                        % {
                            "student": destination.graduate.student_no,
                            "status": destination.get_status_display(),
                        },
                    )
                )
            else:
                approved.append(destination)
        if not approved:
            return [], skipped
        changes = []
        for destination in approved:
            status_before = destination.status
            destination.status = ReviewStatus.APPROVED
            destination.approved_by_id = actor.user_id
            destination.approved_at = now
            destination.official_code_id = destination.code_id
            destination.official_values = snapshot(
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
            destination.updated_at = now
            changes.append(
                DestinationChange(
                    institution_id=destination.institution_id,
                    destination=destination,
                    graduate_id=destination.graduate_id,
                    action=ChangeAction.APPROVE,
                    version=destination.version,
                    actor_id=actor.user_id,
                    before={"status": status_before},
                    after={"status": ReviewStatus.APPROVED.value},
                    at=now,
                )
            )
        Destination.objects.bulk_update(
            approved,
            [
                "status",
                "approved_by",
                "approved_at",
                "official_code",
                "official_values",
                "updated_at",
            ],
        )
        graduate_ids = [d.graduate_id for d in approved]
        DestinationPeriod.objects.filter(
            graduate_id__in=graduate_ids, kind=PeriodKind.OFFICIAL, valid_to__isnull=True
        ).update(valid_to=now)
        DestinationPeriod.objects.bulk_create(
            DestinationPeriod(
                institution_id=d.institution_id,
                cohort_id=d.cohort_id,
                graduate_id=d.graduate_id,
                kind=PeriodKind.OFFICIAL,
                code=d.code.reporting_code,
                employer_province=d.employer_province,
                employer_division=d.employer_division,
                employer_country=str(d.employer_country),
                valid_from=now,
            )
            for d in approved
        )
        DestinationChange.objects.bulk_create(changes)
        _notify_graduates(Kind.DESTINATION_APPROVED, approved)
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action="destination.approve",
            target=approved[0] if len(approved) == 1 else None,
            summary=", ".join(f"{d.graduate.student_no} {d.code.code}" for d in approved[:20]),
            data={"destinations": [[d.pk, d.version] for d in approved]},
        )
    return approved, skipped


@transaction.atomic
def destination_return(
    *,
    actor: Actor,
    destination: Destination,
    reason: str,
    expected_version: int | None = None,
) -> Destination:
    """Return a pending version with a reason; the graduate corrects and resubmits it. An
    approved version that is still official stays official."""
    if not (actor.has(Perm.DESTINATION_REVIEW) or actor.has(Perm.DESTINATION_APPROVE)):
        raise PermissionDenied(Perm.DESTINATION_REVIEW)
    reason = _reason(reason)
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("请填写退回原因，说明需要更正什么。")})
    destination = _locked_destination(actor, destination)
    if not actor.has(Perm.DESTINATION_APPROVE) and not may_review(actor, destination.graduate):
        raise PermissionDenied("not this department's reviewer")
    _check_version(destination, expected_version)
    if destination.status not in PENDING_STATUSES:
        raise ValidationError(
            _("只有待审核、待审批的记录可以退回（当前：%(status)s）。")
            % {"status": destination.get_status_display()}
        )
    now = timezone.now()
    status_before = destination.status
    destination.status = ReviewStatus.RETURNED
    destination.return_reason = reason
    destination.save(update_fields=["status", "return_reason", "updated_at"])
    _status_change(actor, destination, ChangeAction.RETURN, status_before, now, reason=reason)
    _notify_graduates(Kind.DESTINATION_RETURNED, [destination])
    return destination


def _notify_graduates(kind: Kind, destinations: Sequence[Destination]) -> None:
    """Tell each graduate with an account of the decision on their record (in the decision's
    transaction: the outbox sends it after commit). Two queries, or none without accounts."""
    user_ids = [d.graduate.user_id for d in destinations if d.graduate.user_id]
    if not user_ids:
        return
    users = User.objects.only("id", "email", "is_active").in_bulk(user_ids)
    messages = []
    for d in destinations:
        user = users.get(d.graduate.user_id)
        if user is None:
            continue
        context = {
            "name": d.graduate.name,
            "code": f"{d.code.code} {d.code.name}",
            "reason": d.return_reason,
            "link": LINK_MARK,
        }
        if kind == Kind.DESTINATION_RETURNED:
            subject = _("【启航】您填报的毕业去向被退回，请更正")
            body = _(
                "%(name)s同学：\n\n您填报的毕业去向（%(code)s）被退回。退回原因：\n%(reason)s\n\n"
                "请登录后按原因更正并重新提交：%(link)s\n"
            )
        else:
            subject = _("【启航】您的毕业去向已审批通过")
            body = _(
                "%(name)s同学：\n\n您填报的毕业去向（%(code)s）已由学校审批通过，"
                "成为正式记录。\n\n查看：%(link)s\n"
            )
        messages.append(
            Message(
                recipient=user,
                subject=subject,
                body=body % context,
                link=reverse("destinations:mine"),
            )
        )
    notify_each(kind=kind, institution_id=destinations[0].institution_id, messages=messages)


def _status_change(
    actor: Actor,
    destination: Destination,
    action: ChangeAction,
    status_before: str,
    now: dt.datetime,
    *,
    reason: str = "",
) -> None:
    DestinationChange.objects.create(
        institution_id=destination.institution_id,
        destination=destination,
        graduate_id=destination.graduate_id,
        action=action,
        version=destination.version,
        actor_id=actor.user_id,
        reason=reason,
        before={"status": status_before},
        after={"status": destination.status},
        at=now,
    )
    audit_record(
        institution_id=destination.institution_id,
        actor_id=actor.user_id,
        action=f"destination.{action}",
        target=destination,
        summary=f"{destination.graduate.student_no} v{destination.version}",
        data={"version": destination.version, "reason": reason},
    )


# --- The cohort's policy ---------------------------------------------------------------------------
@transaction.atomic
def cohort_policy_update(
    *,
    actor: Actor,
    cohort: Cohort,
    signing_codes: Sequence[str],
    registration_deadline: dt.date | None,
) -> CohortPolicy:
    """Which codes count as "signed" for the cohort, and the registration deadline."""
    actor.require(Perm.SETTINGS_MANAGE)
    if cohort.institution_id != actor.institution_id:
        raise PermissionDenied("cohort of another institution")
    policy = policy_for(cohort)
    top_level = set(
        DestinationCode.objects.filter(
            code_set_id=policy.code_set_id, parent__isnull=True
        ).values_list("code", flat=True)
    )
    codes = list(dict.fromkeys(str(c).strip() for c in signing_codes))
    unknown = [c for c in codes if c not in top_level]
    if unknown:
        raise ValidationError(
            {
                "signing_codes": _("代码 %(codes)s 不是代码表中的一级代码。")
                % {"codes": "、".join(unknown)}
            }
        )
    if not codes:
        raise ValidationError({"signing_codes": _("请至少选择一个计入签约率的代码。")})
    if registration_deadline is not None and not (
        dt.date(cohort.year - 1, 1, 1) <= registration_deadline <= dt.date(cohort.year + 1, 12, 31)
    ):
        raise ValidationError(
            {
                "registration_deadline": _("截止日期应在%(year)s届毕业前后的合理范围内。")
                % {"year": cohort.year}
            }
        )
    order = {c: i for i, c in enumerate(sorted(top_level, key=lambda c: (len(c), c)))}
    codes.sort(key=lambda c: order[c])
    before = {
        "signing_codes": policy.signing_codes,
        "registration_deadline": policy.registration_deadline.isoformat()
        if policy.registration_deadline
        else "",
    }
    policy.signing_codes = codes
    policy.registration_deadline = registration_deadline
    policy.full_clean()
    policy.save()
    after = {
        "signing_codes": codes,
        "registration_deadline": registration_deadline.isoformat() if registration_deadline else "",
    }
    change_before, change_after = diff(before, after)
    audit_record(
        institution_id=cohort.institution_id,
        actor_id=actor.user_id,
        action="destination.policy_update",
        target=policy,
        summary=_("%(year)s届去向政策：签约率代码 %(codes)s，登记截止 %(deadline)s")
        % {
            "year": cohort.year,
            "codes": "、".join(codes),
            "deadline": after["registration_deadline"] or "—",
        },
        data={"before": change_before, "after": change_after},
    )
    return policy


# --- Tripartite agreements (qihang/agreements) ----------------------------------------------------
def destination_by_agreement(
    *,
    actor: Actor,
    graduate: Graduate,
    data: Mapping[str, Any],
    reason: str,
    evidence_files: Iterable[Any] = (),
) -> Destination:
    """What an agreement decides, written and approved at once by the career centre: a signed
    agreement's code 10 (with the agreement as evidence), or on its cancellation the values it
    replaced (or 70 待就业 when there were none). A new version with source "agreement" through
    the same path as every record (history, reported period, audit), then the approval (the
    official period). The agreements app calls it inside its own transaction."""
    actor.require(Perm.DESTINATION_APPROVE)
    _require_visible(actor, graduate)
    with transaction.atomic():
        destination = _write_version(
            actor=actor,
            graduate=graduate,
            data=data,
            uploads=uploads_from(evidence_files),
            reason=reason,
            who=_Who(Source.AGREEMENT, ChangeAction.RECORD, ReviewStatus.DEPARTMENT_REVIEWED),
            staff=True,
        )
        return destination_approve(actor=actor, destination=destination)
