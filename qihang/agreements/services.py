"""Writes of agreements and cancellations. Each function is one transaction that moves the
state through the workflow tables (agreements.workflow), records the signatures, and writes
its audit row; a signed agreement places the graduate (code 10) and an approved cancellation
reverts the destination, both through destinations.services.destination_by_agreement in the
same transaction. The callers fetched objects through scoping; the workflow's guards check the
side again (the employer its own, the graduate theirs, department staff their departments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.agreements.models import (
    Agreement,
    AgreementPolicy,
    AgreementSequence,
    AgreementStatus,
    Cancellation,
    CancellationStatus,
    Party,
    Signature,
)
from qihang.agreements.notices import agreement_notice, cancellation_notice
from qihang.agreements.printing import agreement_pdf
from qihang.agreements.selectors import OFFERABLE
from qihang.agreements.signing import Signer, backend, terms_document
from qihang.agreements.workflow import AGREEMENT, CANCELLATION
from qihang.applications.models import Application
from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.destinations.models import Destination, EmployerNature, EvidenceKind
from qihang.destinations.policy import policy_for
from qihang.destinations.services import destination_by_agreement
from qihang.documents.models import DocumentKind, DocumentStatus
from qihang.documents.public import public_fields
from qihang.documents.services import document_issue, document_revoke
from qihang.employers.models import EmployerStanding, StandingStatus
from qihang.institutions.models import Cohort
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.jobs.models import JobKind
from qihang.lib import validators as v

# Without a setting of its own, a graduate may cancel one signed agreement (many schools allow
# exactly one 解约); the career centre sets another number, or none (no limit).
DEFAULT_MAX_CANCELLATIONS = 1
# The code a signed agreement places the graduate under, and the one a cancellation leaves
# when the agreement replaced nothing (待就业).
AGREEMENT_CODE = "10"
UNPLACED_CODE = "70"


def _reason(reason: str) -> str:
    return " ".join((reason or "").split())[:300]


# --- The terms --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Terms:
    position: str
    employer_nature: str
    work_division: str
    monthly_salary: int | None = None
    term: str = ""
    terms: str = ""


def clean_terms(data: Mapping[str, Any], *, cohort: Cohort) -> Terms:
    """The terms as the employer wrote them, or ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    position = " ".join(str(data.get("position") or "").split())[:100]
    if not position:
        errors["position"] = [_("请填写岗位名称。")]
    nature = str(data.get("employer_nature") or "").strip()
    policy = policy_for(cohort)
    if not EmployerNature.objects.filter(code_set_id=policy.code_set_id, code=nature).exists():
        errors["employer_nature"] = [_("请选择单位性质（代码表中的代码）。")]
    division = ""
    try:
        division = v.division_code(data.get("work_division") or "")
    except v.FieldError as exc:
        errors["work_division"] = [_("工作地点：%(problem)s。") % {"problem": exc}]
    salary = data.get("monthly_salary")
    if salary in ("", None):
        salary = None
    else:
        try:
            salary = int(salary)
        except (TypeError, ValueError):
            salary = -1
        if not 0 < salary <= 1_000_000:
            errors["monthly_salary"] = [_("月薪应为1到1000000之间的整数（元）。")]
    if errors:
        raise ValidationError(errors)
    return Terms(
        position=position,
        employer_nature=nature,
        work_division=division,
        monthly_salary=salary,
        term=" ".join(str(data.get("term") or "").split())[:60],
        terms=str(data.get("terms") or "").strip()[:2000],
    )


def _next_number(institution_id: int, cohort: Cohort) -> str:
    """The cohort's next agreement number (year and a sequence, e.g. 2020-00017). The counter
    row is updated in the caller's transaction: a concurrent offer waits for it."""
    AgreementSequence.objects.get_or_create(institution_id=institution_id, cohort=cohort)
    AgreementSequence.objects.filter(cohort=cohort).update(last=F("last") + 1)
    last = AgreementSequence.objects.values_list("last", flat=True).get(cohort=cohort)
    return f"{cohort.year}-{last:05d}"


def _sign(agreement: Agreement, *, party: str, actor: Actor, name: str) -> Signature:
    signer = Signer(party=party, user_id=actor.user_id, name=name)
    chosen = backend()
    result = chosen.sign(document=terms_document(agreement), signer=signer)
    signature = Signature.objects.create(
        institution_id=agreement.institution_id,
        agreement=agreement,
        party=party,
        signer_id=actor.user_id,
        version=agreement.version,
        sha256=result.sha256,
        backend=chosen.name,
        reference=result.reference[:200],
        signed_at=result.signed_at,
    )
    audit_record(
        institution_id=agreement.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.AGREEMENT_SIGN,
        target=agreement,
        summary=f"{agreement.number} {party}",
        data={
            "party": party,
            "version": agreement.version,
            "sha256": result.sha256,
            "backend": chosen.name,
            "reference": result.reference,
        },
    )
    return signature


