"""Writes of the employers app: registration, the organisation's accounts and profile, each
institution's decision on an employer (STANDING_REVIEW), relationship records and alumni.

Every write runs in one transaction with its audit row. Audit rows belong to an institution:
an employer's own actions are recorded at each institution that holds the employer (each of
them sees what the organisation changed), registration at the institution it applied to.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qihang.accounts.models import User
from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.destinations.evidence import EvidenceUpload, check_upload
from qihang.employers.models import (
    Alumnus,
    Channel,
    Contact,
    Employer,
    EmployerMember,
    EmployerStanding,
    Interaction,
    JoinRequest,
    StandingStatus,
)
from qihang.imports.storage import seal, unseal
from qihang.institutions.models import Department, Institution
from qihang.institutions.roles import EmployerRole, Perm
from qihang.institutions.scoping import Actor
from qihang.lib.validators import FieldError
from qihang.lib.validators import credit_code as valid_credit_code
from qihang.lib.workflow import Action, Workflow
from qihang.notifications.kinds import LINK_MARK, Kind
from qihang.notifications.services import notify

S = StandingStatus

# One table for the standing's life (STYLE.md): the staff's decisions, and the organisation's
# own request to be reviewed again after it changed what was verified (its name or licence)
# or after a rejection.
STANDING_REVIEW = Workflow(
    "employer_standing",
    field="status",
    actions=[
        Action(
            "verify",
            gettext_lazy("认证通过"),
            {S.PENDING},
            S.VERIFIED,
            Perm.EMPLOYER_VERIFY,
            audit=AuditAction.EMPLOYER_VERIFY,
            style="success",
        ),
        Action(
            "reject",
            gettext_lazy("不予通过"),
            {S.PENDING},
            S.REJECTED,
            Perm.EMPLOYER_VERIFY,
            audit=AuditAction.EMPLOYER_REJECT,
            needs_reason=True,
            style="outline-danger",
        ),
        Action(
            "suspend",
            gettext_lazy("暂停合作"),
            {S.VERIFIED},
            S.SUSPENDED,
            Perm.EMPLOYER_VERIFY,
            audit=AuditAction.EMPLOYER_SUSPEND,
            needs_reason=True,
            style="outline-danger",
        ),
        Action(
            "reinstate",
            gettext_lazy("恢复合作"),
            {S.SUSPENDED},
            S.VERIFIED,
            Perm.EMPLOYER_VERIFY,
            audit=AuditAction.EMPLOYER_REINSTATE,
            needs_reason=True,
            style="outline-success",
        ),
        Action(
            "resubmit",
            gettext_lazy("重新提交审核"),
            {S.VERIFIED, S.REJECTED},
            S.PENDING,
            Perm.EMPLOYER_MANAGE,
            audit=AuditAction.EMPLOYER_RESUBMIT,
        ),
    ],
)
# The actions staff take (the buttons of the institution's detail page).
DECISIONS = ("verify", "reject", "suspend", "reinstate")
# The message kind each decision sends to the employer's accounts (kinds they can tune).
DECISION_KINDS = {
    "verify": Kind.EMPLOYER_VERIFIED,
    "reinstate": Kind.EMPLOYER_VERIFIED,
    "reject": Kind.EMPLOYER_REJECTED,
    "suspend": Kind.EMPLOYER_SUSPENDED,
}

# Fields whose change after a verification sends verified standings back to review: what the
# reviewers checked. The credit code never changes (one organisation per code).
REVIEWED_FIELDS = ("name",)
PROFILE_FIELDS = (
    "name",
    "nature_code",
    "industry_code",
    "division",
    "address",
    "website",
    "description",
    "contact_name",
    "contact_phone",
    "contact_email",
)


# --- Helpers --------------------------------------------------------------------------------------
def normalise_credit_code(value: str) -> str:
    try:
        return valid_credit_code(value)
    except FieldError as exc:
        raise ValidationError({"credit_code": exc.message}) from None


def _holders(employer: Employer) -> list[int]:
    return list(
        EmployerStanding.objects.filter(employer=employer)
        .order_by("institution_id")
        .values_list("institution_id", flat=True)
    )


def _audit_everywhere(
    employer: Employer, *, actor_id: int | None, action: AuditAction, target: Any, data: dict
) -> None:
    for institution_id in _holders(employer):
        audit_record(
            institution_id=institution_id,
            actor_id=actor_id,
            action=action,
            target=target,
            summary=str(employer),
            data=data,
        )


def _check_licence(file: File) -> dict[str, Any]:
    """Refuse anything but a PDF/JPEG/PNG within the size limit, by its bytes (as evidence)."""
    try:
        checked = check_upload(EvidenceUpload("licence", file))
    except ValidationError as exc:
        raise ValidationError({"licence": exc.messages}) from None
    file.seek(0)
    data = file.read()
    return {
        "data": data,
        "licence_name": checked.original_name,
        "licence_content_type": checked.content_type,
        "licence_size": checked.size,
        "licence_sha256": hashlib.sha256(data).hexdigest(),
        "extension": checked.extension,
    }


def _store_licence(employer: Employer, checked: dict[str, Any]) -> list[str]:
    """Seal and save the licence under a random name; returns the fields changed."""
    old = employer.licence_file.name if employer.licence_file else ""
    name = f"{uuid.uuid4().hex}{checked['extension']}.enc"
    employer.licence_file.save(name, ContentFile(seal(checked["data"])), save=False)
    for key in ("licence_name", "licence_content_type", "licence_size", "licence_sha256"):
        setattr(employer, key, checked[key])
    if old:
        # The previous file goes once the new one is committed.
        storage = employer.licence_file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return [
        "licence_file",
        "licence_name",
        "licence_content_type",
        "licence_size",
        "licence_sha256",
    ]


def licence_bytes(employer: Employer) -> bytes:
    """The licence's plaintext (callers have checked the reader may see it)."""
    with employer.licence_file.open("rb") as handle:
        return unseal(handle.read())


