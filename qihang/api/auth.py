"""API authentication: personal tokens sent as `Authorization: Bearer qh_<prefix>_<secret>`,
or the signed-in browser session (the pages' own login, for htmx and scripts in the app).

A token acts as its user within the token's institution (or, an employer's token, for its
employer organisation): the same Actor, permissions and scoping as that person's pages. A
session acts as the pages do (scoping.actor_of: the institution or employer chosen in the
session), and unsafe methods need the CSRF token like a form post. Revoked tokens, deactivated
accounts and ended memberships stop working at once (the actor is rebuilt on every request).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from qihang.accounts.middleware import MFA_PENDING, owes_code
from qihang.accounts.services import api_token_authenticate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, actor_of, build_actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FAILED = "CSRF 校验失败：用登录会话调用写操作时请在请求头 X-CSRFToken 中携带页面的 CSRF 令牌。"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        api_token = api_token_authenticate(token)
        if api_token is None or not api_token.user.is_active:
            return None
        if api_token.employer_id is not None:
            actor = build_actor(api_token.user, None, employer_id=api_token.employer_id)
        else:
            actor = build_actor(api_token.user, api_token.institution_id)
        if actor is None:
            return None
        request.actor = actor  # type: ignore[attr-defined]  # what scoping.actor_of() reads
        request.api_token = api_token  # type: ignore[attr-defined]
        return actor


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in person, as the pages see them.

    The CSRF check comes after the session is known to sign the request (ninja's own cookie
    check would answer 403 to a request that carries no credentials at all, which is a 401),
    and only for unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if not key or not request.user.is_authenticated:
            return None
        if owes_code(request):
            # The middleware answers this already, unless a request also sent a token that
            # did not authenticate: the session must not stand in for the second factor.
            raise HttpError(403, MFA_PENDING)
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, CSRF_FAILED)
        return actor_of(request)


def api_requires(perm: Perm) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an operation with the permission it needs and enforce it (403), like
    `scoping.requires` for pages; tests/api/test_api_walk.py reads `required_permission`."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor: Actor = request.auth  # type: ignore[attr-defined]
            actor.require(perm)
            return func(request, *args, **kwargs)

        wrapper.required_permission = perm  # type: ignore[attr-defined]
        return wrapper

    return decorator
