"""The graduate's page "我的授权与数据": consents per purpose (grant, withdraw), the download
of everything held about them, and who read their sensitive data. Graduates only
(Perm.PRIVACY_OWN); each view reaches the acting graduate's own record through scoping, and
every answer carries personal data, so none is cached."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, requires, takes_ids
from qihang.lib.files import private_file_response
from qihang.privacy import selectors, services
from qihang.privacy.forms import DownloadForm, GrantForm, WithdrawForm
from qihang.privacy.models import Purpose

PAGE_SIZE = 30


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@takes_ids()
@requires(Perm.PRIVACY_OWN)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    graduate = selectors.own_graduate(actor_of(request))
    page = Paginator(selectors.reads_of_me(graduate), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "graduate": graduate,
        "states": selectors.consent_states(graduate),
        "page": page,
        "reads": selectors.read_rows(graduate, list(page.object_list)),
        "resume_sharing": Purpose.RESUME_SHARING,
    }
    return _no_store(render(request, "privacy/mine.html", context))


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@takes_ids()
@requires(Perm.PRIVACY_OWN)
@require_POST
def consent_grant(request: HttpRequest) -> HttpResponse:
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请在页面上选择要授权的用途。"))
        return redirect("privacy:mine")
    purpose = form.cleaned_data["purpose"]
    try:
        services.consent_grant(
            actor=actor_of(request), purpose=purpose, version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已授权：%(purpose)s。") % {"purpose": Purpose(purpose).label})
    return redirect("privacy:mine")


@takes_ids()
@requires(Perm.PRIVACY_OWN)
@require_POST
def consent_withdraw(request: HttpRequest) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请在页面上选择要撤回的用途。"))
        return redirect("privacy:mine")
    purpose = form.cleaned_data["purpose"]
    services.consent_withdraw(actor=actor_of(request), purpose=purpose)
    messages.success(
        request, _("已撤回：%(purpose)s，即时生效。") % {"purpose": Purpose(purpose).label}
    )
    return redirect("privacy:mine")


@takes_ids()
@requires(Perm.PRIVACY_OWN)
@require_POST
def download(request: HttpRequest) -> HttpResponse:
    """A POST: the download writes its read log and audit row."""
    form = DownloadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择 JSON 或 Excel 格式。"))
        return redirect("privacy:mine")
    name, data, content_type = services.my_data_download(
        actor=actor_of(request), fmt=form.cleaned_data["format"]
    )
    return private_file_response(data, filename=name, content_type=content_type)
