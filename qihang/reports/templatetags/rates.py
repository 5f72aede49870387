"""Formatting of rates in templates: fractions shown as percentages, changes in points."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value: Any, places: int = 1) -> str:
    """0.4294 -> "42.9%"; None -> "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def points(value: Any) -> str:
    """A change of a rate (fraction) in percentage points: 0.012 -> "+1.2"."""
    if value is None or value == "":
        return "—"
    shown = _shown(value)
    return f"{shown:+.1f}" if shown else "0.0"


def _shown(value: Any) -> float:
    """The change as shown (points, one decimal), so the arrow agrees with the number."""
    return round(float(value) * 100, 1)


@register.filter
def trend(value: Any) -> str:
    """up / down / flat, for the arrow and its class."""
    if value is None or value == "":
        return ""
    shown = _shown(value)
    return "up" if shown > 0 else "down" if shown < 0 else "flat"


@register.filter
def trend_text(value: Any) -> str:
    """What a screen reader says for a change: "上升 1.2 个百分点"."""
    if value is None or value == "":
        return _("无上届同期数据")
    shown = _shown(value)
    if shown > 0:
        return _("上升 %(n).1f 个百分点") % {"n": shown}
    if shown < 0:
        return _("下降 %(n).1f 个百分点") % {"n": -shown}
    return _("持平")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
