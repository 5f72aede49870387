"""The employer portal (/employer/…): self-registration, the organisation's profile and
accounts, its standing at each institution and the one-click request to another.

Employer accounts act for their organisation only: every read is `scoped` to the actor's
employer, so another organisation's standings or accounts look like missing ones (404).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from qihang.accounts.views import api_token_revoke_and_redirect, api_tokens_page
from qihang.employers import selectors, services
from qihang.employers.forms import InviteForm, ProfileForm, RegistrationForm
from qihang.employers.models import EmployerMember
from qihang.employers.services import PROFILE_FIELDS, Registration
from qihang.institutions.models import Institution
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    ObjectId,
    actor_of,
    get_scoped_or_404,
    public,
    requires,
    signed_in,
    takes_ids,
)
from qihang.lib.files import private_file_response
from qihang.lib.ratelimit import over_limit

# Registrations per client address per hour: enough for a career fair's shared Wi-Fi, too
# few for a script filling the table with organisations.
REGISTRATIONS_PER_HOUR = getattr(settings, "QIHANG_REGISTRATIONS_PER_HOUR", 20)


def _rate_limited(request: HttpRequest) -> bool:
    return over_limit(
        f"employer-register:{request.META.get('REMOTE_ADDR', '')}",
        limit=REGISTRATIONS_PER_HOUR,
        seconds=3600,
    )


@public
@sensitive_post_parameters("password", "password2")
@csrf_protect
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request):
            return render(
                request, "employers/register.html", {"form": form, "limited": True}, status=429
            )
        data = form.cleaned_data
        try:
            result = services.employer_register(
                data=Registration(
                    **{f: data[f] for f in PROFILE_FIELDS if f in data},
                    credit_code=data["credit_code"],
                    account_name=data["account_name"],
                    account_email=data["account_email"],
                    password=data["password"],
                    institution=data["institution"],
                    title=data.get("title") or "",
                ),
                licence=data.get("licence"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            if result.created:
                messages.success(
                    request,
                    _("注册成功：请用登录邮箱和密码登录，%(institution)s将审核贵单位。")
                    % {"institution": data["institution"].name},
                )
            else:
                # Nothing about the organisation: only that the request waits.
                messages.info(
                    request,
                    _(
                        "该信用代码的单位已在平台注册。您的加入申请已提交，待该单位管理员确认后即可使用。"
                    ),
                )
            return redirect("accounts:login")
    return render(request, "employers/register.html", {"form": form})


@signed_in
@takes_ids()
def waiting(request: HttpRequest) -> HttpResponse:
    """Where an account lands whose request to join an organisation is not answered yet."""
    return render(
        request, "employers/waiting.html", {"waiting": selectors.waiting_memberships(request.user)}
    )


# --- The portal -----------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    employer = selectors.portal_employer(actor)
    standings = selectors.portal_standings(actor)
    return render(
        request,
        "employers/portal_home.html",
        {
            "employer": employer,
            "standings": standings,
            "to_ask": selectors.institutions_to_ask(actor, standings),
            "can_manage": actor.has(Perm.EMPLOYER_MANAGE),
            "labels": selectors.labels_of(employer),
        },
    )


@takes_ids()
@requires(Perm.EMPLOYER_MANAGE)
def profile(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    employer = selectors.portal_employer(actor)
    form = ProfileForm.for_employer(employer, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in PROFILE_FIELDS if f in form.cleaned_data}
        try:
            fields = services.employer_update(
                actor=actor, employer=employer, data=data, licence=form.cleaned_data.get("licence")
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。") if fields else _("没有修改。"))
            return redirect("employer_portal:home")
    return render(request, "employers/portal_profile.html", {"form": form, "employer": employer})


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def licence(request: HttpRequest) -> HttpResponse:
    employer = selectors.portal_employer(actor_of(request))
    if not employer.licence_file:
        raise Http404
    return private_file_response(
        services.licence_bytes(employer),
        filename=employer.licence_name,
        content_type=employer.licence_content_type,
        preview=request.GET.get("preview") == "1",
    )


@takes_ids(institution=ObjectId("institutions.Institution"))
@requires(Perm.EMPLOYER_MANAGE)
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    """Ask another institution with one click: the profile and licence go as they are."""
    actor = actor_of(request)
    employer = selectors.portal_employer(actor)
    try:
        institution = Institution.objects.get(pk=int(request.POST.get("institution", "")))
    except (ValueError, Institution.DoesNotExist):
        raise Http404 from None
    try:
        services.standing_request(actor=actor, employer=employer, institution=institution)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("已向%(institution)s提交认证申请。") % {"institution": institution.name}
        )
    return redirect("employer_portal:home")


@takes_ids()
@requires(Perm.EMPLOYER_PORTAL)
def members(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "employers/portal_members.html",
        {
            "employer": selectors.portal_employer(actor),
            "members": selectors.portal_members(actor),
            "can_manage": actor.has(Perm.EMPLOYER_MANAGE),
            "form": InviteForm(),
        },
    )


@takes_ids()
@requires(Perm.EMPLOYER_MANAGE)
@require_POST
def member_invite(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.member_invite(
                actor=actor, employer=selectors.portal_employer(actor), **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已发送邀请邮件。"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("employer_portal:members")


@takes_ids(member=ObjectId("employers.EmployerMember"))
@requires(Perm.EMPLOYER_MANAGE)
@require_POST
def member_change(request: HttpRequest) -> HttpResponse:
    """accept / decline a request to join; deactivate / activate an account."""
    actor = actor_of(request)
    member = get_scoped_or_404(
        EmployerMember.objects.select_related("employer"), actor, pk=request.POST.get("member") or 0
    )
    answer = request.POST.get("answer", "")
    try:
        if answer in ("accept", "decline"):
            services.member_answer(actor=actor, member=member, accept=answer == "accept")
        elif answer in ("activate", "deactivate"):
            services.member_set_active(actor=actor, member=member, active=answer == "activate")
        else:
            raise ValidationError(_("未知的操作：%(name)s") % {"name": answer})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已更新。"))
    return redirect("employer_portal:members")


# --- API tokens (the organisation's administrators) -----------------------------------------------
# The staff token page's view and template (accounts): a token made here acts for this
# organisation only (accounts.services.api_token_create reads the employer actor).
@takes_ids()
@requires(Perm.EMPLOYER_MANAGE)
def api_tokens(request: HttpRequest) -> HttpResponse:
    return api_tokens_page(
        request,
        template="employers/portal_tokens.html",
        revoke_url=reverse("employer_portal:api_token_revoke"),
        context={"employer": selectors.portal_employer(actor_of(request))},
    )


@takes_ids(token=ObjectId("accounts.ApiToken"))
@requires(Perm.EMPLOYER_MANAGE)
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    return api_token_revoke_and_redirect(request, redirect_to=reverse("employer_portal:api_tokens"))
