"""Writes for accounts: graduates' accounts from the roster, invitations, staff, API tokens.

Graduates never register themselves: the career centre opens their accounts from the roster
(username "<school code>:<学号>", an unusable password) and sends each an invitation link to set a
password. Staff accounts are opened by the career centre (or a platform administrator) the same
way. The link is Django's password-reset token, so it stops working once a password is set.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.accounts.links import set_password_path, set_password_url  # noqa: F401 (re-exported)
from qihang.accounts.models import ApiToken, User
from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.graduates.models import Graduate
from qihang.institutions.models import (
    Cohort,
    Department,
    Institution,
    Membership,
    MembershipInvitation,
)
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor, scoped
from qihang.institutions.selectors import account_holders, account_is_shared, shared_account_ids
from qihang.institutions.services import audit_for_holders, membership_grant, membership_invite
from qihang.notifications.kinds import LINK_MARK, Kind
from qihang.notifications.services import Message, notify, notify_each

# Roles the career centre hands out to staff; the graduate role comes only from the roster.
STAFF_ROLES: tuple[Role, ...] = (
    Role.CAREER_CENTRE,
    Role.DEPARTMENT_STAFF,
    Role.TEACHER,
    Role.LEADERSHIP,
    Role.PSYCH_COUNSELLOR,  # stands alone: institutions.services refuses it beside another role
)


# --- Graduates' accounts from the roster -----------------------------------------------------------
@dataclass
class ProvisionResult:
    created: int = 0  # new accounts
    linked: int = 0  # an existing, unlinked "<code>:<学号>" account was attached again
    already: int = 0  # graduates that had an account before
    without_email: int = 0  # accounts opened, but no e-mail to send an invitation to
    email_conflicts: int = 0  # roster e-mail already used by another account (left off the user)
    users: list[User] = field(default_factory=list)  # accounts created or linked now


def graduate_username(institution_code: str, student_no: str) -> str:
    return f"{institution_code}:{student_no}"


def graduate_accounts_provision(
    *, actor: Actor, cohort: Cohort, graduates: Sequence[Graduate] | None = None
) -> ProvisionResult:
    """Open accounts for the cohort's graduates (or the given ones) that have none.

    A constant number of queries however many graduates: bulk inserts and one bulk update.
    """
    actor.require(Perm.STAFF_MANAGE)
    if cohort.institution_id != actor.institution_id:
        raise PermissionDenied("cohort of another institution")
    base = scoped(Graduate, actor).filter(cohort=cohort)
    if graduates is not None:
        base = base.filter(pk__in=[g.pk for g in graduates])
    result = ProvisionResult()
    with transaction.atomic():
        pending = list(
            base.filter(user__isnull=True)
            .only("id", "student_no", "name", "email", "institution_id")
            .order_by("student_no")
        )
        result.already = base.filter(user__isnull=False).count()
        if not pending:
            return result
        code = Institution.objects.values_list("code", flat=True).get(pk=actor.institution_id)
        usernames = {g.pk: graduate_username(code, g.student_no) for g in pending}
        # Accounts left behind when a graduate row was re-created: attach them again.
        orphans = {
            u.username: u
            for u in User.objects.filter(username__in=usernames.values(), graduate__isnull=True)
        }
        taken_usernames = set(
            User.objects.filter(
                username__in=usernames.values(), graduate__isnull=False
            ).values_list("username", flat=True)
        )
        wanted = {g.email.strip().lower() for g in pending if g.email.strip()}
        taken_emails = set(
            User.objects.annotate(e=Lower("email")).filter(e__in=wanted).values_list("e", flat=True)
        )
        new_users: list[User] = []
        links: list[tuple[Graduate, User]] = []
        for graduate in pending:
            username = usernames[graduate.pk]
            email = graduate.email.strip().lower()
            if not email:
                result.without_email += 1
            if username in orphans:
                links.append((graduate, orphans[username]))
                result.linked += 1
                continue
            if username in taken_usernames:
                username = f"{username}#{graduate.pk}"
            if email and email in taken_emails:
                # Someone already signs in with this address (often the same person from an
                # earlier degree). Keep it off the new account; the invitation still goes there.
                result.email_conflicts += 1
                email = ""
            elif email:
                taken_emails.add(email)
            user = User(
                username=username,
                email=email,
                display_name=graduate.name,
                password=make_password(None),  # unusable until the invitation is accepted
            )
            new_users.append(user)
            links.append((graduate, user))
        User.objects.bulk_create(new_users)
        result.created = len(new_users)
        for graduate, user in links:
            graduate.user_id = user.pk
        Graduate.objects.bulk_update([g for g, _u in links], ["user"], batch_size=500)
        user_ids = [u.pk for _g, u in links]
        Membership.objects.bulk_create(
            [
                Membership(institution_id=actor.institution_id, user_id=uid, role=Role.GRADUATE)
                for uid in user_ids
            ],
            ignore_conflicts=True,
        )
        if result.linked:
            Membership.objects.filter(
                institution_id=actor.institution_id, user_id__in=user_ids, role=Role.GRADUATE
            ).update(is_active=True)
        result.users = [u for _g, u in links]
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.GRADUATE_ACCOUNTS_PROVISION,
            target=cohort,
            summary=_("开通毕业生账号 %(n)s 个") % {"n": len(links)},
            data={
                "created": result.created,
                "linked": result.linked,
                "without_email": result.without_email,
                "email_conflicts": result.email_conflicts,
            },
        )
    return result


# --- Invitations and set-password links --------------------------------------------------------------
class InvitationError(Exception):
    """Kept for callers: mail now leaves through the notifications outbox after commit, where
    a refusing server marks the delivery failed (and retried) instead of failing the request."""


@dataclass
class InvitationResult:
    sent: int = 0
    without_email: int = 0
    # Accounts another institution holds too (or platform administrators): their password is
    # not this institution's to reset, so no set-password link goes to them from here.
    shared: int = 0
    recipients: list[str] = field(default_factory=list)


def _valid_days() -> int:
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


@dataclass(frozen=True)
class InvitationMessage:
    subject: str
    body: str  # LINK_MARK where the set-password link goes (made when the mail is sent)


def _invitation_message(
    user: User, *, institution: str, login_hint: str, reset: bool = False
) -> InvitationMessage:
    context = {
        "name": user.display_name or user.username,
        "institution": institution,
        "link": LINK_MARK,
        "days": _valid_days(),
        "login": login_hint,
    }
    if reset:
        subject = _("【启航】重设密码")
        body = _(
            "%(name)s，您好：\n\n"
            "我们收到了重设您“启航”就业创业工作平台密码的请求。请在 %(days)s 天内打开下面的链接设置新密码：\n\n"
            "%(link)s\n\n"
            "登录方式：%(login)s。\n"
            "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n"
        )
    else:
        subject = _("【启航】%(institution)s邀请您开通账号") % context
        body = _(
            "%(name)s，您好：\n\n"
            "%(institution)s为您开通了“启航”就业创业工作平台账号。请在 %(days)s 天内打开下面的链接设置密码：\n\n"
            "%(link)s\n\n"
            "设置密码后的登录方式：%(login)s。\n"
            "链接过期后，请联系学校就业指导中心重新发送邀请。如非本人，请忽略本邮件。\n"
        )
    return InvitationMessage(subject=subject, body=body % context)


def _login_hint(user: User, student_no: str | None) -> str:
    if student_no:
        return _("学号 %(no)s 或本邮箱") % {"no": student_no}
    return _("邮箱 %(email)s") % {"email": user.email or user.username}


def invitations_send(*, actor: Actor, users: Iterable[User]) -> InvitationResult:
    """Send set-password links to accounts of the actor's institution: one notification each
    (kind set_password) in one transaction; the outbox mails them after commit, over one
    connection, and makes each link only then.

    Graduates whose roster e-mail is used by another account get the link at the roster address.
    Accounts another institution also holds are left out (counted in `shared`).
    """
    actor.require(Perm.STAFF_MANAGE)
    users = list(users)
    ids = [u.pk for u in users]
    shared = shared_account_ids(ids, actor.institution_id)
    members = set(
        scoped(Membership, actor).filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    roster = {
        uid: (email, student_no)
        for uid, email, student_no in scoped(Graduate, actor)
        .filter(user_id__in=ids)
        .values_list("user_id", "email", "student_no")
    }
    institution = Institution.objects.only("name").get(pk=actor.institution_id).name
    result = InvitationResult()
    messages: list[Message] = []
    sent_ids: list[int] = []
    for user in users:
        if user.pk not in members:
            raise PermissionDenied("account of another institution")
        if user.pk in shared:
            result.shared += 1
            continue
        roster_email, student_no = roster.get(user.pk, ("", None))
        to = user.email or roster_email.strip()
        if not to:
            result.without_email += 1
            continue
        text = _invitation_message(
            user,
            institution=institution,
            login_hint=_login_hint(user, student_no),
            # Someone who already chose a password gets the reset wording, same link.
            reset=user.has_usable_password(),
        )
        messages.append(Message(recipient=user, subject=text.subject, body=text.body, email_to=to))
        sent_ids.append(user.pk)
        result.recipients.append(to)
    result.sent = len(messages)
    if sent_ids:
        now = timezone.now()
        with transaction.atomic():
            notify_each(
                kind=Kind.SET_PASSWORD, institution_id=actor.institution_id, messages=messages
            )
            User.objects.filter(pk__in=sent_ids).update(invited_at=now)
            audit_record(
                institution_id=actor.institution_id,
                actor_id=actor.user_id,
                action=AuditAction.ACCOUNT_INVITE,
                target=users[0] if len(users) == 1 else None,
                summary=_("发送账号邀请 %(n)s 封") % {"n": len(sent_ids)},
                data={"users": sent_ids[:1000]},
            )
        for user in users:
            if user.pk in sent_ids:
                user.invited_at = now
    return result


def cohort_invite(*, actor: Actor, cohort: Cohort) -> tuple[ProvisionResult, InvitationResult]:
    """The career centre's one button: open every missing account of the cohort, then send an
    invitation to every account that never got one (new ones included). Constant queries."""
    provisioned = graduate_accounts_provision(actor=actor, cohort=cohort)
    fresh = {u.pk for u in provisioned.users}
    waiting = list(
        User.objects.filter(
            pk__in=scoped(Graduate, actor)
            .filter(cohort=cohort, user__isnull=False)
            .values("user_id"),
            invited_at__isnull=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        ).exclude(pk__in=fresh)
    )
    sent = invitations_send(actor=actor, users=[*provisioned.users, *waiting])
    return provisioned, sent


def invitation_send(*, actor: Actor, user: User) -> bool:
    """Send one invitation; False when there is no e-mail address to send it to."""
    return invitations_send(actor=actor, users=[user]).sent == 1


def password_reset_send(*, user: User) -> bool:
    """Send a set-password link to a user who forgot their password (no actor: public form).

    Only to accounts that may sign in; the caller says the same thing whatever happens, so the
    form does not reveal which accounts exist.
    """
    if not user.is_active:
        return False
    memberships = list(
        Membership.objects.filter(user=user, is_active=True).order_by("institution_id", "id")
    )
    if not memberships and not user.is_platform_admin:
        return False
    graduate = Graduate.objects.filter(user=user).only("email", "student_no").first()
    to = user.email or (graduate.email.strip() if graduate else "")
    if not to:
        return False
    text = _invitation_message(
        user,
        institution="",
        login_hint=_login_hint(user, graduate.student_no if graduate else None),
        reset=True,
    )
    institution_id = memberships[0].institution_id if memberships else None
    with transaction.atomic():
        notify_each(
            kind=Kind.SET_PASSWORD,
            institution_id=institution_id,
            messages=[Message(recipient=user, subject=text.subject, body=text.body, email_to=to)],
        )
        if memberships:
            audit_record(
                institution_id=institution_id,
                actor_id=user.pk,
                action=AuditAction.ACCOUNT_PASSWORD_RESET_REQUEST,
                target=user,
            )
    return True


@transaction.atomic
def invitation_accept(*, user: User, password: str) -> None:
    """Set the password chosen through an invitation or reset link."""
    user.set_password(password)
    user.save(update_fields=["password"])
    membership = (
        Membership.objects.filter(user=user, is_active=True).order_by("institution_id").first()
    )
    if membership is not None:
        audit_record(
            institution_id=membership.institution_id,
            actor_id=user.pk,
            action=AuditAction.ACCOUNT_SET_PASSWORD,
            target=user,
        )


@transaction.atomic
def password_change(*, actor: Actor, user: User, password: str) -> None:
    """A signed-in person changes their own password (already validated by the form)."""
    if user.pk != actor.user_id:
        raise PermissionDenied("only one's own password")
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.ACCOUNT_PASSWORD_CHANGE,
        target=user,
    )


# --- Staff ---------------------------------------------------------------------------------------------
def _normalise_roles(roles: Iterable[str]) -> list[Role]:
    chosen = [Role(r) for r in roles]
    for role in chosen:
        if role not in STAFF_ROLES:
            raise ValidationError(
                {"roles": _("不能在这里授予“%(role)s”角色。") % {"role": role.label}}
            )
    if not chosen:
        raise ValidationError({"roles": _("请至少选择一个角色。")})
    return chosen


def _check_departments(actor: Actor, roles: list[Role], departments: Sequence[Department]) -> None:
    if Role.DEPARTMENT_STAFF in roles and not departments:
        raise ValidationError({"departments": _("院系就业工作人员至少要负责一个院系。")})
    if any(d.institution_id != actor.institution_id for d in departments):
        raise ValidationError({"departments": _("院系不属于本校。")})


class StaffAddOutcome(StrEnum):
    CREATED = "created"  # a new account: the caller sends the set-password invitation
    ATTACHED = "attached"  # an account this institution holds alone (or a platform admin acted)
    INVITED = "invited"  # an account held elsewhere: a pending invitation it must accept


@dataclass
class StaffAdded:
    user: User
    outcome: StaffAddOutcome


def _institution_holds(actor: Actor, user: User) -> bool:
    """May the actor's institution give `user` roles without asking them?

    Yes when it has held the account (an accepted membership, even ended), when nobody else
    holds it, or when the actor is a platform administrator.
    """
    if actor.is_platform_admin:
        return True
    if Membership.objects.filter(
        user=user, institution_id=actor.institution_id, invitation=MembershipInvitation.ACCEPTED
    ).exists():
        return True
    return not account_is_shared(user.pk, actor.institution_id)


def _may_change_account(actor: Actor, user: User) -> bool:
    """Global fields (name, e-mail, password, set-password mail) belong to the account holder:
    an institution changes them only for an account no other institution holds."""
    return actor.is_platform_admin or not account_is_shared(user.pk, actor.institution_id)


def _roles_summary(roles: Iterable[Role]) -> str:
    return "、".join(str(Role(r).label) for r in roles)


def _give_roles(
    actor: Actor,
    institution: Institution,
    user: User,
    roles: Iterable[Role],
    departments: Sequence[Department],
    *,
    title: str,
    invited_name: str | None,
    audit: bool,
) -> None:
    """Each role in this institution: an invitation the person accepts when `invited_name` is
    given (another institution holds the account), otherwise a membership in force."""
    for role in roles:
        role_departments = list(departments) if role == Role.DEPARTMENT_STAFF else []
        if invited_name is not None:
            membership_invite(
                institution=institution,
                user=user,
                role=role,
                departments=role_departments,
                title=title.strip(),
                invited_name=invited_name,
                actor_id=actor.user_id,
            )
        else:
            membership_grant(
                institution=institution,
                user=user,
                role=role,
                departments=role_departments,
                title=title.strip(),
                actor_id=actor.user_id,
                audit=audit,
            )


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    display_name: str,
    email: str,
    roles: Iterable[str],
    departments: Sequence[Department] = (),
    title: str = "",
) -> StaffAdded:
    """Add a person to the institution's staff by e-mail.

    A new address opens an account (the caller sends its set-password invitation). An address
    whose account another institution holds (or a platform administrator's) gets a pending
    invitation the person accepts after signing in; nothing of that account changes and the
    actor learns nothing about it: the audit row here reads the same in every case, and each
    institution holding the account gets its own row.
    """
    actor.require(Perm.STAFF_MANAGE)
    chosen = _normalise_roles(roles)
    _check_departments(actor, chosen, departments)
    email = email.strip().lower()
    display_name = display_name.strip()
    if not email:
        raise ValidationError({"email": _("请填写电子邮箱。")})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            username=email[:150],
            email=email,
            display_name=display_name,
            password=make_password(None),
        )
        user.full_clean(exclude=["password"])
        user.save()
        outcome = StaffAddOutcome.CREATED
    else:
        listed = (
            scoped(Membership, actor)
            .filter(user=user, role__in=STAFF_ROLES)
            .filter(Q(is_active=True) | Q(invitation=MembershipInvitation.PENDING))
            .exists()
        )
        if listed:
            # Said for a new account and a pending invitation alike: both are on the list.
            raise ValidationError(
                {
                    "email": _("%(email)s 已在本校人员名单中（含已邀请），请在列表中修改其角色。")
                    % {"email": email}
                }
            )
        outcome = (
            StaffAddOutcome.ATTACHED if _institution_holds(actor, user) else StaffAddOutcome.INVITED
        )
    institution = Institution.objects.get(pk=actor.institution_id)
    _give_roles(
        actor,
        institution,
        user,
        chosen,
        departments,
        title=title,
        invited_name=display_name or email if outcome == StaffAddOutcome.INVITED else None,
        audit=False,
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.STAFF_CREATE,
        target=user,
        summary=f"{display_name or email} <{email}> {','.join(chosen)}",
        data={"email": email, "roles": [str(r) for r in chosen]},
    )
    others = account_holders(user.pk) - {actor.institution_id}
    if others:
        audit_for_holders(
            user=user,
            institution_ids=[],
            actor_id=actor.user_id,
            action=(
                AuditAction.MEMBERSHIP_INVITED_ELSEWHERE
                if outcome == StaffAddOutcome.INVITED
                else AuditAction.MEMBERSHIP_GRANTED_ELSEWHERE
            ),
            summary=_("%(institution)s：%(email)s，%(roles)s")
            % {"institution": institution.name, "email": email, "roles": _roles_summary(chosen)},
            data={
                "institution": actor.institution_id,
                "roles": [str(r) for r in chosen],
                "pending": outcome == StaffAddOutcome.INVITED,
            },
        )
    return StaffAdded(user=user, outcome=outcome)


def staff_invitation_notify(*, actor: Actor, user: User) -> bool:
    """Tell the holder of an account that the actor's institution invites them (no link that
    signs in or sets a password: they sign in as usual and answer on their invitations page)."""
    actor.require(Perm.STAFF_MANAGE)
    pending = list(
        scoped(Membership, actor).filter(user=user, invitation=MembershipInvitation.PENDING)
    )
    if not pending or not user.email:
        return False
    institution = Institution.objects.only("name").get(pk=actor.institution_id).name
    context = {
        "institution": institution,
        "roles": _roles_summary(m.role for m in pending),
        "link": LINK_MARK,
    }
    subject = _("【启航】%(institution)s邀请您加入") % context
    body = (
        _(
            "您好：\n\n"
            "%(institution)s邀请您在“启航”就业创业工作平台担任：%(roles)s。\n"
            "请用您现有的账号登录后，在下面的页面接受或谢绝：\n\n"
            "%(link)s\n\n"
            "在您接受之前，对方看不到您的账号信息。如不认识该单位，请谢绝。\n"
        )
        % context
    )
    with transaction.atomic():
        notify(
            recipients=[user],
            kind=Kind.INVITATION,
            subject=subject,
            body=body,
            link=reverse("accounts:invitations"),
            institution_id=actor.institution_id,
        )
        Membership.objects.filter(pk__in=[m.pk for m in pending]).update(invited_at=timezone.now())
        # The same row as a set-password invitation: this log must not tell the two apart.
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.ACCOUNT_INVITE,
            target=user,
            summary=_("发送账号邀请 %(n)s 封") % {"n": 1},
            data={"users": [user.pk]},
        )
    return True


def staff_name_editable(*, actor: Actor, member: Any) -> bool:
    """Whether the staff form offers the name: the invited name while an invitation is
    pending, the account's own name only for an account this institution holds alone."""
    return member.is_pending or _may_change_account(actor, member.user)


