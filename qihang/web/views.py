from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, requires, takes_ids


@takes_ids()
@requires(None)
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is."""
    actor = actor_of(request)
    if actor.has(Perm.STATS_VIEW):
        return redirect("reports:dashboard")
    if actor.has(Perm.DESTINATION_REPORT_OWN):
        return redirect("destinations:mine")
    if actor.has(Perm.ROSTER_VIEW):
        return redirect("graduates:list")
    return render(request, "web/home.html")
