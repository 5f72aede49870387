"""Reads for institutions: which institutions a person can act in, and the platform overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count

from qihang.institutions.models import Institution, Membership, MembershipInvitation
from qihang.institutions.roles import Role

# The institutions a user may switch between, kept in the session at sign-in so the header's
# switcher costs no query on every page: [[id, name], ...].
SESSION_INSTITUTIONS_KEY = "qihang_institutions"


def institutions_of(user: Any) -> list[Institution]:
    """Institutions where `user` holds an active membership, in a stable order."""
    if not user.is_authenticated:
        return []
    ids = (
        Membership.objects.filter(user=user, is_active=True)
        .values_list("institution_id", flat=True)
        .distinct()
    )
    return list(Institution.objects.filter(pk__in=ids).order_by("pk"))


def first_institution_id(user: Any) -> int | None:
    """Where a user lands after signing in: their first membership (by institution, then age)."""
    return (
        Membership.objects.filter(user=user, is_active=True)
        .order_by("institution_id", "id")
        .values_list("institution_id", flat=True)
        .first()
    )


def can_act_in(user: Any, institution_id: int) -> bool:
    if user.is_platform_admin:
        return Institution.objects.filter(pk=institution_id).exists()
    return Membership.objects.filter(
        user=user, institution_id=institution_id, is_active=True
    ).exists()


def platform_overview() -> list[Institution]:
    """Every institution with head counts, for platform administrators. Three queries."""
    from qihang.graduates.models import Graduate

    staff = dict(
        Membership.objects.filter(is_active=True)
        .exclude(role=Role.GRADUATE)
        .values("institution_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("institution_id", "n")
    )
    graduates = dict(
        Graduate.objects.values("institution_id")
        .annotate(n=Count("id"))
        .values_list("institution_id", "n")
    )
    institutions = list(Institution.objects.order_by("code"))
    for institution in institutions:
        institution.staff_count = staff.get(institution.pk, 0)
        institution.graduate_count = graduates.get(institution.pk, 0)
    return institutions


# --- Who holds an account ------------------------------------------------------------------------
def account_holders(user_id: int) -> set[int]:
    """Institutions that hold the account: those where the person has a membership they
    accepted (in force or ended). An invitation nobody accepted makes no holder."""
    return set(
        Membership.objects.filter(user_id=user_id, invitation=MembershipInvitation.ACCEPTED)
        .values_list("institution_id", flat=True)
        .distinct()
    )


def shared_account_ids(user_ids: Iterable[int], institution_id: int) -> set[int]:
    """The accounts among `user_ids` that `institution_id` does not hold alone: another
    institution holds them too, or they are platform administrators. Their global fields (name,
    e-mail, password, active flag, set-password mail) are not this institution's to change."""
    from qihang.accounts.models import User

    ids = list(user_ids)
    elsewhere = set(
        Membership.objects.filter(user_id__in=ids, invitation=MembershipInvitation.ACCEPTED)
        .exclude(institution_id=institution_id)
        .values_list("user_id", flat=True)
    )
    admins = set(
        User.objects.filter(pk__in=ids, is_platform_admin=True).values_list("pk", flat=True)
    )
    return elsewhere | admins


def account_is_shared(user_id: int, institution_id: int) -> bool:
    return bool(shared_account_ids([user_id], institution_id))


def pending_invitations(user: Any) -> list[Membership]:
    """The person's own invitations awaiting an answer, across institutions (not tenant data:
    they are read by the invitee only)."""
    return list(
        Membership.objects.filter(user=user, invitation=MembershipInvitation.PENDING)
        .select_related("institution", "invited_by")
        .prefetch_related("departments")
        .order_by("institution__code", "role")
    )


def partner_ids(institution_id: int, *, on: dt.date | None = None) -> list[int]:
    """Institutions paired with `institution_id` on day `on` (today by default)."""
    from django.db.models import Q
    from django.utils import timezone

    from qihang.institutions.models import Pairing

    day = on or timezone.localdate()
    current = (
        Pairing.objects.filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .filter(Q(first_id=institution_id) | Q(second_id=institution_id))
        .values_list("first_id", "second_id")
    )
    return sorted({b if a == institution_id else a for a, b in current})


def shares_of(actor: Any, obj: Any) -> list[Any]:
    """Active shares of `obj` that the actor's institution gave or received."""
    from qihang.institutions.models import Share
    from qihang.institutions.scoping import scoped

    return list(
        scoped(Share.objects.active(), actor)
        .filter(kind=obj._meta.label_lower, object_id=obj.pk)
        .select_related("institution", "partner")
        .order_by("pk")
    )
