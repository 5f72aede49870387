"""The roster pages: list with filters, a graduate's profile, unmasking with a reason, mentors and
account invitations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qihang.accounts import selectors as account_selectors
from qihang.accounts import services as account_services
from qihang.audit.services import reveal_sensitive, sensitive_reads_log
from qihang.graduates import exporting, selectors
from qihang.graduates.forms import (
    REVEALABLE_FIELDS,
    ExportForm,
    MentorAssignForm,
    RevealForm,
    RosterStatusForm,
    UnmaskedExportForm,
)
from qihang.graduates.models import Gender, Graduate, KeyGroupKind
from qihang.graduates.services import (
    graduate_mentor_assign,
    graduate_roster_status_set,
    key_group_add,
    key_group_decide,
)
from qihang.institutions.models import Cohort, DegreeLevel
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    Actor,
    ObjectId,
    actor_of,
    get_scoped_or_404,
    requires,
    scoped,
    takes_ids,
)

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


@takes_ids(
    cohort=ObjectId("institutions.Cohort", "year"),
    department=ObjectId("institutions.Department"),
    major=ObjectId("institutions.Major"),
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
    if filters.key_group and actor.has(Perm.KEYGROUP_VIEW):
        # A list filtered by key group tells who belongs to it: a read of each one shown.
        sensitive_reads_log(
            actor=actor,
            model=Graduate,
            targets=[(g.pk, str(g)) for g, _destination in rows],
            field="key_groups",
            purpose=_("按重点群体筛选毕业生名单"),
        )
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
            "can_export": actor.has(Perm.ROSTER_EXPORT),
            "can_export_destinations": actor.has(Perm.ROSTER_EXPORT)
            and actor.has(Perm.DESTINATION_VIEW),
            "can_export_unmasked": actor.has(Perm.ROSTER_EXPORT_UNMASKED),
            "export_query": _filter_query(cohort, filters),
            "export_params": QueryDict(_filter_query(cohort, filters)).items(),
        },
    )


# --- exports from the list, with its filters ----------------------------------------------------
_FILTER_PARAMS = ("department", "major", "degree_level", "status", "code", "key_group", "q")
_CONTENT_TYPES = {
    exporting.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    exporting.Format.CSV: "text/csv; charset=utf-8",
}


def _filter_query(cohort: Cohort, filters: selectors.GraduateFilters) -> str:
    """The list's cohort and filters as a query string, for the export links and form."""
    query = QueryDict(mutable=True)
    query["cohort"] = str(cohort.year)
    for name in _FILTER_PARAMS:
        value = getattr(filters, name)
        if value:
            query[name] = str(value)
    return query.urlencode()


def _export_cohort(actor: Actor, params: Any) -> Cohort:
    """The cohort named by ?cohort= (another institution's is not found), else the latest."""
    cohorts = scoped(Cohort, actor).order_by("-year")
    year = str(params.get("cohort", "")).strip()
    if year:
        cohort = cohorts.filter(year=year).first() if year.isdigit() else None
    else:
        cohort = cohorts.first()
    if cohort is None:
        raise Http404
    return cohort


