"""Graduates check their data in a window and ask for corrections; the department confirms
(the change lands on the record's history) or refuses with a reason; the graduate is told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qihang.audit.models import AuditEvent
from qihang.destinations.models import DestinationChange
from qihang.graduates.models import Graduate, RosterPeriod
from qihang.institutions.scoping import build_actor
from qihang.notifications.models import Notification
from qihang.reporting import selectors, services
from qihang.reporting.models import CorrectionStatus, RosterCheck
from qihang.reporting.selectors import report_facts
from tests.reporting.helpers import approve, centre, open_registration, open_window, report

pytestmark = pytest.mark.django_db


def graduate_actor(school):
    return build_actor(school.graduate_user, school.institution.pk)


def department(school):
    return build_actor(school.dept_staff, school.institution.pk)


def ask(school, field, value, *, target="roster", reason="录入有误"):
    return services.correction_request_create(
        actor=graduate_actor(school),
        graduate=school.graduates[0],
        target=target,
        field=field,
        value=value,
        reason=reason,
    )


def test_no_request_without_an_open_window(school):
    with pytest.raises(ValidationError):
        ask(school, "name", "李明明")


def test_a_confirmed_roster_correction_lands_on_the_record_and_its_history(school):
    open_registration(school)
    approve(school, school.graduates[0])
    report(school)
    window = open_window(school)
    request = ask(school, "name", "李明明")
    assert RosterCheck.objects.get(window=window).answer == "asked"
    with pytest.raises(ValidationError):
        ask(school, "name", "李小明")  # one open request per field
    services.correction_confirm(actor=department(school), request=request)
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    assert graduate.name == "李明明"
    event = AuditEvent.objects.get(action="graduate.roster_correct")
    assert event.data["before"] == {"name": "李明"}
    assert event.data["after"] == {"name": "李明明"}
    assert "录入有误" in event.data["reason"]
    request.refresh_from_db()
    assert request.status == CorrectionStatus.CONFIRMED
    assert Notification.objects.filter(
        recipient=school.graduate_user, kind="correction_decided"
    ).exists()
    # The reported name changed: the record is "changed" until the next report.
    facts = report_facts(actor=centre(school), cohort=school.cohort)
    assert [f.state for f in facts] == ["changed"]
    kinds = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"reporting.correction_request", "reporting.correction_confirm"} <= kinds


def test_a_major_correction_moves_the_roster_period(school):
    open_window(school)
    other_major = school.majors[1]
    request = ask(school, "major", str(other_major.pk))
    services.correction_confirm(actor=centre(school), request=request)
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    assert graduate.major_id == other_major.pk
    assert graduate.department_id == other_major.department_id
    open_period = RosterPeriod.objects.get(graduate=graduate, valid_to__isnull=True)
    assert open_period.department_id == other_major.department_id


def test_an_id_number_correction_keeps_the_number_encrypted_and_masked(school):
    from tests.factories import make_id_number

    open_window(school)
    number = make_id_number(male=True, division="310104")
    request = ask(school, "id_number", number)
    assert number not in request.requested_value
    assert "*" in request.requested_value
    event = AuditEvent.objects.get(action="reporting.correction_request")
    assert number not in str(event.data)
    services.correction_confirm(actor=department(school), request=request)
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    assert graduate.id_number.reveal_unlogged() == number


def test_a_destination_correction_is_a_new_version_with_its_reason(school):
    open_registration(school)
    approve(school, school.graduates[0])
    open_window(school)
    request = ask(school, "employer_name", "上海爱乐乐团", target="destination")
    services.correction_confirm(actor=department(school), request=request)
    change = DestinationChange.objects.filter(graduate=school.graduates[0]).first()
    assert change.action == "record"
    assert change.after["employer_name"] == "上海爱乐乐团"
    assert "录入有误" in change.reason


def test_refusing_needs_a_reason_and_tells_the_graduate(school):
    open_window(school)
    request = ask(school, "ethnicity", "回族")
    with pytest.raises(ValidationError):
        services.correction_refuse(actor=department(school), request=request, reason="")
    services.correction_refuse(actor=department(school), request=request, reason="与户籍材料不符")
    request.refresh_from_db()
    assert request.status == "refused" and request.decision_reason == "与户籍材料不符"
    note = Notification.objects.get(recipient=school.graduate_user, kind="correction_decided")
    assert "与户籍材料不符" in note.body
    assert Graduate.objects.get(pk=school.graduates[0].pk).ethnicity.reveal_unlogged() != "回族"
    with pytest.raises(ValidationError):
        services.correction_confirm(actor=department(school), request=request)  # decided


def test_another_departments_officer_cannot_decide(school):
    from qihang.institutions.services import department_get_or_create, membership_grant
    from tests.factories import make_user

    open_window(school)
    request = ask(school, "name", "李明明")
    voice = department_get_or_create(institution=school.institution, name="声乐歌剧系")
    other = make_user("voice-officer")
    membership_grant(
        institution=school.institution, user=other, role="department", departments=[voice]
    )
    with pytest.raises(PermissionDenied):
        services.correction_confirm(
            actor=build_actor(other, school.institution.pk), request=request
        )


def test_window_counts_confirmed_asked_and_not_yet(school):
    window = open_window(school)
    ask(school, "name", "李明明")
    counts = selectors.window_counts(actor=centre(school), window=window)
    assert (counts.total, counts.confirmed, counts.asked, counts.not_yet) == (3, 0, 1, 2)
    with pytest.raises(ValidationError):
        services.roster_check_confirm(actor=graduate_actor(school), graduate=school.graduates[0])
    with pytest.raises(PermissionDenied):
        services.roster_check_confirm(actor=graduate_actor(school), graduate=school.graduates[1])
