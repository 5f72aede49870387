"""An institution adds people and edits its own memberships; it never changes the account of
someone another institution holds (issue 6 §1), and adding one discloses nothing about them."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from qihang.accounts.models import User
from qihang.accounts.services import StaffAddOutcome, staff_create, staff_update
from qihang.audit.models import AuditEvent
from qihang.institutions.models import Membership, MembershipInvitation
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from tests.factories import make_user

NEW = "/accounts/staff/new/"
LIST = "/accounts/staff/"
INVITATIONS = "/accounts/invitations/"
RESPOND = "/accounts/invitations/respond/"
PASSWORD = "Qihang-test-2020"


@pytest.fixture
def lin(school):
    """东方's career-centre officer, 林晓岚, the account 江城 tries to take."""
    user = school.centre
    user.email = "centre@dfcm.example"
    user.display_name = "林晓岚"
    user.save(update_fields=["email", "display_name"])
    return user


def add(client: Client, email: str, name: str = "新同事", roles=(Role.CAREER_CENTRE,)):
    return client.post(NEW, {"display_name": name, "email": email, "roles": list(roles)})


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def jiangcheng_membership(other_school, user) -> Membership:
    return Membership.objects.get(institution=other_school.institution, user=user)


@pytest.mark.django_db
def test_adding_an_account_held_elsewhere_invites_and_changes_nothing(
    school, other_school, lin, client_for, committed
):
    client = client_for(other_school.centre)  # 江城's career centre
    with committed():
        response = add(client, "Centre@dfcm.example", name="冒名")
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert flashes(response) == ["已添加 centre@dfcm.example。需要对方操作的，邀请邮件已发出。"]
    # The account is untouched and 江城 gained nothing in it.
    lin.refresh_from_db()
    assert (lin.display_name, lin.email, lin.check_password(PASSWORD)) == (
        "林晓岚",
        "centre@dfcm.example",
        True,
    )
    membership = jiangcheng_membership(other_school, lin)
    assert (membership.is_active, membership.invitation, membership.invited_name) == (
        False,
        MembershipInvitation.PENDING,
        "冒名",
    )
    assert build_actor(lin, other_school.institution.pk) is None
    # The mail tells of the invitation; it carries no set-password link.
    assert [m.to for m in mail.outbox] == [["centre@dfcm.example"]]
    assert "/accounts/invitations/" in mail.outbox[0].body
    assert "/accounts/invitation/" not in mail.outbox[0].body.replace("/invitations/", "")
    # Nothing of the account shows on 江城's pages.
    listing = client.get(LIST).content.decode()
    assert "林晓岚" not in listing
    assert "冒名" in listing
    # Both institutions see the event in their own logs.
    assert list(
        AuditEvent.objects.filter(target_type="accounts.user", target_id=str(lin.pk))
        .order_by("institution__code", "action")
        .values_list("institution__code", "action")
    ) == [
        ("90001", "membership.invited_elsewhere"),
        ("90002", "account.invite"),
        ("90002", "staff.create"),
    ]


