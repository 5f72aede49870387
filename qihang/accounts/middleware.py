"""The second factor, enforced once for every request (accounts.mfa has the rule and the codes).

Placed after django-otp's OTPMiddleware: a signed-in person whom `mfa_required` names and whose
session has not confirmed a code is sent to the code page (or, without a device, to binding
one) from every page but those listed in EXEMPT_NAMES and the static files. The API is
authenticated by tokens, which this leaves alone; a session-authenticated API call of such a
person is refused with 403 and a JSON body, since a script cannot follow a redirect to a form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from qihang.accounts.mfa import confirmed_device, mfa_required
from qihang.institutions.scoping import actor_of

# Pages a person who still owes a code may open: the code pages, signing out, the language.
# (A health check, when there is one, belongs here too.)
EXEMPT_NAMES = ("accounts:mfa_verify", "accounts:mfa_enrol", "accounts:logout", "set_language")
API_PREFIX = "/api/"
# In Chinese like the API's other answers (api.auth's CSRF_FAILED), which are not translated.
MFA_PENDING = "此账号需要先在网页上输入动态验证码，才能用登录会话调用 API。"


@cache
def _exempt_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in EXEMPT_NAMES)


def owes_code(request: HttpRequest) -> bool:
    """Signed in with a password only, by a person who needs a second factor here."""
    user = request.user
    if not user.is_authenticated or not mfa_required(actor_of(request), user):
        return False
    # is_verified comes from django-otp's OTPMiddleware; a request that did not pass through
    # it has confirmed nothing.
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


class MfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._gate(request) or self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path in _exempt_paths() or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        if path.startswith(API_PREFIX) and "HTTP_AUTHORIZATION" in request.META:
            return None  # a token's request: the token is the credential (api.auth)
        if not owes_code(request):
            return None
        if path.startswith(API_PREFIX):
            return JsonResponse({"detail": MFA_PENDING}, status=403)
        target = "accounts:mfa_verify" if confirmed_device(request.user) else "accounts:mfa_enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
