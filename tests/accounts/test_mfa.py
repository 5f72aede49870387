"""Multi-factor authentication (accounts.mfa, accounts.middleware): who must confirm a TOTP code,
binding an authenticator, codes after the password, rate limits, no replay, what stays reachable,
the API, 重新绑定 and the operators' reset.

These tests sign in through the login form (or `Client.force_login`), never through
`client_for`, which confirms the code for the rest of the suite."""

import base64
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qihang.accounts.mfa import (
    FAILURES_ALLOWED,
    code_at,
    confirmed_device,
    mfa_required,
    mfa_reset,
    next_code_time,
    pending_device,
)
from qihang.accounts.models import User
from qihang.accounts.services import api_token_create
from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent
from qihang.institutions.roles import Role
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY, build_actor
from qihang.institutions.services import membership_grant
from tests.factories import make_user
from tests.wellbeing.helpers import make_psych

pytestmark = pytest.mark.django_db

PASSWORD = "Qihang-test-2020"
VERIFY = reverse("accounts:mfa_verify")
ENROL = reverse("accounts:mfa_enrol")


def sign_in(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    return client


def bind(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def code(device: TOTPDevice) -> str:
    """What the person's phone shows now (the next step's, once this one's code was used)."""
    device.refresh_from_db()
    return code_at(device, next_code_time(device, time.time()))


def audit_kinds(school) -> list[str]:
    return list(
        AuditEvent.objects.filter(institution=school.institution, action__startswith="mfa.")
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Who -----------------------------------------------------------------------------------------
def test_who_must_confirm_a_code(school, other_school):
    def required(user, institution=school.institution) -> bool:
        return mfa_required(build_actor(user, institution.pk), user)

    assert required(school.centre)  # unmasks 身份证号 and exports the roster unmasked
    assert required(make_psych(school))  # reads wellbeing cases
    assert not required(school.dept_staff)
    assert not required(school.teacher)
    assert not required(school.leader)
    assert not required(school.graduate_user)
    employer = make_user("hr")
    from tests.factories import make_employer

    make_employer("走查乐团", serial=7, institution=school.institution, user=employer)
    assert not mfa_required(build_actor(employer, None), employer)


def test_a_platform_administrator_must_confirm_a_code_with_or_without_an_institution(school):
    admin = make_user("root")
    admin.is_platform_admin = True
    admin.save(update_fields=["is_platform_admin"])
    assert mfa_required(build_actor(admin, school.institution.pk), admin)
    assert mfa_required(None, admin)  # no actor (no institution exists yet)
    client = sign_in(admin)
    response = client.get(reverse("institutions:platform_list"))
    assert response.status_code == 302 and response["Location"].startswith(ENROL)


def test_graduates_and_department_staff_are_not_asked(school, client_for):
    for user in (school.graduate_user, school.dept_staff, school.teacher):
        client = sign_in(user)
        response = client.get(reverse("web:home"))
        assert not response.get("Location", "").startswith("/accounts/mfa/"), user
        assert response.status_code in (200, 302), user
    assert not TOTPDevice.objects.exists()


# --- Binding an authenticator ---------------------------------------------------------------
def test_a_centre_member_without_a_device_binds_one_before_any_page(school, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code, then the right one at once
    client = sign_in(school.centre)
    response = client.get("/graduates/?cohort=2020")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fgraduates%2F%3Fcohort%3D2020"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "绑定验证器" in html
    assert "no-store" in page["Cache-Control"]
    # The secret as text, the same key as the QR code's, until the binding is confirmed.
    device = pending_device(school.centre)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert client.get(ENROL).content.decode().count(secret[:4]) >= 1
    assert TOTPDevice.objects.filter(user=school.centre).count() == 1

    wrong = client.post(ENROL, {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    typed = f"{TOTP(base64.b32decode(secret + '=' * (-len(secret) % 8))).token():06d}"
    response = client.post(f"{ENROL}?next=/graduates/", {"code": typed[:3] + " " + typed[3:]})
    assert response.status_code == 302 and response["Location"] == "/graduates/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/graduates/").status_code == 200
    assert audit_kinds(school) == [AuditAction.MFA_VERIFY_FAILED, AuditAction.MFA_ENROL]


def test_with_a_device_the_binding_page_sends_to_the_code_page(school):
    bind(school.centre)
    client = sign_in(school.centre)
    assert client.get(ENROL)["Location"] == VERIFY
    assert client.get("/graduates/")["Location"].startswith(VERIFY)


# --- Codes after the password ---------------------------------------------------------------
def test_a_code_after_the_password_opens_the_pages(school):
    device = bind(school.centre)
    client = sign_in(school.centre)
    response = client.get("/graduates/")
    assert response["Location"] == f"{VERIFY}?next=%2Fgraduates%2F"
    assert client.get(response["Location"]).status_code == 200
    key_before = client.session.session_key
    response = client.post(f"{VERIFY}?next=/graduates/", {"code": code(device)})
    assert response.status_code == 302 and response["Location"] == "/graduates/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != key_before  # a new key for the stronger sign-in
    assert client.get("/graduates/").status_code == 200
    assert audit_kinds(school) == [AuditAction.MFA_VERIFY]
    event = AuditEvent.objects.get(action=AuditAction.MFA_VERIFY)
    assert event.actor_id == school.centre.pk and event.data["device_id"] == device.pk


def test_the_login_form_lands_on_the_code_page(school):
    bind(school.centre)
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": school.centre.username, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert "输入动态验证码" in response.content.decode()


def test_a_code_is_accepted_once(school):
    device = bind(school.centre)
    first = sign_in(school.centre)
    used = code(device)
    assert first.post(VERIFY, {"code": used}).status_code == 302
    second = sign_in(school.centre)
    response = second.post(VERIFY, {"code": used})
    assert response.status_code == 200
    assert "已使用过" in response.content.decode()
    assert second.get("/graduates/").status_code == 302
    assert audit_kinds(school) == [AuditAction.MFA_VERIFY, AuditAction.MFA_VERIFY_FAILED]


def test_wrong_codes_are_limited_per_person(school, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the device's own back-off is tested below
    device = bind(school.centre)
    client = sign_in(school.centre)
    right = code(device)
    wrong = "000000" if right != "000000" else "111111"
    for attempt in range(FAILURES_ALLOWED):
        html = client.post(VERIFY, {"code": wrong}).content.decode()
        assert ("错误次数过多" in html) == (attempt == FAILURES_ALLOWED - 1), attempt
    # Now even the right code is refused, in another session too, for 15 minutes.
    for attempt in (client, sign_in(school.centre)):
        response = attempt.post(VERIFY, {"code": right})
        assert response.status_code == 200
        assert "错误次数过多，请 15 分钟后再试" in response.content.decode()
    assert client.get("/graduates/").status_code == 302
    assert audit_kinds(school) == [AuditAction.MFA_VERIFY_FAILED] * FAILURES_ALLOWED
    # Malformed input is a form error, never counted against the person.
    from django.core.cache import cache

    cache.clear()
    assert "6 位数字" in client.post(VERIFY, {"code": "12ab"}).content.decode()
    assert client.post(VERIFY, {"code": code(device)}).status_code == 302


def test_the_device_backs_off_after_a_wrong_code(school):
    device = bind(school.centre)
    client = sign_in(school.centre)
    right = code(device)
    client.post(VERIFY, {"code": "000000" if right != "000000" else "111111"})
    html = client.post(VERIFY, {"code": right}).content.decode()
    assert "尝试过于频繁" in html


# --- What a person who owes a code still reaches -----------------------------------------------
def test_exempt_pages(school):
    bind(school.centre)
    client = sign_in(school.centre)
    assert client.get(VERIFY).status_code == 200
    language = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert language.status_code == 302 and not language["Location"].startswith(VERIFY)
    static = client.get("/static/css/app.css")
    assert not static.get("Location", "").startswith(VERIFY)
    for path in ("/", reverse("accounts:account"), reverse("accounts:login"), "/audit/"):
        assert client.get(path)["Location"].startswith(VERIFY), path
    logout = client.post(reverse("accounts:logout"))
    assert logout["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_a_session_api_call_before_the_code_is_403_json(school):
    bind(school.centre)
    client = sign_in(school.centre)
    response = client.get("/api/v1/graduates")
    assert response.status_code == 403
    assert "动态验证码" in response.json()["detail"]
    # A token is its own credential: the API answers it whatever the browser session owes.
    actor = build_actor(school.centre, school.institution.pk)
    _token, secret = api_token_create(actor=actor, name="统计脚本")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/graduates", headers=headers).status_code == 200
    assert Client().get("/api/v1/graduates", headers=headers).status_code == 200
    # A token that does not authenticate gets no help from the unverified session.
    assert client.get(
        "/api/v1/graduates", headers={"Authorization": "Bearer qh_0_x"}
    ).status_code in (
        401,
        403,
    )


def test_switching_to_an_institution_where_one_is_centre_staff_asks_for_the_code(
    school, other_school
):
    """A teacher here, career centre there: the code is owed once the actor is the centre's."""
    person = school.teacher
    membership_grant(institution=other_school.institution, user=person, role=Role.CAREER_CENTRE)
    bind(person)
    client = sign_in(person)
    assert client.session[SESSION_INSTITUTION_KEY] == school.institution.pk  # the first
    assert client.get("/graduates/").status_code == 200  # a teacher here: no code
    session = client.session
    session[SESSION_INSTITUTION_KEY] = other_school.institution.pk
    session.save()
    assert client.get("/graduates/")["Location"].startswith(VERIFY)


# --- 重新绑定 and the operators' reset ------------------------------------------------------------
def test_rebinding_needs_a_code_of_the_current_device(school, client_for):
    client = client_for(school.centre)  # verified, with a device
    old = confirmed_device(school.centre)
    page = client.get(reverse("accounts:mfa_rebind"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    new = pending_device(school.centre)
    new_code = code(new)
    wrong = "000000" if code(old) != "000000" else "111111"
    refused = client.post(reverse("accounts:mfa_rebind"), {"current_code": wrong, "code": new_code})
    assert refused.status_code == 200
    assert TOTPDevice.objects.get(pk=old.pk).confirmed
    assert not TOTPDevice.objects.get(pk=new.pk).confirmed
    from django.core.cache import cache

    cache.clear()
    TOTPDevice.objects.filter(pk=old.pk).update(throttling_failure_count=0)
    response = client.post(
        reverse("accounts:mfa_rebind"), {"current_code": code(old), "code": new_code}
    )
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=school.centre).values_list("pk", flat=True)) == [
        new.pk
    ]
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
    assert client.get("/graduates/").status_code == 200  # still verified, by the new device
    event = AuditEvent.objects.get(action=AuditAction.MFA_ENROL)
    assert event.data["replaced"] is True


def test_the_account_page_offers_rebinding_to_those_who_need_a_code(school, client_for):
    html = client_for(school.centre).get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:mfa_rebind") in html
    html = client_for(school.dept_staff).get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:mfa_rebind") not in html


def test_mfa_pages_send_those_who_need_no_code_home(school, client_for):
    client = client_for(school.graduate_user)
    for name in ("accounts:mfa_verify", "accounts:mfa_enrol"):
        assert client.get(reverse(name))["Location"] == reverse("web:home")
    assert client.get(reverse("accounts:mfa_rebind"))["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.exists()


def test_the_reset_command_removes_the_device_and_is_audited(school):
    school.centre.email = "centre@a.example"
    school.centre.save(update_fields=["email"])
    bind(school.centre)
    out = StringIO()
    call_command("mfa_reset", email="Centre@a.example", stdout=out)
    assert "已解除" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=school.centre).exists()
    event = AuditEvent.objects.get(action=AuditAction.MFA_RESET)
    assert event.institution_id == school.institution.pk and event.data["devices"] == 1
    client = sign_in(school.centre)
    assert client.get("/graduates/")["Location"].startswith(ENROL)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("mfa_reset", email="nobody@a.example")


def test_removing_the_device_ends_verified_sessions(school, client_for):
    client = client_for(school.centre)
    assert client.get("/graduates/").status_code == 200
    mfa_reset(user=school.centre, operator="ops")
    assert client.get("/graduates/")["Location"].startswith(ENROL)


# --- The demo's published authenticators ---------------------------------------------------------
def test_demo_devices_and_demo_otp(school):
    from qihang.demo.mfa_demo import bind_demo_devices, demo_key

    for user, email in ((school.centre, "centre@demo.example"), (school.leader, "l@demo.example")):
        user.email = email
        user.save(update_fields=["email"])
    assert bind_demo_devices([school.institution.pk]) == ["centre@demo.example"]
    device = confirmed_device(school.centre)
    assert device.key == demo_key("centre@demo.example")
    out = StringIO()
    call_command("demo_otp", "centre@demo.example", stdout=out)
    client = sign_in(school.centre)
    assert client.post(VERIFY, {"code": out.getvalue().strip()}).status_code == 302
    # Asked again within the same 30 seconds: the next step's code, accepted once more.
    out = StringIO()
    call_command("demo_otp", "centre@demo.example", stdout=out)
    assert sign_in(school.centre).post(VERIFY, {"code": out.getvalue().strip()}).status_code == 302
