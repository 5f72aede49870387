"""The inbox and the notification settings: a person's own, whatever institution sent it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qihang.institutions.scoping import ObjectId, signed_in, takes_ids
from qihang.notifications import selectors, services
from qihang.notifications.delivery import rendered_body
from qihang.notifications.kinds import Kind, Mode

PAGE_SIZE = 30


@takes_ids()
@signed_in
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(user_id=request.user.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for notification in page.object_list:
        notification.text = rendered_body(notification, for_inbox=True)
    return render(request, "notifications/inbox.html", {"page": page})


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@takes_ids(notification=ObjectId("notifications.Notification"))
@signed_in
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the listed notifications read (someone else's ids change nothing); with `open`,
    go on to the one notification's page."""
    ids = _ids(request.POST.getlist("notification"))
    services.notifications_mark_read(user=request.user, ids=ids)
    if "open" in request.POST and len(ids) == 1:
        link = (
            selectors.inbox(user_id=request.user.pk)
            .filter(pk=ids[0])
            .values_list("link", flat=True)
            .first()
        )
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
            return redirect(link)
    return redirect("notifications:inbox")


@takes_ids()
@signed_in
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("notifications:inbox")


@takes_ids()
@signed_in
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preferences(user_id=request.user.pk)
    if request.method == "POST":
        valid = set(Mode.values)
        chosen = {
            row["kind"]: request.POST.get(row["kind"], "")
            for row in rows
            if not row["mandatory"] and request.POST.get(row["kind"], "") in valid
        }
        services.preferences_update(user=request.user, modes=chosen)
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "modes": Mode.choices, "kinds": Kind},
    )
