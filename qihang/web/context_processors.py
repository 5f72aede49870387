from typing import Any

from django.http import HttpRequest

from qihang.institutions.scoping import actor_of
from qihang.web.nav import nav_for


def nav(request: HttpRequest) -> dict[str, Any]:
    """The main navigation of the signed-in person (qihang.web.nav); built when a template
    reads it (a fragment or a file response never does)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav": []}
    cache: list[Any] = []

    def entries() -> list[Any]:
        if not cache:
            cache.append(nav_for(actor_of(request), request.path))
        return cache[0]

    return {"nav": entries}
