"""The seam for campus single sign-on (CAS / OIDC). Nothing here talks to an identity provider yet.

Universities run CAS or OIDC for their staff and students. When a school asks for it:

1. Write a backend (e.g. ``qihang/accounts/sso_backends.py: CampusOIDCBackend``) whose
   ``authenticate(request, **credentials)`` validates the CAS ticket or OIDC ID token with the
   client library of choice, builds an :class:`ExternalIdentity`, and returns
   ``user_for_external_identity(identity)``.
2. Add its dotted path to ``AUTHENTICATION_BACKENDS`` in ``qihang/settings.py`` *after*
   ``axes.backends.AxesStandaloneBackend`` (the comment there marks the place), and the
   provider's settings through environment variables like the rest of the settings.
3. Add the redirect and callback views to ``qihang/accounts/urls.py``, marked ``@public``; after
   ``django.contrib.auth.login`` call ``qihang.institutions.views.begin_session`` exactly as the
   password sign-in does.

Rules the seam keeps: single sign-on only *identifies* people. It never creates accounts or grants
roles — graduates' accounts come from the roster and staff accounts from the career centre, so
what someone may see is still decided by their memberships in Qihang.
"""

from __future__ import annotations

from dataclasses import dataclass

from qihang.accounts.models import User


@dataclass(frozen=True)
class ExternalIdentity:
    """What an identity provider tells us about a person."""

    institution_code: str  # which school's provider vouched for the person
    provider: str  # "cas", "oidc", …
    subject: str  # the provider's stable id: usually the 学号 (students) or 工号 (staff)
    email: str = ""
    display_name: str = ""


def user_for_external_identity(identity: ExternalIdentity) -> User | None:
    """The Qihang account of an externally identified person, or None if they have none.

    Graduates are matched by 学号 within the vouching institution; staff by e-mail, and only if
    they hold an active membership there (a provider of school A cannot sign people into school
    B's roles).
    """
    from qihang.graduates.models import Graduate
    from qihang.institutions.models import Membership

    code = identity.institution_code.strip()
    subject = identity.subject.strip()
    if not code:
        return None
    if subject:
        graduate = (
            Graduate.objects.filter(institution__code=code, student_no=subject, user__isnull=False)
            .select_related("user")
            .first()
        )
        if graduate is not None and graduate.user.is_active:
            return graduate.user
    email = identity.email.strip()
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if (
            user is not None
            and Membership.objects.filter(
                user=user, institution__code=code, is_active=True
            ).exists()
        ):
            return user
    return None
