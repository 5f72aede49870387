"""Calls: results with history; a false result returns the record; the data-quality figure."""

import pytest
from django.core.exceptions import ValidationError

from qihang.audit.models import AuditEvent
from qihang.destinations import services as destinations
from qihang.destinations.models import (
    ChangeAction,
    Destination,
    DestinationChange,
    DestinationPeriod,
    PeriodKind,
    ReviewStatus,
    Source,
)
from qihang.verification import selectors, services
from qihang.verification.models import CallResult, VerificationCall
from tests.destinations.conftest import employment
from tests.verification.helpers import centre, draw, more_graduates, place


@pytest.fixture
def round_(school, media_root):
    for i, g in enumerate(more_graduates(school, 4)):
        place(school, g, agreement_no=f"C-{i}")
    return draw(school)


def samples(round_):
    return list(round_.samples.select_related("graduate", "destination").order_by("graduate_id"))


def test_unreachable_is_retried_then_confirmed_and_final(school, round_):
    sample = samples(round_)[0]
    actor = centre(school)
    services.call_record(actor=actor, sample=sample, result="unreachable", notes="无人接听")
    services.call_record(actor=actor, sample=sample, result="confirmed", notes="本人确认")
    assert list(VerificationCall.objects.filter(sample=sample).values_list("result", flat=True)) == [
        "unreachable", "confirmed"]  # fmt: skip
    sample.refresh_from_db()
    assert sample.result == CallResult.CONFIRMED
    with pytest.raises(ValidationError):
        services.call_record(actor=actor, sample=sample, result="false", notes="改口")
    assert AuditEvent.objects.filter(action="verification.call").count() == 2


def test_false_needs_notes(school, round_):
    with pytest.raises(ValidationError):
        services.call_record(actor=centre(school), sample=samples(round_)[0], result="false")


def test_false_result_returns_a_pending_record_for_correction(school, round_):
    sample = samples(round_)[0]
    # After the draw a newer version was recorded: it is pending, the approved one official.
    destinations.destination_record(
        actor=centre(school),
        graduate=sample.graduate,
        data=employment(employer_name="上海歌剧院", agreement_no="C-new"),
        reason="更换单位",
    )
    services.call_record(
        actor=centre(school), sample=sample, result="false", notes="本人称未与该单位签约"
    )
    sample.refresh_from_db()
    sample.destination.refresh_from_db()
    assert sample.returned_at is not None
    assert sample.destination.status == ReviewStatus.RETURNED
    assert "就业核查不属实" in sample.destination.return_reason
    assert DestinationChange.objects.filter(
        destination=sample.destination, action=ChangeAction.RETURN
    ).exists()


def test_false_on_an_approved_record_withdraws_its_approval(school, round_):
    sample = samples(round_)[1]
    services.call_record(actor=centre(school), sample=sample, result="false", notes="查无此人")
    sample.refresh_from_db()
    sample.destination.refresh_from_db()
    assert sample.result == CallResult.FALSE
    assert sample.returned_at is not None
    assert sample.destination.status == ReviewStatus.RETURNED
    assert sample.destination.official_code_id is None  # it no longer counts
    assert not DestinationPeriod.objects.filter(
        graduate=sample.graduate, kind=PeriodKind.OFFICIAL, valid_to__isnull=True
    ).exists()


def test_false_on_an_agreements_record_is_recorded_and_left_to_the_cancellation(school, round_):
    sample = samples(round_)[2]
    Destination.objects.filter(pk=sample.destination_id).update(source=Source.AGREEMENT)
    services.call_record(actor=centre(school), sample=sample, result="false", notes="查无此人")
    sample.refresh_from_db()
    sample.destination.refresh_from_db()
    assert sample.result == CallResult.FALSE
    assert sample.returned_at is None
    assert sample.destination.status == ReviewStatus.APPROVED


def test_data_quality_is_false_over_verified(school, round_):
    actor = centre(school)
    a, b, c, d = samples(round_)
    services.call_record(actor=actor, sample=a, result="confirmed")
    services.call_record(actor=actor, sample=b, result="confirmed")
    services.call_record(actor=actor, sample=c, result="false", notes="未就业")
    services.call_record(actor=actor, sample=d, result="unreachable")
    report = selectors.cohort_report(actor, school.cohort)
    [piano] = report["departments"]
    assert (piano.sampled, piano.verified, piano.false) == (4, 3, 1)
    assert piano.false_rate == 0.3333
    assert [s.graduate_id for s in report["false_samples"]] == [c.graduate_id]


def test_department_staff_see_their_departments_samples_only(school, media_root):
    place(school, school.graduates[1], agreement_no="D-1")
    place(school, school.graduates[2], agreement_no="D-2")
    round_ = draw(school)
    from qihang.institutions.scoping import build_actor

    staff = build_actor(school.dept_staff, school.institution.pk)
    seen = {s.graduate_id for s in selectors.samples_of(staff, round_)}
    assert seen == {school.graduates[1].pk}
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied: only the centre calls
        services.call_record(actor=staff, sample=round_.samples.first(), result="confirmed")


def test_other_institution_sees_nothing(school, other_school, client_for, media_root):
    place(school, school.graduates[1], agreement_no="E-1")
    round_ = draw(school)
    sample = round_.samples.get()
    client = client_for(other_school.centre)
    assert client.get(f"/verification/{round_.pk}/").status_code == 404
    assert (
        client.post(f"/verification/samples/{sample.pk}/call/", {"result": "confirmed"}).status_code
        == 404
    )
    sample.refresh_from_db()
    assert sample.result == CallResult.PENDING


def test_pages_render(school, client_for, media_root):
    place(school, school.graduates[1], agreement_no="F-1")
    round_ = draw(school)
    client = client_for(school.centre)
    page = client.get(f"/verification/{round_.pk}/")
    assert page.status_code == 200
    assert "138****5678" in page.content.decode()
    assert client.get("/verification/").status_code == 200
    assert client.get("/verification/report/2020/").status_code == 200
    xlsx = client.get("/verification/report/2020/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/verification/anomalies/").status_code == 200


def test_the_report_prints_with_its_chinese_text_and_is_audited(school, round_, client_for):
    import io

    from pypdf import PdfReader

    sample = samples(round_)[1]
    services.call_record(actor=centre(school), sample=sample, result="false", notes="查无此人")
    response = client_for(school.centre).get("/verification/report/2020/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "2020届毕业生就业核查报告" in text and "按院系" in text
    assert sample.graduate.name in text and "查无此人" in text
    entry = AuditEvent.objects.get(action="verification.report_export")
    assert entry.data == {"cohort": 2020, "format": "pdf", "false_findings": 1}
    # A cohort the school does not have is not found.
    assert client_for(school.centre).get("/verification/report/1999/pdf/").status_code == 404