def _tell_members(
    employer: Employer, *, kind: Kind, subject: str, body: str, institution_id: int | None
) -> list[int]:
    """Tell the organisation's active accounts about a decision on it, through the outbox
    (after commit). Returns the recipients."""
    recipients = list(
        EmployerMember.objects.filter(employer=employer, is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        body=body,
        link="/employer/",
        institution_id=institution_id,
    )
    return recipients


# --- Registration ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Registration:
    """What the public registration form collects."""

    name: str
    credit_code: str
    nature_code: str
    industry_code: str
    division: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    account_name: str
    account_email: str
    password: str
    institution: Institution
    title: str = ""


@dataclass(frozen=True)
class RegistrationResult:
    user: User
    member: EmployerMember
    # False: the organisation existed and the account waits for its administrator.
    created: bool


def employer_register(*, data: Registration, licence: File | None) -> RegistrationResult:
    """Register an organisation and its first account, with a pending standing at the
    institution it applies to; or, when the credit code is already registered, an account
    asking to join it (inactive until the organisation's administrator accepts). The
    registrant learns nothing of the existing organisation."""
    code = normalise_credit_code(data.credit_code)
    email = data.account_email.strip()
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ValidationError({"account_email": _("该邮箱已注册账号，请直接登录。")})
    user = User(username=email, email=email, display_name=data.account_name.strip())
    validate_password(data.password, user)
    existing = Employer.objects.filter(credit_code=code).first()
    checked = None
    stored: list[str] = []  # files saved for a transaction that may yet fail
    if existing is None:
        if licence is None:
            raise ValidationError({"licence": _("请上传营业执照或法人证书。")})
        checked = _check_licence(licence)
    try:
        with transaction.atomic():
            user.set_password(data.password)
            user.save()
            if existing is not None:
                member = EmployerMember.objects.create(
                    employer=existing,
                    user=user,
                    role=EmployerRole.RECRUITER,
                    title=data.title,
                    is_active=False,
                    join_request=JoinRequest.PENDING,
                )
                _audit_everywhere(
                    existing,
                    actor_id=user.pk,
                    action=AuditAction.EMPLOYER_JOIN_REQUEST,
                    target=member,
                    data={"user_id": user.pk},
                )
                return RegistrationResult(user, member, created=False)
            employer = Employer(
                name=data.name.strip(),
                credit_code=code,
                nature_code=data.nature_code,
                industry_code=data.industry_code,
                division=data.division,
                address=data.address.strip(),
                contact_name=data.contact_name.strip(),
                contact_phone=data.contact_phone.strip(),
                contact_email=data.contact_email.strip(),
                registered_by=user,
            )
            assert checked is not None
            _store_licence(employer, checked)
            stored.append(employer.licence_file.name)
            employer.full_clean()
            employer.save()
            member = EmployerMember.objects.create(
                employer=employer, user=user, role=EmployerRole.ADMIN, title=data.title
            )
            standing = EmployerStanding.objects.create(
                institution=data.institution, employer=employer, requested_by=user
            )
            audit_record(
                institution_id=data.institution.pk,
                actor_id=user.pk,
                action=AuditAction.EMPLOYER_REGISTER,
                target=standing,
                summary=str(employer),
                data={"credit_code": code},
            )
    except BaseException as exc:
        for name in stored:
            Employer._meta.get_field("licence_file").storage.delete(name)
        if isinstance(exc, IntegrityError):
            # Two registrations of one code at the same moment: submitting again joins.
            raise ValidationError(_("提交冲突，请重新提交。")) from None
        raise
    return RegistrationResult(user, member, created=True)


@dataclass(frozen=True)
class RecordedEmployer:
    employer: Employer
    standing: EmployerStanding
    # True: the credit code was new to the platform and the organisation was created.
    created: bool


def employer_record(
    *, actor: Actor, name: str, credit_code: str, division: str = ""
) -> RecordedEmployer:
    """An institution records an employer it works with (a job feed's, a teacher's lead),
    with a pending standing there. One organisation per credit code, as in self-registration:
    a code already registered joins the existing organisation, whose profile is the
    organisation's and is left as it is; only the standing here is added if missing."""
    actor.require(Perm.EMPLOYER_RELATE)
    assert actor.institution_id is not None
    code = normalise_credit_code(credit_code)
    with transaction.atomic():
        employer = Employer.objects.filter(credit_code=code).first()
        created = employer is None
        if employer is None:
            employer = Employer(
                name=name.strip(),
                credit_code=code,
                division=division,
                registered_by_id=actor.user_id,
            )
            employer.full_clean()
            try:
                with transaction.atomic():
                    employer.save()
            except IntegrityError:
                # Registered by someone else a moment ago: join that one.
                employer = Employer.objects.get(credit_code=code)
                created = False
        standing, new_standing = EmployerStanding.objects.get_or_create(
            institution_id=actor.institution_id,
            employer=employer,
            defaults={"requested_by_id": actor.user_id},
        )
        if new_standing:
            audit_record(
                institution_id=actor.institution_id,
                actor_id=actor.user_id,
                # The audit row of a self-registration when the organisation is new; joining
                # one registered elsewhere is this institution recording it.
                action=AuditAction.EMPLOYER_REGISTER if created else AuditAction.EMPLOYER_RECORD,
                target=standing,
                summary=str(employer),
                data={"credit_code": code},
            )
    return RecordedEmployer(employer, standing, created)


# --- The organisation (employer actors) -----------------------------------------------------------
def _require_own(actor: Actor, employer: Employer) -> None:
    if actor.employer_id != employer.pk:
        raise PermissionDenied("not this organisation")


def employer_update(
    *, actor: Actor, employer: Employer, data: dict[str, Any], licence: File | None = None
) -> list[str]:
    """Change the profile. The credit code never changes; a new name or licence sends the
    verified standings back to review (what the reviewers checked has changed). Returns the
    changed fields."""
    actor.require(Perm.EMPLOYER_MANAGE)
    _require_own(actor, employer)
    changed = [f for f in PROFILE_FIELDS if f in data and data[f] != getattr(employer, f)]
    checked = _check_licence(licence) if licence is not None else None
    if not changed and checked is None:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(employer, name, data[name])
        fields = list(changed)
        if checked is not None:
            fields += _store_licence(employer, checked)
        employer.full_clean()
        employer.save(update_fields=[*fields, "updated_at"])
        reviewed = checked is not None or any(f in REVIEWED_FIELDS for f in changed)
        _audit_everywhere(
            employer,
            actor_id=actor.user_id,
            action=AuditAction.EMPLOYER_UPDATE,
            target=employer,
            data={"fields": fields},
        )
        if reviewed:
            # Verified standings go back to review; rejected ones stay until asked again.
            for standing in EmployerStanding.objects.filter(employer=employer, status=S.VERIFIED):
                STANDING_REVIEW.apply(
                    standing,
                    actor,
                    "resubmit",
                    institution_id=standing.institution_id,
                    changes={"requested_at": timezone.now(), "requested_by_id": actor.user_id},
                    data={"fields": fields},
                )
    return fields


def standing_request(*, actor: Actor, employer: Employer, institution: Institution) -> Any:
    """Ask one more institution with one click: a pending standing there, nothing re-entered
    (the profile and the licence are the organisation's). A rejected standing is asked again."""
    actor.require(Perm.EMPLOYER_MANAGE)
    _require_own(actor, employer)
    with transaction.atomic():
        standing = EmployerStanding.objects.filter(
            employer=employer, institution=institution
        ).first()
        if standing is not None:
            if STANDING_REVIEW.can(standing, actor, "resubmit") and standing.status == S.REJECTED:
                STANDING_REVIEW.apply(
                    standing,
                    actor,
                    "resubmit",
                    institution_id=institution.pk,
                    changes={"requested_at": timezone.now(), "requested_by_id": actor.user_id},
                )
                return standing
            raise ValidationError(_("已向该校提交过申请。"))
        standing = EmployerStanding.objects.create(
            institution=institution, employer=employer, requested_by_id=actor.user_id
        )
        audit_record(
            institution_id=institution.pk,
            actor_id=actor.user_id,
            action=AuditAction.EMPLOYER_REQUEST,
            target=standing,
            summary=str(employer),
        )
    return standing


def member_answer(*, actor: Actor, member: EmployerMember, accept: bool) -> EmployerMember:
    """The administrator accepts or declines an account that asked to join."""
    actor.require(Perm.EMPLOYER_MANAGE)
    _require_own(actor, member.employer)
    if member.join_request != JoinRequest.PENDING:
        raise ValidationError(_("该申请已处理。"))
    with transaction.atomic():
        member.join_request = JoinRequest.ACCEPTED if accept else JoinRequest.DECLINED
        member.is_active = accept
        member.save(update_fields=["join_request", "is_active"])
        _audit_everywhere(
            member.employer,
            actor_id=actor.user_id,
            action=AuditAction.EMPLOYER_MEMBER_ACCEPT
            if accept
            else AuditAction.EMPLOYER_MEMBER_DECLINE,
            target=member,
            data={"user_id": member.user_id},
        )
    return member


def member_set_active(*, actor: Actor, member: EmployerMember, active: bool) -> EmployerMember:
    """Deactivate (or reactivate) an account of the organisation; never the last admin."""
    actor.require(Perm.EMPLOYER_MANAGE)
    _require_own(actor, member.employer)
    if member.join_request != JoinRequest.ACCEPTED:
        raise ValidationError(_("该账号尚未加入本单位。"))
    if not active and member.role == EmployerRole.ADMIN:
        admins = EmployerMember.objects.filter(
            employer=member.employer, role=EmployerRole.ADMIN, is_active=True
        ).exclude(pk=member.pk)
        if not admins.exists():
            raise ValidationError(_("单位至少需要一名有效的管理员。"))
    with transaction.atomic():
        member.is_active = active
        member.save(update_fields=["is_active"])
        _audit_everywhere(
            member.employer,
            actor_id=actor.user_id,
            action=AuditAction.EMPLOYER_MEMBER_ACTIVATE
            if active
            else AuditAction.EMPLOYER_MEMBER_DEACTIVATE,
            target=member,
            data={"user_id": member.user_id},
        )
    return member


def member_invite(
    *, actor: Actor, employer: Employer, name: str, email: str, title: str = ""
) -> EmployerMember:
    """A recruiter account for a new e-mail address, with a set-password link sent after
    commit. An address that already has an account is refused (the person registers with
    the organisation's code instead, and the administrator accepts them)."""
    actor.require(Perm.EMPLOYER_MANAGE)
    _require_own(actor, employer)
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("该邮箱已有账号：请对方在单位注册页填写本单位的信用代码申请加入。")}
        )
    with transaction.atomic():
        user = User(username=email, email=email, display_name=name.strip())
        user.set_unusable_password()
        user.invited_at = timezone.now()
        user.save()
        member = EmployerMember.objects.create(
            employer=employer, user=user, role=EmployerRole.RECRUITER, title=title
        )
        _audit_everywhere(
            employer,
            actor_id=actor.user_id,
            action=AuditAction.EMPLOYER_MEMBER_INVITE,
            target=member,
            data={"user_id": user.pk},
        )
        # The set-password link is made at delivery (LINK_MARK), never stored.
        notify(
            recipients=[user],
            kind=Kind.SET_PASSWORD,
            subject=_("【启航】%(employer)s邀请您开通招聘账号") % {"employer": employer.name},
            body=_(
                "%(name)s，您好：\n\n%(employer)s在“启航”就业创业工作平台为您开通了招聘账号。"
                "请打开下面的链接设置密码：\n\n%(link)s\n\n之后用本邮箱登录。如非本人，请忽略本邮件。\n"
            )
            % {"name": user.display_name, "employer": employer.name, "link": LINK_MARK},
            institution_id=None,
        )
    return member


