"""The API accepts the signed-in session (CSRF on unsafe methods) as well as bearer tokens, and
employer accounts' tokens act for their employer."""

import pytest
from django.test import Client

from qihang.accounts.models import ApiToken
from qihang.accounts.services import api_token_create, api_token_revoke
from qihang.api.auth import SessionAuth, TokenAuth
from qihang.audit.models import AuditEvent
from qihang.institutions.scoping import build_actor

pytestmark = pytest.mark.django_db


def test_session_get_works(school, client_for):
    response = client_for(school.centre).get("/api/v1/graduates")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def session_request(rf, user, method: str, **extra):
    """A request signed by a session cookie, as the middleware leaves it for ninja (with the
    second factor confirmed, as django-otp's OTPMiddleware marks a verified session's user)."""
    from django.conf import settings
    from django_otp.middleware import OTPMiddleware
    from django_otp.plugins.otp_totp.models import TOTPDevice

    request = getattr(rf, method)("/api/v1/anything", **extra)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request.session = {}
    OTPMiddleware._init_user_fields(user)
    user.otp_device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    request.user = user
    return request


def test_session_post_without_csrf_token_is_403(school, rf):
    # No operation of the API writes yet (the jobs work adds some): the auth class is asked.
    from ninja.errors import HttpError

    with pytest.raises(HttpError) as refused:
        SessionAuth()(session_request(rf, school.centre, "post"))
    assert refused.value.status_code == 403
    assert "CSRF" in str(refused.value)


def test_session_post_with_csrf_token_is_the_actor(school, rf):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    request = session_request(
        rf, school.centre, "post", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret)
    )
    request.COOKIES["csrftoken"] = secret
    request.META["HTTP_HOST"] = "testserver"
    actor = SessionAuth()(request)
    assert actor.user_id == school.centre.pk and actor.institution_id == school.institution.pk


def test_session_get_needs_no_csrf_token(school, rf):
    assert SessionAuth()(session_request(rf, school.centre, "get")).user_id == school.centre.pk


def test_no_credentials_is_401_even_for_post(school, rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.post("/api/v1/anything")
    request.user = AnonymousUser()
    assert SessionAuth()(request) is None  # no session: not a CSRF failure, a 401
    assert Client().get("/api/v1/graduates").status_code == 401


def test_token_still_works_and_wrong_token_is_401(school, token_for):
    auth = token_for(school.centre, school)
    assert Client().get("/api/v1/graduates", headers={"Authorization": auth}).status_code == 200
    wrong = auth[:-3] + "xyz"
    assert Client().get("/api/v1/graduates", headers={"Authorization": wrong}).status_code == 401


def test_a_wrong_token_does_not_fall_back_to_a_stranger(school, client_for):
    # A signed-in browser sending a bad token still acts as itself (the session), never as
    # someone else; with no session a bad token is 401 (above).
    client = client_for(school.graduate_user)
    response = client.get("/api/v1/graduates", headers={"Authorization": "Bearer qh_0_x"})
    assert response.status_code == 403  # the graduate, by session, lacks ROSTER_VIEW


def test_employer_token_holds_the_employer_and_builds_its_actor(school, walk_fixtures, rf):
    walk_fixtures(school)
    user = school.fixtures["employer_user"]
    employer = school.fixtures["employer"]
    actor = build_actor(user, None)
    assert actor.employer_id == employer.pk
    token, plaintext = api_token_create(actor=actor, name="招聘系统")
    assert (token.institution_id, token.employer_id) == (None, employer.pk)
    # Audited where the employer has a standing.
    assert AuditEvent.objects.filter(
        action="api_token.create", institution=school.institution
    ).exists()
    request = rf.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    authed = TokenAuth()(request)
    assert authed.employer_id == employer.pk and authed.institution_id is None
    api_token_revoke(actor=actor, token=token)
    assert TokenAuth()(rf.get("/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")) is None


def test_a_token_holds_exactly_one_of_institution_and_employer(school):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=school.centre, name="x", prefix="p1", secret_hash="h")
