"""Test clients signed in as a person, for the benchmarks and the tests: as the login view
leaves a session, and, for someone who must confirm a TOTP code (accounts.mfa), with the code
confirmed through django-otp's own `login` (a device is bound if they have none)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.test import Client
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from qihang.accounts.mfa import DEVICE_NAME, confirmed_device, mfa_required
from qihang.institutions.models import Membership
from qihang.institutions.scoping import build_actor

IDENTIFIER_BACKEND = "qihang.accounts.backends.IdentifierBackend"


def needs_code(user: Any) -> bool:
    """Whether the person owes a code in any institution they may act in."""
    if mfa_required(None, user):
        return True
    institutions = Membership.objects.filter(user=user, is_active=True).values_list(
        "institution_id", flat=True
    )
    return any(mfa_required(build_actor(user, i), user) for i in sorted(set(institutions)))


def verify_session(client: Client, user: Any) -> TOTPDevice:
    """Mark the client's session as having confirmed a code of the person's device."""
    device = confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=True
    )
    request = HttpRequest()
    request.session = client.session  # a new SessionStore on each access: keep this one
    request.user = user
    otp_login(request, device)
    request.session.save()
    return device


def signed_in_client(user: Any, client: Client | None = None) -> Client:
    client = client or Client()
    client.force_login(user, backend=IDENTIFIER_BACKEND)
    if needs_code(user):
        verify_session(client, user)
    return client
