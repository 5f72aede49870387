"""Demo staff who must confirm a TOTP code (accounts.mfa) get an authenticator bound already,
with a published secret: the SHA-1 of "qihang-demo-totp:" and their e-mail (20 bytes, what
authenticator apps expect). `qihang demo_otp EMAIL` prints the code it shows now, so a
reviewer signs in without a phone; anyone can compute it, so these accounts are demo only.
"""

from __future__ import annotations

import hashlib

from django_otp.plugins.otp_totp.models import TOTPDevice

from qihang.accounts.mfa import DEVICE_NAME, mfa_required
from qihang.accounts.models import User
from qihang.institutions.models import Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor

DEMO_SECRET_PREFIX = "qihang-demo-totp:"  # noqa: S105 — published on purpose


def demo_key(email: str) -> str:
    """The demo device's key (hex) for `email`, the same on every demo load."""
    seed = (DEMO_SECRET_PREFIX + email.strip().lower()).encode()
    return hashlib.sha1(seed, usedforsecurity=False).hexdigest()  # a published secret


def bind_demo_devices(institution_ids: list[int]) -> list[str]:
    """A confirmed device for each staff member of these institutions (and each platform
    administrator) whom mfa_required names; returns their e-mails."""
    pairs = (
        Membership.objects.filter(institution_id__in=institution_ids, is_active=True)
        .exclude(role=Role.GRADUATE)
        .values_list("user_id", "institution_id")
        .distinct()
    )
    users = {u.pk: u for u in User.objects.filter(pk__in={p[0] for p in pairs})}
    users |= {u.pk: u for u in User.objects.filter(is_platform_admin=True)}
    needed = {
        user_id
        for user_id, institution_id in pairs
        if mfa_required(build_actor(users[user_id], institution_id), users[user_id])
    } | {pk for pk, u in users.items() if u.is_platform_admin}
    bound = []
    for user_id in sorted(needed):
        user = users[user_id]
        if not user.email:
            continue
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, key=demo_key(user.email), confirmed=True
        )
        bound.append(user.email)
    return bound
