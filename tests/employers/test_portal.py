"""The employer portal: an organisation sees its own standings and accounts, never another's."""

import pytest
from django.core import mail

from qihang.employers.models import EmployerMember, EmployerStanding, JoinRequest
from qihang.institutions.roles import EmployerRole
from tests.factories import make_employer, make_user


@pytest.fixture
def rival(other_school):
    user = make_user("hr-rival", email="hr@rival.example")
    employer = make_employer(
        "江南越剧团", serial=502, institution=other_school.institution, user=user
    )
    return employer, user


@pytest.mark.django_db
def test_the_portal_shows_the_own_organisation_only(school, orchestra, rival, client_for):
    employer, user = orchestra
    other, _ = rival
    page = client_for(user).get("/employer/").content.decode()
    assert "沪上交响乐团" in page and school.institution.name in page
    assert "江南越剧团" not in page
    members = client_for(user).get("/employer/members/").content.decode()
    assert "hr@orchestra.example" in members and "hr@rival.example" not in members


@pytest.mark.django_db
def test_another_organisations_account_cannot_be_changed(orchestra, rival, client_for):
    _employer, user = orchestra
    other, other_user = rival
    member = EmployerMember.objects.get(employer=other)
    response = client_for(user).post(
        "/employer/members/change/", {"member": member.pk, "answer": "deactivate"}
    )
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.is_active


@pytest.mark.django_db
def test_staff_and_recruiters_cannot_manage(school, orchestra, client_for):
    employer, _user = orchestra
    recruiter = make_user("recruiter", email="r@orchestra.example")
    EmployerMember.objects.create(employer=employer, user=recruiter, role=EmployerRole.RECRUITER)
    assert client_for(recruiter).get("/employer/").status_code == 200
    assert client_for(recruiter).get("/employer/profile/").status_code == 403
    assert client_for(recruiter).post("/employer/apply/", {"institution": 1}).status_code == 403
    assert client_for(school.centre).get("/employer/").status_code == 403
    assert client_for(recruiter).get("/employers/").status_code == 403  # staff pages


