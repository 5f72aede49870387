"""Job search for graduates and staff, a graduate's recommendations and preferences, and a
mentor's push of a job to a graduate."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import ObjectId, actor_of, requires, scoped, takes_ids
from qihang.jobs.models import JobStatus
from qihang.search import selectors, services
from qihang.search.forms import JobPreferenceForm, JobPushForm, JobSearchForm, specialty_choices
from qihang.search.models import JobPreference

PAGE_SIZE = 20
# A push form lists at most this many graduates (a teacher's mentees, a department's roster).
PUSH_CHOICES = 500


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@takes_ids()
@requires(Perm.JOB_SEARCH)
def job_search(request: HttpRequest) -> HttpResponse:
    """Search with filters; as one types, htmx swaps in the results fragment only."""
    actor = actor_of(request)
    form = JobSearchForm(request.GET or None, specialties=specialty_choices())
    found = selectors.job_search(actor, form.query(), form.filters())
    page = found.jobs.page(request.GET.get("page"), PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "terms": found.terms,
        "can_push": actor.has(Perm.JOB_PUSH),
        "sees_status": actor.has(Perm.JOB_VIEW),
    }
    template = "search/jobs.html#results" if _is_htmx(request) else "search/jobs.html"
    return render(request, template, context)


@takes_ids(graduate=ObjectId("graduates.Graduate"))
@requires(Perm.JOB_PUSH)
def job_push(request: HttpRequest, posting_id: int) -> HttpResponse:
    """Recommend a published job to a graduate the actor looks after (scoped Graduate)."""
    actor = actor_of(request)
    job = get_object_or_404(
        selectors.searchable_jobs(actor)
        .filter(status=JobStatus.PUBLISHED)
        .select_related("employer"),
        pk=posting_id,
    )
    graduates = scoped(Graduate, actor).filter(user__isnull=False)
    choices = [
        (g.pk, f"{g.name}（{g.student_no}）")
        for g in graduates.order_by("student_no").only("pk", "name", "student_no")[:PUSH_CHOICES]
    ]
    form = JobPushForm(request.POST or None, graduates=choices)
    if request.method == "POST":
        graduate_id = request.POST.get("graduate", "")
        graduate = graduates.filter(pk=graduate_id).first() if graduate_id.isdigit() else None
        if graduate_id and graduate is None:
            raise Http404
        if form.is_valid() and graduate is not None:
            try:
                services.job_push(
                    actor=actor, job=job, graduate=graduate, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("已向%(name)s推荐“%(title)s”。")
                    % {"name": graduate.name, "title": job.title},
                )
                return redirect("search:jobs")
    return render(request, "search/push.html", {"form": form, "job": job})


@takes_ids()
@requires(Perm.JOB_BROWSE)
def recommendations(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    items = selectors.recommendations(actor, today=timezone.localdate())
    return render(request, "search/recommendations.html", {"items": items})


@takes_ids()
@requires(Perm.JOB_BROWSE)
def preferences(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    graduate = selectors.own_graduate(actor)
    if graduate is None:
        raise Http404
    current = JobPreference.objects.filter(graduate=graduate).first()
    initial = {}
    if current is not None:
        initial = {f: getattr(current, f) for f in services.PREFERENCE_FIELDS}
    form = JobPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.job_preference_save(actor=actor, graduate=graduate, data=form.cleaned_data)
        messages.success(request, _("求职意向已保存，推荐已按新的意向更新。"))
        return redirect("search:recommendations")
    return render(request, "search/preferences.html", {"form": form})