# --- The institution's decisions ------------------------------------------------------------------
def standing_decide(
    *, actor: Actor, standing: EmployerStanding, action: str, reason: str = ""
) -> EmployerStanding:
    """Verify, reject, suspend or reinstate an employer at the actor's institution."""
    if action not in DECISIONS:
        raise ValidationError(_("未知的操作：%(name)s") % {"name": action})
    if standing.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's standing")
    with transaction.atomic():
        taken = STANDING_REVIEW.apply(
            standing,
            actor,
            action,
            institution_id=standing.institution_id,
            reason=reason,
            changes={
                "decided_at": timezone.now(),
                "decided_by_id": actor.user_id,
                "reason": reason.strip()[:300],
            },
        )
        _tell_members(
            standing.employer,
            kind=DECISION_KINDS.get(action, Kind.EMPLOYER_VERIFIED),
            institution_id=standing.institution_id,
            subject=_("【启航】单位认证结果"),
            body=_("%(institution)s：%(action)s。%(reason)s")
            % {"institution": standing.institution, "action": taken.label, "reason": reason},
        )
    return standing


def standing_credit(
    *,
    actor: Actor,
    standing: EmployerStanding,
    channel: Channel | None,
    credited_to: User | None,
    department: Department | None,
) -> EmployerStanding:
    """Record who brought the employer to the institution (channel credit)."""
    actor.require(Perm.EMPLOYER_RELATE)
    if standing.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's standing")
    if department is not None and department.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's department")
    with transaction.atomic():
        standing.channel = channel
        standing.credited_to = credited_to
        standing.credited_department = department
        standing.save(update_fields=["channel", "credited_to", "credited_department"])
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.EMPLOYER_CREDIT,
            target=standing,
            summary=str(standing.employer),
            data={
                "channel": channel.code if channel else "",
                "credited_to": credited_to.pk if credited_to else None,
                "department": department.pk if department else None,
            },
        )
    return standing


