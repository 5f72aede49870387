"""Applications: apply, every answer, messages, reminders, response times, scoping."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qihang.applications import selectors, services
from qihang.applications.models import Application, ApplicationEvent
from qihang.audit.models import AuditEvent
from qihang.institutions.scoping import build_actor
from qihang.jobs.models import JobKind
from qihang.notifications.models import Notification
from tests.factories import make_employer, make_job, make_user

pytestmark = pytest.mark.django_db

AUDITION = {
    "kind": "audition",
    "at": dt.datetime(2027, 3, 1, 14, 0, tzinfo=dt.UTC),
    "place": "乐团排练厅",
    "link": "",
    "note": "请准备一首协奏曲第一乐章",
}


def kinds_for(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


def test_every_step_is_told_to_the_other_side_and_on_the_timeline(
    school, orchestra, job, graduate, employer
):
    application = services.application_submit(actor=graduate, job=job, note="我主修大提琴。")
    assert application.status == "submitted" and application.employer_id == orchestra.pk
    assert kinds_for(orchestra.admin) == ["application_received"]

    assert services.application_mark_viewed(actor=employer, application=application)
    assert not services.application_mark_viewed(actor=employer, application=application)
    assert application.answered_at is None  # opening it is not an answer
    services.application_act(
        actor=employer, application=application, action="invite", interview=AUDITION
    )
    assert application.answered_at is not None
    services.application_act(
        actor=employer, application=application, action="offer", offer_note="7月1日报到"
    )
    services.application_act(actor=graduate, application=application, action="accept")
    application.refresh_from_db()
    assert application.status == "hired"
    assert application.interview_place == "乐团排练厅" and application.offer_note == "7月1日报到"
    assert kinds_for(school.graduate_user) == [
        "application_viewed",
        "application_updated",
        "application_updated",
    ]
    assert kinds_for(orchestra.admin) == ["application_received", "application_updated"]
    assert [e.action for e in selectors.timeline(application)] == [
        "submit",
        "view",
        "invite",
        "offer",
        "accept",
    ]
    assert list(
        AuditEvent.objects.filter(target_type="applications.application")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "application.submit",
        "application.view",
        "application.invite",
        "application.offer",
        "application.accept",
    ]
    assert selectors.counts_as_employment(application)


def test_one_live_application_per_job_and_a_new_one_after_withdrawing(job, graduate):
    first = services.application_submit(actor=graduate, job=job)
    with pytest.raises(ValidationError, match="已投递过"):
        services.application_submit(actor=graduate, job=job)
    services.application_act(actor=graduate, application=first, action="withdraw")
    again = services.application_submit(actor=graduate, job=job)
    assert again.pk != first.pk and Application.objects.count() == 2


def test_closed_and_past_deadline_jobs_take_no_applications(school, orchestra, graduate):
    closed = make_job(orchestra, school.institution, title="圆号", status="closed")
    past = make_job(orchestra, school.institution, title="长笛", deadline=dt.date(2020, 1, 1))
    for job in (closed, past):
        with pytest.raises(ValidationError, match="已截止或不在招聘中"):
            services.application_submit(actor=graduate, job=job)


def test_a_refusal_needs_its_reason_and_each_side_only_its_own_actions(
    job, graduate, employer, school
):
    application = services.application_submit(actor=graduate, job=job)
    with pytest.raises(ValidationError):
        services.application_act(actor=employer, application=application, action="decline")
    with pytest.raises(PermissionDenied):
        services.application_act(actor=graduate, application=application, action="offer")
    with pytest.raises(PermissionDenied):
        services.application_act(actor=employer, application=application, action="withdraw")
    other = make_employer(
        "别家乐团", serial=12, institution=school.institution, user=make_user("x")
    )
    stranger = build_actor(other.members.get().user, None, employer_id=other.pk)
    with pytest.raises(PermissionDenied):
        services.application_act(
            actor=stranger, application=application, action="decline", reason="不合适"
        )
    services.application_act(
        actor=employer, application=application, action="decline", reason="声部已满"
    )
    assert Application.objects.get(pk=application.pk).decline_reason == "声部已满"
    assert Notification.objects.filter(
        recipient=school.graduate_user, kind="application_updated", body__contains="声部已满"
    ).exists()


def test_an_invitation_needs_a_time_and_a_place_or_link(job, graduate, employer):
    application = services.application_submit(actor=graduate, job=job)
    with pytest.raises(ValidationError):
        services.application_act(
            actor=employer, application=application, action="invite", interview={"place": "x"}
        )
    with pytest.raises(ValidationError):
        services.application_act(
            actor=employer,
            application=application,
            action="invite",
            interview={**AUDITION, "place": "", "link": ""},
        )


def test_messages_both_ways_and_an_employers_message_is_an_answer(
    job, graduate, employer, school, orchestra
):
    application = services.application_submit(actor=graduate, job=job)
    services.application_message(actor=graduate, application=application, text="请问何时面试？")
    assert Application.objects.get(pk=application.pk).answered_at is None
    services.application_message(actor=employer, application=application, text="下周通知。")
    assert Application.objects.get(pk=application.pk).answered_at is not None
    assert "application_message" in kinds_for(orchestra.admin)
    assert "application_message" in kinds_for(school.graduate_user)
    with pytest.raises(ValidationError):
        services.application_message(actor=graduate, application=application, text="  ")


def test_a_hire_through_an_internship_is_never_employment(school, orchestra, graduate, employer):
    internship = make_job(
        orchestra, school.institution, title="乐团实习生", kind=JobKind.INTERNSHIP
    )
    application = services.application_submit(actor=graduate, job=internship)
    services.application_act(actor=employer, application=application, action="view")
    services.application_act(actor=employer, application=application, action="offer")
    services.application_act(actor=graduate, application=application, action="accept")
    assert application.status == "hired"
    assert not selectors.counts_as_employment(application)


def _backdate(application, days):
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=days)
    )


def test_employers_are_reminded_of_applications_waiting_too_long(
    school, orchestra, job, graduate, employer
):
    waiting = services.application_submit(actor=graduate, job=job)
    _backdate(waiting, 8)
    other_job = make_job(orchestra, school.institution, title="中提琴")
    answered = services.application_submit(actor=graduate, job=other_job)
    _backdate(answered, 20)
    services.application_message(actor=employer, application=answered, text="已收到。")
    now = timezone.now()
    assert services.applications_remind(now=now) == 1
    message = Notification.objects.get(kind="application_waiting")
    assert message.recipient == orchestra.admin and "1份" in message.subject
    assert services.applications_remind(now=now) == 0  # not again the same day
    assert services.applications_remind(now=now + dt.timedelta(days=7)) == 1
    # The institution may wait longer before employers are reminded.
    centre = build_actor(school.centre, school.institution.pk)
    services.application_policy_update(actor=centre, remind_after_days=30)
    assert services.applications_remind(now=now + dt.timedelta(days=20)) == 0


def test_response_times_per_employer(school, orchestra, job, graduate, employer):
    application = services.application_submit(actor=graduate, job=job)
    _backdate(application, 3)
    application.refresh_from_db()
    services.application_act(actor=employer, application=application, action="view")
    services.application_act(
        actor=employer, application=application, action="invite", interview=AUDITION
    )
    slow = make_employer(
        "慢回复剧院", serial=13, institution=school.institution, user=make_user("y")
    )
    slow_job = make_job(slow, school.institution, title="声乐演员")
    late = services.application_submit(actor=graduate, job=slow_job)
    _backdate(late, 10)
    centre = build_actor(school.centre, school.institution.pk)
    rows = selectors.employer_responses(
        centre, now=timezone.now(), overdue_after=dt.timedelta(days=7)
    )
    assert [r.name for r in rows] == ["慢回复剧院", "上海交响乐团"]  # the overdue first
    assert (rows[0].waiting, rows[0].overdue, rows[0].answered) == (1, 1, 0)
    assert rows[1].answered == 1 and 71 <= rows[1].median_hours <= 73


def test_staff_see_the_applications_of_graduates_they_look_after(school, orchestra, job, graduate):
    mine = services.application_submit(actor=graduate, job=job)
    other_department = Application.objects.create(
        institution=school.institution,
        job=job,
        graduate=school.graduates[2],
        employer=orchestra,
        submitted_at=timezone.now(),
    )
    dept = build_actor(school.dept_staff, school.institution.pk)
    centre = build_actor(school.centre, school.institution.pk)
    assert list(selectors.applications_for(dept)) == [mine]
    assert set(selectors.applications_for(centre)) == {mine, other_department}
    assert ApplicationEvent.objects.filter(application=mine).count() == 1


def test_an_application_lets_that_employer_read_the_resume_until_withdrawn(
    school, orchestra, job, graduate, employer, client_for
):
    from django.urls import reverse

    from qihang.resumes.selectors import resume_visible_to_employer

    graduate_row = school.graduates[0]
    assert not resume_visible_to_employer(graduate_row, orchestra.pk)  # no consent, no application
    application = services.application_submit(actor=graduate, job=job)
    assert resume_visible_to_employer(graduate_row, orchestra.pk)
    url = reverse("resumes:employer_detail", args=[graduate_row.pk])
    assert client_for(orchestra.admin).get(url).status_code == 200
    other = make_employer(
        "别家乐团", serial=14, institution=school.institution, user=make_user("z")
    )
    assert not resume_visible_to_employer(graduate_row, other.pk)
    services.application_act(actor=graduate, application=application, action="withdraw")
    assert not resume_visible_to_employer(graduate_row, orchestra.pk)
    assert client_for(orchestra.admin).get(url).status_code == 404


def test_an_events_funnel_counts_who_applied_and_was_hired_after_registering(
    school, orchestra, job, graduate, employer
):
    """registered → attended → applied → hired: an info session's registrants who applied to
    its employer afterwards, and those hired."""
    import datetime as dt

    from qihang.events import selectors as event_selectors
    from qihang.events.models import Registration, Room
    from qihang.events.services import event_create, new_code

    centre = build_actor(school.centre, school.institution.pk)
    start = timezone.now() + dt.timedelta(days=3)
    start = start.replace(minute=0, second=0, microsecond=0)
    event = event_create(
        actor=centre,
        data={
            "kind": "info_session",
            "title": "乐团宣讲会",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            "capacity": 50,
        },
        room=Room.objects.create(institution=school.institution, name="音乐厅", seats=100),
        employer=orchestra,
    )
    for g in school.graduates[:2]:
        Registration.objects.create(
            institution=school.institution,
            event=event,
            graduate=g,
            status="seated",
            code=new_code(),
        )
    application = services.application_submit(actor=graduate, job=job)  # graduates[0]
    for action in ("view", "offer"):
        services.application_act(actor=employer, application=application, action=action)
    services.application_act(actor=graduate, application=application, action="accept")
    event = event_selectors.staff_events(actor=centre).get(pk=event.pk)
    funnel = event_selectors.funnel_of(event)
    assert (funnel.registered, funnel.applied, funnel.hired) == (2, 1, 1)
    [row] = event_selectors.funnel_by_employer(actor=centre)
    assert (row.funnel.applied, row.funnel.hired) == (1, 1)
