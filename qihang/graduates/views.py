"""The roster pages: list with filters, a graduate's profile, unmasking with a reason, mentors and
account invitations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.accounts import selectors as account_selectors
from qihang.accounts import services as account_services
from qihang.audit.services import reveal_sensitive
from qihang.graduates import selectors
from qihang.graduates.forms import (
    REVEALABLE_FIELDS,
    MentorAssignForm,
    RevealForm,
    RosterStatusForm,
)
from qihang.graduates.models import Gender, Graduate
from qihang.graduates.services import graduate_mentor_assign, graduate_roster_status_set
from qihang.institutions.models import Cohort, DegreeLevel
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, actor_of, get_scoped_or_404, requires, scoped

PAGE_SIZE = 50


def _status_choices() -> list[tuple[str, str]]:
    from qihang.destinations.models import ReviewStatus

    return [(selectors.STATUS_NONE, _("未填报"))] + list(ReviewStatus.choices)


def _account_summary(actor: Actor, cohort: Cohort) -> dict[str, int]:
    """How far the cohort's accounts are: one aggregate query."""
    unusable = Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    return (
        scoped(Graduate, actor)
        .filter(cohort=cohort)
        .aggregate(
            total=Count("pk"),
            without_account=Count("pk", filter=Q(user__isnull=True)),
            not_invited=Count(
                "pk", filter=Q(user__isnull=False, user__invited_at__isnull=True) & unusable
            ),
            invited=Count("pk", filter=Q(user__invited_at__isnull=False) & unusable),
            active=Count("pk", filter=Q(user__isnull=False) & ~unusable),
        )
    )


@requires(Perm.ROSTER_VIEW)
def graduate_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    available = selectors.cohorts(actor)
    cohort = selectors.cohort_for(actor, request.GET.get("cohort"), available)
    if cohort is None:
        return render(request, "graduates/list.html", {"cohort": None, "cohorts": []})
    filters = selectors.GraduateFilters.from_query(request.GET)
    graduates = selectors.graduate_list(actor=actor, cohort=cohort, filters=filters)
    page = Paginator(graduates, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(g, selectors.current_destination(g)) for g in page.object_list]
    can_assign = actor.has(Perm.MENTOR_ASSIGN)
    can_invite = actor.has(Perm.STAFF_MANAGE)
    return render(
        request,
        "graduates/list.html",
        {
            "cohort": cohort,
            "cohorts": available,
            "filters": filters,
            "options": selectors.filter_options(actor, cohort),
            "degree_levels": DegreeLevel.choices,
            "statuses": _status_choices(),
            "page": page,
            "rows": rows,
            "can_assign": can_assign,
            "can_invite": can_invite,
            "can_reveal": actor.has(Perm.SENSITIVE_REVEAL),
            "teachers": account_selectors.teachers(actor) if can_assign else [],
            "accounts": _account_summary(actor, cohort) if can_invite else None,
        },
    )


@requires(Perm.ROSTER_VIEW)
def graduate_detail(request: HttpRequest, graduate_id: int) -> HttpResponse:
    actor = actor_of(request)
    graduate = selectors.graduate_detail(actor=actor, graduate_id=graduate_id)
    return _detail(request, actor, graduate)


def _detail(
    request: HttpRequest, actor: Actor, graduate: Graduate, status_form: Any = None
) -> HttpResponse:
    can_assign = actor.has(Perm.MENTOR_ASSIGN)
    can_set_status = actor.has(Perm.ROSTER_IMPORT)
    if status_form is None and can_set_status:
        status_form = RosterStatusForm(
            initial={
                "status": graduate.roster_status,
                "reason": graduate.roster_status_reason,
                "on": graduate.roster_status_date,
            }
        )
    return render(
        request,
        "graduates/detail.html",
        {
            "status_form": status_form,
            "graduate": graduate,
            "destination": selectors.current_destination(graduate),
            "key_groups": [link.kind for link in graduate.graduatekeygroup_set.all()],
            "can_reveal": actor.has(Perm.SENSITIVE_REVEAL),
            "can_assign": can_assign,
            "can_invite": actor.has(Perm.STAFF_MANAGE),
            "teachers": account_selectors.teachers(actor) if can_assign else [],
            "revealable": REVEALABLE_FIELDS,
            "genders": Gender,
        },
    )