# --- Relationship records -------------------------------------------------------------------------
def _may_change(actor: Actor, record: Contact | Interaction | Alumnus) -> None:
    """Whole-institution roles change any record; others their own leads."""
    actor.require(Perm.EMPLOYER_RELATE)
    if record.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's record")
    if record.pk and not actor.sees_whole_institution and record.created_by_id != actor.user_id:
        raise PermissionDenied(_("只能修改自己录入的记录。"))


# Each record's audit kinds: (create, update, delete).
_RECORD_ACTIONS: dict[type, tuple[AuditAction, AuditAction, AuditAction | None]] = {
    Contact: (
        AuditAction.EMPLOYER_CONTACT_CREATE,
        AuditAction.EMPLOYER_CONTACT_UPDATE,
        AuditAction.EMPLOYER_CONTACT_DELETE,
    ),
    Interaction: (
        AuditAction.EMPLOYER_INTERACTION_CREATE,
        AuditAction.EMPLOYER_INTERACTION_UPDATE,
        AuditAction.EMPLOYER_INTERACTION_DELETE,
    ),
    Alumnus: (AuditAction.EMPLOYER_ALUMNUS_CREATE, AuditAction.EMPLOYER_ALUMNUS_UPDATE, None),
}


def _save_record(actor: Actor, record: Any, *, fields: Iterable[str] = ()) -> Any:
    _may_change(actor, record)
    created_kind, updated_kind, _deleted = _RECORD_ACTIONS[type(record)]
    with transaction.atomic():
        creating = record.pk is None
        if creating:
            record.created_by_id = actor.user_id
        record.full_clean()
        record.save()
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=created_kind if creating else updated_kind,
            target=record,
            summary=str(record),
            data={"fields": list(fields)},
        )
    return record


