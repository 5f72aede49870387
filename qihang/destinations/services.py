"""Writes for destinations: report, record, review, approve, return, evidence, cohort policy.

Every function is one transaction that writes the change itself, its DestinationChange row (who,
when, action, reason, values before and after), the DestinationPeriod rows it opens or closes,
and an audit row. The callers (views, API, import) fetch objects through scoping first; the
services check again that the actor may act on them (PermissionDenied) and that the record is
in the state the action needs (ValidationError, with messages for people).

Workflow (ReviewStatus): every status change is an action of destinations.workflow's
DESTINATION_REVIEW table (from-states, to-state, permission, history entry, audit kind, guards);
these functions choose the action, apply it through the table and write what the action
implies beyond the status (periods, official values, notifications). A graduate's report is
"submitted"; department staff review it ("reviewed"); the career centre approves it
("approved": an official period opens) from submitted or reviewed, when the evidence its code
requires is on it (destinations.evidence_rules); either may return a pending version with a
reason ("returned"), and the graduate edits and resubmits. After the closing date a change by
staff other than the centre waits for the centre's sign-off ("signoff"; `destination_sign_off`,
with a reason). A new version after approval is pending while the approved one stays official
(its official period stays open) until the new version is approved.
The period rules are in destinations.models' docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.accounts.models import User
from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record, audit_record_each
from qihang.destinations import evidence_rules
from qihang.destinations.evidence import (
    EvidenceUpload,
    check_upload,
    store_upload,
    stored_files,
    uploads_from,
)
from qihang.destinations.models import (
    MIN_RETENTION_YEARS,
    ChangeAction,
    CodeSet,
    CohortPolicy,
    Destination,
    DestinationChange,
    DestinationCode,
    DestinationPeriod,
    Evidence,
    EvidencePolicy,
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
from qihang.destinations.workflow import (
    DESTINATION_REVIEW,
    department_reviewer,
    version_action,
    withdraws_approval,
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
    return department_reviewer(Destination(graduate=graduate), actor)


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
    "submitted"; after the closing date, "signoff" (the career centre signs it off) unless the
    actor is the centre. Changing an existing record, or any change after the closing date,
    needs a reason: a record is never overwritten silently.
    """
    actor.require(Perm.DESTINATION_RECORD)
    _require_visible(actor, graduate)
    return _write_version(
        actor=actor,
        graduate=graduate,
        data=data,
        uploads=uploads_from(evidence_files),
        reason=reason,
        staff=True,
    )


