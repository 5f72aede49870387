import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from qihang.accounts.models import User
from qihang.demo.clients import signed_in_client
from qihang.institutions.models import Institution
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY

PASSWORD = "Pingtai-Guanli-2020"


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("create_platform_admin", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


@pytest.mark.django_db
def test_command_creates_a_platform_admin_who_can_sign_in(school):
    output = run(
        "Admin@Example.cn", "--name", "平台管理员", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert "admin@example.cn" in output
    user = User.objects.get(email="admin@example.cn")
    assert user.is_platform_admin and user.check_password(PASSWORD)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "admin@example.cn", "password": PASSWORD}
    )
    # No membership anywhere: they land on the institutions page.
    assert response.status_code == 302
    assert response["Location"] == "/institution/platform/"
    assert client.session[SESSION_INSTITUTION_KEY] == Institution.objects.order_by("pk").first().pk


@pytest.mark.django_db
def test_command_can_print_a_set_password_link_and_promotes_existing_accounts(school):
    output = run(school.leader.email or "leader@example.cn", "--link")
    assert "/accounts/invitation/" in output
    weak = io.StringIO()
    with pytest.raises(CommandError):
        run("x@example.cn", "--password-stdin", stdin="123\n")
    assert weak.getvalue() == ""


@pytest.mark.django_db
def test_platform_admin_lists_and_creates_institutions_and_acts_in_any(school, other_school):
    admin = User.objects.create_user("root", email="root@example.cn", password=PASSWORD)
    admin.is_platform_admin = True
    admin.save()
    client = signed_in_client(admin)  # with the second factor confirmed (accounts.mfa)
    page = client.get("/institution/platform/")
    assert page.status_code == 200
    html = page.content.decode()
    assert school.institution.name in html and other_school.institution.name in html
    created = client.post(
        "/institution/platform/", {"code": "10278", "name": "上海音乐学院", "short_name": "上音"}
    )
    assert created.status_code == 302
    new = Institution.objects.get(code="10278")
    duplicate = client.post("/institution/platform/", {"code": "10278", "name": "重复"})
    assert duplicate.status_code == 200 and "已存在" in duplicate.content.decode()
    # Acting in the new school, with the career centre's permissions.
    assert client.post("/institution/switch/", {"institution": new.pk}).status_code == 302
    assert client.session[SESSION_INSTITUTION_KEY] == new.pk
    assert client.get("/accounts/staff/").status_code == 200


@pytest.mark.django_db
def test_institutions_page_is_for_platform_admins_only(school, client_for):
    for user in (school.centre, school.leader, school.graduate_user):
        client = client_for(user)
        assert client.get("/institution/platform/").status_code == 403
        assert (
            client.post("/institution/platform/", {"code": "12345", "name": "x"}).status_code == 403
        )
    assert not Institution.objects.filter(code="12345").exists()
