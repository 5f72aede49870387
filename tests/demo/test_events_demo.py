import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from qihang.events.models import Event, EventKind, EventStatus, Registration, RoomBooking
from qihang.institutions.models import Share


@pytest.mark.django_db
def test_the_demo_has_past_and_upcoming_sessions_and_a_full_joint_fair(demo):
    now = timezone.now()
    sessions = Event.objects.filter(kind=EventKind.INFO_SESSION, status=EventStatus.APPROVED)
    assert sessions.filter(starts_at__lt=now).count() >= 5
    assert sessions.filter(starts_at__gt=now).count() >= 5
    assert Event.objects.filter(status=EventStatus.REQUESTED).exists()
    assert Event.objects.filter(status=EventStatus.DECLINED).exclude(decline_reason="").exists()
    past = Registration.objects.filter(event__ends_at__lt=now, status="seated")
    assert past.filter(checked_in_at__isnull=False).exists()
    assert past.filter(checked_in_at__isnull=True).exists()  # no-shows

    fair = Event.objects.get(kind=EventKind.JOB_FAIR)
    assert fair.seats_taken == fair.capacity
    assert fair.registrations.filter(status="seated").count() == fair.capacity
    assert fair.registrations.filter(status="waitlisted").count() > 0
    assert fair.booths.count() >= 8
    assert Share.objects.active().filter(kind="events.event", object_id=fair.pk).exists()
    # Both schools' graduates registered for the joint fair.
    assert fair.registrations.values("institution").distinct().count() == 2
    # Every approved event with a room holds its slots.
    for event in Event.objects.filter(status=EventStatus.APPROVED, room__isnull=False)[:5]:
        assert RoomBooking.objects.filter(event=event).exists()


@pytest.mark.django_db
def test_the_demo_has_founders_events_past_with_attendance_and_upcoming_at_a_park(demo):
    now = timezone.now()
    founders = Event.objects.filter(kind=EventKind.FOUNDERS, status=EventStatus.APPROVED)
    past = founders.get(starts_at__lt=now)
    assert past.park is not None and past.registrations.filter(checked_in_at__isnull=False)
    upcoming = founders.filter(starts_at__gt=now, park__district__in=["徐汇区", "杨浦区"])
    assert upcoming.count() == 2
    at_park = upcoming.get(room__isnull=True)
    assert not RoomBooking.objects.filter(event=at_park).exists()


@pytest.mark.django_db
def test_bench_pages_requests_every_persona_s_pages_on_the_demo(demo, tmp_path):
    # `qihang bench_pages` fails on any page that does not answer 200; here once per page.
    out = io.StringIO()
    call_command("bench_pages", runs=1, json_path=str(tmp_path / "pages.json"), stdout=out)
    rows = json.loads((tmp_path / "pages.json").read_text(encoding="utf-8"))
    assert {row["who"] for row in rows} == {"就业中心", "院系", "毕业生", "单位"}
    assert any(row["path"].startswith("/employer/applications/") for row in rows)
    assert all(0 < row["queries"] < 30 for row in rows)