# --- The employer's offer -----------------------------------------------------------------------
def agreement_offer(
    *, actor: Actor, application: Application, data: Mapping[str, Any]
) -> Agreement:
    """The employer offers an agreement to a graduate who applied to it. Refused for an
    internship posting (never employment), for an employer not verified at the graduate's
    school, and for an application the graduate withdrew or the employer turned down."""
    actor.require(Perm.EMPLOYER_PORTAL)
    if not actor.is_employer or actor.employer_id != application.employer_id:
        raise PermissionDenied("agreement.employer")
    if application.job.kind == JobKind.INTERNSHIP:
        raise ValidationError(
            _("实习岗位不是就业，不能签订三方协议（实习、见习证明不得作为就业证明）。")
        )
    if application.status not in OFFERABLE:
        raise ValidationError(
            _("该申请当前为“%(status)s”，不能据此发出三方协议。")
            % {"status": application.get_status_display()}
        )
    verified = EmployerStanding.objects.filter(
        institution_id=application.institution_id,
        employer_id=application.employer_id,
        status=StandingStatus.VERIFIED,
    ).exists()
    if not verified:
        raise ValidationError(_("贵单位尚未通过该校的认证，认证通过后才能发出三方协议。"))
    graduate = application.graduate
    cohort = Cohort.objects.get(pk=graduate.cohort_id)
    terms = clean_terms(data, cohort=cohort)
    with transaction.atomic():
        agreement = Agreement(
            institution_id=application.institution_id,
            cohort=cohort,
            graduate=graduate,
            employer_id=application.employer_id,
            application=application,
            number=_next_number(application.institution_id, cohort),
            offered_by_id=actor.user_id,
            offered_at=timezone.now(),
            **terms.__dict__,
        )
        agreement.full_clean(validate_unique=False, validate_constraints=False)
        agreement.save()
        audit_record(
            institution_id=agreement.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.AGREEMENT_OFFER,
            target=agreement,
            summary=f"{agreement.number} {application.employer.name} → {graduate.name}",
            data={"application": application.pk, "number": agreement.number},
        )
        _sign(agreement, party=Party.EMPLOYER, actor=actor, name=application.employer.name)
        agreement_notice(agreement, "offer")
    return agreement


def agreement_edit(*, actor: Actor, agreement: Agreement, data: Mapping[str, Any]) -> Agreement:
    """The employer changes the terms before the graduate answers: a new version, signed again
    by the employer (the graduate accepts the version they saw)."""
    terms = clean_terms(data, cohort=agreement.cohort)
    changes = {k: val for k, val in terms.__dict__.items() if getattr(agreement, k) != val}
    if not changes:
        raise ValidationError(_("协议内容没有改动。"))
    with transaction.atomic():
        AGREEMENT.apply(
            agreement,
            actor,
            "edit",
            institution_id=agreement.institution_id,
            changes={**changes, "version": agreement.version + 1},
            summary=agreement.number,
            data={"changed": sorted(changes)},
        )
        _sign(agreement, party=Party.EMPLOYER, actor=actor, name=agreement.employer.name)
        agreement_notice(agreement, "edit")
    return agreement


