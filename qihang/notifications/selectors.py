"""Reads for notifications: always the signed-in person's own rows."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from qihang.notifications.kinds import KINDS, Kind, Mode
from qihang.notifications.models import Notification, Preference


def inbox(*, user_id: int) -> QuerySet[Notification]:
    """Unread first, then newest first (the notification_inbox index)."""
    return Notification.objects.filter(recipient_id=user_id).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def preferences(*, user_id: int) -> list[dict[str, Any]]:
    """Every kind with the person's mode (or the default) and whether they may change it."""
    chosen = dict(Preference.objects.filter(user_id=user_id).values_list("kind", "mode"))
    rows = []
    for kind in Kind:
        spec = KINDS[kind]
        rows.append(
            {
                "kind": kind,
                "label": kind.label,
                "mode": Mode.INSTANT if spec.mandatory else Mode(chosen.get(kind, spec.default)),
                "mandatory": spec.mandatory,
                "channels": sorted(spec.channels),
            }
        )
    return rows
