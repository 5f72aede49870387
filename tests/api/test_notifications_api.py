import pytest
from django.test import Client

from qihang.notifications.kinds import LINK_MARK, Kind
from qihang.notifications.models import Notification
from qihang.notifications.services import notify

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications"


def message(school, user, subject, kind=Kind.JOB_HELD, body="正文"):
    (n,) = notify(
        recipients=[user],
        kind=kind,
        subject=subject,
        body=body,
        link="/jobs/",
        institution_id=school.institution.pk,
    )
    return n


def test_own_notifications_paged_with_the_unread_count(
    school, other_school, token_for, django_assert_num_queries
):
    read = message(school, school.teacher, "已读")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    message(school, school.teacher, "未读")
    message(school, school.teacher, "设置密码", kind=Kind.SET_PASSWORD, body=f"链接：{LINK_MARK}")
    message(school, school.centre, "别人的")
    message(other_school, other_school.teacher, "别校的")
    auth = token_for(school.teacher, school)
    # token, its last use, memberships, their departments (the actor), count, page, unread
    with django_assert_num_queries(7):
        response = Client().get(URL, headers={"Authorization": auth})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["count"], data["unread"], data["page"], data["pages"]) == (3, 2, 1, 1)
    assert [r["subject"] for r in data["results"]][2] == "已读"
    assert {r["subject"] for r in data["results"]} == {"已读", "未读", "设置密码"}
    link_row = next(r for r in data["results"] if r["kind"] == "set_password")
    assert "/accounts/invitation/" not in link_row["body"]  # never a link that signs in
    past = Client().get(URL, {"page": 2}, headers={"Authorization": auth}).json()
    assert (past["count"], past["page"], past["results"]) == (3, 2, [])


def test_needs_a_token_and_refuses_writes(school, token_for):
    assert Client().get(URL).status_code == 401
    auth = token_for(school.teacher, school)
    assert Client().post(URL, headers={"Authorization": auth}).status_code == 405
    # Graduates hold no API permission (their inbox is the page).
    assert (
        Client()
        .get(URL, headers={"Authorization": token_for(school.graduate_user, school)})
        .status_code
        == 403
    )