@pytest.mark.django_db
def test_asking_another_institution_takes_one_click(school, other_school, orchestra, client_for):
    employer, user = orchestra
    client = client_for(user)
    assert client.get("/employer/apply/").status_code == 405
    page = client.get("/employer/").content.decode()
    assert "申请江城音乐学院认证" in page
    response = client.post("/employer/apply/", {"institution": other_school.institution.pk})
    assert response.status_code == 302
    row = EmployerStanding.objects.get(employer=employer, institution=other_school.institution)
    assert (row.status, row.requested_by_id) == ("pending", user.pk)
    # Asking twice changes nothing.
    client.post("/employer/apply/", {"institution": other_school.institution.pk})
    assert EmployerStanding.objects.filter(employer=employer).count() == 2
    # The other school now holds it and can decide.
    assert client_for(other_school.centre).get(f"/employers/{employer.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_admin_accepts_and_declines_requests_to_join(orchestra, client_for):
    employer, user = orchestra
    asking = [make_user(f"asker{i}", email=f"a{i}@x.example") for i in range(2)]
    members = [
        EmployerMember.objects.create(
            employer=employer,
            user=u,
            role=EmployerRole.RECRUITER,
            is_active=False,
            join_request=JoinRequest.PENDING,
        )
        for u in asking
    ]
    client = client_for(user)
    client.post("/employer/members/change/", {"member": members[0].pk, "answer": "accept"})
    client.post("/employer/members/change/", {"member": members[1].pk, "answer": "decline"})
    members[0].refresh_from_db()
    members[1].refresh_from_db()
    assert (members[0].is_active, members[0].join_request) == (True, "")
    assert (members[1].is_active, members[1].join_request) == (False, "declined")
    assert client_for(asking[0]).get("/employer/").status_code == 200
    assert client_for(asking[1]).get("/employer/").status_code == 403
    # Deactivate and reactivate; the last administrator stays.
    client.post("/employer/members/change/", {"member": members[0].pk, "answer": "deactivate"})
    members[0].refresh_from_db()
    assert not members[0].is_active
    own = EmployerMember.objects.get(user=user)
    client.post("/employer/members/change/", {"member": own.pk, "answer": "deactivate"})
    own.refresh_from_db()
    assert own.is_active


@pytest.mark.django_db
def test_inviting_a_recruiter_sends_a_link_after_commit(
    orchestra, client_for, django_capture_on_commit_callbacks
):
    employer, user = orchestra
    with django_capture_on_commit_callbacks(execute=True):
        client_for(user).post(
            "/employer/members/invite/", {"name": "钱招聘", "email": "qian@orchestra.example"}
        )
    member = EmployerMember.objects.get(user__email="qian@orchestra.example")
    assert (member.role, member.is_active) == ("recruiter", True)
    assert len(mail.outbox) == 1 and "/accounts/invitation/" in mail.outbox[0].body


@pytest.mark.django_db
def test_the_profile_edit_keeps_the_code_and_the_licence_is_served_to_members(
    orchestra, rival, client_for
):
    employer, user = orchestra
    code = employer.credit_code
    client = client_for(user)
    response = client.post(
        "/employer/profile/",
        {
            "name": "沪上交响乐团",
            "credit_code": "91310000MA00000000",
            "nature_code": "29",
            "industry_code": "R",
            "division": "上海市徐汇区",
            "contact_name": "孙",
            "contact_phone": "+86 139-1234-5678",
            "contact_email": "hr@orchestra.example",
        },
    )
    assert response.status_code == 302
    employer.refresh_from_db()
    assert (employer.credit_code, employer.division, employer.contact_phone) == (
        code,
        "310104",
        "13912345678",
    )
    assert client.get("/employer/licence/").status_code == 404  # none uploaded


@pytest.mark.django_db
def test_decisions_are_told_to_the_active_accounts_only(school, orchestra):
    from qihang.employers.models import EmployerStanding, StandingStatus
    from qihang.employers.services import standing_decide
    from qihang.institutions.scoping import build_actor
    from qihang.notifications.models import Notification

    employer, user = orchestra
    waiting = make_user("waiting-one", email="w@orchestra.example")
    EmployerMember.objects.create(
        employer=employer,
        user=waiting,
        role=EmployerRole.RECRUITER,
        is_active=False,
        join_request=JoinRequest.PENDING,
    )
    standing = EmployerStanding.objects.get(institution=school.institution, employer=employer)
    EmployerStanding.objects.filter(pk=standing.pk).update(status=StandingStatus.PENDING)
    standing.refresh_from_db()
    standing_decide(
        actor=build_actor(school.centre, school.institution.pk), standing=standing, action="verify"
    )
    told = Notification.objects.filter(kind="employer_verified")
    assert list(told.values_list("recipient_id", flat=True)) == [user.pk]
    assert told.get().link == "/employer/"


@pytest.mark.django_db
def test_the_licence_is_served_to_its_organisation_and_never_cached(orchestra, rival, client_for):
    from django.core.files.base import ContentFile

    from qihang.employers.services import employer_update
    from qihang.institutions.scoping import build_actor
    from tests.conftest import TINY_PNG

    employer, user = orchestra
    employer_update(
        actor=build_actor(user, None, employer_id=employer.pk),
        employer=employer,
        data={},
        licence=ContentFile(TINY_PNG, name="执照.png"),
    )
    response = client_for(user).get("/employer/licence/", {"preview": "1"})
    assert response.content == TINY_PNG
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert "inline" in response["Content-Disposition"]
    # Another organisation's account gets its own (none), never this one.
    _other, other_user = rival
    assert client_for(other_user).get("/employer/licence/").status_code == 404


@pytest.mark.django_db
def test_codes_are_shown_by_their_names(school, orchestra, client_for):
    employer, user = orchestra
    employer.nature_code, employer.industry_code = "29", "R"
    employer.save(update_fields=["nature_code", "industry_code"])
    for client, url in (
        (client_for(user), "/employer/"),
        (client_for(school.centre), f"/employers/{employer.pk}/"),
    ):
        page = client.get(url).content.decode()
        assert "其他事业单位" in page and "文化、体育和娱乐业" in page and "上海市徐汇区" in page
