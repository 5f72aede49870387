"""The authority's returned list: all or nothing, every bad row named; the returned records go
to the department's list and into the next changed-only report."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from qihang.destinations.models import Destination, ReviewStatus
from qihang.destinations.services import destination_record
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.reporting import selectors, services
from qihang.reporting.models import ReportingRecord, ReturnedList
from qihang.reporting.selectors import report_facts
from tests.reporting.helpers import approve, centre, open_registration, report

pytestmark = pytest.mark.django_db


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def reported(school):
    open_registration(school)
    for graduate in school.graduates[:2]:
        approve(school, graduate)
    report(school)
    return school


def test_a_list_with_bad_rows_is_refused_whole_with_every_row_and_column(reported):
    school = reported
    first, second, never = school.graduates
    id_second = Graduate.objects.get(pk=second.pk).id_number.reveal_unlogged()
    id_never = Graduate.objects.get(pk=never.pk).id_number.reveal_unlogged()
    data = workbook(
        [
            ["学号", "身份证号", "退回原因"],
            [first.student_no, "", "单位信用代码与单位名称不符"],  # good
            ["x999", "", "查无此人"],  # unknown 学号
            [first.student_no, id_second, "不一致"],  # two different graduates
            [second.student_no, "", ""],  # no reason
            ["", id_never, "未上报过"],  # never reported
            [first.student_no, "", "重复"],  # same graduate again
        ]
    )
    with pytest.raises(services.ReturnedListInvalid) as caught:
        services.returned_list_import(
            actor=centre(school), cohort=school.cohort, source=data, filename="退回.xlsx"
        )
    found = [(e.row, e.column) for e in caught.value.errors]
    assert found == [
        (3, "学号"),
        (4, "身份证号"),
        (5, "退回原因"),
        (6, "身份证号"),
        (7, "学号"),
    ]
    messages = " ".join(str(e) for e in caught.value.errors)
    assert id_never not in messages and id_second not in messages  # masked
    assert not ReturnedList.objects.exists()
    assert not ReportingRecord.objects.filter(returned_at__isnull=False).exists()


def test_a_file_without_a_reason_column_names_the_column(reported):
    data = "学号\n" + reported.graduates[0].student_no + "\n"
    with pytest.raises(services.ReturnedListInvalid) as caught:
        services.returned_list_import(
            actor=centre(reported),
            cohort=reported.cohort,
            source=data.encode(),
            filename="退回.csv",
        )
    assert "退回原因" in str(caught.value.errors[0])


def test_returned_records_go_to_their_department_and_into_the_next_report(reported):
    school = reported
    first, second, _third = school.graduates
    # A pending correction of `second` is returned through the destinations workflow too.
    destination_record(
        actor=build_actor(school.teacher, school.institution.pk),
        graduate=first,
        data={"code": "70"},
        reason="单位解约",
    )
    id_second = Graduate.objects.get(pk=second.pk).id_number.reveal_unlogged()
    data = (
        "XH,SFZH,退回原因\n"
        f"{first.student_no},,单位信用代码不符\n"
        f",{id_second},签约日期晚于上报日期\n"
    ).encode()
    returned = services.returned_list_import(
        actor=centre(school), cohort=school.cohort, source=data, filename="退回.csv"
    )
    assert returned.rows == 2
    states = {
        f.graduate_id: f.state for f in report_facts(actor=centre(school), cohort=school.cohort)
    }
    assert states == {first.pk: "returned", second.pk: "returned"}
    pending = Destination.objects.get(graduate=first)
    assert pending.status == ReviewStatus.RETURNED
    assert "单位信用代码不符" in pending.return_reason
    assert Destination.objects.get(graduate=second).status == ReviewStatus.APPROVED
    # The department of both (钢琴系) sees them; a department officer sees only theirs.
    department = build_actor(school.dept_staff, school.institution.pk)
    listed = {
        r.graduate_id: r.returned_reason for r in selectors.returned_records(actor=department)
    }
    assert listed == {first.pk: "单位信用代码不符", second.pk: "签约日期晚于上报日期"}
    # The next changed-only report carries them and clears the state.
    run = report(school, extent="changed")
    assert run.rows == 2
    assert not selectors.returned_records(actor=centre(school)).exists()


def test_only_the_centre_imports(reported):
    with pytest.raises(PermissionDenied):
        services.returned_list_import(
            actor=build_actor(reported.dept_staff, reported.institution.pk),
            cohort=reported.cohort,
            source=b"x",
            filename="x.csv",
        )
