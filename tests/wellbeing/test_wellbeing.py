"""Wellbeing: only the psychological counsellor role reads a check-in, a referral or a note;
everyone else sees counts, none below five; nothing said is stored in the clear."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from qihang.accounts.models import User
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import membership_grant
from qihang.lib import disclosure
from qihang.notifications.models import Notification
from qihang.wellbeing import selectors, services
from qihang.wellbeing.models import CheckIn, Referral, ReferralNote
from tests.factories import make_user
from tests.wellbeing.helpers import ask_for_help, make_psych

pytestmark = pytest.mark.django_db

ROUTES = ["/wellbeing/referrals/", "/wellbeing/settings/"]


@pytest.fixture
def psych(school):
    return make_psych(school)


def test_a_call_for_help_reaches_the_counsellors_only(school, psych, client_for):
    checkin = ask_for_help(school)
    referral = checkin.referral
    assert referral.status == "received" and referral.graduate == school.graduates[0]
    notes = Notification.objects.filter(kind="wellbeing_referral")
    assert list(notes.values_list("recipient_id", flat=True)) == [psych.pk]
    assert school.graduates[0].name not in notes.get().subject + notes.get().body

    page = client_for(psych).get(f"/wellbeing/referrals/{referral.pk}/")
    assert page.status_code == 200 and "最近压力很大" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert SensitiveRead.objects.filter(field="wellbeing", actor=psych).exists()
    # Not the centre, not department staff, not the mentor, not leadership.
    for user in (school.centre, school.dept_staff, school.teacher, school.leader):
        for url in [*ROUTES, f"/wellbeing/referrals/{referral.pk}/"]:
            assert client_for(user).get(url).status_code == 403, (user, url)


def test_a_platform_administrator_cannot_read_wellbeing(school, psych, client_for):
    referral = ask_for_help(school).referral
    admin = make_user("root", email="root@platform.example")
    User.objects.filter(pk=admin.pk).update(is_platform_admin=True)
    admin.refresh_from_db()
    actor = build_actor(admin, school.institution.pk)
    assert not actor.has(Perm.WELLBEING_CASES)
    with pytest.raises(PermissionDenied):
        selectors.referral_detail(actor, referral.pk)
    assert client_for(admin).get(f"/wellbeing/referrals/{referral.pk}/").status_code in (403, 404)


def test_the_counsellor_role_stands_alone(school, psych):
    with pytest.raises(ValidationError):
        membership_grant(institution=school.institution, user=psych, role=Role.CAREER_CENTRE)
    with pytest.raises(ValidationError):
        membership_grant(
            institution=school.institution, user=school.centre, role=Role.PSYCH_COUNSELLOR
        )


def test_answers_and_notes_are_sealed_and_the_audit_says_nothing_of_them(school, psych):
    referral = ask_for_help(school, note="失眠，心里很乱").referral
    actor = build_actor(psych, school.institution.pk)
    services.referral_note_add(actor=actor, referral_id=referral.pk, text="电话沟通，约了面谈")
    services.referral_act(actor=actor, referral_id=referral.pk, action="contact")
    with pytest.raises(ValidationError):  # closing needs a note
        services.referral_act(actor=actor, referral_id=referral.pk, action="close")
    services.referral_act(actor=actor, referral_id=referral.pk, action="close", note="情况好转")
    with connection.cursor() as cursor:
        for table in ("wellbeing_checkin", "wellbeing_referral", "wellbeing_referralnote"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            stored = json.dumps(
                [list(map(str, row)) for row in cursor.fetchall()], ensure_ascii=False
            )
            for secret in ("失眠", "电话沟通", "情况好转", "压力"):
                assert secret not in stored, (table, secret)
    audit = json.dumps(
        list(AuditEvent.objects.filter(action__startswith="wellbeing.").values("summary", "data")),
        ensure_ascii=False,
    )
    for secret in ("失眠", "电话沟通", "情况好转"):
        assert secret not in audit
    assert Referral.objects.get(pk=referral.pk).status == "closed"
    assert ReferralNote.objects.filter(referral=referral).count() == 2


def test_anonymous_check_ins_are_counted_never_traced(school, psych):
    actor = build_actor(school.graduate_user, school.institution.pk)
    before = AuditEvent.objects.count()
    checkin = services.checkin_submit(
        actor=actor, stress=5, sleep=1, support="none", note="", contact=False, anonymous=True
    )
    assert checkin.graduate_id is None and not Referral.objects.exists()
    assert AuditEvent.objects.count() == before
    assert checkin.submitted_at.minute == 0 and checkin.submitted_at.second == 0
    with pytest.raises(ValidationError):
        services.checkin_submit(
            actor=actor, stress=3, sleep=3, support="none", note="", contact=True, anonymous=True
        )


def test_thresholds_open_a_referral_without_a_request(school, psych):
    calm = ask_for_help(school, stress=2, sleep=4, support="none", contact=False, note="")
    assert not Referral.objects.filter(checkin=calm).exists()
    services.policy_update(
        actor=build_actor(psych, school.institution.pk), stress_at_least=2, sleep_at_most=1
    )
    tense = ask_for_help(school, stress=2, sleep=4, support="none", contact=False, note="")
    assert Referral.objects.get(checkin=tense).trigger.reveal_unlogged().startswith("压力 2")
    again = ask_for_help(school)  # an open referral takes the next call as a note
    assert not Referral.objects.filter(checkin=again).exists()
    assert ReferralNote.objects.filter(referral__checkin=tense).count() == 1


def test_check_ins_are_rate_limited(school):
    for _ in range(services.CHECKINS_PER_DAY):
        ask_for_help(school, contact=False, support="none", stress=1, sleep=5)
    with pytest.raises(ValidationError):
        ask_for_help(school)


def test_staff_see_counts_only_and_none_below_five(school, psych, client_for):
    for _ in range(3):
        ask_for_help(school, contact=False, support="none", stress=1, sleep=5)
    result = selectors.overview(build_actor(school.centre, school.institution.pk), school.cohort)
    piano = next(row for row in result["rows"] if row.label == school.departments[0].name)
    assert piano.checkins is None  # 3 < 5
    assert result["total"].checkins is None  # 3 in all: the total would tell
    html = client_for(school.leader).get("/wellbeing/overview/").content.decode()
    assert "&lt;5" in html and school.graduates[0].name not in html


def test_suppression_hides_what_the_total_would_give_back():
    shown, total = disclosure.suppress({"a": 3, "b": 40, "c": 12}, 55)
    assert shown == {"a": None, "b": 40, "c": None} and total == 55
    shown, total = disclosure.suppress({"a": 0, "b": 6}, 6)
    assert shown == {"a": 0, "b": 6} and total == 6  # nobody is no one's secret
    assert disclosure.suppress({"a": 2}, 2) == ({"a": None}, None)


def test_graduates_see_their_own_check_ins(school, client_for):
    ask_for_help(school, note="")
    page = client_for(school.graduate_user).get("/wellbeing/").content.decode()
    assert "我提交过的自评" in page
    other = school.graduates[1]
    assert CheckIn.objects.filter(graduate=other).count() == 0
