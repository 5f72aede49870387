"""Employers, staff side (/employers/…): the institution's employers and its decisions on them,
relationship records, alumni, the channel report.

Reads go through scoping (`scoped`: what the institution holds or a partner shares); writes
take `owned` objects, so a partner that was shared an employer reads it and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.employers import selectors, services
from qihang.employers.forms import (
    AlumnusForm,
    ContactForm,
    CreditForm,
    DecisionForm,
    InteractionForm,
)
from qihang.employers.models import (
    Alumnus,
    Contact,
    Employer,
    EmployerStanding,
    Interaction,
    StandingStatus,
)
from qihang.employers.services import DECISIONS, STANDING_REVIEW
from qihang.institutions.models import Institution, Share
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import (
    ObjectId,
    actor_of,
    get_owned_or_404,
    get_scoped_or_404,
    requires,
    takes_ids,
)
from qihang.lib.files import private_file_response

PAGE_SIZE = 50


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- The list and one employer --------------------------------------------------------------------
@takes_ids()
@requires(Perm.EMPLOYER_VIEW)
def employer_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")
    page = Paginator(selectors.employer_list(actor=actor, status=status, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = dict(StandingStatus.choices)
    for employer in page.object_list:
        employer.my_status_label = labels.get(employer.my_status, "")
    counts = selectors.standing_counts(actor)
    return render(
        request,
        "employers/list.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in StandingStatus.choices],
        },
    )


@takes_ids()
@requires(Perm.EMPLOYER_VIEW)
def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    from qihang.institutions.selectors import partner_ids, shares_of

    actor = actor_of(request)
    employer = selectors.employer_for(actor, employer_id)
    standing = selectors.my_standing(actor, employer)
    shares = shares_of(actor, employer)
    partners = list(Institution.objects.filter(pk__in=partner_ids(actor.institution_id)))
    shared_to = {s.partner_id for s in shares if s.institution_id == actor.institution_id}
    context: dict[str, Any] = {
        "employer": employer,
        "labels": selectors.labels_of(employer),
        "standing": standing,
        "actions": STANDING_REVIEW.available(standing, actor) if standing else [],
        "decisions": DECISIONS,
        "partner_decisions": selectors.partner_decisions(actor, employer),
        "conflicts": selectors.contact_conflicts(employer),
        "contacts": selectors.contacts_of(actor, employer),
        "interactions": selectors.interactions_of(actor, employer),
        "alumni": selectors.alumni_of(actor, employer),
        "shares": shares,
        "received": [s for s in shares if s.partner_id == actor.institution_id],
        "share_targets": [p for p in partners if p.pk not in shared_to],
        "shared_to": [p for p in partners if p.pk in shared_to],
        "can_share": standing is not None and actor.has(Perm.SHARE_MANAGE),
        "can_relate": standing is not None and actor.has(Perm.EMPLOYER_RELATE),
        "credit_form": CreditForm(
            actor=actor,
            initial={
                "channel": standing.channel_id if standing else None,
                "credited_to": standing.credited_to_id if standing else None,
                "credited_department": standing.credited_department_id if standing else None,
            },
        ),
    }
    return render(request, "employers/detail.html", context)


@takes_ids()
@requires(Perm.EMPLOYER_VIEW)
def licence_download(request: HttpRequest, employer_id: int) -> HttpResponse:
    """The licence, to staff of an institution that holds the employer (or was shared it)."""
    employer = selectors.employer_for(actor_of(request), employer_id)
    if not employer.licence_file:
        raise Http404
    return private_file_response(
        services.licence_bytes(employer),
        filename=employer.licence_name,
        content_type=employer.licence_content_type,
        preview=request.GET.get("preview") == "1",
    )


def _owned_standing(request: HttpRequest, employer_id: int) -> EmployerStanding:
    actor = actor_of(request)
    employer = get_owned_or_404(Employer, actor, pk=employer_id)
    standing = selectors.my_standing(actor, employer)
    if standing is None:
        raise Http404
    return standing


@takes_ids()
@requires(Perm.EMPLOYER_VERIFY)
@require_POST
def employer_decide(request: HttpRequest, employer_id: int) -> HttpResponse:
    standing = _owned_standing(request, employer_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择操作。"))
    else:
        try:
            services.standing_decide(
                actor=actor_of(request),
                standing=standing,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"] or "",
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("已更新认证状态：%(status)s。") % {"status": standing.get_status_display()},
            )
    return redirect("employers:detail", employer_id)


@takes_ids(
    channel=ObjectId("employers.Channel"),
    credited_to=ObjectId("accounts.User"),
    credited_department=ObjectId("institutions.Department"),
)
@requires(Perm.EMPLOYER_RELATE)
@require_POST
def employer_credit(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_of(request)
    standing = _owned_standing(request, employer_id)
    form = CreditForm(request.POST, actor=actor)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        services.standing_credit(
            actor=actor,
            standing=standing,
            channel=form.cleaned_data["channel"],
            credited_to=form.cleaned_data["credited_to"],
            department=form.cleaned_data["credited_department"],
        )
        messages.success(request, _("已保存引荐信息。"))
    return redirect("employers:detail", employer_id)


@takes_ids(partner=ObjectId("institutions.Institution"))
@requires(Perm.SHARE_MANAGE)
@require_POST
def employer_share(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Share the employer with a paired institution, or revoke the share (`revoke=1`)."""
    from qihang.institutions.services import share_create, share_revoke

    actor = actor_of(request)
    standing = _owned_standing(request, employer_id)
    try:
        partner_id = int(request.POST.get("partner", ""))
    except ValueError:
        raise Http404 from None
    try:
        if request.POST.get("revoke") == "1":
            share = (
                Share.objects.active()
                .filter(
                    institution_id=actor.institution_id,
                    partner_id=partner_id,
                    kind=Employer._meta.label_lower,
                    object_id=standing.employer_id,
                )
                .first()
            )
            if share is None:
                raise Http404
            share_revoke(actor=actor, share=share)
            messages.success(request, _("已撤回共享。"))
        else:
            share_create(actor=actor, obj=standing.employer, partner_id=partner_id)
            messages.success(request, _("已与结对学校共享该单位。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("employers:detail", employer_id)


# --- Relationship records -------------------------------------------------------------------------
def _record_form(
    request: HttpRequest,
    *,
    form_class: type,
    instance: Any,
    save: Any,
    title: str,
    employer: Employer,
) -> HttpResponse:
    actor = actor_of(request)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=actor, record=form.save(commit=False), fields=form.changed_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("employers:detail", employer.pk)
    return render(
        request,
        "employers/record_form.html",
        {"form": form, "title": title, "employer": employer, "record": instance},
    )


def _owned_employer(request: HttpRequest, employer_id: int) -> Employer:
    return _owned_standing(request, employer_id).employer


@takes_ids()
@requires(Perm.EMPLOYER_RELATE)
def contact_create(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_of(request)
    employer = _owned_employer(request, employer_id)
    return _record_form(
        request,
        form_class=ContactForm,
        instance=Contact(institution_id=actor.institution_id, employer=employer),
        save=lambda actor, record, fields: services.contact_save(
            actor=actor, contact=record, fields=fields
        ),
        title=_("新增联系人"),
        employer=employer,
    )


def _own_record(request: HttpRequest, model: type, pk: int) -> Any:
    actor = actor_of(request)
    record = get_owned_or_404(model.objects.select_related("employer"), actor, pk=pk)
    if not actor.sees_whole_institution and record.created_by_id != actor.user_id:
        raise PermissionDenied(_("只能修改自己录入的记录。"))
    return record


@takes_ids()
@requires(Perm.EMPLOYER_RELATE)
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _own_record(request, Contact, contact_id)
    return _record_form(
        request,
        form_class=ContactForm,
        instance=contact,
        save=lambda actor, record, fields: services.contact_save(
            actor=actor, contact=record, fields=fields
        ),
        title=_("修改联系人"),
        employer=contact.employer,
    )


@takes_ids()
@requires(Perm.EMPLOYER_RELATE)
def interaction_create(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_of(request)
    employer = _owned_employer(request, employer_id)
    return _record_form(
        request,
        form_class=InteractionForm,
        instance=Interaction(
            institution_id=actor.institution_id, employer=employer, staff_id=actor.user_id
        ),
        save=lambda actor, record, fields: services.interaction_save(
            actor=actor, interaction=record, fields=fields
        ),
        title=_("新增联系记录"),
        employer=employer,
    )


@takes_ids()
@requires(Perm.EMPLOYER_RELATE)
def interaction_edit(request: HttpRequest, interaction_id: int) -> HttpResponse:
    interaction = _own_record(request, Interaction, interaction_id)
    return _record_form(
        request,
        form_class=InteractionForm,
        instance=interaction,
        save=lambda actor, record, fields: services.interaction_save(
            actor=actor, interaction=record, fields=fields
        ),
        title=_("修改联系记录"),
        employer=interaction.employer,
    )


@takes_ids()
@requires(Perm.EMPLOYER_RELATE)
@require_POST
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _own_record(request, Contact, contact_id)
    services.record_delete(actor=actor_of(request), record=contact)
    messages.success(request, _("已删除。"))
    return redirect("employers:detail", contact.employer_id)


@takes_ids()
@requires(Perm.EMPLOYER_RELATE)
@require_POST
def interaction_delete(request: HttpRequest, interaction_id: int) -> HttpResponse:
    interaction = _own_record(request, Interaction, interaction_id)
    services.record_delete(actor=actor_of(request), record=interaction)
    messages.success(request, _("已删除。"))
    return redirect("employers:detail", interaction.employer_id)


# --- Alumni ---------------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.EMPLOYER_VIEW)
def alumni_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    params = request.GET
    qs = selectors.alumni_list(
        actor=actor,
        q=params.get("q", ""),
        year=params.get("year", ""),
        mentor=params.get("mentor") == "1",
        recruit=params.get("recruit") == "1",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    return render(
        request,
        "employers/alumni_list.html",
        {"page": page, "params": params, "can_relate": actor.has(Perm.EMPLOYER_RELATE)},
    )


@takes_ids(graduate=ObjectId("graduates.Graduate"), employer=ObjectId("employers.Employer"))
@requires(Perm.EMPLOYER_RELATE)
def alumnus_create(request: HttpRequest) -> HttpResponse:
    """Find a graduate of an earlier cohort (GET q=…), then record them as an alumnus."""
    from qihang.graduates.models import Graduate

    actor = actor_of(request)
    graduate = None
    if request.method == "POST":
        graduate = get_scoped_or_404(Graduate, actor, pk=request.POST.get("graduate") or 0)
        form = AlumnusForm(
            request.POST if "organisation" in request.POST else None,
            instance=Alumnus(institution_id=actor.institution_id, graduate=graduate),
            actor=actor,
        )
        if form.is_bound and form.is_valid():
            try:
                alumnus = services.alumnus_save(
                    actor=actor, alumnus=form.save(commit=False), fields=form.changed_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已登记校友。"))
                return redirect("employers:alumnus_edit", alumnus.pk)
    else:
        form = None
    q = request.GET.get("q", "")
    return render(
        request,
        "employers/alumnus_create.html",
        {
            "q": q,
            "candidates": selectors.alumnus_candidates(actor=actor, q=q),
            "graduate": graduate,
            "form": form,
        },
    )


@takes_ids(employer=ObjectId("employers.Employer"))
@requires(Perm.EMPLOYER_RELATE)
def alumnus_edit(request: HttpRequest, alumnus_id: int) -> HttpResponse:
    actor = actor_of(request)
    alumnus = get_owned_or_404(
        Alumnus.objects.select_related("graduate", "graduate__cohort"), actor, pk=alumnus_id
    )
    form = AlumnusForm(request.POST or None, instance=alumnus, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.alumnus_save(
                actor=actor, alumnus=form.save(commit=False), fields=form.changed_data
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("employers:alumnus_edit", alumnus.pk)
    return render(request, "employers/alumnus_edit.html", {"form": form, "alumnus": alumnus})


# --- Channel report -------------------------------------------------------------------------------
@takes_ids()
@requires(Perm.STATS_VIEW)
def channel_report(request: HttpRequest) -> HttpResponse:
    report = selectors.channel_report(actor=actor_of(request))
    sections = [
        (_("按渠道"), report.by_channel),
        (_("按引荐人"), report.by_person),
        (_("按院系"), report.by_department),
    ]
    return render(request, "employers/channels.html", {"report": report, "sections": sections})
