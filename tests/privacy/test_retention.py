"""Retention: a cohort past its retention period is anonymised; its figures survive."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from qihang.assistance import services as assistance
from qihang.audit.models import AuditEvent
from qihang.graduates.models import CohortAnonymisation, Graduate, KeyGroupKind
from qihang.institutions.scoping import build_actor
from qihang.privacy.retention import purge_sensitive
from qihang.reports import selectors as reports
from qihang.wellbeing.services import checkin_submit
from tests.factories import confirm_key_group
from tests.reporting.helpers import approve, open_registration

pytestmark = pytest.mark.django_db

AFTER = dt.date(2026, 1, 2)  # 2020 + 5 years is over
BEFORE = dt.date(2025, 12, 31)


def figures(school):
    centre = build_actor(school.centre, school.institution.pk)
    return {
        by: reports.cohort_stats(
            actor=centre, cohort=school.cohort, by=by, as_of=dt.date(2020, 7, 1)
        )
        for by in ("department", "gender", "key_group", "origin_province")
    } | {"now": reports.cohort_stats(actor=centre, cohort=school.cohort, by="department")}


def test_a_cohort_past_retention_is_anonymised_and_its_figures_survive(school, settings):
    settings.QIHANG_SENSITIVE_RETENTION_YEARS = 5
    open_registration(school)
    approve(school, school.graduates[0])
    graduate = school.graduates[0]
    graduate.ethnicity = "回族"
    graduate.save(update_fields=["ethnicity", "ethnicity_digest"])
    confirm_key_group(
        graduate,
        KeyGroupKind.objects.get(code="subsistence"),
        at=timezone.now() - dt.timedelta(days=400),
    )
    assistance.file_save(
        actor=build_actor(school.centre, school.institution.pk),
        graduate_id=graduate.pk,
        data={"situation": "家庭领取低保", "goals": "落实去向", "mentor": school.teacher.pk},
    )
    checkin_submit(
        actor=build_actor(school.graduate_user, school.institution.pk),
        stress=5,
        sleep=1,
        support="talk",
        note="压力很大",
        contact=True,
        anonymous=False,
    )
    stored = Graduate.objects.get(pk=graduate.pk)
    secrets = [
        stored.id_number.reveal_unlogged(),
        stored.phone.reveal_unlogged(),
        graduate.name,
        graduate.student_no,
    ]
    before = figures(school)

    assert purge_sensitive(today=BEFORE) == []  # not yet
    reports_ = purge_sensitive(today=AFTER)
    assert [r["year"] for r in reports_] == [2020] and reports_[0]["graduates"] == len(
        school.graduates
    )
    assert purge_sensitive(today=AFTER) == []  # once
    assert CohortAnonymisation.objects.filter(cohort=school.cohort).exists()
    event = AuditEvent.objects.get(action="graduate.cohort_anonymise")
    assert event.data["graduates"] == len(school.graduates)

    after = figures(school)
    for by in before:  # every figure as it was (labels and definitions included)
        assert before[by]["rows"] == after[by]["rows"], by
        assert before[by]["total"] == after[by]["total"], by
    anonymous = Graduate.objects.get(pk=graduate.pk)
    assert anonymous.name == "（已匿名）" and not anonymous.id_number and not anonymous.ethnicity
    assert anonymous.user_id is None
    school.graduate_user.refresh_from_db()
    assert not school.graduate_user.is_active and school.graduate_user.email == ""
    with connection.cursor() as cursor:
        dump = []
        for table in (
            "graduates_graduate",
            "accounts_user",
            "assistance_assistancefile",
            "wellbeing_checkin",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump += [list(map(str, row)) for row in cursor.fetchall()]
    text = json.dumps(dump, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text, secret


def test_the_command_lists_then_anonymises(school, settings, capsys):
    settings.QIHANG_SENSITIVE_RETENTION_YEARS = 5
    call_command("purge_sensitive", "--today", AFTER.isoformat(), "--dry-run")
    assert "2020届：到期" in capsys.readouterr().out
    assert not CohortAnonymisation.objects.exists()
    call_command("purge_sensitive", "--today", AFTER.isoformat())
    assert "已匿名化" in capsys.readouterr().out
    assert CohortAnonymisation.objects.count() == 1


def test_retention_is_never_below_three_years(school, settings):
    settings.QIHANG_SENSITIVE_RETENTION_YEARS = 1
    assert purge_sensitive(today=dt.date(2023, 6, 1)) == []
