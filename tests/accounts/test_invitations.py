import os
import re
import subprocess
import sys
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qihang.accounts.models import User
from qihang.accounts.services import (
    cohort_invite,
    graduate_accounts_provision,
    invitation_send,
    set_password_path,
)
from qihang.audit.models import AuditEvent
from qihang.graduates.models import Graduate
from qihang.institutions.models import Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY, build_actor
from tests.factories import make_graduate, make_user

NEW_PASSWORD = "Yinyue-Shanghai-2020"


def centre_actor(school):
    return build_actor(school.centre, school.institution.pk)


def add_graduates(school, n: int, prefix: str = "n") -> list[Graduate]:
    return [
        make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[i % 2],
            student_no=f"{prefix}{i:05d}",
            name=f"新生{i}",
        )
        for i in range(n)
    ]


def link_in(message) -> str:
    """The path of the set-password link in an e-mail."""
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


@pytest.mark.django_db
def test_provision_opens_accounts_for_graduates_without_one(school):
    result = graduate_accounts_provision(actor=centre_actor(school), cohort=school.cohort)
    # graduates[0] already had an account (the persona); the other two get one now.
    assert (result.created, result.linked, result.already) == (2, 0, 1)
    for graduate in Graduate.objects.filter(pk__in=[g.pk for g in school.graduates[1:]]):
        user = graduate.user
        assert user.username == f"{school.institution.code}:{graduate.student_no}"
        assert user.email == graduate.email
        assert user.display_name == graduate.name
        assert not user.has_usable_password()
        assert user.account_status == "created"
        assert Membership.objects.filter(
            user=user, institution=school.institution, role=Role.GRADUATE, is_active=True
        ).exists()
    assert AuditEvent.objects.filter(action="graduate.accounts_provision").count() == 1
    # Running it again changes nothing.
    again = graduate_accounts_provision(actor=centre_actor(school), cohort=school.cohort)
    assert (again.created, again.already) == (0, 3)


@pytest.mark.django_db
def test_provision_keeps_a_used_email_off_the_new_account(school, committed):
    graduate = school.graduates[1]
    make_user("someone-else", email=graduate.email.upper())
    result = graduate_accounts_provision(
        actor=centre_actor(school), cohort=school.cohort, graduates=[graduate]
    )
    assert result.email_conflicts == 1
    user = Graduate.objects.get(pk=graduate.pk).user
    assert user.email == ""
    # The invitation still reaches the graduate at the roster address.
    with committed():
        assert invitation_send(actor=centre_actor(school), user=user)
    assert mail.outbox[-1].to == [graduate.email]
    assert "学号" in mail.outbox[-1].body


@pytest.mark.django_db
def test_provision_reattaches_an_orphaned_account(school):
    graduate = school.graduates[1]
    orphan = make_user(f"{school.institution.code}:{graduate.student_no}")
    result = graduate_accounts_provision(
        actor=centre_actor(school), cohort=school.cohort, graduates=[graduate]
    )
    assert (result.created, result.linked) == (0, 1)
    assert Graduate.objects.get(pk=graduate.pk).user_id == orphan.pk


# cohort_invite's queries, whatever the number of graduates:
#  provisioning (in a savepoint): graduates without account, count of those with one,
#  institution code, orphaned accounts, taken usernames, taken e-mails, insert users,
#  update graduates, insert memberships, audit row;  never-invited accounts;
#  sending: accounts held elsewhere (memberships, platform administrators), memberships
#  check, roster e-mails, institution name; then (in a savepoint) the outbox (preferences
#  are not read for set-password links: insert notifications, insert deliveries), mark
#  invited_at and the audit row.  = 20 + 4 savepoint statements. The mail leaves after commit.
COHORT_INVITE_QUERIES = 28  # incl. 2 audit entries × (lock the chain head, advance it)