def _write_version(
    *,
    actor: Actor,
    graduate: Graduate,
    data: Mapping[str, Any],
    uploads: Sequence[EvidenceUpload],
    reason: str,
    staff: bool,
    source: Source | None = None,
) -> Destination:
    """`source` overrides who the version comes from (Source.AGREEMENT for a signed agreement's
    record); by default the counsellor's for staff, the graduate's own otherwise."""
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
        if current is not None:
            current.graduate = graduate
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
        name = version_action(
            staff=staff,
            late=late,
            reviewer=may_review(actor, graduate),
            centre=actor.has(Perm.DESTINATION_APPROVE),
        )
        action = DESTINATION_REVIEW.check(
            current or Destination(graduate=graduate, status=""), actor, name, reason=reason
        )
        source = source or (Source.COUNSELLOR if staff else Source.SELF_REPORT)
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
        destination.source = source
        destination.status = action.target
        destination.return_reason = ""
        destination.submitted_by_id = actor.user_id
        destination.submitted_at = now
        reviewed = action.target == ReviewStatus.DEPARTMENT_REVIEWED
        destination.reviewed_by_id = actor.user_id if reviewed else None
        destination.reviewed_at = now if reviewed else None
        destination.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                destination.save()
        except IntegrityError:
            raise ValidationError(_("该毕业生的去向刚被他人同时修改，请刷新页面后重试。")) from None

        change_before, change_after = diff(
            {**before, **status_before}, {**after, "status": action.target}
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
            action=action.history,
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
            action=action.audit,
            target=destination,
            summary=f"{graduate.student_no} {values['code'].code} v{destination.version}",
            data={"version": destination.version, "status": action.target, "reason": reason},
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


# --- Review, approval, sign-off, return (DESTINATION_REVIEW's row actions) -----------------------
def _summary(destination: Destination) -> str:
    return f"{destination.graduate.student_no} v{destination.version}"


@transaction.atomic
def destination_review(
    *, actor: Actor, destination: Destination, expected_version: int | None = None
) -> Destination:
    """Department review: submitted -> reviewed (the career centre approves next)."""
    actor.require(Perm.DESTINATION_REVIEW)
    destination = _locked_destination(actor, destination)
    _check_version(destination, expected_version)
    if destination.status not in DESTINATION_REVIEW.sources_of("review"):
        raise ValidationError(
            _("只有“待院系审核”的记录可以审核（当前：%(status)s）。")
            % {"status": destination.get_status_display()}
        )
    now = timezone.now()
    DESTINATION_REVIEW.apply(
        destination,
        actor,
        "review",
        institution_id=destination.institution_id,
        expected_version=expected_version,
        changes={"reviewed_by_id": actor.user_id, "reviewed_at": now, "updated_at": now},
        summary=_summary(destination),
        data={"version": destination.version},
        at=now,
    )
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


def destination_sign_off(
    *,
    actor: Actor,
    destination: Destination,
    reason: str,
    expected_version: int | None = None,
) -> Destination:
    """The career centre signs off a change made after the closing date, with a reason: it is
    approved (official) as an approval would make it."""
    approved, skipped = destination_bulk_approve(
        actor=actor,
        items=[(destination.pk, expected_version)],
        action="sign_off",
        reason=reason,
    )
    if skipped:
        raise ValidationError(skipped[0][1])
    return approved[0]


def _why_not(destination: Destination, actor: Actor, action: str, reason: str) -> str | None:
    """Why the table refuses `action` on the (locked) row now, for a batch's per-row report."""
    student = destination.graduate.student_no
    if destination.status not in DESTINATION_REVIEW.sources_of(action):
        if destination.status in DESTINATION_REVIEW.sources_of("sign_off"):
            return _("%(student)s的记录是截止后的变更，须逐条签批并填写理由，不能批量审批。") % {
                "student": student
            }
        return _("%(student)s的记录当前为“%(status)s”，不能审批。") % {
            "student": student,
            "status": destination.get_status_display(),
        }
    try:
        DESTINATION_REVIEW.check(destination, actor, action, reason=reason)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def destination_bulk_approve(
    *,
    actor: Actor,
    items: Sequence[tuple[int, int | None]],
    action: str = "approve",
    reason: str = "",
) -> tuple[list[Destination], list[tuple[int, str]]]:
    """Approve many records at once: (destination id, version seen or None) pairs.

    Records not in scope, no longer pending, changed since they were seen, or without the
    evidence their code requires are skipped with a reason: (approved, [(id, why)]). A
    constant number of queries, whatever the number. `action` is "approve" or, for one late
    change with its reason, "sign_off", or "restore" for a cancelled agreement's earlier record
    (DESTINATION_REVIEW).
    """
    table_action = DESTINATION_REVIEW.action(action)
    if table_action.target != ReviewStatus.APPROVED:
        raise ValueError(f"{action} does not approve")
    actor.require(table_action.perm)
    reason = _reason(reason)
    wanted = {pk: version for pk, version in items}
    now = timezone.now()
    approved: list[Destination] = []
    skipped: list[tuple[int, str]] = []
    with transaction.atomic():
        found = {
            d.pk: d
            for d in scoped(Destination, actor)
            .select_for_update(of=("self",))
            .select_related("graduate", "code__parent", "code__code_set", "employer_nature")
            .filter(pk__in=list(wanted))
        }
        kinds = evidence_rules.kinds_present(list(found))
        rules: dict[int, dict] = {}
        for pk, version in wanted.items():
            destination = found.get(pk)
            if destination is None:
                raise PermissionDenied("destination not in scope")
            code_set_id = destination.code.code_set_id
            if code_set_id not in rules:
                rules[code_set_id] = evidence_rules.rules_for(
                    destination.institution_id, destination.code.code_set
                )
            destination.evidence_kinds = kinds.get(pk, set())  # type: ignore[attr-defined]
            destination.evidence_rules = rules[code_set_id]  # type: ignore[attr-defined]
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
                continue
            why = _why_not(destination, actor, action, reason)
            if why:
                skipped.append((pk, why))
            else:
                approved.append(destination)
        if not approved:
            return [], skipped
        changes = []
        for destination in approved:
            status_before = destination.status
            destination.status = table_action.target
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
                    action=table_action.history,
                    version=destination.version,
                    actor_id=actor.user_id,
                    reason=reason,
                    before={"status": status_before},
                    after={"status": table_action.target},
                    at=now,
                )
            )
        # The rows are locked and were checked against the table's from-states above; the
        # UPDATE is a bulk one (one statement for the batch).
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
        # One entry per record (each on its own trail), saying how large the batch was.
        batch = {"batch": len(approved)} if len(approved) > 1 else {}
        audit_record_each(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=table_action.audit,
            entries=[
                (
                    d,
                    f"{d.graduate.student_no} {d.code.code} v{d.version}",
                    {"version": d.version, **({"reason": reason} if reason else {}), **batch},
                )
                for d in approved
            ],
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
    """Return a version with a reason; the graduate corrects and resubmits it. Returning a
    pending version leaves the approved one below it official. Returning the approved version
    itself (the career centre only: DESTINATION_REVIEW's `return`) withdraws its approval: the
    record is no longer official and its official period ends now, so every figure from this
    moment counts the graduate as without an approved destination (earlier days keep theirs)."""
    if not (actor.has(Perm.DESTINATION_REVIEW) or actor.has(Perm.DESTINATION_APPROVE)):
        raise PermissionDenied(Perm.DESTINATION_REVIEW)
    reason = _reason(reason)
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("请填写退回原因，说明需要更正什么。")})
    destination = _locked_destination(actor, destination)
    _check_version(destination, expected_version)
    if destination.status not in DESTINATION_REVIEW.sources_of("return"):
        raise ValidationError(
            _("只有待审核、待审批或已审批的记录可以退回（当前：%(status)s）。")
            % {"status": destination.get_status_display()}
        )
    withdrawn = withdraws_approval(destination)
    if withdrawn and destination.source == Source.AGREEMENT:
        raise ValidationError(_("该去向由已签署的三方协议生成，不能退回；如协议不实，请办理解约。"))
    now = timezone.now()
    changes: dict[str, Any] = {"return_reason": reason, "updated_at": now}
    if withdrawn:
        changes |= {"official_code": None, "official_values": {}}
    DESTINATION_REVIEW.apply(
        destination,
        actor,
        "return",
        institution_id=destination.institution_id,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
        summary=_summary(destination),
        data={
            "version": destination.version,
            **({"approval_withdrawn": True} if withdrawn else {}),
        },
        at=now,
    )
    if withdrawn:
        DestinationPeriod.objects.filter(
            graduate_id=destination.graduate_id, kind=PeriodKind.OFFICIAL, valid_to__isnull=True
        ).update(valid_to=now)
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


