"""Reads for accounts: the staff directory of an institution and one's own API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from qihang.accounts.models import ApiToken, User
from qihang.accounts.services import STAFF_ROLES
from qihang.institutions.models import Department, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped


@dataclass
class StaffMember:
    """One person on the staff list, with all their roles at the institution."""

    user: User
    memberships: list[Membership] = field(default_factory=list)

    @property
    def first_membership_id(self) -> int:
        return self.memberships[0].pk

    @property
    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.is_active]

    @property
    def is_active(self) -> bool:
        return bool(self.active_memberships)

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
        memberships = memberships.filter(
            Q(user__display_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(user__username__icontains=q)
        )
    people: dict[int, StaffMember] = {}
    for m in memberships.order_by("user__display_name", "user_id", "role"):
        people.setdefault(m.user_id, StaffMember(user=m.user)).memberships.append(m)
    result = list(people.values())
    if role:
        result = [p for p in result if any(m.role == role and m.is_active for m in p.memberships)]
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
    """The actor's own tokens in their current institution (tokens are personal)."""
    return ApiToken.objects.filter(user_id=actor.user_id, institution_id=actor.institution_id)
