"""Key-group assistance: the file and plan, follow-ups, programmes, subsidies; who may see them;
sealed at rest; reminders; coverage figures that do not move for a past day."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from qihang.assistance import selectors, services
from qihang.assistance.models import FollowUp, Subsidy
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.graduates.models import KeyGroupKind
from qihang.institutions.scoping import build_actor
from qihang.notifications.models import Notification
from tests.factories import confirm_key_group

pytestmark = pytest.mark.django_db


def actor(school, user):
    return build_actor(user, school.institution.pk)


@pytest.fixture
def helped(school):
    """graduates[0] (the teacher's mentee, 钢琴系) in a confirmed key group a month ago."""
    graduate = school.graduates[0]
    kind = KeyGroupKind.objects.get(code="subsistence")
    confirm_key_group(graduate, kind, at=timezone.now() - dt.timedelta(days=30))
    return graduate


def open_file(school, graduate, user=None):
    return services.file_save(
        actor=actor(school, user or school.teacher),
        graduate_id=graduate.pk,
        data={
            "situation": "父亲长期患病，家庭领取城乡低保",
            "needs": "希望在上海就业，缺少面试经验",
            "goals": "六月底前落实去向",
            "measures": "每两周一次模拟面试",
            "mentor": school.teacher.pk,
            "leader": school.leader.pk,
            "follow_up_days": 14,
        },
    )


def test_a_file_plan_and_follow_up_are_sealed_and_audited_without_their_text(school, helped):
    file = open_file(school, helped)
    assert file.has_plan
    services.step_add(
        actor=actor(school, school.teacher),
        graduate_id=helped.pk,
        text="报名上海交响乐团招考",
        due_on=timezone.localdate(),
    )
    services.follow_up_log(
        actor=actor(school, school.teacher),
        graduate_id=helped.pk,
        on=timezone.localdate(),
        mode="phone",
        discussed="谈了面试准备，情绪稳定",
        next_step="下周模拟面试",
        next_on=timezone.localdate() + dt.timedelta(days=7),
    )
    services.subsidy_save(
        actor=actor(school, school.centre),
        graduate_id=helped.pk,
        status="paid",
        amount=Decimal("1500"),
        paid_on=timezone.localdate(),
        bank_account="6222 0210 0112 3456 789",
    )
    assert str(Subsidy.objects.get().bank_account) == "****6789"
    secrets = (
        "患病",
        "低保",
        "面试经验",
        "模拟面试",
        "交响乐团",
        "情绪稳定",
        "6222021001123456789",
    )
    with connection.cursor() as cursor:
        for table in (
            "assistance_assistancefile",
            "assistance_planstep",
            "assistance_followup",
            "assistance_subsidy",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            stored = json.dumps([list(map(str, r)) for r in cursor.fetchall()], ensure_ascii=False)
            for secret in secrets:
                assert secret not in stored, (table, secret)
    audit = json.dumps(
        list(AuditEvent.objects.filter(action__startswith="assistance.").values("summary", "data")),
        ensure_ascii=False,
    )
    assert all(secret not in audit for secret in secrets)
    assert AuditEvent.objects.filter(action="assistance.file_open").count() == 1


def test_bad_input_says_what(school, helped):
    with pytest.raises(ValidationError) as refused:
        services.follow_up_log(
            actor=actor(school, school.teacher),
            graduate_id=helped.pk,
            on=timezone.localdate() + dt.timedelta(days=1),
            mode="phone",
            discussed="x",
        )
    assert "on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.file_save(
            actor=actor(school, school.teacher),
            graduate_id=helped.pk,
            data={"mentor": school.graduate_user.pk},
        )
    assert "mentor" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.subsidy_save(
            actor=actor(school, school.centre), graduate_id=helped.pk, status="paid"
        )
    with pytest.raises(ValidationError):
        services.step_add(
            actor=actor(school, school.teacher),
            graduate_id=helped.pk,
            text="先建档",
            due_on=timezone.localdate(),
        )


def test_who_sees_the_caseload_and_the_file(school, helped, client_for):
    open_file(school, helped)
    for user in (school.centre, school.dept_staff, school.teacher):
        page = client_for(user).get("/assistance/")
        assert page.status_code == 200 and helped.name in page.content.decode(), user
        detail = client_for(user).get(f"/assistance/{helped.pk}/")
        assert detail.status_code == 200 and "父亲长期患病" in detail.content.decode()
        assert detail["Cache-Control"] == "no-store"
    assert SensitiveRead.objects.filter(field="key_groups,assistance").count() == 3
    assert client_for(school.leader).get("/assistance/").status_code == 403
    assert client_for(school.leader).get(f"/assistance/{helped.pk}/").status_code == 403
    assert client_for(school.graduate_user).get(f"/assistance/{helped.pk}/").status_code == 403
    # A graduate of the other department: not department staff's of the first.
    other = school.graduates[2]
    confirm_key_group(other, KeyGroupKind.objects.get(code="disability"))
    assert client_for(school.dept_staff).get(f"/assistance/{other.pk}/").status_code == 404
    assert other.name not in client_for(school.dept_staff).get("/assistance/").content.decode()


def test_only_confirmed_key_groups_are_in_the_caseload(school, helped):
    from qihang.graduates import keygroups

    keygroups.suggest(
        institution_id=school.institution.pk,
        at=timezone.now(),
        roster={school.graduates[1].pk: {"subsistence": "生源名单"}},
        profile={},
    )
    rows = selectors.caseload(actor(school, school.centre), school.cohort)
    assert [r.graduate.pk for r in rows] == [helped.pk]
    assert rows[0].overdue  # no file, confirmed a month ago: the first follow-up is late


def test_coverage_of_a_past_day_does_not_move(school, helped):
    centre = actor(school, school.centre)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    before = selectors.coverage(centre, school.cohort, as_of=yesterday)
    assert before["total"].key_group == 1 and before["total"].planned == 0
    open_file(school, helped)
    services.follow_up_log(
        actor=actor(school, school.teacher),
        graduate_id=helped.pk,
        on=yesterday,
        mode="wechat",
        discussed="补记昨天的沟通",
    )
    again = selectors.coverage(centre, school.cohort, as_of=yesterday)
    assert [r.as_dict() for r in again["rows"]] == [r.as_dict() for r in before["rows"]]
    now = selectors.coverage(centre, school.cohort)
    assert now["total"].planned == 1 and now["total"].followed_up == 1


def test_reminders_reach_the_mentor_and_the_department_once_a_day(school, helped):
    today = timezone.localdate()
    counts = services.remind(institution_id=school.institution.pk, today=today)
    assert counts["overdue"] == 1
    sent = Notification.objects.filter(kind="assistance_due")
    assert set(sent.values_list("recipient_id", flat=True)) == {
        school.teacher.pk,
        school.dept_staff.pk,
    }
    assert "城乡低保" not in sent.first().subject + sent.first().body  # never the key group
    services.remind(institution_id=school.institution.pk, today=today)
    assert sent.count() == 2
    FollowUp.objects.create(
        institution=school.institution,
        graduate=helped,
        on=today,
        mode="phone",
        discussed="已跟进",
        author=school.teacher,
    )
    assert (
        services.remind(institution_id=school.institution.pk, today=today + dt.timedelta(days=1))[
            "overdue"
        ]
        == 0
    )
    milestone = services.remind(
        institution_id=school.institution.pk, today=dt.date(today.year, 6, 30)
    )
    assert milestone["unplaced"] == 1


def test_the_stats_command_reports_assistance_by_department(school, helped):
    out = io.StringIO()
    call_command(
        "stats",
        "--institution",
        school.institution.code,
        "--cohort",
        "2020",
        "--by",
        "key_group",
        stdout=out,
    )
    assert "重点群体帮扶（按院系）" in out.getvalue()
    out = io.StringIO()
    call_command(
        "stats",
        "--institution",
        school.institution.code,
        "--cohort",
        "2020",
        "--by",
        "key_group",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["assistance"]["total"]["key_group"] == 1
    assert "definitions" in data["assistance"]


def test_the_forms_say_what_is_wrong_and_write_nothing(school, helped, client_for):
    client = client_for(school.teacher)
    url = f"/assistance/{helped.pk}/follow-ups/"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"on": tomorrow, "mode": "phone", "discussed": "电话"}, follow=True)
    assert "跟进日期不能晚于今天" in response.content.decode()
    response = client.post(url, {"on": "", "mode": "phone"}, follow=True)
    assert "沟通内容" in response.content.decode()  # the field is named with its error
    assert not FollowUp.objects.exists()
    response = client.post(
        url, {"on": timezone.localdate().isoformat(), "mode": "phone", "discussed": "电话沟通"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#follow-ups")
    assert FollowUp.objects.count() == 1
    other = school.graduates[2]  # another department's, not the teacher's mentee
    assert (
        client_for(school.dept_staff).post(f"/assistance/{other.pk}/follow-ups/", {}).status_code
        == 404
    )
