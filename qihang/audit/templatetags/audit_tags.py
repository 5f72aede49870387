"""`{% audit_trail obj %}`: a record's audit entries on its own page (audit/_trail.html)."""

from __future__ import annotations

from typing import Any

from django import template

from qihang.audit.selectors import audit_for

register = template.Library()


@register.inclusion_tag("audit/_trail_entries.html", takes_context=True)
def audit_trail(context: template.Context, obj: Any) -> dict[str, Any]:
    return {"entries": audit_for(context.get("actor"), obj)}
