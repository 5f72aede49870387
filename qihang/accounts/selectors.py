"""Reads for accounts: the staff directory of an institution and one's own API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from qihang.accounts.models import ApiToken, User
from qihang.accounts.services import STAFF_ROLES
from qihang.audit.models import AuditEvent
from qihang.institutions.models import Department, Membership, MembershipInvitation
from qihang.institutions.roles import Role
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped
from qihang.institutions.selectors import pending_invitations


@dataclass
class StaffMember:
    """One person on the staff list, with all their roles at the institution."""

    user: User
    memberships: list[Membership] = field(default_factory=list)

    @property
    def first_membership_id(self) -> int:
        return self.memberships[0].pk

    @property
    def is_pending(self) -> bool:
        """Invited and not yet accepted: nothing of the account is shown but what was typed."""
        return any(m.is_pending for m in self.memberships) and not any(
            m.is_active for m in self.memberships
        )

    @property
    def active_memberships(self) -> list[Membership]:
        """The roles in force, or offered while an invitation is pending (listed the same way
        as a new account's, so the list does not tell one from the other)."""
        return [m for m in self.memberships if m.is_active or m.is_pending]

    @property
    def is_active(self) -> bool:
        return bool(self.active_memberships)

    @property
    def name(self) -> str:
        if self.is_pending:
            return next((m.invited_name for m in self.memberships if m.invited_name), "")
        return str(self.user)

    @property
    def account_status(self) -> str:
        # A pending invitation reads like a new account that was sent its invitation.
        return "invited" if self.is_pending else self.user.account_status

    @property
    def invited_at(self) -> Any:
        if self.is_pending:
            return max((m.invited_at for m in self.memberships if m.invited_at), default=None)
        return self.user.invited_at

    @property
    def last_login(self) -> Any:
        return None if self.is_pending else self.user.last_login

    @property
    def departments(self) -> list[Department]:
        seen: dict[int, Department] = {}
        for m in self.active_memberships:
            for d in m.departments.all():
                seen[d.pk] = d
        return sorted(seen.values(), key=lambda d: (d.sort_order, d.name))

    @property
    def title(self) -> str:
        return next((m.title for m in self.memberships if m.title), "")


def staff_memberships(actor: Actor) -> QuerySet[Membership]:
    return scoped(Membership, actor).filter(role__in=STAFF_ROLES)


def staff_directory(
    *, actor: Actor, role: str = "", q: str = "", include_inactive: bool = False
) -> list[StaffMember]:
    """Staff of the actor's institution grouped by person. Three queries, however many people."""
    memberships = staff_memberships(actor).select_related("user").prefetch_related("departments")
    if q:
        # The account's own name and handle only once it is this institution's member: while an
        # invitation is pending, searching them would tell what the person is called elsewhere.
        accepted = Q(invitation=MembershipInvitation.ACCEPTED)
        memberships = memberships.filter(
            (accepted & (Q(user__display_name__icontains=q) | Q(user__username__icontains=q)))
            | (~accepted & Q(invited_name__icontains=q))
            | Q(user__email__icontains=q)
        )
    people: dict[int, StaffMember] = {}
    for m in memberships.order_by("user_id", "role"):
        people.setdefault(m.user_id, StaffMember(user=m.user)).memberships.append(m)
    result = sorted(people.values(), key=lambda p: (p.name, p.user.pk))
    if role:
        result = [p for p in result if any(m.role == role for m in p.active_memberships)]
    if not include_inactive:
        result = [p for p in result if p.is_active]
    return result


def staff_member(*, actor: Actor, membership_id: int) -> StaffMember:
    """The person behind one of their staff memberships (404 outside the actor's institution)."""
    membership = get_scoped_or_404(
        staff_memberships(actor).select_related("user"), actor, pk=membership_id
    )
    member = StaffMember(user=membership.user)
    member.memberships = list(
        staff_memberships(actor)
        .filter(user_id=membership.user_id)
        .prefetch_related("departments")
        .order_by("role")
    )
    return member


def teachers(actor: Actor) -> list[User]:
    """Active teachers of the actor's institution: the people who can be named as mentors.

    This deliberately reads the institution's teacher directory rather than going through
    scoped(Membership): membership rows are scoped for *managing* staff (department staff see only
    their own), while anyone assigning mentors must be able to pick any teacher of the school.
    """
    return list(
        User.objects.filter(
            memberships__institution_id=actor.institution_id,
            memberships__role=Role.TEACHER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def api_tokens(actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens in their current institution, or for the employer they act for
    (tokens are personal)."""
    if actor.is_employer:
        return ApiToken.objects.filter(user_id=actor.user_id, employer_id=actor.employer_id)
    return ApiToken.objects.filter(user_id=actor.user_id, institution_id=actor.institution_id)


@dataclass
class InstitutionInvitation:
    """One institution's pending invitation to the person: the roles it offers."""

    institution_id: int
    institution_name: str
    memberships: list[Membership]

    @property
    def invited_by(self) -> Any:
        return next((m.invited_by for m in self.memberships if m.invited_by), None)

    @property
    def invited_at(self) -> Any:
        return max((m.invited_at for m in self.memberships if m.invited_at), default=None)


def invitations_by_institution(user: User) -> list[InstitutionInvitation]:
    grouped: dict[int, InstitutionInvitation] = {}
    for m in pending_invitations(user):
        grouped.setdefault(
            m.institution_id, InstitutionInvitation(m.institution_id, m.institution.name, [])
        ).memberships.append(m)
    return list(grouped.values())


ACCOUNT_EVENTS_SHOWN = 50


def account_events(user: User) -> list[AuditEvent]:
    """What institutions recorded about the person's own account, from every institution (the
    person's own record, not tenant data: read only by that person)."""
    return list(
        AuditEvent.objects.filter(target_type=User._meta.label_lower, target_id=str(user.pk))
        .select_related("actor", "institution")
        .order_by("-at", "-pk")[:ACCOUNT_EVENTS_SHOWN]
    )
