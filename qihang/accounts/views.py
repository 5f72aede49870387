"""Sign-in, invitations and passwords; staff accounts; personal API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from qihang.accounts import mfa, selectors, services
from qihang.accounts.backends import find_user
from qihang.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    StaffEditForm,
    StaffForm,
    TotpCodeForm,
    TotpRebindForm,
)
from qihang.accounts.models import User
from qihang.institutions import services as institution_services
from qihang.institutions.models import Institution, Membership, MembershipInvitation
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, public, requires, signed_in, takes_ids
from qihang.institutions.views import begin_session

IDENTIFIER_BACKEND = "qihang.accounts.backends.IdentifierBackend"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _landing(request: HttpRequest, user: User) -> str:
    """Where a person goes after signing in: the page they asked for, or their home page."""
    if target := _next_url(request):
        return target
    if not user.memberships.filter(is_active=True).exists():
        if user.memberships.filter(invitation=MembershipInvitation.PENDING).exists():
            return reverse("accounts:invitations")
        if user.is_platform_admin:
            return reverse("institutions:platform_list")
        # An employer's account (staff of no institution) works in the employer portal, or
        # waits there for its organisation's administrator to accept it.
        if user.employer_memberships.filter(is_active=True).exists():
            return reverse("employer_portal:home")
        if user.employer_memberships.exists():
            return reverse("employer_portal:waiting")
    return reverse("web:home")


# --- Sign-in and out -------------------------------------------------------------------------------
@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated and actor_of(request):
        return redirect(_landing(request, request.user))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user_cache
        auth_login(request, user)  # rotates the session key (no fixation)
        begin_session(request, user)
        return redirect(_landing(request, user))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("您已退出登录。"))
    return redirect("accounts:login")


# --- The second factor (accounts.mfa; the middleware sends people here) ---------------------------
def _after_code(request: HttpRequest) -> str:
    return _next_url(request) or _landing(request, request.user)


def _with_next(request: HttpRequest, name: str) -> str:
    target = _next_url(request)
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


def _code_accepted(request: HttpRequest, device: Any) -> None:
    """The session is verified from now on: a new session key for the stronger sign-in."""
    request.session.cycle_key()
    otp_login(request, device)


# signed_in, not requires(None): a platform administrator before any institution exists has no
# actor, and owes a code all the same.
@takes_ids()
@signed_in
@sensitive_post_parameters("code")
@never_cache
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user, actor = request.user, actor_of(request)
    if not mfa.mfa_required(actor, user) or user.is_verified():
        return redirect(_after_code(request))
    if mfa.confirmed_device(user) is None:
        return redirect(_with_next(request, "accounts:mfa_enrol"))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.mfa_verify(user=user, actor=actor, code=form.cleaned_data["code"])
        except mfa.MfaRefused as exc:
            form.add_error("code", str(exc))
        else:
            _code_accepted(request, device)
            return redirect(_after_code(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@takes_ids()
@signed_in
@sensitive_post_parameters("code")
@never_cache
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user, actor = request.user, actor_of(request)
    if not mfa.mfa_required(actor, user):
        return redirect(_after_code(request))
    if mfa.confirmed_device(user) is not None:
        # Binding another needs the current one's code: that is the rebind page's form.
        return redirect("accounts:mfa_rebind" if user.is_verified() else "accounts:mfa_verify")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.mfa_enrol(user=user, actor=actor, code=form.cleaned_data["code"])
        except mfa.MfaRefused as exc:
            form.add_error("code", str(exc))
        else:
            _code_accepted(request, device)
            messages.success(request, _("验证器已绑定。以后登录时，输入密码后还需输入验证码。"))
            return redirect(_after_code(request))
    return _enrol_page(request, form, template="accounts/mfa_enrol.html")


@takes_ids()
@signed_in
@sensitive_post_parameters("code", "current_code")
@never_cache
def mfa_rebind(request: HttpRequest) -> HttpResponse:
    """重新绑定: a new phone or app, proven by a code of the current one."""
    user, actor = request.user, actor_of(request)
    if not mfa.mfa_required(actor, user):
        return redirect("accounts:account")
    if mfa.confirmed_device(user) is None:
        return redirect("accounts:mfa_enrol")
    form = TotpRebindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.mfa_enrol(
                user=user,
                actor=actor,
                code=form.cleaned_data["code"],
                current_code=form.cleaned_data["current_code"],
            )
        except mfa.MfaRefused as exc:
            form.add_error(None, str(exc))
        else:
            _code_accepted(request, device)
            messages.success(request, _("已重新绑定验证器，原验证器的验证码不再有效。"))
            return redirect("accounts:account")
    return _enrol_page(request, form, template="accounts/mfa_rebind.html")


def _enrol_page(request: HttpRequest, form: Any, *, template: str) -> HttpResponse:
    device = mfa.pending_device(request.user)
    # never_cache on the views: the secret on this page is not kept by any cache.
    return render(
        request,
        template,
        {
            "form": form,
            "qr": mfa.qr_svg(device),
            "secret": mfa.secret_text(device),
            "next": _next_url(request),
        },
    )


# --- Invitations, forgotten passwords ----------------------------------------------------------------
class InvitationAcceptView(PasswordResetConfirmView):
    """The link from an invitation or a reset e-mail: choose a password, then you're signed in.

    Django's view moves the token from the URL into the session and redirects to
    ".../set-password/", so the token never leaks through the Referer header.
    """

    template_name = "accounts/invitation_accept.html"
    form_class = SetPasswordForm
    post_reset_login = True
    post_reset_login_backend = IDENTIFIER_BACKEND

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        # A deactivated person's old link must not bring them back.
        if user is not None and not user.is_platform_admin:
            if not Membership.objects.filter(user=user, is_active=True).exists():
                return None
        return user

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        services.invitation_accept(user=user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        auth_login(self.request, user, IDENTIFIER_BACKEND)
        begin_session(self.request, user)
        messages.success(self.request, _("密码已设置，欢迎使用启航。"))
        return HttpResponseRedirect(_landing(self.request, user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["invited_user"] = self.user if self.validlink else None
        return context


invitation_accept = public(InvitationAcceptView.as_view())

# One reset e-mail per account per this many seconds, however often the form is sent.
RESET_THROTTLE_SECONDS = 300


@public
@csrf_protect
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        institution = form.cleaned_data.get("institution")
        user = find_user(form.cleaned_data["username"], institution.code if institution else "")
        if user is not None and cache.add(f"qihang:reset:{user.pk}", 1, RESET_THROTTLE_SECONDS):
            services.password_reset_send(user=user)
        # The same answer whether or not the account exists.
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset.html", {"form": form})


# --- One's own account ----------------------------------------------------------------------------------
@takes_ids()
@requires(None)
def account(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("institution")
        .prefetch_related("departments")
        .order_by("institution__code", "role")
    )
    pending = Membership.objects.filter(
        user=request.user, invitation=MembershipInvitation.PENDING
    ).values("institution_id")
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": memberships,
            "actor": actor_of(request),
            "pending_invitations": pending.distinct().count(),
            "mfa_required": mfa.mfa_required(actor_of(request), request.user),
        },
    )


@takes_ids()
@requires(None)
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(user=request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(
            actor=actor_of(request),
            user=request.user,
            password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, request.user)  # stay signed in here only
        messages.success(request, _("密码已修改。其他设备上的登录已失效。"))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


# --- Staff ----------------------------------------------------------------------------------------------------
STAFF_PAGE_SIZE = 50


@takes_ids()
@requires(Perm.STAFF_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    role = request.GET.get("role", "")
    if role not in {r.value for r in services.STAFF_ROLES}:
        role = ""
    q = request.GET.get("q", "").strip()
    include_inactive = request.GET.get("inactive") == "1"
    people = selectors.staff_directory(
        actor=actor, role=role, q=q, include_inactive=include_inactive
    )
    page = Paginator(people, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page": page,
            "role": role,
            "q": q,
            "include_inactive": include_inactive,
            "roles": services.STAFF_ROLES,
            "total": len(people),
        },
    )


def _send_invitation(request: HttpRequest, member: selectors.StaffMember) -> None:
    """(Re)send what the person needs: a set-password link for an account this institution
    holds, a notice of the pending invitation otherwise. The same words either way."""
    actor = actor_of(request)
    user = member.user
    try:
        if member.is_pending:
            sent = services.staff_invitation_notify(actor=actor, user=user)
            shared = False
        else:
            result = services.invitations_send(actor=actor, users=[user])
            sent, shared = result.sent == 1, result.shared == 1
    except services.InvitationError:
        messages.error(request, _("邀请邮件发送失败：邮件服务器暂时无法连接，请稍后重新发送。"))
        return
    if sent:
        messages.success(request, _("已向 %(email)s 发送邀请邮件。") % {"email": user.email})
    elif shared:
        messages.warning(
            request,
            _("此账号也在其他单位使用，不能由本校重设密码；请本人在登录页用“忘记密码”设置。"),
        )
    else:
        messages.warning(
            request, _("%(user)s 没有电子邮箱，无法发送邀请。") % {"user": member.name}
        )


@takes_ids(departments=ObjectId("institutions.Department"))
@requires(Perm.STAFF_MANAGE)
def staff_create(request: HttpRequest) -> HttpResponse:
    """Add a person by e-mail. The answer is the same whether the address is new, an account
    of this institution, or one held elsewhere (which gets an invitation to accept)."""
    actor = actor_of(request)
    form = StaffForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = services.staff_create(
                actor=actor,
                display_name=data["display_name"],
                email=data["email"],
                roles=data["roles"],
                departments=list(data["departments"]),
                title=data["title"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            try:
                if added.outcome == services.StaffAddOutcome.INVITED:
                    services.staff_invitation_notify(actor=actor, user=added.user)
                elif not added.user.has_usable_password():
                    services.invitations_send(actor=actor, users=[added.user])
            except services.InvitationError:
                messages.error(
                    request,
                    _("已添加，但邀请邮件发送失败：邮件服务器暂时无法连接，请稍后重新发送。"),
                )
            else:
                messages.success(
                    request,
                    _("已添加 %(email)s。需要对方操作的，邀请邮件已发出。")
                    % {"email": data["email"].strip().lower()},
                )
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "member": None})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@takes_ids(departments=ObjectId("institutions.Department"))
@requires(Perm.STAFF_MANAGE)
def staff_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = actor_of(request)
    member = selectors.staff_member(actor=actor, membership_id=membership_id)
    active = member.active_memberships
    initial = {
        "display_name": member.name,
        "roles": [m.role for m in active],
        "departments": member.departments,
        "title": member.title,
    }
    form = StaffEditForm(request.POST or None, actor=actor, initial=initial)
    if not services.staff_name_editable(actor=actor, member=member):
        del form.fields["display_name"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_update(
                actor=actor,
                user=member.user,
                display_name=data.get("display_name", ""),
                roles=data["roles"],
                departments=list(data["departments"]),
                title=data["title"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(user)s 的角色。") % {"user": member.name})
            return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "member": member, "membership_id": membership_id},
    )


@takes_ids()
@requires(Perm.STAFF_MANAGE)
@require_POST
def staff_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = actor_of(request)
    member = selectors.staff_member(actor=actor, membership_id=membership_id)
    try:
        services.staff_deactivate(actor=actor, user=member.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已停用 %(user)s 在本校的全部角色。") % {"user": member.name})
    return redirect("accounts:staff_list")


@takes_ids()
@requires(Perm.STAFF_MANAGE)
@require_POST
def staff_invite(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = selectors.staff_member(actor=actor_of(request), membership_id=membership_id)
    _send_invitation(request, member)
    return redirect("accounts:staff_list")


# --- One's invitations from other institutions ----------------------------------------------------
@takes_ids()
@signed_in
def invitations(request: HttpRequest) -> HttpResponse:
    """Invitations waiting for the person's answer, and what was done to their account."""
    return render(
        request,
        "accounts/invitations.html",
        {
            "pending": selectors.invitations_by_institution(request.user),
            "events": selectors.account_events(request.user),
        },
    )


