"""Ventures pages: a graduate's projects (create, edit), one project with the parks that suit it
and the link to register 自主创业 (75) through the destinations form, the staff's list of
projects (scoped), and the parks directory (editable by the centre).

The project page, the staff list and the park directory show the upcoming founders' events
(创业活动). Those are the events app's (an event points at a ventures.Park); these views read
them through qihang.events.selectors.founders_events, the pages being the top of both apps:
ventures' models, selectors and services never import events."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qihang.accounts.models import User
from qihang.events import selectors as event_selectors
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import ObjectId, actor_of, requires, takes_ids
from qihang.lib.feedback import refuse_on_form
from qihang.ventures import selectors, services
from qihang.ventures.forms import ParkForm, ProjectForm
from qihang.ventures.models import Park, Stage

DESTINATION_CODE = "75"  # 自主创业


def _staff(request: HttpRequest):  # noqa: ANN202
    return (
        User.objects.filter(
            memberships__institution_id=actor_of(request).institution_id,
            memberships__is_active=True,
            memberships__invitation="",
            memberships__role__in=[Role.CAREER_CENTRE, Role.DEPARTMENT_STAFF, Role.TEACHER],
        )
        .distinct()
        .order_by("display_name", "id")
    )


@takes_ids()
@requires(Perm.VENTURE_OWN)
def mine(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "ventures/mine.html",
        {
            "projects": list(selectors.my_projects(actor)),
            "form": ProjectForm(staff=_staff(request)),
        },
    )


@takes_ids(mentor=ObjectId("accounts.User"))
@requires(Perm.VENTURE_OWN)
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ProjectForm(request.POST, staff=_staff(request))
    if form.is_valid():
        mentor = form.cleaned_data["mentor"]
        try:
            project = services.project_create(
                actor=actor,
                data=form.project_data(),
                members=form.student_nos(),
                mentor_id=mentor.pk if mentor else None,
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已登记创业项目。"))
            return redirect("ventures:detail", project_id=project.pk)
    return render(
        request,
        "ventures/mine.html",
        {"projects": list(selectors.my_projects(actor)), "form": form},
        status=400,
    )


@takes_ids()
@requires(None)
def detail(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = actor_of(request)
    if not (actor.has(Perm.VENTURE_OWN) or actor.has(Perm.VENTURE_VIEW)):
        raise PermissionDenied(Perm.VENTURE_VIEW)
    project = selectors.project_for(actor, project_id)
    member = any(m.graduate.user_id == actor.user_id for m in project.members.all())
    destination_link = ""
    if member and actor.has(Perm.DESTINATION_REPORT_OWN):
        # Only opens the graduate's own destination form, pre-filled; the destinations app
        # decides (its review, with evidence).
        destination_link = (
            reverse("destinations:mine")
            + "?"
            + urlencode({"code": DESTINATION_CODE, "employer_name": project.name})
        )
    form = None
    if member:
        form = ProjectForm(
            staff=_staff(request),
            initial={
                "name": project.name,
                "field": project.field,
                "stage": project.stage,
                "summary": project.summary,
                "needs": project.needs,
                "funding_sought": project.funding_sought,
                "funding_obtained": project.funding_obtained,
                "districts": project.districts,
                "members": " ".join(
                    m.graduate.student_no
                    for m in project.members.all()
                    if m.graduate_id != project.lead_id
                ),
                "mentor": project.mentor_id,
            },
        )
    matches = selectors.matches(project)
    return render(
        request,
        "ventures/detail.html",
        {
            "project": project,
            "matches": matches,
            # Founders' events at the parks that suit the project, and those at no park.
            "founders_events": [
                e
                for e in event_selectors.founders_events(actor=actor)
                if e.park_id is None or e.park_id in {m.park.pk for m in matches}
            ],
            "destination_link": destination_link,
            "form": form,
        },
    )


@takes_ids(mentor=ObjectId("accounts.User"))
@requires(Perm.VENTURE_OWN)
@require_POST
def edit(request: HttpRequest, project_id: int) -> HttpResponse:
    actor = actor_of(request)
    project = selectors.project_for(actor, project_id)
    form = ProjectForm(request.POST, staff=_staff(request))
    if form.is_valid():
        mentor = form.cleaned_data["mentor"]
        try:
            services.project_update(
                actor=actor,
                project=project,
                data=form.project_data(),
                members=form.student_nos(),
                mentor_id=mentor.pk if mentor else None,
            )
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ventures:detail", project_id=project.pk)
    messages.error(request, "；".join(f"{k}：{'；'.join(v)}" for k, v in form.errors.items()))
    return redirect("ventures:detail", project_id=project.pk)


@takes_ids()
@requires(Perm.VENTURE_VIEW)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    stage = request.GET.get("stage", "")
    return render(
        request,
        "ventures/staff_list.html",
        {
            "projects": list(selectors.staff_projects(actor, stage=stage)[:200]),
            "stages": Stage.choices,
            "stage": stage,
            "founders_events": event_selectors.founders_events(actor=actor),
        },
    )


@takes_ids()
@requires(None)
def parks(request: HttpRequest) -> HttpResponse:
    city = request.GET.get("city", "")
    parks = selectors.parks(city=city)
    events: dict[int, list] = {}
    for event in event_selectors.founders_events(
        actor=actor_of(request), park_ids=[p.pk for p in parks]
    ):
        events.setdefault(event.park_id, []).append(event)
    for park in parks:
        park.founders_events = events.get(park.pk, [])
    return render(
        request,
        "ventures/parks.html",
        {
            "parks": parks,
            "cities": sorted({c for c, _d in selectors.districts()}),
            "city": city,
            "can_edit": actor_of(request).has(Perm.VENTURE_PARKS_EDIT),
        },
    )


@takes_ids()
@requires(Perm.VENTURE_PARKS_EDIT)
def park_edit(request: HttpRequest, park_id: int) -> HttpResponse:
    actor = actor_of(request)
    park = get_object_or_404(Park, pk=park_id)  # platform-wide reference data
    initial = {
        k: getattr(park, k)
        for k in ("name", "city", "district", "focus", "stages", "support", "contact", "is_active")
    }
    form = ParkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.park_update(actor=actor, park=park, data=form.cleaned_data)
        except ValidationError as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, _("已保存园区信息。"))
            return redirect("ventures:parks")
    return render(request, "ventures/park_edit.html", {"park": park, "form": form})
