import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from qihang.institutions.models import Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY
from qihang.institutions.selectors import SESSION_INSTITUTIONS_KEY
from qihang.institutions.services import membership_grant
from tests.factories import make_graduate, make_user

PASSWORD = "Qihang-test-2020"
LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


@pytest.mark.django_db
def test_login_page_is_public_and_has_the_three_fields(school):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ('name="institution"', 'name="username"', 'name="password"'):
        assert name in html
    assert "学号或邮箱" in html


@pytest.mark.django_db
def test_graduate_signs_in_with_student_no_and_lands_in_their_institution(school, other_school):
    client = Client()
    response = post_login(client, school.graduates[0].student_no)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.session[SESSION_INSTITUTION_KEY] == school.institution.pk
    assert client.session[SESSION_INSTITUTIONS_KEY] == [
        [school.institution.pk, school.institution.name]
    ]


@pytest.mark.django_db
def test_staff_signs_in_with_email_case_insensitively(school):
    school.centre.email = "Centre@Example.edu.cn"
    school.centre.save()
    client = Client()
    response = post_login(client, "centre@example.EDU.cn")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(school.centre.pk)


@pytest.mark.django_db
def test_wrong_password_gives_one_generic_error(school):
    response = post_login(Client(), school.graduates[0].student_no, "wrong-password")
    assert response.status_code == 200
    assert "学号/邮箱或密码不正确" in response.content.decode()
    unknown = post_login(Client(), "nobody-here", "wrong-password")
    assert unknown.content.decode().count("学号/邮箱或密码不正确") == 1


@pytest.mark.django_db
def test_ambiguous_student_no_needs_the_school(school, other_school):
    # The same 学号 at both schools, each with an account.
    twin_user = make_user("b-twin")
    membership_grant(institution=other_school.institution, user=twin_user, role=Role.GRADUATE)
    make_graduate(
        institution=other_school.institution,
        cohort=other_school.cohort,
        major=other_school.majors[0],
        student_no=school.graduates[0].student_no,
        user=twin_user,
    )
    student_no = school.graduates[0].student_no
    assert post_login(Client(), student_no).status_code == 200  # ambiguous: refused
    client = Client()
    response = post_login(client, student_no, institution=other_school.institution.code)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(twin_user.pk)
    assert client.session[SESSION_INSTITUTION_KEY] == other_school.institution.pk


@pytest.mark.django_db
def test_account_without_active_membership_cannot_sign_in(school):
    Membership.objects.filter(user=school.teacher).update(is_active=False)
    response = post_login(Client(), school.teacher.username)
    assert response.status_code == 200
    assert "已停用" in response.content.decode()


@pytest.mark.django_db
def test_next_is_followed_only_within_the_site(school):
    response = post_login(Client(), school.centre.username, next="/graduates/?cohort=2020")
    assert response["Location"] == "/graduates/?cohort=2020"
    response = post_login(Client(), school.centre.username, next="https://evil.example/")
    assert response["Location"] == reverse("web:home")


@pytest.mark.django_db
def test_signed_out_visitor_is_sent_to_login_with_next(school):
    response = Client().get("/graduates/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/graduates/")


@pytest.mark.django_db
def test_logout_is_post_only(school, client_for):
    client = client_for(school.centre)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_five_failures_lock_the_account_on_this_address(school):
    client = Client()
    student_no = school.graduates[0].student_no
    for _attempt in range(5):
        response = post_login(client, student_no, "wrong-password")
    # The fifth failure locks: the lockout page, not the form.
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    # Now even the right password is refused for this account and address…
    response = post_login(client, student_no)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # …while another account on the same address is not affected.
    other = post_login(Client(), school.centre.username)
    assert other.status_code == 302
    # Counted under the account, not under the spelling typed.
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        school.graduate_user.username
    ]


def assert_locked(response) -> None:
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()


@pytest.mark.django_db
def test_failures_in_several_spellings_of_an_email_lock_the_account(school):
    school.dept_staff.email = "voice@jccm.example"
    school.dept_staff.save(update_fields=["email"])
    client = Client()
    spellings = [
        "voice@jccm.example",
        "Voice@jccm.example",
        "VOICE@JCCM.EXAMPLE",
        " voice@Jccm.example ",
        "vOice@jccm.example",
    ]
    for spelling in spellings[:4]:
        response = post_login(client, spelling, "wrong-password")
        assert response.status_code == 200
    assert_locked(post_login(client, spellings[4], "wrong-password"))
    # A sixth spelling, or the internal username, with the right password: still locked.
    assert_locked(post_login(client, "VoIcE@jccm.example"))
    assert_locked(post_login(client, school.dept_staff.username))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_in_several_spellings_of_a_student_no_lock_the_account(school):
    client = Client()
    student_no = school.graduates[0].student_no
    code = school.institution.code
    typed = [
        (student_no, {}),
        (f"{code}:{student_no}", {}),
        (f" {student_no} ", {"institution": code}),
        (school.graduate_user.username, {}),
    ]
    for identifier, extra in typed:
        response = post_login(client, identifier, "wrong-password", **extra)
        assert response.status_code == 200
    assert_locked(post_login(client, f"{code}:{student_no}", "wrong-password"))
    assert_locked(post_login(client, student_no, institution=code))
    assert_locked(post_login(client, student_no))


@pytest.mark.django_db
def test_unknown_identifiers_are_counted_per_normalised_spelling(school):
    client = Client()
    for spelling in ["Nobody@x.example", "nobody@x.example", " NOBODY@x.example"] * 2:
        response = post_login(client, spelling, "wrong-password")
    assert_locked(response)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["?nobody@x.example"]
    # Real accounts are not affected by the stranger's failures.
    assert post_login(Client(), school.centre.username).status_code == 302


@pytest.mark.django_db
def test_success_resets_the_failure_count(school):
    client = Client()
    username = school.centre.username
    for _attempt in range(4):
        post_login(client, username, "wrong-password")
    assert post_login(client, username).status_code == 302
    client.post(reverse("accounts:logout"))
    for _attempt in range(4):
        response = post_login(client, username, "wrong-password")
    assert response.status_code == 200  # four new failures: not locked yet


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(school, production_hashers):
    school.centre.set_password("Qihang-test-2020")
    school.centre.save(update_fields=["password"])
    school.centre.refresh_from_db()
    assert school.centre.password.startswith("argon2")
    assert school.centre.check_password("Qihang-test-2020")
