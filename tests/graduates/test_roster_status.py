"""Leaving the cohort from the graduate's page: counted until now, not from now; nothing earlier
moves."""

import datetime as dt

import pytest
from django.utils import timezone

from qihang.audit.models import AuditEvent
from qihang.graduates.models import Graduate, RosterPeriod, RosterStatus
from qihang.institutions.scoping import build_actor
from qihang.reports import selectors


def url(graduate) -> str:
    return f"/graduates/{graduate.pk}/status/"


def total(school, as_of=None) -> int:
    actor = build_actor(school.centre, school.institution.pk)
    stats = selectors.cohort_stats(actor=actor, cohort=school.cohort, by="gender", as_of=as_of)
    return stats["total"]["total"]


@pytest.mark.django_db
def test_centre_records_a_withdrawal_counted_from_now_only(school, client_for):
    graduate = school.graduates[0]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert total(school) == total(school, yesterday) == 3
    response = client_for(school.centre).post(
        url(graduate), {"status": "withdrawn", "reason": "本人申请退学", "on": "2020-05-06"}
    )
    assert response.status_code == 302
    graduate.refresh_from_db()
    assert (graduate.roster_status, graduate.roster_status_reason) == ("withdrawn", "本人申请退学")
    assert graduate.roster_status_date == dt.date(2020, 5, 6)
    # The day it happened is kept, but the figures of days already past do not move.
    assert total(school) == 2
    assert total(school, yesterday) == 3
    assert total(school, dt.date(2020, 6, 30)) == 3
    event = AuditEvent.objects.get(action="graduate.roster_status")
    assert event.data["after"] == {
        "roster_status": "withdrawn",
        "reason": "本人申请退学",
        "on": "2020-05-06",
    }
    assert event.data["before"]["roster_status"] == "active"
    # Back in the roster: a second roster period from now.
    response = client_for(school.centre).post(url(graduate), {"status": "active"})
    assert response.status_code == 302
    assert total(school) == 3
    assert RosterPeriod.objects.filter(graduate=graduate).count() == 2
    detail = client_for(school.centre).get(f"/graduates/{graduate.pk}/").content.decode()
    assert "保存在册状态" in detail


@pytest.mark.django_db
def test_a_leaver_needs_a_reason_and_a_day_that_is_not_tomorrow(school, client_for):
    graduate = school.graduates[0]
    client = client_for(school.centre)
    response = client.post(url(graduate), {"status": "deferred", "reason": "", "on": "2020-06-01"})
    assert response.status_code == 200
    assert "请填写离册原因。" in response.content.decode()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url(graduate), {"status": "deferred", "reason": "学分", "on": tomorrow})
    assert response.status_code == 200
    html = response.content.decode()
    assert "状态日期不能晚于今天" in html
    assert 'value="学分"' in html  # what was typed stays
    assert Graduate.objects.get(pk=graduate.pk).roster_status == RosterStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="graduate.roster_status").exists()


@pytest.mark.django_db
def test_roster_status_is_scoped_and_role_checked(school, other_school, client_for):
    data = {"status": "withdrawn", "reason": "退学", "on": "2020-05-06"}
    theirs = other_school.graduates[0]
    assert client_for(school.centre).post(url(theirs), data).status_code == 404
    # Department staff, teachers, leadership and graduates read the roster; they do not change it.
    for user in (school.dept_staff, school.teacher, school.leader, school.graduate_user):
        assert client_for(user).post(url(school.graduates[0]), data).status_code == 403
    assert client_for(school.centre).get(url(school.graduates[0])).status_code == 405
    assert not Graduate.objects.exclude(roster_status=RosterStatus.ACTIVE).exists()