@pytest.mark.django_db
def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    school, other_school, lin, client_for
):
    def grants() -> int:
        return AuditEvent.objects.filter(
            institution=other_school.institution, action="membership.grant"
        ).count()

    grants_before = grants()
    held = add(client_for(other_school.centre), "centre@dfcm.example", name="甲")
    fresh = add(client_for(other_school.centre), "nobody-yet@dfcm.example", name="甲")
    client = client_for(other_school.centre)
    assert (held.status_code, held["Location"]) == (fresh.status_code, fresh["Location"])
    assert flashes(held) == [m.replace("nobody-yet", "centre") for m in flashes(fresh)]
    # The staff list shows both rows alike: typed name, address, role, "invited".
    html = client.get(LIST, {"q": "甲"}).content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", html, flags=re.S)
    normalised = [
        re.sub(r'/accounts/staff/\d+/|title="[^"]*"', "…", r).replace("nobody-yet", "centre")
        for r in rows
    ]
    assert len(normalised) == 2
    assert normalised[0] == normalised[1]
    assert "已邀请，未设密码" in normalised[0]
    # The audit log here reads the same for both.
    logged = [
        list(
            AuditEvent.objects.filter(
                institution=other_school.institution,
                target_type="accounts.user",
                target_id=str(user.pk),
            ).values_list("action", "summary")
        )
        for user in (lin, User.objects.get(email="nobody-yet@dfcm.example"))
    ]
    assert logged[0] == [(a, t.replace("nobody-yet", "centre")) for a, t in logged[1]]
    assert grants() == grants_before  # no per-role rows that would differ between the two
    # Searching by the real name finds nothing.
    assert client.get(LIST, {"q": "林晓岚"}).context["total"] == 0
    # Adding either again is refused with the same words.
    again_held = add(client, "centre@dfcm.example")
    again_fresh = add(client, "nobody-yet@dfcm.example")
    assert again_held.status_code == again_fresh.status_code == 200
    assert "centre@dfcm.example 已在本校人员名单中（含已邀请）" in again_held.content.decode()
    assert "nobody-yet@dfcm.example 已在本校人员名单中（含已邀请）" in again_fresh.content.decode()


@pytest.mark.django_db
def test_edit_invite_and_deactivate_of_a_pending_invitation_leave_the_account_alone(
    school, other_school, lin, client_for, committed
):
    client = client_for(other_school.centre)
    add(client, "centre@dfcm.example", name="冒名")
    membership = jiangcheng_membership(other_school, lin)
    url = f"/accounts/staff/{membership.pk}/"
    page = client.get(url)
    assert page.context["form"].initial["display_name"] == "冒名"
    assert "林晓岚" not in page.content.decode()
    response = client.post(url, {"display_name": "改名", "roles": [Role.LEADERSHIP]})
    assert response.status_code == 302
    lin.refresh_from_db()
    assert lin.display_name == "林晓岚"
    leadership = Membership.objects.get(
        institution=other_school.institution, user=lin, role=Role.LEADERSHIP
    )
    assert (leadership.is_active, leadership.invitation, leadership.invited_name) == (
        False,
        MembershipInvitation.PENDING,
        "改名",
    )
    mail.outbox.clear()
    with committed():
        client.post(f"/accounts/staff/{leadership.pk}/invite/")
    assert len(mail.outbox) == 1
    assert "/accounts/invitation/" not in mail.outbox[0].body.replace("/invitations/", "")
    client.post(f"/accounts/staff/{leadership.pk}/deactivate/")
    assert set(
        Membership.objects.filter(institution=other_school.institution, user=lin).values_list(
            "invitation", "is_active"
        )
    ) == {(MembershipInvitation.DECLINED, False)}
    lin.refresh_from_db()
    assert (lin.display_name, lin.check_password(PASSWORD), lin.is_active) == (
        "林晓岚",
        True,
        True,
    )