# --- The workflow's actions ---------------------------------------------------------------------
def agreement_act(
    *,
    actor: Actor,
    agreement: Agreement,
    action: str,
    reason: str = "",
    version: int | None = None,
) -> Agreement:
    """withdraw (employer), accept or decline (graduate; `version` is the version they saw),
    review (department), approve (career centre: signed, the destination becomes code 10) or
    reject (school)."""
    if action not in ("withdraw", "accept", "decline", "review", "approve", "reject"):
        raise ValidationError(_("未知的操作。"))
    reason = _reason(reason)
    now = timezone.now()
    changes: dict[str, Any] = {}
    if action in ("decline", "reject"):
        changes["reason"] = reason
    if action in ("accept", "decline"):
        changes["answered_at"] = now
        if version is not None and version != agreement.version:
            raise ValidationError(
                _("单位刚修改了协议内容（现为第%(version)s版），请查看后再答复。")
                % {"version": agreement.version}
            )
    if action == "review":
        changes |= {"reviewed_at": now, "reviewed_by_id": actor.user_id}
    if action == "approve":
        changes |= {"signed_at": now, "approved_by_id": actor.user_id}
    try:
        with transaction.atomic():
            AGREEMENT.apply(
                agreement,
                actor,
                action,
                institution_id=agreement.institution_id,
                reason=reason,
                changes=changes,
                summary=f"{agreement.number} {agreement.graduate.name}",
                data={"version": agreement.version},
            )
            if action == "accept":
                _check_signed_version(agreement)
                _sign(agreement, party=Party.GRADUATE, actor=actor, name=agreement.graduate.name)
            elif action == "approve":
                _sign(agreement, party=Party.SCHOOL, actor=actor, name=str(agreement.institution))
                _place(actor, agreement)
            agreement_notice(agreement, action, reason=reason)
    except IntegrityError:
        # The partial unique index: the graduate accepted another agreement at the same time.
        raise ValidationError(
            _("你已有一份生效中的三方协议（已接受、审核中或已签约），不能同时接受另一份。")
        ) from None
    return agreement


def _check_signed_version(agreement: Agreement) -> None:
    """The graduate signs the bytes the employer signed last."""
    employer = (
        Signature.objects.filter(agreement=agreement, party=Party.EMPLOYER)
        .order_by("-signed_at", "-pk")
        .first()
    )
    if employer is None or employer.version != agreement.version:
        raise ValidationError(_("单位尚未签署当前版本的协议。"))


def _agreement_values(agreement: Agreement) -> dict[str, Any]:
    employer = agreement.employer
    return {
        "code": AGREEMENT_CODE,
        "employer_name": employer.name,
        "employer_credit_code": employer.credit_code,
        "employer_nature": agreement.employer_nature,
        "employer_division": agreement.work_division,
        "employer_country": "",
        "agreement_no": agreement.number,
        "signed_on": timezone.localdate(agreement.signed_at),
        "note": _("三方协议：%(position)s") % {"position": agreement.position},
        "confirmed_not_internship": True,
    }


def _place(actor: Actor, agreement: Agreement) -> None:
    """The signed agreement is issued as a verifiable document (its PDF with the QR code to the
    public verification page) and becomes the graduate's approved destination (code 10), with
    that PDF as evidence; what it replaces is kept to restore on cancellation."""
    current = Destination.objects.filter(graduate_id=agreement.graduate_id).first()
    before: dict[str, Any] = {}
    if current is not None and current.official_code_id is not None:
        before = {"values": current.official_values, "source": current.source}
    rendered: list[bytes] = []

    def render(verification_url: str) -> bytes:
        rendered.append(agreement_pdf(agreement, verification_url=verification_url))
        return rendered[-1]

    graduate = agreement.graduate
    document = document_issue(
        actor=actor,
        kind=DocumentKind.AGREEMENT,
        graduate=graduate,
        number=agreement.number,
        public=public_fields(graduate, employer=agreement.employer.name),
        render=render,
    )
    Agreement.objects.filter(pk=agreement.pk).update(destination_before=before, document=document)
    agreement.destination_before = before
    agreement.document = document
    destination_by_agreement(
        actor=actor,
        graduate=graduate,
        data=_agreement_values(agreement),
        reason=_("三方协议%(number)s签约生效") % {"number": agreement.number},
        evidence_files=[
            (
                EvidenceKind.AGREEMENT,
                ContentFile(rendered[-1], name=f"三方协议{agreement.number}.pdf"),
            )
        ],
    )


def _revert(actor: Actor, agreement: Agreement) -> None:
    """On cancellation: the destination the agreement replaced, or 70 待就业 — unless the record
    has moved on from this agreement since (then it is left as it is)."""
    current = Destination.objects.filter(graduate_id=agreement.graduate_id).first()
    if current is None or current.official_values.get("agreement_no") != agreement.number:
        return
    values = dict(agreement.destination_before.get("values") or {})
    if not values or values.get("agreement_no") == agreement.number:
        values = {"code": UNPLACED_CODE}
    values["confirmed_not_internship"] = True
    destination_by_agreement(
        actor=actor,
        graduate=agreement.graduate,
        data=values,
        reason=_("三方协议%(number)s解约，去向恢复为签约前的记录") % {"number": agreement.number},
        restoring=True,
    )


# --- Cancellation (解约) ---------------------------------------------------------------------------
def max_cancellations(institution_id: int) -> int | None:
    policy = AgreementPolicy.objects.filter(institution_id=institution_id).first()
    return policy.max_cancellations if policy is not None else DEFAULT_MAX_CANCELLATIONS