def _file_response(data: bytes, filename: str, fmt: exporting.Format) -> HttpResponse:
    response = HttpResponse(data, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@takes_ids(
    cohort=ObjectId("institutions.Cohort", "year"),
    department=ObjectId("institutions.Department"),
    major=ObjectId("institutions.Major"),
)
@requires(Perm.ROSTER_EXPORT)
@require_GET
def graduate_export(request: HttpRequest) -> HttpResponse:
    """The list's graduates (its cohort and filters) as a masked file: the roster, or their
    destination records, in our layout or the national system's."""
    actor = actor_of(request)
    form = ExportForm(request.GET)
    if not form.is_valid():
        raise Http404  # a choice no page offers
    what, layout = form.cleaned_data["what"], exporting.Layout(form.cleaned_data["layout"])
    fmt = exporting.Format(form.cleaned_data["format"])
    if what == "destinations" and not actor.has(Perm.DESTINATION_VIEW):
        raise PermissionDenied
    cohort = _export_cohort(actor, request.GET)
    filters = selectors.GraduateFilters.from_query(request.GET)
    if what == "destinations":
        data = exporting.export_destinations(actor, cohort, layout=layout, fmt=fmt, filters=filters)
        name = exporting.destinations_filename(cohort, layout=layout, fmt=fmt)
    else:
        data = exporting.export_roster(actor, cohort, layout=layout, fmt=fmt, filters=filters)
        name = exporting.roster_filename(cohort, layout=layout, fmt=fmt)
    return _file_response(data, name, fmt)


@takes_ids(
    cohort=ObjectId("institutions.Cohort", "year"),
    department=ObjectId("institutions.Department"),
    major=ObjectId("institutions.Major"),
)
@requires(Perm.ROSTER_EXPORT_UNMASKED)
@require_http_methods(["GET", "POST"])
def graduate_export_unmasked(request: HttpRequest) -> HttpResponse:
    """The list's graduates with full 身份证号 and 手机号码: asks why (GET), then writes the
    file and logs every graduate in it as an unmasked read (POST)."""
    actor = actor_of(request)
    params = request.POST if request.method == "POST" else request.GET
    cohort = _export_cohort(actor, params)
    filters = selectors.GraduateFilters.from_query(params)
    form = UnmaskedExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        layout = exporting.Layout(form.cleaned_data["layout"])
        fmt = exporting.Format(form.cleaned_data["format"])
        try:
            data = exporting.export_roster(
                actor,
                cohort,
                layout=layout,
                fmt=fmt,
                filters=filters,
                unmasked=True,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
        else:
            name = exporting.roster_filename(cohort, layout=layout, fmt=fmt)
            return _file_response(data, name, fmt)
    count = selectors.graduate_list(actor=actor, cohort=cohort, filters=filters).count()
    response = render(
        request,
        "graduates/export_unmasked.html",
        {
            "cohort": cohort,
            "form": form,
            "filters": filters,
            "filter_fields": [
                (n, getattr(filters, n)) for n in _FILTER_PARAMS if getattr(filters, n)
            ],
            "count": count,
            "back": f"{reverse('graduates:list')}?{_filter_query(cohort, filters)}",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@takes_ids()
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
    key_groups = None  # not shown at all without Perm.KEYGROUP_VIEW
    if actor.has(Perm.KEYGROUP_VIEW):
        key_groups = selectors.key_groups_of(actor=actor, graduate=graduate)
        if key_groups:
            sensitive_reads_log(
                actor=actor,
                model=Graduate,
                targets=[(graduate.pk, str(graduate))],
                field="key_groups",
                purpose=_("查看毕业生详情（重点群体）"),
            )
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
            "key_groups": key_groups,
            "can_decide_key_groups": actor.has(Perm.KEYGROUP_DECIDE),
            "key_group_kinds": KeyGroupKind.objects.all() if key_groups is not None else [],
            "can_reveal": actor.has(Perm.SENSITIVE_REVEAL),
            "can_assign": can_assign,
            "can_invite": actor.has(Perm.STAFF_MANAGE),
            "teachers": account_selectors.teachers(actor) if can_assign else [],
            "revealable": REVEALABLE_FIELDS,
            "genders": Gender,
        },
    )


@takes_ids()
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


@takes_ids()
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


@takes_ids(graduates=ObjectId("graduates.Graduate"), mentor=ObjectId("accounts.User"))
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


@takes_ids(cohort=ObjectId("institutions.Cohort", "year"))
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


@takes_ids()
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


@takes_ids()
@requires(Perm.KEYGROUP_DECIDE)
@require_POST
def key_group_decision(request: HttpRequest, graduate_id: int, key_group_id: int) -> HttpResponse:
    """Confirm or dismiss a suggested key group, or end a confirmed one (with a note)."""
    actor = actor_of(request)
    graduate = get_scoped_or_404(Graduate, actor, pk=graduate_id)
    if not graduate.key_groups.filter(pk=key_group_id).exists():
        raise Http404
    decision = request.POST.get("decision", "")
    if decision not in ("confirm", "dismiss", "end"):
        raise Http404
    try:
        key_group_decide(
            actor=actor,
            membership_id=key_group_id,
            decision=decision,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("已保存。统计自现在起按新的状态计算，此前各日的数字不变。"))
    return redirect("graduates:detail", graduate_id=graduate.pk)


@takes_ids()
@requires(Perm.KEYGROUP_DECIDE)
@require_POST
def key_group_new(request: HttpRequest, graduate_id: int) -> HttpResponse:
    """Record a key group nothing suggested (confirmed at once, with its basis)."""
    actor = actor_of(request)
    graduate = get_scoped_or_404(Graduate, actor, pk=graduate_id)
    try:
        key_group_add(
            actor=actor,
            graduate=graduate,
            kind_code=request.POST.get("kind", "")[:30],
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("已登记重点群体。"))
    return redirect("graduates:detail", graduate_id=graduate.pk)
