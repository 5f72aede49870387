"""Key groups: suggested by the roster and the profile, confirmed or dismissed by a person,
dated for the figures, visible only to those whose work needs them, every read logged."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.graduates import keygroups
from qihang.graduates.models import GraduateKeyGroup, KeyGroupKind
from qihang.graduates.services import key_group_add, key_group_decide
from qihang.institutions.scoping import build_actor
from qihang.reports import selectors as report_selectors

pytestmark = pytest.mark.django_db


def actor(school, user):
    return build_actor(user, school.institution.pk)


def suggest_subsistence(school, graduate, at=None):
    keygroups.suggest(
        institution_id=school.institution.pk,
        at=at or timezone.now(),
        roster={graduate.pk: {"subsistence": "生源名单“困难生类别”：城乡低保家庭"}},
        profile={},
    )
    return graduate.key_groups.get()


def key_group_rows(school, user, as_of=None):
    result = report_selectors.cohort_stats(
        actor=actor(school, user), cohort=school.cohort, by="key_group", as_of=as_of
    )
    return {row["label"]: row["total"] for row in result["rows"]}


def test_profile_suggestions_say_why():
    found = keygroups.profile_suggestions(ethnicity="藏族", origin="540102", cohort_year=2020)
    assert found == {
        "ethnic_minority": "民族：藏族",
        "three_regions": "生源地：西藏自治区拉萨市城关区",
    }
    assert keygroups.profile_suggestions(ethnicity="汉族", origin="420102", cohort_year=2020) == {
        "hubei_2020": "生源地：湖北省武汉市江岸区（2020届）"
    }
    assert keygroups.profile_suggestions(ethnicity="汉族", origin="420102", cohort_year=2021) == {}


def test_a_suggestion_counts_only_once_confirmed_and_from_then_on(school):
    graduate = school.graduates[0]
    membership = suggest_subsistence(school, graduate)
    assert membership.status == "suggested" and membership.valid_from is None
    assert "城乡低保家庭" not in key_group_rows(school, school.centre)  # nothing labelled silently

    before = timezone.now()
    key_group_decide(
        actor=actor(school, school.teacher), membership_id=membership.pk, decision="confirm"
    )
    assert key_group_rows(school, school.centre)["城乡低保家庭"] == 1
    # A figure of an earlier moment does not move.
    assert "城乡低保家庭" not in key_group_rows(school, school.centre, as_of=before)
    event = AuditEvent.objects.get(action="graduate.key_group_confirm")
    assert "城乡低保家庭" not in str(event.data) and "城乡低保家庭" not in event.summary

    with pytest.raises(ValidationError):  # ending needs a reason
        key_group_decide(
            actor=actor(school, school.centre), membership_id=membership.pk, decision="end"
        )
    confirmed_at = timezone.now()
    key_group_decide(
        actor=actor(school, school.centre),
        membership_id=membership.pk,
        decision="end",
        note="家庭已脱离低保",
    )
    assert "城乡低保家庭" not in key_group_rows(school, school.centre)
    assert key_group_rows(school, school.centre, as_of=confirmed_at)["城乡低保家庭"] == 1


def test_a_dismissed_suggestion_is_not_made_again(school):
    graduate = school.graduates[0]
    membership = suggest_subsistence(school, graduate)
    with pytest.raises(ValidationError):
        key_group_decide(
            actor=actor(school, school.teacher), membership_id=membership.pk, decision="dismiss"
        )
    key_group_decide(
        actor=actor(school, school.teacher),
        membership_id=membership.pk,
        decision="dismiss",
        note="已核实不属于",
    )
    suggest_subsistence(school, graduate)  # the next roster says so again
    assert list(graduate.key_groups.values_list("status", flat=True)) == ["dismissed"]


def test_a_new_roster_withdraws_its_pending_suggestion_but_never_a_decision(school):
    g0, g1 = school.graduates[0], school.graduates[1]
    pending = suggest_subsistence(school, g0)
    confirmed = suggest_subsistence(school, g1)
    key_group_decide(
        actor=actor(school, school.centre), membership_id=confirmed.pk, decision="confirm"
    )
    keygroups.suggest(
        institution_id=school.institution.pk,
        at=timezone.now(),
        roster={g0.pk: {}, g1.pk: {}},
        profile={},
    )
    assert not GraduateKeyGroup.objects.filter(pk=pending.pk).exists()
    assert GraduateKeyGroup.objects.get(pk=confirmed.pk).status == "confirmed"


def test_who_may_see_and_decide(school, client_for):
    graduate = school.graduates[0]
    membership = suggest_subsistence(school, graduate)
    url = f"/graduates/{graduate.pk}/"
    for user in (school.centre, school.teacher, school.dept_staff):
        html = client_for(user).get(url).content.decode()
        assert "城乡低保家庭" in html
    assert SensitiveRead.objects.filter(field="key_groups", target_id=str(graduate.pk)).count() == 3
    # Leadership reads the figures, not who is in a key group.
    html = client_for(school.leader).get(url).content.decode()
    assert "城乡低保家庭" not in html and "key-groups-heading" not in html
    decide = f"/graduates/{graduate.pk}/key-groups/{membership.pk}/"
    assert client_for(school.leader).post(decide, {"decision": "confirm"}).status_code == 403
    with pytest.raises(PermissionDenied):
        key_group_decide(
            actor=actor(school, school.leader), membership_id=membership.pk, decision="confirm"
        )
    # Department staff of the first department cannot reach graduates[2] (the second).
    other = suggest_subsistence(school, school.graduates[2])
    response = client_for(school.dept_staff).post(
        f"/graduates/{school.graduates[2].pk}/key-groups/{other.pk}/", {"decision": "confirm"}
    )
    assert response.status_code == 404
    # A membership id of another graduate under this graduate's path is not found either.
    response = client_for(school.centre).post(
        f"/graduates/{graduate.pk}/key-groups/{other.pk}/", {"decision": "confirm"}
    )
    assert response.status_code == 404
    assert GraduateKeyGroup.objects.get(pk=other.pk).status == "suggested"

    response = client_for(school.teacher).post(decide, {"decision": "confirm"})
    assert response.status_code == 302
    assert GraduateKeyGroup.objects.get(pk=membership.pk).status == "confirmed"


def test_staff_record_a_key_group_nothing_suggested(school):
    graduate = school.graduates[0]
    kind = KeyGroupKind.objects.get(code="disability")
    with pytest.raises(ValidationError):
        key_group_add(
            actor=actor(school, school.teacher), graduate=graduate, kind_code="disability"
        )
    membership = key_group_add(
        actor=actor(school, school.teacher),
        graduate=graduate,
        kind_code="disability",
        note="残疾证已核验",
    )
    assert membership.status == "confirmed" and membership.kind_digest == kind.digest
    assert GraduateKeyGroup.objects.get(pk=membership.pk).note.reveal_unlogged() == "残疾证已核验"
    with pytest.raises(ValidationError):  # one open record per kind
        key_group_add(
            actor=actor(school, school.centre),
            graduate=graduate,
            kind_code="disability",
            note="再次",
        )
    assert membership.valid_from <= timezone.now() < membership.valid_from + dt.timedelta(minutes=1)
