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
