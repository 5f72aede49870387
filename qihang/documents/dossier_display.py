"""The dossier's fields as people read them (labels and choice names), for its page, history and
export — derived from the one field list, models.DOSSIER_FIELDS."""

from __future__ import annotations

from typing import Any

from qihang.documents.models import DOSSIER_FIELDS, Dossier


def label(name: str) -> str:
    return str(Dossier._meta.get_field(name).verbose_name)


def shown(name: str, value: Any) -> str:
    field = Dossier._meta.get_field(name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def rows(dossier: Dossier | None) -> list[tuple[str, str]]:
    if dossier is None:
        return []
    return [(label(n), shown(n, getattr(dossier, n))) for n in DOSSIER_FIELDS]


def change_rows(change: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) of one DossierChange."""
    return [
        (label(n), shown(n, change.before.get(n)), shown(n, change.after.get(n)))
        for n in DOSSIER_FIELDS
        if n in change.after or n in change.before
    ]
