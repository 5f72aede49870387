"""Writes for institutions, their structure and memberships."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.accounts.models import User
from qihang.audit.services import audit_record
from qihang.institutions.models import (
    Cohort,
    DegreeLevel,
    Department,
    Institution,
    Major,
    Membership,
    MembershipInvitation,
    Share,
)
from qihang.institutions.roles import Perm, Role
from qihang.institutions.selectors import account_holders


@transaction.atomic
def institution_create(
    *, code: str, name: str, short_name: str = "", actor_id: int | None = None
) -> Institution:
    code, name = code.strip(), name.strip()
    if not code.isdigit() or not 4 <= len(code) <= 10:
        raise ValidationError({"code": _("学校代码应为4到10位数字。")})
    if Institution.objects.filter(code=code).exists():
        raise ValidationError({"code": _("学校代码 %(code)s 已存在。") % {"code": code}})
    institution = Institution(code=code, name=name, short_name=short_name)
    institution.full_clean()
    institution.save()
    audit_record(
        institution_id=institution.pk,
        actor_id=actor_id,
        action="institution.create",
        target=institution,
        summary=f"{code} {name}",
    )
    return institution


def department_get_or_create(*, institution: Institution, name: str, **extra: object) -> Department:
    department, _created = Department.objects.get_or_create(
        institution=institution, name=name.strip(), defaults=extra
    )
    return department


def major_get_or_create(
    *, department: Department, degree_level: DegreeLevel | str, name: str
) -> Major:
    major, _created = Major.objects.get_or_create(
        institution_id=department.institution_id,
        department=department,
        degree_level=degree_level,
        name=name.strip(),
    )
    return major


def cohort_get_or_create(*, institution: Institution, year: int) -> Cohort:
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("届别 %(year)s 不合理。") % {"year": year}})
    cohort, _created = Cohort.objects.get_or_create(institution=institution, year=year)
    return cohort


@transaction.atomic
def _check_exclusive(institution: Institution, user: User, role: Role | str) -> None:
    """The psychological counsellor role stands alone: nobody holds it together with another
    role of the same institution, so no officer of the centre, department or leadership reads a
    graduate's wellbeing by holding both."""
    others = Membership.objects.filter(institution=institution, user=user).exclude(role=role)
    if role == Role.PSYCH_COUNSELLOR:
        clash = others.exists()
    else:
        clash = others.filter(role=Role.PSYCH_COUNSELLOR).exists()
    if clash:
        raise ValidationError({"role": _("心理咨询老师的角色不能与本校的其他角色由同一人兼任。")})


def membership_grant(
    *,
    institution: Institution,
    user: User,
    role: Role | str,
    departments: list[Department] | None = None,
    title: str = "",
    actor_id: int | None = None,
    audit: bool = True,
) -> Membership:
    """Give `user` a role in force. `audit=False` when the caller writes the audit row of the
    whole action itself (adding staff: one row that reads the same whether or not the person
    had an account)."""
    if role == Role.DEPARTMENT_STAFF and not departments:
        raise ValidationError({"departments": _("院系工作人员至少要负责一个院系。")})
    _check_exclusive(institution, user, role)
    for department in departments or []:
        if department.institution_id != institution.pk:
            raise ValidationError({"departments": _("院系不属于该学校。")})
    membership, _created = Membership.objects.update_or_create(
        institution=institution,
        user=user,
        role=role,
        defaults={"title": title, "is_active": True, "invitation": MembershipInvitation.ACCEPTED},
    )
    if departments is not None:
        membership.departments.set(departments)
    if not audit:
        return membership
    audit_record(
        institution_id=institution.pk,
        actor_id=actor_id,
        action="membership.grant",
        target=membership,
        summary=f"{user} {role}",
    )
    return membership


def audit_for_holders(
    *,
    user: User,
    institution_ids: Iterable[int],
    actor_id: int | None,
    action: str,
    summary: str,
    data: dict[str, object],
) -> None:
    """One audit row in each institution concerned by an event on `user`'s account: the ones
    named and every institution that holds the account, so each sees it in its own log."""
    for institution_id in sorted(set(institution_ids) | account_holders(user.pk)):
        audit_record(
            institution_id=institution_id,
            actor_id=actor_id,
            action=action,
            target=user,
            summary=summary,
            data=data,
        )


