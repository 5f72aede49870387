"""API authentication: personal tokens sent as `Authorization: Bearer qh_<prefix>_<secret>`.

A token acts as its user within the token's institution: the same Actor, permissions and
scoping as that person's pages. Revoked tokens, deactivated accounts and ended memberships stop
working at once (the actor is rebuilt on every request).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from qihang.accounts.services import api_token_authenticate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, build_actor


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        api_token = api_token_authenticate(token)
        if api_token is None or not api_token.user.is_active:
            return None
        actor = build_actor(api_token.user, api_token.institution_id)
        if actor is None:
            return None
        request.actor = actor  # type: ignore[attr-defined]  # what scoping.actor_of() reads
        request.api_token = api_token  # type: ignore[attr-defined]
        return actor


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