@requires(Perm.ROSTER_IMPORT)
@require_POST
def roster_status(request: HttpRequest, graduate_id: int) -> HttpResponse:
    """Record that the graduate left the cohort (or is back): counted from now on only."""
    actor = actor_of(request)
    graduate = selectors.graduate_detail(actor=actor, graduate_id=graduate_id)
    form = RosterStatusForm(request.POST)
    if form.is_valid():
        try:
            changed = graduate_roster_status_set(
                actor=actor,
                graduate=graduate,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if changed:
                messages.success(
                    request, _("在册状态已更新，自现在起计入统计；此前各日的数字不变。")
                )
            return redirect("graduates:detail", graduate_id=graduate.pk)
    return _detail(request, actor, graduate, status_form=form)


@requires(Perm.SENSITIVE_REVEAL)
@require_POST
def graduate_reveal(request: HttpRequest, graduate_id: int) -> HttpResponse:
    """Unmask one sensitive field for the person asking, with a reason that is recorded.

    Answers an htmx request with the fragment that replaces the masked value; never cached.
    """
    actor = actor_of(request)
    graduate = get_scoped_or_404(Graduate, actor, pk=graduate_id)
    form = RevealForm(request.POST)
    field = request.POST.get("field", "")
    context: dict[str, Any] = {
        "graduate": graduate,
        "form": form,
        "field": field if field in REVEALABLE_FIELDS else "id_number",
        "value": None,
        "can_reveal": True,
    }
    context["label"] = REVEALABLE_FIELDS[context["field"]]
    context["masked"] = getattr(graduate, context["field"])
    if form.is_valid():
        try:
            context["value"] = reveal_sensitive(
                actor=actor,
                obj=graduate,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
    template = (
        "graduates/detail.html#reveal"
        if request.headers.get("HX-Request") == "true"
        else "graduates/reveal_page.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@requires(Perm.MENTOR_ASSIGN)
@require_POST
def mentor_assign(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = MentorAssignForm(request.POST, teachers=account_selectors.teachers(actor))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_back(request, reverse("graduates:list")))
    mentor_id = form.cleaned_data["mentor"]
    mentor = None
    if mentor_id is not None:
        mentor = next(t for t in account_selectors.teachers(actor) if t.pk == mentor_id)
    try:
        changed = graduate_mentor_assign(
            actor=actor, graduate_ids=form.cleaned_data["graduates"], mentor=mentor
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if mentor is None:
            messages.success(request, _("已取消 %(n)s 名毕业生的导师。") % {"n": changed})
        else:
            messages.success(
                request,
                _("已为 %(n)s 名毕业生指定导师 %(mentor)s。") % {"n": changed, "mentor": mentor},
            )
    return redirect(_back(request, reverse("graduates:list")))


def _invitation_messages(
    request: HttpRequest,
    provisioned: account_services.ProvisionResult,
    sent: account_services.InvitationResult,
) -> None:
    parts = [
        _("开通账号 %(n)s 个，发送邀请 %(s)s 封。")
        % {"n": provisioned.created + provisioned.linked, "s": sent.sent}
    ]
    if sent.without_email:
        parts.append(
            _("%(n)s 人没有电子邮箱，未发送邀请（补充邮箱后可在其详情页重新发送）。")
            % {"n": sent.without_email}
        )
    if provisioned.email_conflicts:
        parts.append(
            _("%(n)s 人的邮箱已被其他账号使用，邀请已发到该邮箱，但登录请用学号。")
            % {"n": provisioned.email_conflicts}
        )
    messages.success(request, " ".join(parts))


@requires(Perm.STAFF_MANAGE)
@require_POST
def invite_cohort(request: HttpRequest) -> HttpResponse:
    """Open accounts for the cohort's graduates that have none and send every never-invited
    account its invitation, in bulk (one mail connection)."""
    actor = actor_of(request)
    cohort = get_object_or_404(scoped(Cohort, actor), year=request.POST.get("cohort") or 0)
    try:
        provisioned, sent = account_services.cohort_invite(actor=actor, cohort=cohort)
    except account_services.InvitationError:
        messages.error(
            request, _("账号已开通，但邀请邮件发送失败：邮件服务器暂时无法连接，请稍后重试。")
        )
    else:
        _invitation_messages(request, provisioned, sent)
    return redirect(f"{reverse('graduates:list')}?cohort={cohort.year}")


@requires(Perm.STAFF_MANAGE)
@require_POST
def invite(request: HttpRequest, graduate_id: int) -> HttpResponse:
    """Open this graduate's account if needed and (re)send the set-password link."""
    actor = actor_of(request)
    graduate = get_scoped_or_404(
        Graduate.objects.select_related("user", "cohort"), actor, pk=graduate_id
    )
    if graduate.user is None:
        result = account_services.graduate_accounts_provision(
            actor=actor, cohort=graduate.cohort, graduates=[graduate]
        )
        user = result.users[0]
    else:
        user = graduate.user
    try:
        sent = account_services.invitation_send(actor=actor, user=user)
    except account_services.InvitationError:
        messages.error(request, _("邀请邮件发送失败：邮件服务器暂时无法连接，请稍后重试。"))
    else:
        if sent:
            messages.success(
                request, _("已向 %(name)s 发送设置密码的链接。") % {"name": graduate.name}
            )
        else:
            messages.warning(
                request,
                _("%(name)s 没有电子邮箱，无法发送邀请。请先在生源信息中补充邮箱。")
                % {"name": graduate.name},
            )
    return redirect("graduates:detail", graduate_id=graduate.pk)
