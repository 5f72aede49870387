"""Set-password links: Django's password-reset token, so a link stops working once used.

Kept apart from services so the notifications app, which makes the link only when it sends
the message (a link that signs in is never stored), can use it without importing services.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qihang.accounts.models import User


def set_password_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:invitation_accept", kwargs={"uidb64": uidb64, "token": token})


def set_password_url(user: User) -> str:
    return absolute_url(set_password_path(user))


def absolute_url(path: str) -> str:
    """Links in messages: a task or command has no request to take the host from."""
    return settings.QIHANG_BASE_URL.rstrip("/") + path
