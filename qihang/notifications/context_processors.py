from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from qihang.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The navigation's unread count: one COUNT, and only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user_id=user.pk))}
