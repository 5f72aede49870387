"""The pages: draw a round, record a call, decide on a flag, upload an enrolment list; the
department's view of the report."""

import pytest
from django.utils import timezone

from qihang.audit.models import AuditEvent
from qihang.employers.models import Employer
from qihang.verification import selectors
from qihang.verification.models import FlagDecision, VerificationRound
from tests.factories import make_employer
from tests.verification.helpers import centre, draw, more_graduates, place

pytestmark = pytest.mark.usefixtures("media_root")


def test_draw_and_call_through_the_pages(school, client_for):
    for i, g in enumerate(more_graduates(school, 3)):
        place(school, g, agreement_no=f"G{i}")
    client = client_for(school.centre)
    answer = client.post(
        "/verification/draw/",
        {
            "cohort": school.cohort.pk,
            "name": "页面抽样",
            "as_of": timezone.localdate().isoformat(),
            "default_percent": "50",
            "seed": "42",
            f"percent_{school.departments[1].pk}": "",
        },
    )
    round_ = VerificationRound.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/verification/{round_.pk}/"
    assert round_.samples.count() == 2  # ceil(50% of 3)
    sample = round_.samples.first()
    answer = client.post(f"/verification/samples/{sample.pk}/call/", {"result": "unreachable"})
    assert answer.status_code == 302
    sample.refresh_from_db()
    assert sample.result == "unreachable"
    assert AuditEvent.objects.filter(action="verification.round_draw").exists()


def test_a_bad_percentage_is_refused_on_the_form(school, client_for):
    answer = client_for(school.centre).post(
        "/verification/draw/",
        {"cohort": school.cohort.pk, "name": "x", "as_of": "2020-07-01", "default_percent": "0"},
    )
    assert answer.status_code == 400
    assert not VerificationRound.objects.exists()


def test_decide_on_a_flag_through_the_page(school, client_for):
    a = make_employer("甲乐团", serial=521, institution=school.institution)
    b = make_employer("乙琴行", serial=522, institution=school.institution)
    Employer.objects.filter(pk__in=[a.pk, b.pk]).update(contact_phone="13900000000")
    client = client_for(school.centre)
    page = client.get("/verification/anomalies/?cohort=2020").content.decode()
    assert "13900000000" in page and f"/employers/{a.pk}/" in page
    answer = client.post(
        "/verification/anomalies/decide/",
        {"rule": "shared_contact", "key": "contact:13900000000", "status": "dismissed",
         "note": "同一集团", "cohort": "2020"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert FlagDecision.objects.get().status == "dismissed"


def test_enrolment_upload_reports_row_errors(school, client_for):
    data = "姓名,身份证号\n甲,123\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client_for(school.centre).post(
        "/verification/enrolment/2020/",
        {"file": SimpleUploadedFile("名单.csv", data, content_type="text/csv")},
        follow=True,
    )
    text = answer.content.decode()
    assert "第2行 B（身份证号）" in text


def test_department_report_covers_its_departments_only(school):
    place(school, school.graduates[1], agreement_no="H1")
    place(school, school.graduates[2], agreement_no="H2")
    draw(school)
    from qihang.institutions.scoping import build_actor

    staff = build_actor(school.dept_staff, school.institution.pk)
    report = selectors.cohort_report(staff, school.cohort)
    assert [t.label for t in report["departments"]] == [school.departments[0].name]
    assert report["total"].sampled == 1
    assert selectors.cohort_report(centre(school), school.cohort)["total"].sampled == 2
