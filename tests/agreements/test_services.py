"""The agreement flow through the services: offer, answer, review, approval, the destination it
writes, cancellation and what it restores, and every refusal on the way."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qihang.agreements import services
from qihang.agreements.models import (
    Agreement,
    AgreementStatus,
    Cancellation,
    CancellationStatus,
    Party,
    Signature,
)
from qihang.agreements.signing import terms_document
from qihang.audit.models import AuditEvent
from qihang.destinations.models import (
    Destination,
    DestinationChange,
    DestinationPeriod,
    EvidenceKind,
    ReviewStatus,
    Source,
)
from qihang.reports import selectors as report_selectors
from tests.agreements.helpers import offer, sign, staff
from tests.factories import make_job

pytestmark = pytest.mark.django_db


def signing_rate(school):
    actor = staff(school)["centre"]
    total = report_selectors.cohort_stats(actor=actor, cohort=school.cohort, by="department")
    return total["total"]["signed"]


def test_the_whole_flow_places_the_graduate_under_code_10(school, world):
    actors = staff(school)
    agreement = offer(world)
    assert agreement.status == AgreementStatus.OFFERED
    assert agreement.number == "2020-00001"
    services.agreement_act(actor=actors["graduate"], agreement=agreement, action="accept")
    services.agreement_act(actor=actors["dept"], agreement=agreement, action="review")
    assert signing_rate(school) == 0
    services.agreement_act(actor=actors["centre"], agreement=agreement, action="approve")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    destination = Destination.objects.get(graduate=school.graduates[0])
    assert (destination.code.code, destination.status, destination.source) == (
        "10",
        ReviewStatus.APPROVED,
        Source.AGREEMENT,
    )
    assert destination.agreement_no == agreement.number
    assert destination.employer_credit_code == world["employer"].credit_code
    evidence = destination.evidence.get()
    assert evidence.kind == EvidenceKind.AGREEMENT
    assert evidence.file.read().startswith(b"%PDF-")
    assert DestinationPeriod.objects.filter(
        graduate=school.graduates[0], kind="official", valid_to__isnull=True, code="10"
    ).exists()
    assert signing_rate(school) == 1
    # Every step is on the audit log.
    kinds = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agreement.offer", "agreement.accept", "agreement.review", "agreement.approve"} <= kinds


def test_numbers_follow_the_cohort_sequence(school, world):
    numbers = [offer(world, i).number for i in range(3)]
    assert numbers == ["2020-00001", "2020-00002", "2020-00003"]


def test_signatures_record_each_party_and_the_hash_of_the_signed_bytes(school, world):
    agreement = sign(school, world)
    signatures = list(Signature.objects.filter(agreement=agreement).order_by("signed_at", "pk"))
    assert [s.party for s in signatures] == [Party.EMPLOYER, Party.GRADUATE, Party.SCHOOL]
    expected = hashlib.sha256(terms_document(agreement)).hexdigest()
    assert {s.sha256 for s in signatures} == {expected}
    assert [s.signer_id for s in signatures] == [
        world["employer_user"].pk,
        school.graduate_user.pk,
        school.centre.pk,
    ]
    assert all(s.backend == "local" and s.signed_at for s in signatures)


def test_an_edit_is_a_new_version_the_graduate_must_have_seen(school, world):
    actors = staff(school)
    agreement = offer(world)
    services.agreement_edit(
        actor=world["employer_actor"],
        agreement=agreement,
        data={**_terms(agreement), "monthly_salary": 9500},
    )
    assert agreement.version == 2
    with pytest.raises(ValidationError, match="修改了协议内容"):
        services.agreement_act(
            actor=actors["graduate"], agreement=agreement, action="accept", version=1
        )
    services.agreement_act(
        actor=actors["graduate"], agreement=agreement, action="accept", version=2
    )
    hashes = set(
        Signature.objects.filter(agreement=agreement, version=2).values_list("sha256", flat=True)
    )
    assert len(hashes) == 1


def _terms(agreement):
    return {
        f: getattr(agreement, f)
        for f in ("position", "employer_nature", "work_division", "monthly_salary", "term", "terms")
    }


def test_withdrawal_before_acceptance_is_not_a_cancellation(school, world):
    actors = staff(school)
    agreement = offer(world)
    services.agreement_act(actor=world["employer_actor"], agreement=agreement, action="withdraw")
    assert agreement.status == AgreementStatus.WITHDRAWN
    assert not Cancellation.objects.exists()
    with pytest.raises(ValidationError):
        services.agreement_act(actor=actors["graduate"], agreement=agreement, action="accept")
    # After acceptance the employer can no longer withdraw.
    second = offer(world)
    services.agreement_act(actor=actors["graduate"], agreement=second, action="accept")
    with pytest.raises(ValidationError):
        services.agreement_act(actor=world["employer_actor"], agreement=second, action="withdraw")


def test_declining_needs_a_reason(school, world):
    actors = staff(school)
    agreement = offer(world)
    with pytest.raises(ValidationError):
        services.agreement_act(actor=actors["graduate"], agreement=agreement, action="decline")
    services.agreement_act(
        actor=actors["graduate"], agreement=agreement, action="decline", reason="已考取研究生"
    )
    assert (agreement.status, agreement.reason) == (AgreementStatus.DECLINED, "已考取研究生")


def test_one_active_agreement_per_graduate(school, world):
    actors = staff(school)
    first, second = offer(world), offer(world)
    services.agreement_act(actor=actors["graduate"], agreement=first, action="accept")
    with pytest.raises(ValidationError, match="生效中"):
        services.agreement_act(actor=actors["graduate"], agreement=second, action="accept")
    second.refresh_from_db()
    assert second.status == AgreementStatus.OFFERED


def test_internship_postings_never_make_an_agreement(school, world):
    internship = make_job(world["employer"], school.institution, title="实习生", kind="internship")
    application = world["applications"][0]
    application.job = internship
    application.save(update_fields=["job"])
    with pytest.raises(ValidationError, match="实习"):
        offer(world)
    assert not Agreement.objects.exists()
    assert not Destination.objects.filter(code__code__in=["10", "11"]).exists()


def test_an_unverified_employer_cannot_offer(school, world):
    from qihang.employers.models import EmployerStanding

    EmployerStanding.objects.filter(employer=world["employer"]).update(status="pending")
    with pytest.raises(ValidationError, match="认证"):
        offer(world)


def test_wrong_sides_are_refused(school, world):
    actors = staff(school)
    agreement = offer(world)
    with pytest.raises(PermissionDenied):
        services.agreement_act(actor=actors["centre"], agreement=agreement, action="accept")
    services.agreement_act(actor=actors["graduate"], agreement=agreement, action="accept")
    with pytest.raises(PermissionDenied):
        services.agreement_act(actor=actors["dept"], agreement=agreement, action="approve")
    with pytest.raises(ValidationError):  # approve only after review
        services.agreement_act(actor=actors["centre"], agreement=agreement, action="approve")


def test_bad_terms_name_the_field(school, world):
    with pytest.raises(ValidationError) as caught:
        offer(world, position="", employer_nature="99x", work_division="123")
    assert set(caught.value.message_dict) == {"position", "employer_nature", "work_division"}


def cancel(school, world, agreement, reason="单位岗位调整"):
    actors = staff(school)
    cancellation = services.cancellation_request(
        actor=actors["graduate"], agreement=agreement, reason=reason
    )
    for actor, action in (
        (world["employer_actor"], "employer_approve"),
        (actors["dept"], "department_approve"),
        (actors["centre"], "centre_approve"),
    ):
        services.cancellation_act(actor=actor, cancellation=cancellation, action=action)
    return cancellation


def test_cancellation_reverts_to_unplaced_and_the_rate_drops(school, world):
    agreement = sign(school, world)
    assert signing_rate(school) == 1
    cancellation = cancel(school, world, agreement)
    agreement.refresh_from_db()
    assert cancellation.status == CancellationStatus.APPROVED
    assert agreement.status == AgreementStatus.CANCELLED
    destination = Destination.objects.get(graduate=school.graduates[0])
    assert (destination.code.code, destination.status) == ("70", ReviewStatus.APPROVED)
    assert signing_rate(school) == 0
    reasons = list(
        DestinationChange.objects.filter(destination=destination)
        .order_by("at", "pk")
        .values_list("action", "reason")
    )
    assert any("解约" in reason for _action, reason in reasons)


def test_cancellation_restores_the_destination_before_the_agreement(school, world):
    from qihang.destinations.services import destination_approve, destination_record

    actors = staff(school)
    before = destination_record(
        actor=actors["centre"],
        graduate=school.graduates[0],
        data={"code": "76", "note": "自由职业演奏"},
    )
    destination_approve(actor=actors["centre"], destination=before)
    agreement = sign(school, world)
    cancel(school, world, agreement)
    destination = Destination.objects.get(graduate=school.graduates[0])
    assert (destination.code.code, destination.status, destination.note) == (
        "76",
        ReviewStatus.APPROVED,
        "自由职业演奏",
    )


def test_each_party_may_refuse_a_cancellation_with_a_reason(school, world):
    actors = staff(school)
    agreement = sign(school, world)
    cancellation = services.cancellation_request(
        actor=actors["graduate"], agreement=agreement, reason="个人原因"
    )
    with pytest.raises(ValidationError):
        services.cancellation_act(
            actor=world["employer_actor"], cancellation=cancellation, action="employer_refuse"
        )
    with pytest.raises(PermissionDenied):  # not the department's turn
        services.cancellation_act(
            actor=actors["leader"], cancellation=cancellation, action="department_approve"
        )
    services.cancellation_act(
        actor=world["employer_actor"],
        cancellation=cancellation,
        action="employer_refuse",
        reason="已为其办理入职",
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert Destination.objects.get(graduate=school.graduates[0]).code.code == "10"


def test_the_cancellation_limit_is_enforced_at_application(school, world):
    actors = staff(school)
    assert services.max_cancellations(school.institution.pk) == 1
    cancel(school, world, sign(school, world))
    again = sign(school, world)
    with pytest.raises(ValidationError, match="最多可解约1次"):
        services.cancellation_request(actor=actors["graduate"], agreement=again, reason="再次解约")
    services.agreement_policy_update(actor=actors["centre"], max_cancellations=None)
    services.cancellation_request(actor=actors["graduate"], agreement=again, reason="再次解约")


def test_one_open_cancellation_per_agreement(school, world):
    actors = staff(school)
    agreement = sign(school, world)
    services.cancellation_request(actor=actors["graduate"], agreement=agreement, reason="个人原因")
    with pytest.raises(ValidationError, match="待处理"):
        services.cancellation_request(
            actor=actors["graduate"], agreement=agreement, reason="个人原因"
        )


def test_the_issued_pdf_carries_the_chinese_text_and_its_verification_link(school, world, client):
    import io

    from pypdf import PdfReader

    from qihang.documents.models import DocumentStatus

    agreement = sign(school, world)
    agreement.refresh_from_db()
    document = agreement.document
    assert document.status == DocumentStatus.VALID and document.number == agreement.number
    data = document.file.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    reader = PdfReader(io.BytesIO(data))
    text = "".join(p.extract_text() for p in reader.pages)
    for phrase in ("就业协议书", agreement.number, world["employer"].name, "李明", "大提琴演奏员"):
        assert phrase in text
    links = [
        str(a.get_object()["/A"]["/URI"])
        for p in reader.pages
        for a in p.get("/Annots") or []
        if a.get_object().get("/A")
    ]
    assert any(link.endswith(f"/verify/{document.token}/") for link in links)
    # The public page: valid, masked, nothing more; the evidence is the same document.
    page = client.get(f"/verify/{document.token}/").content.decode()
    assert "有效" in page and "李*" in page and "李明" not in page
    evidence = Destination.objects.get(graduate=school.graduates[0]).evidence.get()
    assert evidence.sha256 in ("", document.sha256)
    # Cancelled: the document verifies as invalid.
    cancel(school, world, agreement)
    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED
    assert "无效" in client.get(f"/verify/{document.token}/").content.decode()


def test_each_party_is_told_what_concerns_them(school, world):
    """The graduate of the offer and of the school's decision, the employer of the answer, the
    cancellation request and its outcome; the steps in between reach nobody's inbox."""
    from qihang.notifications.models import Notification

    def told():
        rows = Notification.objects.filter(kind="agreement_updated").order_by("pk")
        return [(n.recipient_id, n.subject) for n in rows]

    graduate, employer = school.graduate_user.pk, world["employer_user"].pk
    agreement = sign(school, world)
    number = agreement.number
    assert told() == [
        (graduate, f"【启航】{world['employer'].name} 向你发出三方协议，请确认"),
        (employer, f"【启航】{school.graduates[0].name} 接受并签署了三方协议"),
        (graduate, "【启航】三方协议已签约生效"),
        (employer, "【启航】三方协议已签约生效"),
    ]
    first = Notification.objects.filter(recipient_id=graduate).order_by("pk").first()
    assert number in first.body and first.link == f"/agreements/{agreement.pk}/"
    Notification.objects.all().delete()
    cancel(school, world, agreement)
    assert [who for who, _subject in told()] == [employer, graduate, employer]
    assert told()[0][1] == f"【启航】{school.graduates[0].name} 申请解除三方协议"
    assert told()[1][1] == "【启航】三方协议已解约"
