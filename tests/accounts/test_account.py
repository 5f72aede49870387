import pytest
from django.test import Client

from qihang.accounts.models import ApiToken
from qihang.accounts.sso import ExternalIdentity, user_for_external_identity
from qihang.audit.models import AuditEvent
from qihang.institutions.models import Membership

OLD = "Qihang-test-2020"
NEW = "Xin-Mima-Hen-Chang-2020"


@pytest.mark.django_db
def test_account_page_lists_roles(school, client_for):
    response = client_for(school.dept_staff).get("/accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "院系就业工作人员" in html and "钢琴系" in html


@pytest.mark.django_db
def test_password_change(school, client_for):
    client = client_for(school.teacher)
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    school.teacher.refresh_from_db()
    assert school.teacher.check_password(NEW)
    assert client.get("/accounts/").status_code == 200  # still signed in here
    assert AuditEvent.objects.filter(action="account.password_change").exists()


@pytest.mark.django_db
def test_api_tokens_are_shown_once_and_stored_hashed(school, client_for):
    client = client_for(school.centre)
    response = client.post("/accounts/tokens/", {"name": "统计脚本"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = response.context["created_token"]
    assert plaintext.startswith("qh_")
    token = ApiToken.objects.get()
    assert plaintext not in (token.prefix, token.secret_hash)
    assert plaintext.split("_", 2)[2] not in token.secret_hash
    assert (token.user_id, token.institution_id) == (school.centre.pk, school.institution.pk)
    listing = client.get("/accounts/tokens/").content.decode()
    assert "统计脚本" in listing and plaintext not in listing
    # Revoke.
    assert client.post("/accounts/tokens/revoke/", {"token": token.pk}).status_code == 302
    token.refresh_from_db()
    assert token.revoked


@pytest.mark.django_db
def test_tokens_are_personal(school, client_for):
    client_for(school.centre).post("/accounts/tokens/", {"name": "mine"})
    token = ApiToken.objects.get()
    other = client_for(school.leader)
    assert "mine" not in other.get("/accounts/tokens/").content.decode()
    assert other.post("/accounts/tokens/revoke/", {"token": token.pk}).status_code == 404
    assert client_for(school.graduate_user).get("/accounts/tokens/").status_code == 403


@pytest.mark.django_db
def test_sso_seam_maps_identities_to_existing_accounts_only(school, other_school):
    code = school.institution.code
    graduate = school.graduates[0]
    assert (
        user_for_external_identity(
            ExternalIdentity(institution_code=code, provider="cas", subject=graduate.student_no)
        )
        == school.graduate_user
    )
    school.centre.email = "centre@example.edu.cn"
    school.centre.save()
    by_email = ExternalIdentity(
        institution_code=code, provider="oidc", subject="T001", email="Centre@example.edu.cn"
    )
    assert user_for_external_identity(by_email) == school.centre
    # School B's provider cannot sign people into school A's roles.
    foreign = ExternalIdentity(
        institution_code=other_school.institution.code,
        provider="oidc",
        subject=graduate.student_no,
        email="centre@example.edu.cn",
    )
    assert user_for_external_identity(foreign) is None
    Membership.objects.filter(user=school.centre).update(is_active=False)
    assert user_for_external_identity(by_email) is None
    # Unknown people get no account from single sign-on.
    assert (
        user_for_external_identity(
            ExternalIdentity(institution_code=code, provider="cas", subject="nobody")
        )
        is None
    )


@pytest.mark.django_db
def test_the_account_page_needs_sign_in(school):
    assert Client().get("/accounts/").status_code == 302
