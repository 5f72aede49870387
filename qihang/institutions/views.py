"""Choosing the institution one acts in, and the platform administrators' institution list."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.institutions.forms import InstitutionForm
from qihang.institutions.models import Institution
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY, ObjectId, signed_in, takes_ids
from qihang.institutions.selectors import (
    SESSION_INSTITUTIONS_KEY,
    can_act_in,
    first_institution_id,
    institutions_of,
    platform_overview,
)
from qihang.institutions.services import institution_create


def begin_session(request: HttpRequest, user: Any, institution_id: int | None = None) -> None:
    """After sign-in: act in `institution_id` or the first membership's institution, and
    remember the institutions the header's switcher offers."""
    if institution_id is None:
        institution_id = first_institution_id(user)
    if institution_id is None and user.is_platform_admin:
        institution_id = Institution.objects.order_by("pk").values_list("pk", flat=True).first()
    if institution_id is None:
        request.session.pop(SESSION_INSTITUTION_KEY, None)
    else:
        request.session[SESSION_INSTITUTION_KEY] = institution_id
    request.session[SESSION_INSTITUTIONS_KEY] = [[i.pk, i.name] for i in institutions_of(user)]
    if hasattr(request, "actor"):
        del request.actor  # built for the previous institution


def platform_admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_platform_admin:
            raise PermissionDenied("platform administrators only")
        return view(request, *args, **kwargs)

    return wrapper


def _safe_next(request: HttpRequest, fallback: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    from django.urls import reverse

    return reverse(fallback)


@takes_ids(institution=ObjectId("institutions.Institution"))
@signed_in
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Act in another institution where one holds a membership (platform admins: any)."""
    try:
        institution_id = int(request.POST.get("institution", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not can_act_in(request.user, institution_id):
        raise Http404
    begin_session(request, request.user, institution_id)
    name = Institution.objects.values_list("name", flat=True).get(pk=institution_id)
    messages.success(request, _("已切换到 %(name)s。") % {"name": name})
    # The page one came from may name an object of the previous institution: go home.
    return redirect("web:home")


@takes_ids()
@signed_in
@platform_admin_only
def platform_list(request: HttpRequest) -> HttpResponse:
    """Platform administrators: every institution, with a form to register a new one."""
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = institution_create(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                short_name=form.cleaned_data["short_name"],
                actor_id=request.user.pk,
            )
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("已创建学校 %(name)s。切换到该校后，可在“人员与权限”中添加就业指导中心人员。")
                % {"name": institution.name},
            )
            return redirect("institutions:platform_list")
    current = request.session.get(SESSION_INSTITUTION_KEY)
    return render(
        request,
        "institutions/platform_list.html",
        {"institutions": platform_overview(), "form": form, "current_id": current},
    )
