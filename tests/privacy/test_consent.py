"""Consent per purpose, versioned: grant and withdraw with their audit rows, history kept,
the résumé's consent being the résumés app's own (withdrawing here removes employers' access
at once), and the page for the graduate only."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent
from qihang.institutions.models import Membership
from qihang.institutions.scoping import build_actor
from qihang.privacy import selectors, services
from qihang.privacy.models import Consent, ConsentText, Purpose
from qihang.resumes import services as resume_services
from qihang.resumes.models import ConsentChange, Resume
from tests.factories import make_employer, make_user


def actor_of(school):
    return build_actor(school.graduate_user, school.institution.pk)


def state(graduate, purpose):
    return next(s for s in selectors.consent_states(graduate) if s.purpose == purpose)


@pytest.mark.django_db
def test_every_purpose_has_a_plain_words_text_loaded_by_the_migration():
    texts = selectors.current_texts()
    assert set(texts) == set(Purpose.values)
    assert all(t.version == 1 and len(t.text) > 40 for t in texts.values())


@pytest.mark.django_db
def test_grant_and_withdraw_are_audited_and_kept_as_history(school, client_for):
    graduate = school.graduates[0]
    client = client_for(school.graduate_user)
    url = reverse("privacy:mine")
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert "重点群体帮扶" in page.content.decode()

    client.post(reverse("privacy:consent_grant"), {"purpose": "key_group", "version": 1})
    consent = Consent.objects.get(graduate=graduate, purpose="key_group")
    assert consent.text_version == 1 and consent.withdrawn_at is None
    assert state(graduate, Purpose.KEY_GROUP).granted
    grant = AuditEvent.objects.get(action=AuditAction.PRIVACY_CONSENT_GRANT)
    assert grant.data == {"purpose": "key_group", "text_version": 1, "renewed": False}
    assert grant.actor_id == school.graduate_user.pk

    # Granting the same version again changes nothing.
    client.post(reverse("privacy:consent_grant"), {"purpose": "key_group", "version": 1})
    assert Consent.objects.filter(graduate=graduate).count() == 1

    client.post(reverse("privacy:consent_withdraw"), {"purpose": "key_group"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == school.graduate_user
    assert not state(graduate, Purpose.KEY_GROUP).granted
    withdraw = AuditEvent.objects.get(action=AuditAction.PRIVACY_CONSENT_WITHDRAW)
    assert withdraw.data == {"purpose": "key_group", "text_version": 1}

    # Granting again opens a new row: the history is every row, never rewritten.
    client.post(reverse("privacy:consent_grant"), {"purpose": "key_group", "version": 1})
    rows = Consent.objects.filter(graduate=graduate, purpose="key_group").order_by("pk")
    assert [r.withdrawn_at is None for r in rows] == [False, True]
    history = state(graduate, Purpose.KEY_GROUP).history
    assert [e.granted for e in history] == [True, False, True]


@pytest.mark.django_db
def test_a_new_text_asks_again_and_a_stale_version_is_refused(school):
    actor = actor_of(school)
    graduate = school.graduates[0]
    services.consent_grant(actor=actor, purpose="wellbeing", version=1)
    ConsentText.objects.create(
        purpose="wellbeing",
        version=2,
        title="心理关怀",
        text="新的说明。",
        effective_from=timezone.now() - dt.timedelta(minutes=1),
    )
    current = state(graduate, Purpose.WELLBEING)
    assert current.granted and current.outdated
    with pytest.raises(Exception, match="授权说明已经更新"):
        services.consent_grant(actor=actor, purpose="wellbeing", version=1)
    services.consent_grant(actor=actor, purpose="wellbeing", version=2)
    rows = list(Consent.objects.filter(graduate=graduate, purpose="wellbeing").order_by("pk"))
    assert [(r.text_version, r.withdrawn_at is None) for r in rows] == [(1, False), (2, True)]
    assert not state(graduate, Purpose.WELLBEING).outdated
    renewed = AuditEvent.objects.filter(action=AuditAction.PRIVACY_CONSENT_GRANT).latest("seq")
    assert renewed.data["renewed"] is True


@pytest.mark.django_db
def test_resume_sharing_is_the_resumes_consent_and_withdrawal_cuts_employers_off_at_once(
    school, client_for, media_root
):
    graduate = school.graduates[0]
    recruiter = make_user("recruiter")
    make_employer("上海交响乐团", serial=901, institution=school.institution, user=recruiter)
    employer = client_for(recruiter)
    detail = reverse("resumes:employer_detail", args=[graduate.pk])
    me = client_for(school.graduate_user)
    assert employer.get(detail).status_code == 404

    me.post(reverse("privacy:consent_grant"), {"purpose": "resume_sharing", "version": 1})
    # One source of truth: the résumé's own switch and history, no privacy Consent row.
    resume = Resume.objects.get(graduate=graduate)
    assert resume.discoverable
    assert not Consent.objects.filter(graduate=graduate).exists()
    change = ConsentChange.objects.get(resume=resume)
    assert change.granted and change.text_version == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.RESUME_CONSENT_GRANT, data__text_version=1
    ).exists()
    assert employer.get(detail).status_code == 200
    assert state(graduate, Purpose.RESUME_SHARING).granted

    me.post(reverse("privacy:consent_withdraw"), {"purpose": "resume_sharing"})
    assert employer.get(detail).status_code == 404
    assert graduate.name not in employer.get(reverse("resumes:employer_list")).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.RESUME_CONSENT_WITHDRAW).count() == 1
    assert not state(graduate, Purpose.RESUME_SHARING).granted

    # The résumé page's switch is the same consent: the privacy page shows it.
    resume_services.resume_consent_set(actor=actor_of(school), resume=resume, granted=True)
    shown = state(graduate, Purpose.RESUME_SHARING)
    assert shown.granted and [e.granted for e in shown.history] == [True, False, True]


@pytest.mark.django_db
def test_the_privacy_table_refuses_a_resume_sharing_row(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            institution=school.institution,
            graduate=school.graduates[0],
            purpose="resume_sharing",
            text_version=1,
            granted_at=timezone.now(),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["centre", "dept_staff", "teacher", "leader"])
def test_staff_cannot_reach_the_pages(school, client_for, who):
    client = client_for(getattr(school, who))
    assert client.get(reverse("privacy:mine")).status_code == 403
    for name in ("privacy:consent_grant", "privacy:consent_withdraw", "privacy:download"):
        assert client.post(reverse(name), {"purpose": "key_group", "version": 1}).status_code == 403
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_posting_views_refuse_get(school, client_for):
    client = client_for(school.graduate_user)
    for name in ("privacy:consent_grant", "privacy:consent_withdraw", "privacy:download"):
        assert client.get(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_a_graduate_changes_only_their_own_consents(school, client_for):
    other_user = make_user("a-grad2")
    Membership.objects.create(institution=school.institution, user=other_user, role="graduate")
    other = school.graduates[1]
    other.user = other_user
    other.save(update_fields=["user"])
    client_for(other_user).post(
        reverse("privacy:consent_grant"), {"purpose": "employment", "version": 1}
    )
    assert Consent.objects.get().graduate == other
    page = client_for(school.graduate_user).get(reverse("privacy:mine")).content.decode()
    assert "你于" not in page  # nothing of the other graduate's consent shows here
