import datetime as dt

import pytest
from django.db.models import Count

from qihang.applications.models import Application, ApplicationEvent
from qihang.demo.generator import DEFAULT_TODAY


@pytest.mark.django_db
def test_the_demo_has_applications_at_every_stage(demo):
    statuses = dict(Application.objects.values_list("status").annotate(n=Count("id")))
    assert {"submitted", "viewed", "interview", "offer", "hired", "declined", "withdrawn"} <= set(
        statuses
    )
    # Both schools' graduates apply, and some have waited weeks for an answer.
    assert Application.objects.values("institution").distinct().count() == 2
    waiting = Application.objects.filter(
        status__in=["submitted", "viewed"], answered_at__isnull=True
    ).order_by("submitted_at")
    assert waiting.exists()
    demo_day = dt.datetime.combine(DEFAULT_TODAY, dt.time(10), tzinfo=dt.UTC)
    assert waiting.first().submitted_at <= demo_day - dt.timedelta(days=7)
    assert not Application.objects.filter(submitted_at__gte=demo_day + dt.timedelta(days=1))
    # Every timeline starts with the application and follows its times.
    for application in Application.objects.all()[:20]:
        events = list(ApplicationEvent.objects.filter(application=application).order_by("pk"))
        assert events[0].action == "submit"
        assert [e.at for e in events] == sorted(e.at for e in events)