# --- Evidence rules and retention ----------------------------------------------------------------
@transaction.atomic
def evidence_policy_update(
    *,
    actor: Actor,
    code_set: CodeSet,
    required: Mapping[str, list[list[str]]],
    retention_years: int,
) -> EvidencePolicy:
    """The career centre sets, per code, the evidence approval needs where it differs from the
    national default, and how many years after graduation evidence is kept (at least 3)."""
    actor.require(Perm.SETTINGS_MANAGE)
    if retention_years < MIN_RETENTION_YEARS:
        raise ValidationError(
            {"retention_years": _("证明材料至少保存%(years)s年。") % {"years": MIN_RETENTION_YEARS}}
        )
    known = set(DestinationCode.objects.filter(code_set=code_set).values_list("code", flat=True))
    unknown = sorted(set(required) - known)
    if unknown:
        raise ValidationError(
            _("代码 %(codes)s 不在%(set)s中。")
            % {"codes": "、".join(unknown), "set": code_set.name}
        )
    kinds = set(evidence_rules.RULE_KINDS)
    for code, rule in required.items():
        bad = sorted({k for alternative in rule for k in alternative} - kinds)
        if bad:
            raise ValidationError(
                {f"rule_{code}": _("未知的材料类型：%(kinds)s") % {"kinds": "、".join(bad)}}
            )
    policy = EvidencePolicy.objects.select_for_update().filter(
        institution_id=actor.institution_id
    ).first() or EvidencePolicy(institution_id=actor.institution_id)
    before = {"required": policy.required, "retention_years": policy.retention_years}
    policy.required = {code: [list(a) for a in rule] for code, rule in sorted(required.items())}
    policy.retention_years = retention_years
    policy.save()
    change_before, change_after = diff(
        before, {"required": policy.required, "retention_years": retention_years}
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.EVIDENCE_POLICY_UPDATE,
        target=policy,
        summary=_("证明材料规则：%(n)s个代码另行规定，保存%(years)s年")
        % {"n": len(policy.required), "years": retention_years},
        data={"before": change_before, "after": change_after},
    )
    return policy


