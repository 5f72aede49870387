"""The employer portal's API tokens: the organisation's administrators make tokens that act for
it (and only it) through /api/v1/employer/…; recruiters, staff and other organisations cannot
see or revoke them."""

import pytest
from django.test import Client
from django.utils import timezone

from qihang.accounts.models import ApiToken
from qihang.audit.models import AuditEvent
from qihang.employers.models import EmployerMember
from qihang.institutions.roles import EmployerRole
from tests.factories import make_employer, make_job, make_user


@pytest.fixture
def rival(other_school):
    user = make_user("hr-rival", email="hr@rival.example")
    employer = make_employer(
        "江南越剧团", serial=502, institution=other_school.institution, user=user
    )
    return employer, user


def _create(client: Client, name: str = "招聘系统同步") -> tuple[ApiToken, str]:
    response = client.post("/employer/tokens/", {"name": name})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return ApiToken.objects.get(name=name), response.context["created_token"]


@pytest.mark.django_db
def test_an_administrator_creates_a_token_that_works_for_the_own_organisation_only(
    school, orchestra, rival, client_for
):
    employer, user = orchestra
    other, _other_user = rival
    mine = make_job(employer, school.institution, title="首席小号")
    make_job(other, school.institution, title="越剧演员")
    client = client_for(user)
    page = client.get("/employer/").content.decode()
    assert "/employer/tokens/" in page  # linked from the portal's navigation
    token, plaintext = _create(client)
    assert (token.user_id, token.employer_id, token.institution_id) == (
        user.pk,
        employer.pk,
        None,
    )
    assert plaintext not in (token.prefix, token.secret_hash)
    listing = client.get("/employer/tokens/").content.decode()
    assert "招聘系统同步" in listing and plaintext not in listing
    assert AuditEvent.objects.filter(
        action="api_token.create", institution=school.institution, target_id=str(token.pk)
    ).exists()

    api = Client()
    auth = {"Authorization": f"Bearer {plaintext}"}
    answer = api.get("/api/v1/employer/jobs", headers=auth)
    assert answer.status_code == 200
    assert [j["title"] for j in answer.json()["items"]] == ["首席小号"]
    assert api.get(f"/api/v1/employer/jobs/{mine.pk}", headers=auth).status_code == 200
    # The token reads no institution's data.
    assert api.get("/api/v1/graduates", headers=auth).status_code == 403
    token.refresh_from_db()
    assert token.last_used_at is not None
    used = timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M")
    assert used in client.get("/employer/tokens/").content.decode()  # the list shows last use

    # Revoked: refused at once, audited.
    response = client.post("/employer/tokens/revoke/", {"token": token.pk})
    assert response.status_code == 302 and response["Location"] == "/employer/tokens/"
    token.refresh_from_db()
    assert token.revoked
    assert api.get("/api/v1/employer/jobs", headers=auth).status_code == 401
    assert AuditEvent.objects.filter(
        action="api_token.revoke", institution=school.institution, target_id=str(token.pk)
    ).exists()


@pytest.mark.django_db
def test_recruiters_get_403_and_no_link(orchestra, client_for):
    employer, _user = orchestra
    recruiter = make_user("recruiter", email="r@orchestra.example")
    EmployerMember.objects.create(employer=employer, user=recruiter, role=EmployerRole.RECRUITER)
    client = client_for(recruiter)
    assert "/employer/tokens/" not in client.get("/employer/").content.decode()
    assert client.get("/employer/tokens/").status_code == 403
    assert client.post("/employer/tokens/", {"name": "x"}).status_code == 403
    assert client.post("/employer/tokens/revoke/", {"token": 1}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_another_organisations_token_is_a_404_and_staff_do_not_see_it(
    school, orchestra, rival, client_for
):
    _employer, user = orchestra
    _other, other_user = rival
    theirs, _plaintext = _create(client_for(other_user), "越剧团的令牌")
    client = client_for(user)
    assert "越剧团的令牌" not in client.get("/employer/tokens/").content.decode()
    assert client.post("/employer/tokens/revoke/", {"token": theirs.pk}).status_code == 404
    assert client.post("/employer/tokens/revoke/", {"token": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked
    # Staff of an institution: their own token page lists none of an employer's tokens, and
    # cannot revoke one; the employer portal's is not theirs at all.
    mine, _ = _create(client, "乐团的令牌")
    staff = client_for(school.centre)
    listing = staff.get("/accounts/tokens/").content.decode()
    assert "乐团的令牌" not in listing and "越剧团的令牌" not in listing
    assert staff.post("/accounts/tokens/revoke/", {"token": mine.pk}).status_code == 404
    assert staff.get("/employer/tokens/").status_code == 403
    mine.refresh_from_db()
    assert not mine.revoked


@pytest.mark.django_db
def test_revoke_takes_post_only_and_a_name_is_required(orchestra, client_for):
    _employer, user = orchestra
    client = client_for(user)
    assert client.get("/employer/tokens/revoke/").status_code == 405
    response = client.post("/employer/tokens/", {"name": ""})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()