def cancellation_request(*, actor: Actor, agreement: Agreement, reason: str) -> Cancellation:
    """The graduate asks to cancel their signed agreement, with a reason; refused once they
    have used the cancellations the institution allows (approved ones count)."""
    actor.require(Perm.AGREEMENT_OWN)
    if actor.is_employer or agreement.graduate.user_id != actor.user_id:
        raise PermissionDenied("agreement.graduate")
    reason = _reason(reason)
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写解约原因。")})
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status != AgreementStatus.SIGNED:
            raise ValidationError(_("只有已签约的协议可以申请解约。"))
        limit = max_cancellations(agreement.institution_id)
        used = Cancellation.objects.filter(
            graduate_id=agreement.graduate_id, status=CancellationStatus.APPROVED
        ).count()
        if limit is not None and used >= limit:
            raise ValidationError(
                _("本校每名毕业生最多可解约%(limit)s次，你已解约%(used)s次，不能再申请。")
                % {"limit": limit, "used": used}
            )
        cancellation = Cancellation(
            institution_id=agreement.institution_id,
            agreement=agreement,
            graduate_id=agreement.graduate_id,
            reason=reason,
            requested_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                cancellation.save()
        except IntegrityError:
            raise ValidationError(_("该协议已有一份待处理的解约申请。")) from None
        audit_record(
            institution_id=agreement.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.CANCELLATION_REQUEST,
            target=cancellation,
            summary=f"{agreement.number} {agreement.graduate.name}",
            data={"agreement": agreement.pk, "reason": reason},
        )
        cancellation_notice(cancellation, "request")
    return cancellation


def cancellation_act(
    *, actor: Actor, cancellation: Cancellation, action: str, reason: str = ""
) -> Cancellation:
    """employer_approve / employer_refuse, department_approve / department_refuse,
    centre_approve / centre_refuse (refusals with a reason), or the graduate's withdraw. The
    centre's approval cancels the agreement and reverts the destination."""
    reason = _reason(reason)
    now = timezone.now()
    changes: dict[str, Any] = {}
    if action.endswith("_refuse"):
        changes |= {"refuse_reason": reason, "decided_at": now, "decided_by_id": actor.user_id}
    elif action == "employer_approve":
        changes["employer_at"] = now
    elif action == "department_approve":
        changes["department_at"] = now
    elif action in ("centre_approve", "withdraw"):
        changes |= {"decided_at": now, "decided_by_id": actor.user_id}
    agreement = cancellation.agreement
    with transaction.atomic():
        CANCELLATION.apply(
            cancellation,
            actor,
            action,
            institution_id=cancellation.institution_id,
            reason=reason,
            changes=changes,
            summary=f"{agreement.number} {agreement.graduate.name}",
            data={"agreement": agreement.pk},
        )
        if action == "centre_approve":
            AGREEMENT.apply(
                agreement,
                actor,
                "cancel",
                institution_id=agreement.institution_id,
                changes={"cancelled_at": now},
                summary=agreement.number,
                data={"cancellation": cancellation.pk},
            )
            _revert(actor, agreement)
            _revoke_document(actor, agreement)
        cancellation_notice(cancellation, action, reason=reason)
    return cancellation


def _revoke_document(actor: Actor, agreement: Agreement) -> None:
    """The cancelled agreement's issued document verifies as invalid from now on."""
    document = agreement.document
    if document is None or document.status != DocumentStatus.VALID:
        return
    document_revoke(
        actor=actor,
        document=document,
        reason=_("三方协议%(number)s已解约") % {"number": agreement.number},
    )


# --- Settings -------------------------------------------------------------------------------------
@transaction.atomic
def agreement_policy_update(*, actor: Actor, max_cancellations: int | None) -> AgreementPolicy:
    """How many cancellations a graduate may have (None: no limit)."""
    actor.require(Perm.SETTINGS_MANAGE)
    if max_cancellations is not None and not 0 <= max_cancellations <= 10:
        raise ValidationError({"max_cancellations": _("解约次数应在0到10之间，或不限。")})
    policy, _created = AgreementPolicy.objects.update_or_create(
        institution_id=actor.institution_id, defaults={"max_cancellations": max_cancellations}
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.AGREEMENT_POLICY_UPDATE,
        target=policy,
        summary=str(max_cancellations if max_cancellations is not None else "∞"),
        data={"max_cancellations": max_cancellations},
    )
    return policy
