"""Each anomaly rule fires on the records behind it and not on clean data; decisions are kept;
the enrolment list's row errors; the anomaly page's queries."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import Workbook

from qihang.destinations import services as destinations
from qihang.destinations.evidence import EvidenceUpload
from qihang.destinations.models import DestinationChange
from qihang.employers.models import Contact, Employer
from qihang.graduates.models import Graduate
from qihang.verification import anomalies, selectors, services
from qihang.verification.enrolment import LocalFileSource
from qihang.verification.models import FlagDecision
from tests.conftest import TINY_PNG
from tests.factories import make_credit_code, make_employer
from tests.verification.helpers import centre, more_graduates, place

pytestmark = pytest.mark.usefixtures("media_root")


def run(rule, school, **overrides):
    t = anomalies.Thresholds(**overrides)
    return anomalies.RULES[rule].check(centre(school), school.cohort, t)


def keys(findings):
    return [f.key for f in findings]


def test_shared_contact(school):
    a = make_employer("甲乐团", serial=501, institution=school.institution)
    b = make_employer("乙琴行", serial=502, institution=school.institution)
    assert run("shared_contact", school) == []
    Employer.objects.filter(pk=a.pk).update(contact_phone="021-5555 0001")
    Contact.objects.create(
        institution=school.institution, employer=b, name="王", phone="021-55550001"
    )
    [finding] = run("shared_contact", school)
    assert finding.key == "contact:021-55550001"
    assert {r.label for r in finding.records} == {"甲乐团", "乙琴行"}


def test_credit_codes_invalid_and_unregistered(school):
    verified = make_employer("上海交响乐团", serial=1, institution=school.institution)
    [g1, g2, g3] = more_graduates(school, 3)
    place(school, g1, employer_credit_code=verified.credit_code, agreement_no="K1")
    assert run("credit_code", school) == []
    place(school, g2, employer_credit_code=make_credit_code(777), agreement_no="K2")
    # An invalid code reaches an approved record only through an import; write it directly.
    place(school, g3, agreement_no="K3")
    d3 = g3.destination
    d3.official_values = {**d3.official_values, "employer_credit_code": "91310000MA1XXXXXX0"}
    d3.save(update_fields=["official_values"])
    findings = {f.key: f for f in run("credit_code", school)}
    assert set(findings) == {"unregistered:2020", "invalid:91310000MA1XXXXXX0"}
    [unregistered] = findings["unregistered:2020"].records
    assert unregistered.label == f"{g2.name}（{g2.student_no}）"
    assert unregistered.detail.startswith(make_credit_code(777))


def test_approval_burst(school):
    graduates = more_graduates(school, 8)
    for i, g in enumerate(graduates):
        place(school, g, agreement_no=f"B{i}")
    tz = timezone.get_default_timezone()
    # Spread: one approval on each of five ordinary days …
    changes = list(DestinationChange.objects.filter(action="approve").order_by("pk"))
    for i, change in enumerate(changes[:3]):
        DestinationChange.objects.filter(pk=change.pk).update(
            at=dt.datetime(2020, 4, 1 + 7 * i, 10, tzinfo=tz)
        )
    for change in changes[3:]:
        DestinationChange.objects.filter(pk=change.pk).update(
            at=dt.datetime(2020, 4, 20, 10, tzinfo=tz)
        )
    assert run("approval_burst", school, burst_min_approvals=3) == []
    # … then five on the day before 30 June.
    for change in changes[3:]:
        DestinationChange.objects.filter(pk=change.pk).update(
            at=dt.datetime(2020, 6, 29, 16, tzinfo=tz)
        )
    [finding] = run("approval_burst", school, burst_min_approvals=3)
    assert finding.key == "burst:2020:2020-06-30"
    assert finding.count == 5


def test_flexible_share(school):
    piano = more_graduates(school, 6)
    voice = more_graduates(school, 6, department=1, start=300)
    for i, g in enumerate(voice):
        place(school, g, agreement_no=f"V{i}")
    for i, g in enumerate(piano):
        place(school, g, "76" if i < 5 else "10", agreement_no=f"P{i}")
    [finding] = run("flexible_share", school)
    assert finding.key == f"flexible:2020:{school.departments[0].pk}"
    assert finding.count == 5
    assert run("flexible_share", school, flexible_min_graduates=6) == []


def test_evidence_reuse_but_not_import_files(school):
    a, b = more_graduates(school, 2)
    for i, g in enumerate((a, b)):
        place(school, g, agreement_no=f"E{i}")
    assert run("evidence_reuse", school) == []
    for g in (a, b):
        destinations.evidence_add(
            actor=centre(school),
            destination=g.destination,
            evidence_files=[EvidenceUpload("contract", ContentFile(TINY_PNG, name="合同.png"))],
        )
    [finding] = run("evidence_reuse", school)
    assert finding.count == 2
    from qihang.destinations.models import Evidence

    Evidence.objects.filter(graduate__in=[a, b]).update(kind="import")
    assert run("evidence_reuse", school) == []


def test_employer_concentration(school):
    established = make_employer("老牌乐团", serial=601, institution=school.institution)
    Employer.objects.filter(pk=established.pk).update(
        created_at=timezone.now() - dt.timedelta(days=900)
    )
    fresh = make_employer("新设文化公司", serial=602, institution=school.institution)
    graduates = more_graduates(school, 10)
    for i, g in enumerate(graduates[:5]):
        place(school, g, employer_credit_code=established.credit_code, agreement_no=f"O{i}")
    assert run("employer_concentration", school) == []
    for i, g in enumerate(graduates[5:]):
        place(school, g, employer_credit_code=fresh.credit_code, agreement_no=f"N{i}")
    [finding] = run("employer_concentration", school)
    assert finding.key == f"employer:2020:{fresh.credit_code}"
    assert finding.count == 5


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_insurance_missing(school):
    on_list, missing, other = more_graduates(school, 3)
    place(school, on_list, "11")
    place(school, missing, "12")
    place(school, other, "10", agreement_no="I1")
    assert run("insurance_missing", school) == []  # silent without a list
    data = _xlsx(
        [
            ["姓名", "身份证号"],
            [on_list.name, str(Graduate.objects.get(pk=on_list.pk).id_number.reveal_unlogged())],
        ]
    )
    services.enrolment_import(
        actor=centre(school), cohort=school.cohort, source=LocalFileSource(data, "社保.xlsx")
    )
    [finding] = run("insurance_missing", school)
    assert [r.label for r in finding.records] == [f"{missing.name}（{missing.student_no}）"]


def test_enrolment_row_errors_name_row_and_column_and_store_nothing(school):
    data = "姓名,身份证号,统一社会信用代码\n甲,110101199003070000,\n乙,310104199805120011,91310000MA1XXXXXX0\n".encode()
    with pytest.raises(services.EnrolmentRejected) as caught:
        services.enrolment_import(
            actor=centre(school), cohort=school.cohort, source=LocalFileSource(data, "名单.csv")
        )
    errors = caught.value.row_errors
    assert [(e.row, e.column[:1]) for e in errors] == [(2, "B"), (3, "C")] or [
        e.row for e in errors
    ] == [2, 3]
    assert errors[0].column.startswith("B")
    from qihang.verification.models import EnrolmentList

    assert not EnrolmentList.objects.exists()


def test_decisions_are_kept_and_the_latest_shown(school):
    a = make_employer("甲乐团", serial=511, institution=school.institution)
    b = make_employer("乙琴行", serial=512, institution=school.institution)
    Employer.objects.filter(pk__in=[a.pk, b.pk]).update(contact_email="hr@same.example")
    actor = centre(school)
    services.flag_decide(actor=actor, rule="shared_contact", key="contact:hr@same.example",
                         status="acknowledged", note="已致电核实")  # fmt: skip
    services.flag_decide(actor=actor, rule="shared_contact", key="contact:hr@same.example",
                         status="dismissed", note="同一集团的两家子公司")  # fmt: skip
    page = selectors.anomaly_flags(actor, school.cohort)
    [flag] = next(s for s in page["sections"] if s["rule"].name == "shared_contact")["flags"]
    assert flag.status == "dismissed"
    assert FlagDecision.objects.count() == 2


def test_clean_data_raises_no_flag(school):
    verified = make_employer("上海交响乐团", serial=1, institution=school.institution)
    Employer.objects.filter(pk=verified.pk).update(
        created_at=timezone.now() - dt.timedelta(days=900)
    )
    for i, g in enumerate(more_graduates(school, 4)):
        place(school, g, employer_credit_code=verified.credit_code, agreement_no=f"Q{i}")
    page = selectors.anomaly_flags(centre(school), school.cohort)
    assert [f for s in page["sections"] for f in s["flags"]] == []


def test_anomaly_page_queries_do_not_grow(school, client_for, django_assert_max_num_queries):
    client = client_for(school.centre)
    for i, g in enumerate(more_graduates(school, 3)):
        place(school, g, employer_credit_code=make_credit_code(800 + i), agreement_no=f"R{i}")
    # session, user, memberships …, the cohorts (2), each rule's reads (about 2 each), the
    # decisions, the enrolment lists: about 30, whatever the number of records.
    with django_assert_max_num_queries(40) as small:
        assert client.get("/verification/anomalies/").status_code == 200
    for i, g in enumerate(more_graduates(school, 12, start=400)):
        place(school, g, employer_credit_code=make_credit_code(900 + i), agreement_no=f"S{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/verification/anomalies/").status_code == 200


def test_only_the_centre_opens_the_anomaly_page(school, client_for):
    assert client_for(school.dept_staff).get("/verification/anomalies/").status_code == 403


def test_late_agreement(school):
    early, late = more_graduates(school, 2)
    place(school, early, agreement_no="L1")
    assert run("late_agreement", school) == []
    place(school, late, agreement_no="L2", signed_on=dt.date(2020, 9, 15))
    [finding] = run("late_agreement", school)
    assert finding.key == "late:2020"
    assert [r.detail for r in finding.records] == ["2020-09-15"]