@transaction.atomic
def staff_update(
    *,
    actor: Actor,
    user: User,
    display_name: str,
    roles: Iterable[str],
    departments: Sequence[Department] = (),
    title: str = "",
) -> None:
    """Set a staff member's roles at the actor's institution; roles left out are deactivated.

    Only this institution's memberships change. The display name is the account's, shown by
    every institution: it changes only for an account this institution holds alone. While an
    invitation is pending, the name is the one typed for the invitation.
    """
    actor.require(Perm.STAFF_MANAGE)
    chosen = _normalise_roles(roles)
    _check_departments(actor, chosen, departments)
    if user.pk == actor.user_id and Role.CAREER_CENTRE in actor.roles:
        if Role.CAREER_CENTRE not in chosen:
            raise ValidationError(
                {"roles": _("不能取消自己的就业指导中心角色，请由其他同事操作。")}
            )
    current = {m.role: m for m in scoped(Membership, actor).filter(user=user)}
    if not any(m.role != Role.GRADUATE for m in current.values()):
        raise PermissionDenied("not staff of this institution")
    display_name = display_name.strip()
    invite = not _institution_holds(actor, user)
    previous = next((m.invited_name for m in current.values() if m.invited_name), "")
    _give_roles(
        actor,
        Institution.objects.get(pk=actor.institution_id),
        user,
        chosen,
        departments,
        title=title,
        invited_name=display_name or previous if invite else None,
        audit=True,
    )
    dropped = [
        m.pk
        for role, m in current.items()
        if role in STAFF_ROLES and role not in chosen and (m.is_active or m.is_pending)
    ]
    if dropped:
        Membership.objects.filter(pk__in=dropped, invitation=MembershipInvitation.PENDING).update(
            invitation=MembershipInvitation.DECLINED
        )
        Membership.objects.filter(pk__in=dropped).update(is_active=False)
    if display_name and display_name != user.display_name and not invite:
        if not _may_change_account(actor, user):
            raise ValidationError(
                {"display_name": _("此账号也在其他单位使用，姓名只能由本人或平台管理员修改。")}
            )
        user.display_name = display_name
        user.save(update_fields=["display_name"])
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.STAFF_UPDATE,
        target=user,
        summary=f"{display_name or user.email} {','.join(chosen)}",
        data={"roles": [str(r) for r in chosen], "departments": [d.pk for d in departments]},
    )