@takes_ids(institution=ObjectId("institutions.Institution"))
@signed_in
@require_POST
def invitation_respond(request: HttpRequest) -> HttpResponse:
    answer = request.POST.get("answer", "")
    try:
        institution_id = int(request.POST.get("institution", ""))
    except ValueError as exc:
        raise Http404 from exc
    if answer not in {"accept", "decline"}:
        raise Http404
    try:
        institution_services.membership_invitation_respond(
            user=request.user, institution_id=institution_id, accept=answer == "accept"
        )
    except ObjectDoesNotExist as exc:
        raise Http404 from exc  # not invited there (or already answered): nothing to show
    name = Institution.objects.values_list("name", flat=True).get(pk=institution_id)
    if answer == "accept":
        begin_session(request, request.user, institution_id)
        messages.success(request, _("已加入%(name)s。") % {"name": name})
        return redirect("web:home")
    messages.info(request, _("已谢绝%(name)s的邀请。") % {"name": name})
    return redirect("accounts:invitations")


# --- API tokens -------------------------------------------------------------------------------------------------
# One page and one revoke action for both kinds of owner: staff (their institution's tokens,
# below) and employer administrators (their organisation's, employers.portal). The selector
# and the service tell the two apart by the actor; only the template around the list differs.
def api_tokens_page(
    request: HttpRequest, *, template: str, revoke_url: str, context: dict[str, Any]
) -> HttpResponse:
    actor = actor_of(request)
    form = ApiTokenForm(request.POST or None)
    created_token = None
    if request.method == "POST" and form.is_valid():
        _token, created_token = services.api_token_create(
            actor=actor, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    response = render(
        request,
        template,
        {
            **context,
            "form": form,
            "tokens": selectors.api_tokens(actor),
            "created_token": created_token,
            "revoke_url": revoke_url,
            "docs_url": reverse("api:openapi-view"),
        },
    )
    if created_token:
        response["Cache-Control"] = "no-store"  # the secret is on this page, once
    return response


def api_token_revoke_and_redirect(request: HttpRequest, *, redirect_to: str) -> HttpResponse:
    """Revoke one of the actor's own tokens (another's, or another employer's, is a 404)."""
    actor = actor_of(request)
    try:
        token_id = int(request.POST.get("token", ""))
    except ValueError:
        token_id = 0
    token = get_object_or_404(selectors.api_tokens(actor), pk=token_id)
    services.api_token_revoke(actor=actor, token=token)
    messages.success(
        request, _("令牌“%(name)s”已吊销，使用它的程序将无法再访问。") % {"name": token.name}
    )
    return redirect(redirect_to)


@takes_ids()
@requires(Perm.ROSTER_VIEW)
def api_tokens(request: HttpRequest) -> HttpResponse:
    institution = Institution.objects.only("name").get(pk=actor_of(request).institution_id)
    return api_tokens_page(
        request,
        template="accounts/api_tokens.html",
        revoke_url=reverse("accounts:api_token_revoke"),
        context={"institution": institution},
    )


@takes_ids(token=ObjectId("accounts.ApiToken"))
@requires(Perm.ROSTER_VIEW)
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    return api_token_revoke_and_redirect(request, redirect_to=reverse("accounts:api_tokens"))
