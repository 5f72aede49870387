"""The whole flow: a graduate reports, the department reviews, the career centre approves;
a returned record is corrected and resubmitted; a change after approval stays pending while the
approved destination stays official."""

import pytest
from django.core.exceptions import ValidationError

from qihang.audit.models import AuditEvent
from qihang.destinations import services
from qihang.destinations.models import (
    ChangeAction,
    Destination,
    DestinationChange,
    DestinationPeriod,
    PeriodKind,
    ReviewStatus,
    Source,
)
from tests.destinations.conftest import actor, employment

pytestmark = [pytest.mark.django_db, pytest.mark.evidence_rules]


def scan(kind: str):
    """A file of `kind`: the tests here run under the national evidence rules."""
    from django.core.files.base import ContentFile

    from tests.conftest import TINY_PNG

    return (kind, ContentFile(TINY_PNG, name=f"{kind}.png"))


def periods(graduate, kind):
    return list(
        DestinationPeriod.objects.filter(graduate=graduate, kind=kind).order_by("valid_from", "pk")
    )


def test_submit_review_approve_opens_the_official_period(school):
    graduate = school.graduates[0]
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=graduate,
        data=employment(),
        evidence_files=[scan("agreement")],
    )
    assert destination.status == ReviewStatus.SUBMITTED
    assert destination.source == Source.SELF_REPORT
    assert destination.version == 1
    assert destination.employer_province == "310000"
    assert [p.code for p in periods(graduate, PeriodKind.REPORTED)] == ["10"]
    assert periods(graduate, PeriodKind.OFFICIAL) == []

    services.destination_review(actor=actor(school.dept_staff, school), destination=destination)
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.DEPARTMENT_REVIEWED
    assert destination.reviewed_by == school.dept_staff
    assert periods(graduate, PeriodKind.OFFICIAL) == []

    services.destination_approve(actor=actor(school.centre, school), destination=destination)
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.APPROVED
    assert destination.approved_by == school.centre
    assert destination.official_code_id == destination.code_id
    assert destination.official_values["employer_name"] == "上海交响乐团"
    official = periods(graduate, PeriodKind.OFFICIAL)
    assert [(p.code, p.employer_province, p.valid_to) for p in official] == [("10", "310000", None)]
    assert official[0].valid_from == destination.approved_at

    actions = list(
        DestinationChange.objects.filter(destination=destination)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == [ChangeAction.SUBMIT, ChangeAction.REVIEW, ChangeAction.APPROVE]
    assert set(
        AuditEvent.objects.filter(
            target_type="destinations.destination", target_id=str(destination.pk)
        ).values_list("action", flat=True)
    ) == {"destination.submit", "destination.review", "destination.approve"}


def test_centre_approves_a_submitted_record_directly(school):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=school.graduates[0],
        data={"code": "80"},
        evidence_files=[scan("admission")],
    )
    services.destination_approve(actor=actor(school.centre, school), destination=destination)
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.APPROVED


def test_return_with_reason_then_resubmit(school):
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    destination = services.destination_submit(
        actor=me, graduate=graduate, data=employment(employer_name="上海歌剧院 ")
    )
    with pytest.raises(ValidationError) as excinfo:
        services.destination_return(
            actor=actor(school.dept_staff, school), destination=destination, reason=" "
        )
    assert "退回原因" in str(excinfo.value)

    services.destination_return(
        actor=actor(school.dept_staff, school),
        destination=destination,
        reason="单位名称与协议书不一致",
    )
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.RETURNED
    assert destination.return_reason == "单位名称与协议书不一致"

    # Returned records cannot be approved until corrected.
    with pytest.raises(ValidationError):
        services.destination_approve(actor=actor(school.centre, school), destination=destination)

    corrected = services.destination_submit(
        actor=me, graduate=graduate, data=employment(employer_name="上海歌剧院有限公司")
    )
    assert corrected.pk == destination.pk
    assert corrected.status == ReviewStatus.SUBMITTED
    assert corrected.return_reason == ""
    assert corrected.version == 2
    last = DestinationChange.objects.filter(destination=destination).order_by("-at", "-pk")[0]
    assert last.action == ChangeAction.SUBMIT
    assert last.before == {"employer_name": "上海歌剧院", "status": "returned"}
    assert last.after["employer_name"] == "上海歌剧院有限公司"
    assert last.after["status"] == "submitted"
    # Every submission opens a reported period and closes the previous one.
    reported = periods(graduate, PeriodKind.REPORTED)
    assert len(reported) == 2
    assert reported[0].valid_to == reported[1].valid_from


