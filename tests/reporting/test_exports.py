"""The report file: its layout (header, codes), masking, changed-only runs, and the log of the
unmasked reads every report run makes."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.reporting import layout as layouts
from qihang.reporting import services
from qihang.reporting.models import ReportingRecord, ReportRunItem
from qihang.reporting.selectors import report_facts, state_counts
from tests.reporting.helpers import approve, centre, open_registration, report

pytestmark = pytest.mark.django_db


def rows_of(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]


def test_the_layout_file_declares_every_column_once_with_a_known_source():
    layout = layouts.load()
    data = json.loads(
        (Path(layouts.DATA_DIR) / f"report_layout_{layout.version}.json").read_text("utf-8")
    )
    assert layout.headers == [c["header"] for c in data["columns"]]
    assert layout.headers[:4] == ["学号", "姓名", "性别代码", "身份证号"]
    assert {
        "毕业去向代码",
        "单位名称",
        "统一社会信用代码",
        "单位性质代码",
        "单位所在地代码",
        "协议书编号",
    } <= set(layout.headers)
    assert len(set(layout.headers)) == len(layout.headers)
    assert len({c.field for c in layout.columns}) == len(layout.columns)
    assert [c.source for c in layout.columns if c.sensitive] == ["id_number"]


def test_export_has_the_layout_header_and_national_codes_masked(school):
    open_registration(school)
    graduate = school.graduates[1]  # 王芳, female
    approve(school, graduate, {"agreement_no": ""})
    data, filename, count = services.reporting_export(
        actor=centre(school), cohort=school.cohort, extent="all", fmt="xlsx"
    )
    assert count == 1 and filename.endswith(".xlsx")
    header, row = rows_of(data)
    layout = layouts.load()
    assert list(header) == layout.headers
    value = dict(zip(header, row, strict=True))
    assert value["学号"] == graduate.student_no
    assert value["性别代码"] == "2"  # GB/T 2261.1
    assert value["学历代码"] == "31"  # the national system's 本科
    stored = Graduate.objects.get(pk=graduate.pk).id_number
    assert value["身份证号"] == stored.masked
    assert "*" in value["身份证号"]
    assert value["毕业去向代码"] == "11"
    assert value["单位性质代码"] == "29"
    assert value["单位所在地代码"] == "310104"
    assert value["报送类型"] == "新增"
    event = AuditEvent.objects.get(action="reporting.export")
    assert event.data["masked"] is True and event.data["rows"] == 1
    assert not SensitiveRead.objects.exists()


def test_a_report_run_writes_the_file_in_clear_and_logs_every_graduate(school, settings):
    open_registration(school)
    for graduate in school.graduates:
        approve(school, graduate)
    run = report(school, fmt="csv")
    assert run.rows == 3 and run.backend == "file"
    path = Path(run.receipt)
    assert path.parent.parent == Path(settings.QIHANG_REPORTING_OUTBOX_DIR)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    text = path.read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == layouts.load().headers
    ids = {row[3] for row in table[1:]}
    assert ids == {g.id_number.reveal_unlogged() for g in Graduate.objects.all()}
    reads = SensitiveRead.objects.filter(reason="月度上报")
    assert sorted(int(r.target_id) for r in reads) == sorted(g.pk for g in school.graduates)
    assert {r.field for r in reads} == {"id_number"}
    event = AuditEvent.objects.get(action="reporting.run")
    assert event.data["rows"] == 3 and event.data["sha256"] == run.sha256
    assert ReportRunItem.objects.filter(run=run).count() == 3


def test_changed_only_export_after_a_change_carries_only_that_record(school):
    open_registration(school)
    for graduate in school.graduates:
        approve(school, graduate)
    first = report(school)
    assert first.rows == 3
    actor = centre(school)
    assert state_counts(report_facts(actor=actor, cohort=school.cohort))["reported"] == 3
    with pytest.raises(ValidationError):
        report(school, extent="changed")  # nothing new, changed or returned
    changed = school.graduates[2]
    approve(school, changed, {"employer_name": "上海歌剧院"}, reason="换了单位")
    facts = {f.graduate_id: f.state for f in report_facts(actor=actor, cohort=school.cohort)}
    assert facts[changed.pk] == "changed"
    assert sorted(facts.values()).count("reported") == 2
    data, _name, count = services.reporting_export(
        actor=actor, cohort=school.cohort, extent="changed", fmt="xlsx"
    )
    header, *rows = rows_of(data)
    assert count == 1 and len(rows) == 1
    value = dict(zip(header, rows[0], strict=True))
    assert value["学号"] == changed.student_no
    assert value["单位名称"] == "上海歌剧院"
    assert value["报送类型"] == "变更"
    second = report(school, extent="changed")
    assert second.rows == 1
    assert ReportRunItem.objects.get(run=second).state == "changed"
    record = ReportingRecord.objects.get(graduate=changed)
    assert record.last_run == second
    counts = state_counts(report_facts(actor=actor, cohort=school.cohort))
    assert counts == {"new": 0, "changed": 0, "reported": 3, "returned": 0}


def test_a_pending_new_version_does_not_change_what_is_reported(school):
    """Only the approved (official) record is reported: a submitted correction waits."""
    from qihang.destinations.services import destination_record

    open_registration(school)
    graduate = school.graduates[0]  # the teacher's mentee
    approve(school, graduate)
    report(school)
    destination_record(
        actor=build_actor(school.teacher, school.institution.pk),
        graduate=graduate,
        data={"code": "70"},
        reason="未就业",
    )
    facts = report_facts(actor=centre(school), cohort=school.cohort)
    assert [f.state for f in facts] == ["reported"]


def test_unmasked_files_need_the_unmask_permission_and_a_reason(school):
    open_registration(school)
    approve(school, school.graduates[0])
    department = build_actor(school.dept_staff, school.institution.pk)
    with pytest.raises(PermissionDenied):
        services.reporting_export(actor=department, cohort=school.cohort)
    with pytest.raises(ValidationError):
        services.reporting_export(
            actor=centre(school), cohort=school.cohort, unmasked=True, reason=" "
        )
    with pytest.raises(ValidationError):
        services.report_run_create(
            actor=centre(school), cohort=school.cohort, extent="all", fmt="xlsx", reason=""
        )
    assert not SensitiveRead.objects.exists()
    data, _n, _c = services.reporting_export(
        actor=centre(school), cohort=school.cohort, unmasked=True, reason="核对上报文件"
    )
    header, row = rows_of(data)
    stored = Graduate.objects.get(pk=school.graduates[0].pk).id_number
    assert row[header.index("身份证号")] == stored.reveal_unlogged()
    assert SensitiveRead.objects.filter(reason="核对上报文件").count() == 1
    assert not ReportingRecord.objects.exists()  # a preview reports nothing


def test_a_failing_backend_records_no_run(school):
    open_registration(school)
    approve(school, school.graduates[0])

    class Refusing:
        name = "refusing"

        def push(self, submission):
            raise ConnectionError("authority unreachable")

    with pytest.raises(ConnectionError):
        services.report_run_create(
            actor=centre(school),
            cohort=school.cohort,
            extent="all",
            fmt="xlsx",
            reason="上报",
            backend=Refusing(),
        )
    assert not ReportingRecord.objects.exists()
    assert not SensitiveRead.objects.exists()
    assert not AuditEvent.objects.filter(action="reporting.run").exists()


def test_the_states_of_a_cohort_take_three_queries_whatever_its_size(
    school, django_assert_num_queries
):
    open_registration(school)
    for graduate in school.graduates:
        approve(school, graduate)
    actor = centre(school)
    # The approved records with their graduates, the reporting states, the code tables.
    with django_assert_num_queries(3):
        facts = report_facts(actor=actor, cohort=school.cohort)
    assert len(facts) == 3


def test_the_correction_queue_is_one_query(school, django_assert_num_queries):
    from tests.reporting.helpers import walk_reporting

    open_registration(school)
    walk_reporting(school)
    department = build_actor(school.dept_staff, school.institution.pk)
    from qihang.reporting import selectors

    # The pending requests of the department's graduates, with graduate and department.
    with django_assert_num_queries(1):
        rows = [
            (r.graduate.department.name, r.requested_value)
            for r in selectors.corrections(actor=department)
        ]
    assert rows == [("钢琴系", "李明明")]  # not the other department's