@transaction.atomic
def staff_deactivate(*, actor: Actor, user: User) -> int:
    """End every staff role of `user` at the actor's institution (a pending invitation is
    withdrawn). The account itself stays (the person may work at another institution or be a
    graduate too)."""
    actor.require(Perm.STAFF_MANAGE)
    if user.pk == actor.user_id:
        raise ValidationError(_("不能停用自己的账号。"))
    mine = scoped(Membership, actor).filter(user=user, role__in=STAFF_ROLES)
    withdrawn = mine.filter(invitation=MembershipInvitation.PENDING).update(
        invitation=MembershipInvitation.DECLINED
    )
    count = mine.filter(is_active=True).update(is_active=False) + withdrawn
    if count:
        audit_record(
            institution_id=actor.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.STAFF_DEACTIVATE,
            target=user,
            summary=user.email or str(user.pk),
        )
    return count


# --- Platform administrators -----------------------------------------------------------------------------
@transaction.atomic
def platform_admin_create(*, email: str, display_name: str = "", password: str | None) -> User:
    """Create (or promote) a platform administrator. `password=None` leaves it unusable, so the
    person sets it through a set-password link."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise ValidationError({"email": _("请填写有效的电子邮箱。")})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email[:150], email=email, display_name=display_name.strip())
        user.full_clean(exclude=["password"])
    user.is_platform_admin = True
    if display_name.strip():
        user.display_name = display_name.strip()
    if password is not None:
        user.set_password(password)
    elif not user.password:
        user.set_unusable_password()
    user.save()
    return user


# --- API tokens -------------------------------------------------------------------------------------------------
TOKEN_PREFIX = "qh_"  # noqa: S105  (a marker, not a secret)


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a token for the actor in their current institution, or for the employer an
    employer administrator acts for; returns (token, plaintext).

    The plaintext is shown once: only the prefix and a hash of the secret are stored.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请为令牌起一个名字，例如“统计报表脚本”。")})
    if actor.is_graduate_only:
        raise PermissionDenied("graduates have no API access")
    if actor.is_employer:
        # Programmatic access for the organisation is its administrators' decision.
        actor.require(Perm.EMPLOYER_MANAGE)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        # An employer actor's token acts for its organisation, not in an institution.
        institution_id=None if actor.is_employer else actor.institution_id,
        employer_id=actor.employer_id,
        user_id=actor.user_id,
        name=name[:60],
        prefix=prefix,
        secret_hash=ApiToken.hash_secret(secret),
    )
    _api_token_audit(actor, token, AuditAction.API_TOKEN_CREATE)
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def _api_token_audit(actor: Actor, token: ApiToken, action: AuditAction) -> None:
    """The audit row of a token change: in the actor's institution, or, for an employer's
    token, in each institution the employer has a standing with (who works with it sees who
    has programmatic access on its behalf)."""
    if not actor.is_employer:
        institution_ids = [actor.institution_id]
    else:
        from django.apps import apps

        standing = apps.get_model("employers", "EmployerStanding")
        institution_ids = list(
            standing.objects.filter(employer_id=actor.employer_id)
            .order_by("institution_id")
            .values_list("institution_id", flat=True)
        )
    for institution_id in institution_ids:
        audit_record(
            institution_id=institution_id,
            actor_id=actor.user_id,
            action=action,
            target=token,
            summary=token.name,
            data={"employer": token.employer_id} if token.employer_id else None,
        )


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> None:
    if token.user_id != actor.user_id:
        raise PermissionDenied("not your token")
    if actor.is_employer and token.employer_id != actor.employer_id:
        raise PermissionDenied("not this employer's token")
    if not actor.is_employer and token.institution_id != actor.institution_id:
        raise PermissionDenied("not your token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _api_token_audit(actor, token, AuditAction.API_TOKEN_REVOKE)


# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
_LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token for "qh_<prefix>_<secret>", or None. Constant-time secret comparison."""
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not prefix or not secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        ApiToken.hash_secret(secret)  # same work either way
        return None
    if not hmac.compare_digest(token.secret_hash, ApiToken.hash_secret(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