def _returned(school, reason="证明材料不清晰，请重新上传"):
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    destination = services.destination_submit(actor=me, graduate=graduate, data=employment())
    services.destination_return(
        actor=actor(school.dept_staff, school), destination=destination, reason=reason
    )
    destination.refresh_from_db()
    return graduate, me, destination


def test_a_returned_record_resubmitted_unchanged_is_refused(school):
    graduate, me, destination = _returned(school)
    changes = DestinationChange.objects.filter(destination=destination).count()
    with pytest.raises(ValidationError) as excinfo:
        services.destination_submit(actor=me, graduate=graduate, data=employment())
    assert excinfo.value.messages == [
        "你的去向记录已被退回，退回原因：证明材料不清晰，请重新上传。"
        "重新提交前请按退回原因修改内容或补充证明材料；内容未作任何修改，不能重新提交。"
    ]
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.RETURNED
    assert destination.version == 1
    assert DestinationChange.objects.filter(destination=destination).count() == changes
    assert len(periods(graduate, PeriodKind.REPORTED)) == 1


def test_a_returned_record_resubmitted_with_a_new_file_goes_back_for_review(school):
    from django.core.files.base import ContentFile

    from tests.conftest import TINY_PNG

    graduate, me, destination = _returned(school)
    resubmitted = services.destination_submit(
        actor=me,
        graduate=graduate,
        data=employment(),
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="协议书.png"))],
    )
    assert resubmitted.status == ReviewStatus.SUBMITTED
    assert resubmitted.version == 2


def test_a_returned_record_whose_file_was_added_since_may_be_resubmitted(school):
    from django.core.files.base import ContentFile

    from tests.conftest import TINY_PNG

    graduate, me, destination = _returned(school)
    services.evidence_add(
        actor=me,
        destination=destination,
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="协议书.png"))],
    )
    resubmitted = services.destination_submit(actor=me, graduate=graduate, data=employment())
    assert resubmitted.status == ReviewStatus.SUBMITTED
    assert resubmitted.version == 2


def test_staff_may_record_a_returned_record_again_with_a_reason(school):
    """The rule is the graduate's: staff who re-record answer the return with their reason."""
    graduate, _me, destination = _returned(school)
    recorded = services.destination_record(
        actor=actor(school.centre, school),
        graduate=graduate,
        data=employment(),
        reason="已电话核实，材料无误",
    )
    assert recorded.version == 2
    assert recorded.status == ReviewStatus.DEPARTMENT_REVIEWED  # the centre may review