@pytest.mark.django_db
def test_the_invitee_accepts_after_signing_in(school, other_school, lin, client_for):
    add(client_for(other_school.centre), "centre@dfcm.example", roles=[Role.LEADERSHIP])
    client = client_for(lin)
    page = client.get(INVITATIONS)
    assert page.status_code == 200
    assert [i.institution_name for i in page.context["pending"]] == ["江城音乐学院"]
    assert "membership.invited_elsewhere" in page.content.decode()
    response = client.post(
        RESPOND, {"institution": other_school.institution.pk, "answer": "accept"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = jiangcheng_membership(other_school, lin)
    assert (membership.is_active, membership.invitation) == (True, MembershipInvitation.ACCEPTED)
    assert build_actor(lin, other_school.institution.pk).roles == {Role.LEADERSHIP}
    assert set(
        AuditEvent.objects.filter(action="membership.invitation_accept").values_list(
            "institution__code", flat=True
        )
    ) == {"90001", "90002"}
    # Now a member of both: 江城 sees the real name, but may not change it.
    actor = build_actor(other_school.centre, other_school.institution.pk)
    edit = client_for(other_school.centre).get(f"/accounts/staff/{membership.pk}/")
    assert "display_name" not in edit.context["form"].fields
    with pytest.raises(ValidationError, match="姓名只能由本人或平台管理员修改"):
        staff_update(actor=actor, user=lin, display_name="改名", roles=[Role.LEADERSHIP])
    lin.refresh_from_db()
    assert lin.display_name == "林晓岚"
    # Nor send it a set-password link.
    mail.outbox.clear()
    client_for(other_school.centre).post(f"/accounts/staff/{membership.pk}/invite/")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_invitee_declines(school, other_school, lin, client_for):
    add(client_for(other_school.centre), "centre@dfcm.example")
    response = client_for(lin).post(
        RESPOND, {"institution": other_school.institution.pk, "answer": "decline"}
    )
    assert response.status_code == 302
    membership = jiangcheng_membership(other_school, lin)
    assert (membership.is_active, membership.invitation) == (False, MembershipInvitation.DECLINED)
    # Declined once, answered once: a second answer finds nothing.
    again = client_for(lin).post(
        RESPOND, {"institution": other_school.institution.pk, "answer": "accept"}
    )
    assert again.status_code == 404
    assert not jiangcheng_membership(other_school, lin).is_active


@pytest.mark.django_db
def test_nobody_answers_an_invitation_that_is_not_theirs(school, other_school, lin, client_for):
    add(client_for(other_school.centre), "centre@dfcm.example")
    for user in (school.teacher, other_school.teacher):
        response = client_for(user).post(
            RESPOND, {"institution": other_school.institution.pk, "answer": "accept"}
        )
        assert response.status_code == 404
    assert client_for(lin).get(RESPOND).status_code == 405
    assert not jiangcheng_membership(other_school, lin).is_active


@pytest.mark.django_db
def test_someone_with_only_an_invitation_signs_in_to_answer_it(school, other_school, client_for):
    former = make_user("former", email="former@dfcm.example")
    Membership.objects.create(
        institution=school.institution, user=former, role=Role.TEACHER, is_active=False
    )
    add(client_for(other_school.centre), "former@dfcm.example")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "former@dfcm.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == INVITATIONS
    assert client.get(INVITATIONS).status_code == 200


@pytest.mark.django_db
def test_a_platform_administrator_attaches_directly(school, other_school, lin):
    admin = make_user("admin", email="admin@qihang.example")
    admin.is_platform_admin = True
    admin.save(update_fields=["is_platform_admin"])
    actor = build_actor(admin, other_school.institution.pk)
    added = staff_create(
        actor=actor, display_name="", email="centre@dfcm.example", roles=[Role.TEACHER]
    )
    assert added.outcome == StaffAddOutcome.ATTACHED
    membership = jiangcheng_membership(other_school, lin)
    assert (membership.is_active, membership.invitation) == (True, MembershipInvitation.ACCEPTED)
    assert AuditEvent.objects.filter(
        institution=school.institution, action="membership.granted_elsewhere"
    ).exists()


@pytest.mark.django_db
def test_a_platform_administrators_account_is_only_invited(other_school, client_for):
    admin = make_user("admin", email="admin@qihang.example")
    admin.is_platform_admin = True
    admin.display_name = "平台"
    admin.save(update_fields=["is_platform_admin", "display_name"])
    add(client_for(other_school.centre), "admin@qihang.example", name="随便")
    membership = Membership.objects.get(user=admin)
    assert (membership.is_active, membership.invitation) == (False, MembershipInvitation.PENDING)
    admin.refresh_from_db()
    assert admin.display_name == "平台"


@pytest.mark.django_db
def test_roster_invitations_skip_accounts_another_institution_holds(
    school, other_school, client_for
):
    from qihang.accounts.services import invitations_send

    graduate_user = school.graduate_user
    graduate_user.email = "grad@dfcm.example"
    graduate_user.set_unusable_password()
    graduate_user.save()
    Membership.objects.create(
        institution=other_school.institution, user=graduate_user, role=Role.TEACHER
    )
    result = invitations_send(
        actor=build_actor(school.centre, school.institution.pk), users=[graduate_user]
    )
    assert (result.sent, result.shared) == (0, 1)
    assert mail.outbox == []
