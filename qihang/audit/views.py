"""The audit pages: what was changed by whom, and every unmasked read of sensitive data."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, requires, scoped, takes_ids

PAGE_SIZE = 50


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _period(qs: QuerySet[Any], params: Any) -> tuple[QuerySet[Any], dict[str, Any]]:
    """Limit to [from, to] in the local calendar (both days included)."""
    start, end = _date(params.get("from", "")), _date(params.get("to", ""))
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz))
    if end:
        next_day = end + datetime.timedelta(days=1)
        qs = qs.filter(at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=tz))
    return qs, {"from": start, "to": end}


def _by_person(qs: QuerySet[Any], who: str) -> QuerySet[Any]:
    if not who:
        return qs
    return qs.filter(
        Q(actor__display_name__icontains=who)
        | Q(actor__username__icontains=who)
        | Q(actor__email__icontains=who)
    )


@takes_ids()
@requires(Perm.AUDIT_VIEW)
def events(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    base = scoped(AuditEvent, actor)
    qs = base.select_related("actor").order_by("-at", "-id")
    who = request.GET.get("who", "").strip()[:60]
    action = request.GET.get("action", "").strip()[:60]
    text = request.GET.get("q", "").strip()[:60]
    qs = _by_person(qs, who)
    if action:
        qs = qs.filter(action=action)
    if text:
        qs = qs.filter(Q(summary__icontains=text) | Q(target_id=text))
    qs, period = _period(qs, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.action_label = action_label(event.action)
    actions = [
        (code, action_label(code))
        for code in base.order_by("action").values_list("action", flat=True).distinct()
    ]
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "actions": actions,
            "action": action,
            "who": who,
            "q": text,
            "period": period,
        },
    )


@takes_ids()
@requires(Perm.AUDIT_VIEW)
def sensitive_reads(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    qs = scoped(SensitiveRead, actor).select_related("actor").order_by("-at", "-id")
    who = request.GET.get("who", "").strip()[:60]
    whose = request.GET.get("whose", "").strip()[:60]
    field = request.GET.get("field", "").strip()[:60]
    qs = _by_person(qs, who)
    if whose:
        qs = qs.filter(target_label__icontains=whose)
    if field:
        qs = qs.filter(field=field)
    qs, period = _period(qs, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for read in page.object_list:
        read.field_label = FIELD_LABELS.get(read.field, read.field)
    return render(
        request,
        "audit/sensitive_reads.html",
        {
            "page": page,
            "who": who,
            "whose": whose,
            "field": field,
            "fields": FIELD_LABELS,
            "period": period,
        },
    )


def action_label(code: str) -> Any:
    """What people call an action (qihang.audit.kinds); a code no longer listed, as it is."""
    return AuditAction(code).label if code in AuditAction.values else code


# How the log names the fields it records (model field names -> what people call them).
FIELD_LABELS: dict[str, Any] = {
    "id_number": _("身份证号"),
    "phone": _("手机号码"),
    "id_number,phone": _("身份证号、手机号码（不脱敏导出）"),
}