@pytest.mark.django_db
def test_provision_and_invite_use_constant_queries(school, django_assert_num_queries):
    actor = centre_actor(school)
    add_graduates(school, 5, "p")
    with django_assert_num_queries(COHORT_INVITE_QUERIES):
        cohort_invite(actor=actor, cohort=school.cohort)
    add_graduates(school, 60, "q")
    with django_assert_num_queries(COHORT_INVITE_QUERIES):
        provisioned, sent = cohort_invite(actor=actor, cohort=school.cohort)
    assert provisioned.created == 60 and sent.sent == 60


@pytest.mark.django_db
def test_bulk_invite_from_the_list_sends_one_mail_each_over_one_connection(
    school, client_for, committed
):
    add_graduates(school, 4, "m")
    client = client_for(school.centre)
    original = locmem.EmailBackend.open
    with (
        mock.patch.object(locmem.EmailBackend, "open", autospec=True, side_effect=original) as send,
        committed(),
    ):
        response = client.post("/graduates/invite/", {"cohort": school.cohort.year})
    assert response.status_code == 302
    assert response["Location"] == "/graduates/?cohort=2020"
    # 2 graduates of the fixture + 4 new ones had no account; graduates[0]'s persona account
    # has a password already, so it is not invited.
    assert len(mail.outbox) == 6
    assert send.call_count == 1  # all six over one connection, after the commit
    recipients = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(g.email for g in Graduate.objects.filter(user__password__startswith="!"))
    assert recipients == expected
    assert User.objects.filter(invited_at__isnull=False).count() == 6
    # A second click sends nothing new.
    with committed():
        client.post("/graduates/invite/", {"cohort": school.cohort.year})
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_per_graduate_invite_and_resend(school, client_for, committed):
    graduate = school.graduates[2]
    client = client_for(school.centre)
    with committed():
        response = client.post(f"/graduates/{graduate.pk}/invite/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [graduate.email]
    assert "设置密码" in mail.outbox[0].body
    with committed():
        client.post(f"/graduates/{graduate.pk}/invite/")
    assert len(mail.outbox) == 2  # resend works; the old link is still valid until used
    assert Graduate.objects.get(pk=graduate.pk).user.invited_at is not None


@pytest.mark.django_db
def test_invitation_views_are_for_the_career_centre(school, other_school, client_for):
    for user in (school.dept_staff, school.leader, school.teacher, school.graduate_user):
        client = client_for(user)
        assert client.post(f"/graduates/{school.graduates[1].pk}/invite/").status_code == 403
        assert client.post("/graduates/invite/", {"cohort": 2020}).status_code == 403
    outsider = client_for(school.centre)
    assert outsider.post(f"/graduates/{other_school.graduates[1].pk}/invite/").status_code == 404
    assert not mail.outbox


@pytest.mark.django_db
def test_accepting_an_invitation_sets_the_password_and_signs_in(school, committed):
    graduate = school.graduates[1]
    actor = centre_actor(school)
    user = graduate_accounts_provision(
        actor=actor, cohort=school.cohort, graduates=[graduate]
    ).users[0]
    with committed():
        invitation_send(actor=actor, user=user)
    link = link_in(mail.outbox[0])
    # The link names this account and carries a token valid for it (the token embeds the
    # second it was made, so it is checked, not compared with a freshly made one).
    uidb64, token = link.rstrip("/").split("/")[-2:]
    expected = set_password_path(User.objects.get(pk=user.pk))
    assert link.rstrip("/").rsplit("/", 2)[0] == expected.rstrip("/").rsplit("/", 2)[0]
    assert uidb64 == urlsafe_base64_encode(force_bytes(user.pk))
    assert default_token_generator.check_token(User.objects.get(pk=user.pk), token)
    client = Client()
    response = client.get(link)
    # The token moves into the session; the page itself lives at .../set-password/.
    assert response.status_code == 302
    assert response["Location"].endswith("/set-password/")
    form = client.get(response["Location"])
    assert form.status_code == 200 and "设置密码" in form.content.decode()
    weak = client.post(response["Location"], {"new_password1": "12345", "new_password2": "12345"})
    assert weak.status_code == 200 and "_auth_user_id" not in client.session
    done = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_INSTITUTION_KEY] == school.institution.pk
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.account_status == "active"
    # The link cannot be used twice.
    again = Client().get(link)
    assert again.status_code == 200 and "链接无效或已过期" in again.content.decode()
    # And the graduate can now sign in with their 学号.
    login = Client().post(
        "/accounts/login/", {"username": graduate.student_no, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


@pytest.mark.django_db
def test_a_deactivated_persons_link_is_dead(school, committed):
    actor = centre_actor(school)
    user = graduate_accounts_provision(
        actor=actor, cohort=school.cohort, graduates=[school.graduates[1]]
    ).users[0]
    with committed():
        invitation_send(actor=actor, user=user)
    Membership.objects.filter(user=user).update(is_active=False)
    response = Client().get(link_in(mail.outbox[0]))
    assert response.status_code == 200
    assert "链接无效或已过期" in response.content.decode()


@pytest.mark.django_db
def test_garbage_links_are_harmless(school):
    for path in ("/accounts/invitation/MQ/set-password/", "/accounts/invitation/zz/abc-def/"):
        response = Client().get(path)
        assert response.status_code == 200
        assert "链接无效或已过期" in response.content.decode()


@pytest.mark.django_db
def test_forgotten_password_mail_does_not_reveal_accounts(school, committed):
    client = Client()
    with committed():
        known = client.post(
            "/accounts/password/reset/", {"username": school.graduates[0].student_no}
        )
    unknown = client.post("/accounts/password/reset/", {"username": "no-such-person"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().count("请查收邮件") == unknown.content.decode().count(
        "请查收邮件"
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [school.graduates[0].email]
    assert "重设" in mail.outbox[0].subject
    # Asking again at once sends nothing more (one mail per account per few minutes).
    with committed():
        client.post("/accounts/password/reset/", {"username": school.graduates[0].student_no})
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_graduates_without_email_get_an_account_but_no_mail(school, client_for, committed):
    Graduate.objects.filter(pk=school.graduates[2].pk).update(email="")
    with committed():
        response = client_for(school.centre).post(
            "/graduates/invite/", {"cohort": school.cohort.year}, follow=True
        )
    assert len(mail.outbox) == 1  # graduates[1] only
    assert Graduate.objects.get(pk=school.graduates[2].pk).user is not None
    assert "1 人没有电子邮箱" in response.content.decode()


@pytest.mark.django_db
def test_invitation_links_use_the_configured_base_url(school, settings, committed):
    settings.QIHANG_BASE_URL = "https://jobs.dfcm.example:8443"
    graduate = school.graduates[1]
    actor = centre_actor(school)
    user = graduate_accounts_provision(
        actor=actor, cohort=school.cohort, graduates=[graduate]
    ).users[0]
    with committed():
        invitation_send(actor=actor, user=user)
    link = re.search(r"\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)
    assert link == "https://jobs.dfcm.example:8443" + link_in(mail.outbox[0])
    assert "127.0.0.1" not in mail.outbox[0].body


def settings_value(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QIHANG_BASE_URL")}
    clean.update(env, DJANGO_SETTINGS_MODULE="qihang.settings")
    return subprocess.run(  # noqa: S603 — our own interpreter and a fixed snippet
        [sys.executable, "-c", "from django.conf import settings; print(settings.QIHANG_BASE_URL)"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_base_url_comes_from_the_environment_and_is_checked():
    default = settings_value({})
    assert (default.returncode, default.stdout.strip()) == (0, "http://127.0.0.1:8000")
    custom = settings_value({"QIHANG_BASE_URL": "http://127.0.0.1:8123/"})
    assert (custom.returncode, custom.stdout.strip()) == (0, "http://127.0.0.1:8123")
    for bad in ("127.0.0.1:8123", "http://host/qihang/", "ftp://host"):
        refused = settings_value({"QIHANG_BASE_URL": bad})
        assert refused.returncode == 1, bad
        assert "QIHANG_BASE_URL must be a scheme and host" in refused.stderr
