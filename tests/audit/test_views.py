import datetime

import pytest
from django.utils import timezone

from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.audit.services import audit_record, reveal_sensitive
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor

EVENTS = "/audit/"
READS = "/audit/sensitive/"


def reveal(school, graduate, reason: str, field: str = "id_number") -> None:
    actor = build_actor(school.centre, school.institution.pk)
    reveal_sensitive(
        actor=actor, obj=Graduate.objects.get(pk=graduate.pk), field=field, reason=reason
    )


@pytest.mark.django_db
def test_sensitive_reads_log_shows_who_when_whose_which_why(school, other_school, client_for):
    reveal(school, school.graduates[1], "核对三方协议")
    reveal(other_school, other_school.graduates[1], "别校的查看")
    response = client_for(school.centre).get(READS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "核对三方协议" in html and "身份证号" in html
    assert school.graduates[1].name in html and str(school.centre) in html
    assert "别校的查看" not in html
    assert f"/graduates/{school.graduates[1].pk}/" in html
    # The log never shows the value itself.
    assert Graduate.objects.get(pk=school.graduates[1].pk).id_number.reveal_unlogged() not in html


@pytest.mark.django_db
def test_sensitive_reads_filters(school, client_for):
    reveal(school, school.graduates[0], "事由甲")
    reveal(school, school.graduates[1], "事由乙", field="phone")
    old = SensitiveRead.objects.get(reason="事由甲")
    SensitiveRead.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=30))
    client = client_for(school.centre)

    def reasons(**params):
        return [r.reason for r in client.get(READS, params).context["page"].object_list]

    assert reasons() == ["事由乙", "事由甲"]
    assert reasons(field="phone") == ["事由乙"]
    assert reasons(whose=school.graduates[0].name) == ["事由甲"]
    assert reasons(who="nobody") == []
    today = timezone.localdate().isoformat()
    assert reasons(**{"from": today}) == ["事由乙"]
    assert reasons(to=(timezone.localdate() - datetime.timedelta(days=1)).isoformat()) == ["事由甲"]
    assert reasons(**{"from": "not-a-date"}) == ["事由乙", "事由甲"]


@pytest.mark.django_db
def test_events_log_is_filterable_and_paginated(school, other_school, client_for):
    for i in range(55):
        audit_record(
            institution_id=school.institution.pk,
            actor_id=school.centre.pk,
            action=AuditAction.EMPLOYER_INTERACTION_UPDATE,
            summary=f"第{i}条",
        )
    client = client_for(school.centre)
    first = client.get(EVENTS, {"action": "employer.interaction.update"})
    assert first.status_code == 200
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 55
    kind = AuditAction.EMPLOYER_INTERACTION_UPDATE
    assert (kind.value, kind.label) in first.context["actions"]  # named by its label
    assert client.get(EVENTS, {"q": "第7条"}).context["page"].paginator.count == 1
    own = AuditEvent.objects.filter(institution=school.institution).count()
    assert client.get(EVENTS).context["page"].paginator.count == own  # never the other school's


@pytest.mark.django_db
def test_audit_pages_need_the_audit_permission(school, client_for):
    for user in (school.leader, school.dept_staff, school.teacher, school.graduate_user):
        assert client_for(user).get(EVENTS).status_code == 403
        assert client_for(user).get(READS).status_code == 403


@pytest.mark.django_db
def test_audit_list_queries_are_constant(school, client_for, django_assert_num_queries):
    client = client_for(school.centre)
    reveal(school, school.graduates[0], "一次")
    # session, user, the OTP device that verified the session (accounts.mfa), memberships,
    # their departments, page count, page rows (with actor), institution name (header), unread
    # notifications (navigation).
    with django_assert_num_queries(9):
        client.get(READS)
    for graduate in school.graduates:
        reveal(school, graduate, "多次")
    with django_assert_num_queries(9):
        client.get(READS)


@pytest.mark.django_db
def test_an_invitation_by_another_institution_shows_in_the_holders_log(
    school, other_school, client_for
):
    school.teacher.email = "teacher@dfcm.example"
    school.teacher.save(update_fields=["email"])
    response = client_for(other_school.centre).post(
        "/accounts/staff/new/",
        {"display_name": "甲", "email": "teacher@dfcm.example", "roles": ["leadership"]},
    )
    assert response.status_code == 302
    html = client_for(school.centre).get(EVENTS, {"action": "membership.invited_elsewhere"})
    page = html.content.decode()
    assert "本校人员被其他单位邀请" in page
    assert "江城音乐学院：teacher@dfcm.example，校领导" in page
    assert str(other_school.centre) in page  # who invited
    # The inviting institution's log has its own row; neither sees the other's.
    theirs = client_for(other_school.centre).get(EVENTS).content.decode()
    assert "本校人员被其他单位邀请" not in theirs
    assert "添加工作人员" in theirs
