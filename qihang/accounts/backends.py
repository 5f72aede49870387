"""Sign-in by 学号 or e-mail.

学号 is unique only within an institution, so a 学号 that matches graduates of several
institutions needs the institution code too ("10001:2020001" or the login form's school field).
Campus single sign-on (CAS/OIDC) plugs in as another backend beside this one.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from qihang.accounts.models import User


def find_user(identifier: str, institution_code: str = "") -> User | None:
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    if ":" in identifier and not institution_code:
        institution_code, _, identifier = identifier.partition(":")
    by_username = User.objects.filter(username=identifier).first()
    if by_username is not None:
        return by_username
    from qihang.graduates.models import Graduate

    graduates = Graduate.objects.filter(student_no=identifier, user__isnull=False)
    if institution_code:
        graduates = graduates.filter(institution__code=institution_code)
    user_ids = list(graduates.values_list("user_id", flat=True)[:2])
    if len(user_ids) != 1:
        return None  # unknown, or ambiguous across institutions
    return User.objects.filter(pk=user_ids[0]).first()


# Prefix of lockout keys for identifiers that name no account, so that no spelling typed at the
# form can share a counter with a real account's internal username.
UNKNOWN_PREFIX = "?"


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The key django-axes counts login failures under (AXES_USERNAME_CALLABLE).

    The account the identifier resolves to (its internal username), whatever spelling was typed,
    so five failures lock the account and not only one way of writing it. An identifier that
    names no account is counted per normalised spelling (trimmed, lower case, with the school).
    Axes calls this with the typed identifier on a failure and with the internal username on a
    success (to reset the count), so an exact username is recognised first.
    """
    credentials = credentials or {}
    raw = str(credentials.get("username") or "")
    if not raw and request is not None:
        raw = str(getattr(request, "POST", {}).get("username", ""))
    institution = str(credentials.get("institution") or "")
    if not institution and request is not None:
        institution = str(getattr(request, "POST", {}).get("institution", ""))
    identifier = raw.strip()
    user = User.objects.filter(username=identifier).only("username").first()
    if user is None:
        user = find_user(identifier, institution)
    if user is not None:
        return user.username
    spelling = identifier.lower()
    if institution and ":" not in spelling and "@" not in spelling:
        spelling = f"{institution.strip()}:{spelling}"
    return f"{UNKNOWN_PREFIX}{spelling}"[:255]


class IdentifierBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        institution: str = "",
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = find_user(username, institution)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