@transaction.atomic
def membership_invite(
    *,
    institution: Institution,
    user: User,
    role: Role | str,
    departments: list[Department] | None = None,
    title: str = "",
    invited_name: str = "",
    actor_id: int | None = None,
) -> Membership:
    """A membership that waits for the person's consent: inactive until they accept it."""
    if role == Role.DEPARTMENT_STAFF and not departments:
        raise ValidationError({"departments": _("院系工作人员至少要负责一个院系。")})
    _check_exclusive(institution, user, role)
    for department in departments or []:
        if department.institution_id != institution.pk:
            raise ValidationError({"departments": _("院系不属于该学校。")})
    membership, _created = Membership.objects.update_or_create(
        institution=institution,
        user=user,
        role=role,
        defaults={
            "title": title,
            "is_active": False,
            "invitation": MembershipInvitation.PENDING,
            "invited_name": invited_name[:100],
            "invited_by_id": actor_id,
            "invited_at": timezone.now(),
        },
    )
    if departments is not None:
        membership.departments.set(departments)
    return membership


@transaction.atomic
def membership_invitation_respond(*, user: User, institution_id: int, accept: bool) -> int:
    """The invitee accepts (the memberships come into force) or declines an institution's
    invitation. Raises ObjectDoesNotExist when there is nothing pending there for them."""
    pending = Membership.objects.select_for_update().filter(
        user=user, institution_id=institution_id, invitation=MembershipInvitation.PENDING
    )
    roles = sorted(pending.values_list("role", flat=True))
    if not roles:
        raise ObjectDoesNotExist("no pending invitation")
    if accept:
        pending.update(is_active=True, invitation=MembershipInvitation.ACCEPTED)
    else:
        pending.update(is_active=False, invitation=MembershipInvitation.DECLINED)
    name = Institution.objects.values_list("name", flat=True).get(pk=institution_id)
    audit_for_holders(
        user=user,
        institution_ids=[institution_id],
        actor_id=user.pk,
        action="membership.invitation_accept" if accept else "membership.invitation_decline",
        summary=(
            _("%(user)s 接受了%(institution)s的邀请")
            if accept
            else _("%(user)s 谢绝了%(institution)s的邀请")
        )
        % {"user": user.email or user.username, "institution": name},
        data={"institution": institution_id, "roles": roles},
    )
    return len(roles)


# --- Sharing with a paired institution ----------------------------------------------------------
def share_create(*, actor: Any, obj: Any, partner_id: int, note: str = "") -> Share:
    """Share `obj` (a row of a model whose scope is `shared`, owned or held by the actor's
    institution) with a currently paired institution. Sharing again what is shared is a no-op."""
    from qihang.institutions.selectors import partner_ids

    actor.require(Perm.SHARE_MANAGE)
    if not getattr(getattr(type(obj), "scope", None), "shared", False):
        raise ValidationError(_("这类对象不能共享。"))
    from qihang.institutions.scoping import owned

    if not owned(type(obj), actor).filter(pk=obj.pk).exists():
        # What a partner shares with us is not ours to share on.
        raise PermissionDenied(_("只能共享本校的对象。"))
    if partner_id not in partner_ids(actor.institution_id):
        raise ValidationError({"partner": _("只能与结对学校共享。")})
    with transaction.atomic():
        existing = Share.objects.active().filter(
            institution_id=actor.institution_id,
            partner_id=partner_id,
            kind=obj._meta.label_lower,
            object_id=obj.pk,
        )
        share = existing.first()
        if share is not None:
            return share
        share = Share.objects.create(
            institution_id=actor.institution_id,
            partner_id=partner_id,
            kind=obj._meta.label_lower,
            object_id=obj.pk,
            note=note.strip()[:200],
            created_by_id=actor.user_id,
        )
        for institution_id in (actor.institution_id, partner_id):
            audit_record(
                institution_id=institution_id,
                actor_id=actor.user_id,
                action="share.create",
                target=share,
                summary=f"{obj._meta.verbose_name} {obj}",
                data={"kind": share.kind, "object_id": obj.pk, "partner_id": partner_id},
            )
    return share


def share_revoke(*, actor: Any, share: Share) -> Share:
    """End a share at once (the partner stops seeing the object); the row stays as history."""
    actor.require(Perm.SHARE_MANAGE)
    if share.institution_id != actor.institution_id:
        raise PermissionDenied(_("只有共享方可以撤回共享。"))
    if share.revoked_at is not None:
        return share
    with transaction.atomic():
        share.revoked_at = timezone.now()
        share.revoked_by_id = actor.user_id
        share.save(update_fields=["revoked_at", "revoked_by"])
        for institution_id in (share.institution_id, share.partner_id):
            audit_record(
                institution_id=institution_id,
                actor_id=actor.user_id,
                action="share.revoke",
                target=share,
                summary=f"{share.kind}#{share.object_id}",
                data={"kind": share.kind, "object_id": share.object_id},
            )
    return share