def evidence_purge(*, today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """Delete the files of evidence past its retention: a graduate's evidence is kept until
    the end of the year `retention_years` (the institution's, at least 3) after their cohort's
    graduation year, then its files are deleted and its rows marked purged (the history still
    names them). One audit entry per institution that purged anything, with the counts.

    Run daily by `qihang purge_evidence` (a systemd timer, like the other periodic commands) or
    its task; running it twice purges nothing the second time. Returns {institution id: counts}.
    """
    today = today or timezone.localdate()
    policies = dict(EvidencePolicy.objects.values_list("institution_id", "retention_years"))
    candidates = (
        Evidence.objects.filter(purged_at__isnull=True)
        .values_list("pk", "institution_id", "graduate__cohort__year", "file", "size")
        .order_by("pk")
    )
    due: dict[int, list[tuple[int, str, int, int]]] = {}
    for pk, institution_id, year, name, size in candidates.iterator(chunk_size=5000):
        years = max(policies.get(institution_id, MIN_RETENTION_YEARS), MIN_RETENTION_YEARS)
        if today > dt.date(year + years, 12, 31):
            due.setdefault(institution_id, []).append((pk, name, size, year))
    report: dict[int, dict[str, int]] = {}
    for institution_id, rows in sorted(due.items()):
        now = timezone.now()
        with transaction.atomic():
            ids = [pk for pk, _name, _size, _year in rows]
            purged = Evidence.objects.filter(pk__in=ids, purged_at__isnull=True).update(
                purged_at=now
            )
            names = {name for _pk, name, _size, _year in rows if name}
            # An import's file is shared by the rows it wrote: it goes with the last of them.
            still_used = set(
                Evidence.objects.filter(file__in=names, purged_at__isnull=True).values_list(
                    "file", flat=True
                )
            )
            doomed = sorted(names - still_used)
            counts = {
                "rows": purged,
                "files": len(doomed),
                "bytes": sum(size for _pk, _name, size, _year in rows),
                "cohorts": len({year for *_rest, year in rows}),
            }
            audit_record(
                institution_id=institution_id,
                actor_id=None,
                action=AuditAction.EVIDENCE_PURGE,
                summary=_("清理超过保存期限的证明材料：%(rows)s条，文件%(files)s个") % counts,
                data={
                    **counts,
                    "today": today.isoformat(),
                    "cohort_years": sorted({year for *_rest, year in rows}),
                },
            )
            # The files go once the marks are committed: a failed transaction deletes nothing.
            transaction.on_commit(lambda doomed=doomed: _delete_files(doomed))
        report[institution_id] = counts
    return report


def _delete_files(names: Sequence[str]) -> None:
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)


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
    restoring: bool = False,
) -> Destination:
    """What an agreement decides, written and approved at once by the career centre: a signed
    agreement's code 10 (with the agreement as evidence), or on its cancellation the values it
    replaced (or 70 待就业 when there were none). A new version with source "agreement" through
    the same path as every record (history, reported period, audit), then the approval (the
    official period). The agreements app calls it inside its own transaction.

    `restoring`: a cancellation restores the record the school approved before the agreement;
    it is approved with DESTINATION_REVIEW's "restore" (not judged again against today's
    evidence rules: it is not a new claim, and its evidence is what it was approved on)."""
    actor.require(Perm.DESTINATION_APPROVE)
    _require_visible(actor, graduate)
    with transaction.atomic():
        destination = _write_version(
            actor=actor,
            graduate=graduate,
            data=data,
            uploads=uploads_from(evidence_files),
            reason=reason,
            staff=True,
            source=Source.AGREEMENT,
        )
        if restoring:
            approved, skipped = destination_bulk_approve(
                actor=actor, items=[(destination.pk, None)], action="restore", reason=reason
            )
            if skipped:
                raise ValidationError(skipped[0][1])
            return approved[0]
        return destination_approve(actor=actor, destination=destination)