def contact_save(*, actor: Actor, contact: Contact, fields: Iterable[str] = ()) -> Contact:
    return _save_record(actor, contact, fields=fields)


def interaction_save(
    *, actor: Actor, interaction: Interaction, fields: Iterable[str] = ()
) -> Interaction:
    return _save_record(actor, interaction, fields=fields)


def record_delete(*, actor: Actor, record: Contact | Interaction) -> None:
    _may_change(actor, record)
    deleted_kind = _RECORD_ACTIONS[type(record)][2]
    assert deleted_kind is not None
    with transaction.atomic():
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=deleted_kind,
            target=record,
            summary=str(record),
        )
        record.delete()


# --- Alumni ---------------------------------------------------------------------------------------
def alumnus_save(*, actor: Actor, alumnus: Alumnus, fields: Iterable[str] = ()) -> Alumnus:
    """Create or change an alumni record. Only graduates of an earlier cohort than the
    institution's latest become alumni; an alumnus who leads an employer makes it an alumni
    enterprise (校友企业)."""
    from qihang.employers.selectors import current_cohort_year

    graduate = alumnus.graduate
    if graduate.institution_id != actor.institution_id:
        raise PermissionDenied("another institution's graduate")
    latest = current_cohort_year(actor.institution_id)
    if latest is not None and graduate.cohort.year >= latest:
        raise ValidationError({"graduate": _("只有往届毕业生才能登记为校友。")})
    if alumnus.leads_employer and alumnus.employer_id is None:
        raise ValidationError({"leads_employer": _("请先选择该校友的工作单位。")})
    with transaction.atomic():
        saved = _save_record(actor, alumnus, fields=fields)
        if alumnus.leads_employer:
            Employer.objects.filter(pk=alumnus.employer_id, is_alumni_enterprise=False).update(
                is_alumni_enterprise=True
            )
    return saved
