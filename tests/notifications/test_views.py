"""The inbox, mark read, the navigation's count and the settings page."""

import pytest
from django.test import Client

from qihang.notifications.kinds import Kind, Mode
from qihang.notifications.models import Notification, Preference
from qihang.notifications.services import notify

pytestmark = pytest.mark.django_db

INBOX = "/notifications/"
READ = "/notifications/read/"
READ_ALL = "/notifications/read-all/"
SETTINGS = "/notifications/settings/"


def message(school, user, subject, kind=Kind.JOB_HELD, institution=None):
    (n,) = notify(
        recipients=[user],
        kind=kind,
        subject=subject,
        body="正文",
        link="/destinations/mine/",
        institution_id=(institution or school.institution).pk,
    )
    return n


def subjects(response) -> list[str]:
    return [n.subject for n in response.context["page"].object_list]


def test_the_inbox_shows_only_ones_own_unread_first(school, other_school, client_for):
    old = message(school, school.centre, "旧的已读")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    message(school, school.centre, "新的未读")
    message(school, school.dept_staff, "别人的")
    message(other_school, other_school.centre, "别校的")
    response = client_for(school.centre).get(INBOX)
    assert response.status_code == 200
    assert subjects(response) == ["新的未读", "旧的已读"]
    html = response.content.decode()
    assert "别人的" not in html and "别校的" not in html


def test_an_account_held_in_two_institutions_has_one_inbox(school, other_school, client_for):
    message(school, school.centre, "东方的")
    message(school, school.centre, "江城的", institution=other_school.institution)
    assert sorted(subjects(client_for(school.centre).get(INBOX))) == ["东方的", "江城的"]


def test_mark_read_ignores_other_peoples_ids(school, other_school, client_for):
    mine = message(school, school.centre, "我的")
    colleague = message(school, school.dept_staff, "同事的")
    theirs = message(other_school, other_school.centre, "别校的")
    client = client_for(school.centre)
    response = client.post(READ, {"notification": [mine.pk, colleague.pk, theirs.pk, "x"]})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=colleague.pk).read_at is None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_open_marks_read_and_goes_to_the_link(school, client_for):
    mine = message(school, school.centre, "我的")
    response = client_for(school.centre).post(READ, {"notification": mine.pk, "open": "1"})
    assert response["Location"] == "/destinations/mine/"
    # Someone else's cannot be opened through it either.
    other = message(school, school.dept_staff, "别人的")
    response = client_for(school.centre).post(READ, {"notification": other.pk, "open": "1"})
    assert response["Location"] == INBOX


def test_mark_all_read_is_ones_own(school, client_for):
    message(school, school.centre, "一")
    message(school, school.centre, "二")
    colleague = message(school, school.dept_staff, "同事的")
    response = client_for(school.centre).post(READ_ALL)
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=school.centre, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=colleague.pk).read_at is None


def test_writes_refuse_get_and_nobody_is_sent_to_sign_in(school, client_for):
    client = client_for(school.centre)
    assert client.get(READ).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    assert client.delete(SETTINGS).status_code == 405
    for url in (INBOX, READ, READ_ALL, SETTINGS):
        assert Client().get(url)["Location"].startswith("/accounts/login/")


def test_the_navigation_shows_the_unread_count(school, client_for):
    client = client_for(school.graduate_user)
    html = client.get("/destinations/mine/").content.decode()
    assert 'href="/notifications/">通知</a>' in html
    for i in range(3):
        message(school, school.graduate_user, f"第{i}条")
    html = client.get("/destinations/mine/").content.decode()
    assert '>3<span class="visually-hidden">条未读</span>' in html


def test_inbox_queries_do_not_grow(school, client_for, django_assert_num_queries):
    client = client_for(school.centre)
    message(school, school.centre, "一")
    # session, user, memberships, their departments (the actor), page count, page rows,
    # unread count (navigation and the "mark all" button: one lazy value), institution (header)
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        client.get(INBOX)
    for i in range(25):
        message(school, school.centre, f"更多{i}")
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        assert len(subjects(client.get(INBOX))) == 26


def test_the_nav_count_is_one_query(school, client_for, django_assert_num_queries):
    from django.test import RequestFactory

    from qihang.notifications.context_processors import unread

    message(school, school.centre, "一")
    request = RequestFactory().get("/")
    request.user = school.centre
    context = unread(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 1


def test_preferences_page_saves_choices_but_not_for_account_links(school, client_for):
    client = client_for(school.graduate_user)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert "账号与邀请的链接必须及时送达，不能关闭或汇总。" in page.content.decode()
    response = client.post(
        SETTINGS,
        {
            Kind.DESTINATION_APPROVED: Mode.OFF,
            Kind.JOB_PUSHED: Mode.DIGEST,
            Kind.SET_PASSWORD: Mode.OFF,  # not theirs to turn off: ignored
            Kind.JOB_HELD: "nonsense",
        },
    )
    assert response.status_code == 302
    assert dict(
        Preference.objects.filter(user=school.graduate_user).values_list("kind", "mode")
    ) == {Kind.DESTINATION_APPROVED: Mode.OFF, Kind.JOB_PUSHED: Mode.DIGEST}
    rows = {r["kind"]: r["mode"] for r in client.get(SETTINGS).context["rows"]}
    assert rows[Kind.SET_PASSWORD] == Mode.INSTANT
    assert rows[Kind.JOB_PUSHED] == Mode.DIGEST