def test_a_change_after_approval_stays_pending_while_the_approved_one_is_official(school):
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    centre = actor(school.centre, school)
    destination = services.destination_submit(
        actor=me, graduate=graduate, data=employment(), evidence_files=[scan("agreement")]
    )
    services.destination_approve(actor=centre, destination=destination)
    first_official = periods(graduate, PeriodKind.OFFICIAL)

    with pytest.raises(ValidationError) as excinfo:
        services.destination_submit(actor=me, graduate=graduate, data={"code": "801"})
    assert "reason" in excinfo.value.message_dict

    changed = services.destination_submit(
        actor=me,
        graduate=graduate,
        data={"code": "801"},
        reason="考取本校硕士研究生",
        evidence_files=[scan("admission")],
    )
    assert changed.status == ReviewStatus.SUBMITTED
    assert changed.has_pending_change
    assert changed.official_values["code"] == "10"
    # The approved destination stays official: its period is still open.
    assert periods(graduate, PeriodKind.OFFICIAL) == first_official
    assert first_official[0].valid_to is None
    assert [p.code for p in periods(graduate, PeriodKind.REPORTED)] == ["10", "80"]

    services.destination_approve(actor=centre, destination=changed)
    official = periods(graduate, PeriodKind.OFFICIAL)
    assert [p.code for p in official] == ["10", "80"]
    assert official[0].valid_to == official[1].valid_from
    assert official[1].valid_to is None
    changed.refresh_from_db()
    assert not changed.has_pending_change
    assert changed.official_values["code"] == "801"


def test_unchanged_resubmission_is_refused_but_files_are_added(school):
    from django.core.files.base import ContentFile

    from tests.conftest import TINY_PNG

    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    destination = services.destination_submit(actor=me, graduate=graduate, data=employment())
    with pytest.raises(ValidationError) as excinfo:
        services.destination_submit(actor=me, graduate=graduate, data=employment())
    assert "没有需要提交的修改" in str(excinfo.value)
    services.destination_submit(
        actor=me,
        graduate=graduate,
        data=employment(),
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="协议书.png"))],
    )
    destination.refresh_from_db()
    assert destination.version == 1  # files only: no new version
    assert destination.evidence.count() == 1
    assert DestinationChange.objects.filter(
        destination=destination, action=ChangeAction.EVIDENCE
    ).exists()


def test_stale_version_is_not_approved(school):
    graduate = school.graduates[0]
    me = actor(school.graduate_user, school)
    destination = services.destination_submit(actor=me, graduate=graduate, data=employment())
    seen = destination.version
    services.destination_submit(actor=me, graduate=graduate, data=employment(note="已签约"))
    with pytest.raises(ValidationError) as excinfo:
        services.destination_approve(
            actor=actor(school.centre, school), destination=destination, expected_version=seen
        )
    assert "已更新" in str(excinfo.value)
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.SUBMITTED


def test_bulk_approve(school):
    dept = actor(school.teacher, school)
    records = [
        services.destination_record(
            actor=dept, graduate=g, data={"code": "76"}, evidence_files=[scan("statement")]
        )
        for g in school.graduates
        if g.mentor_id == school.teacher.pk
    ]
    other = services.destination_record(
        actor=actor(school.centre, school),
        graduate=school.graduates[2],
        data={"code": "85", "employer_country": "AT"},
    )
    approved, skipped = services.destination_bulk_approve(
        actor=actor(school.centre, school),
        items=[(d.pk, d.version) for d in records] + [(other.pk, other.version + 5)],
    )
    assert [d.pk for d in approved] == [d.pk for d in records]
    assert [pk for pk, _why in skipped] == [other.pk]
    assert set(
        Destination.objects.filter(pk__in=[d.pk for d in records]).values_list("status", flat=True)
    ) == {ReviewStatus.APPROVED}
    assert DestinationPeriod.objects.filter(
        kind=PeriodKind.OFFICIAL, graduate_id__in=[d.graduate_id for d in records]
    ).count() == len(records)


def test_bulk_approve_queries_do_not_grow(school, django_assert_max_num_queries):
    centre = actor(school.centre, school)
    records = [
        services.destination_record(actor=centre, graduate=g, data={"code": "76"})
        for g in school.graduates
    ]
    # Lock-and-read, update, close periods, open periods, history, the graduates' accounts,
    # their preferences, notifications, deliveries, audit (+ savepoints) and the audit chain
    # head; the records' evidence and the institution's evidence rules (the approve action's
    # guard, read once for the batch).
    with django_assert_max_num_queries(16):
        services.destination_bulk_approve(actor=centre, items=[(d.pk, None) for d in records])
