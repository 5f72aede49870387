from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from qihang.institutions.scoping import actor_of


def actor(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"actor": None, "actor_institution": None}
    current = actor_of(request)

    def institution() -> Any:
        from qihang.institutions.models import Institution

        return Institution.objects.filter(pk=current.institution_id).first() if current else None

    return {"actor": current, "actor_institution": SimpleLazyObject(institution)}
