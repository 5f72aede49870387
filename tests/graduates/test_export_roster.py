"""Roster and destination exports: masked, scoped, audited, and re-importable."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qihang.audit.models import AuditEvent
from qihang.graduates.exporting import DESTINATION_HEADERS, export_destinations, export_roster
from qihang.graduates.importing import HEADERS, import_roster
from qihang.institutions.scoping import build_actor

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def actor(school, user):
    return build_actor(user, school.institution.pk)


def test_roster_export_has_the_import_columns_masked(school):
    rows = sheet_rows(export_roster(actor(school, school.centre), school.cohort))
    assert rows[0] == list(HEADERS)
    body = {r[0]: dict(zip(HEADERS, r, strict=True)) for r in rows[1:]}
    assert set(body) == {g.student_no for g in school.graduates}
    li = body[school.graduates[0].student_no]
    assert li["姓名"] == "李明" and li["性别"] == "男" and li["院系"] == "钢琴系"
    assert li["学历层次"] == "本科" and li["届别"] == 2020 and li["生源地"] == "310104"
    assert li["身份证号"].startswith("3101") and li["身份证号"][4:16] == "*" * 12
    assert li["手机号码"] == "138****5678"
    event = AuditEvent.objects.get(action="roster.export")
    assert event.actor_id == school.centre.pk
    assert event.data == {"cohort": 2020, "rows": 3, "masked": True, "scope": "institution"}


def test_department_staff_export_only_their_departments(school):
    rows = sheet_rows(export_roster(actor(school, school.dept_staff), school.cohort))
    assert {r[7] for r in rows[1:]} == {"钢琴系"}
    assert len(rows) - 1 == 2  # graduates[0] and [1] are in 钢琴系, [2] in 声乐歌剧系
    event = AuditEvent.objects.get(action="roster.export")
    assert event.data["scope"] == "departments"
    assert event.data["departments"] == [school.departments[0].pk]


def test_an_exported_roster_imports_again_unchanged(school, tmp_path):
    assert import_roster(
        FIXTURES / "roster_messy.xlsx",
        filename="roster_messy.xlsx",
        institution=school.institution,
        cohort_year=2020,
    ).ok
    path = tmp_path / "export.xlsx"
    path.write_bytes(export_roster(actor(school, school.centre), school.cohort))
    result = import_roster(
        path, filename=path.name, institution=school.institution, cohort_year=2020
    )
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 9)


def test_roster_export_queries_do_not_grow(school, django_assert_num_queries, tmp_path):
    staff = actor(school, school.centre)
    # savepoint, graduates (with department and major), key groups, key-group kinds, audit row,
    # release
    with django_assert_num_queries(8):  # + the audit chain head (lock, advance)
        export_roster(staff, school.cohort)
    assert import_roster(
        FIXTURES / "roster_conservatory.xlsx",
        filename="c.xlsx",
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
    ).ok
    with django_assert_num_queries(8):  # + the audit chain head (lock, advance)
        rows = sheet_rows(export_roster(staff, school.cohort))
    assert len(rows) == 1 + 3 + 40


@pytest.fixture
def destinations(school, walk_fixtures):
    walk_fixtures(school)  # graduates[0] reports code 76 through the service
    return school.fixtures["destination"]


def test_destination_export_is_one_query(school, destinations, django_assert_num_queries):
    staff = actor(school, school.centre)
    # savepoint, the destinations with graduate, department, major, code and nature (one
    # query however many rows), audit row, release
    with django_assert_num_queries(6):  # + the audit chain head (lock, advance)
        data = export_destinations(staff, school.cohort)
    rows = sheet_rows(data)
    assert rows[0] == list(DESTINATION_HEADERS)
    # The walk's fixtures give other graduates records too (an agreement's, a correction's).
    (record,) = [
        r
        for r in (dict(zip(DESTINATION_HEADERS, row, strict=True)) for row in rows[1:])
        if r["学号"] == school.graduates[0].student_no
    ]
    assert (record["毕业去向代码"], record["毕业去向"]) == ("76", "自由职业")
    assert record["审核状态"] == "待院系审核"
    assert record["院系"] == "钢琴系" and record["学历层次"] == "本科"
    assert not record["档案去向"] and not record["档案状态"]  # no dossier yet
    assert AuditEvent.objects.filter(action="destination.export").count() == 1


def test_destination_export_carries_the_dossier(school, destinations):
    from qihang.documents.services import dossier_update

    staff = actor(school, school.centre)
    graduate = school.graduates[0]
    dossier_update(
        actor=staff,
        graduate=graduate,
        data={
            "file_destination": "talent_centre",
            "receiver_name": "上海市人才服务中心",
            "dispatch_method": "confidential_mail",
            "dispatch_number": "JY2020-0001",
            "file_status": "sent",
            "hukou_destination": "home",
        },
    )
    rows = sheet_rows(export_destinations(staff, school.cohort))
    (record,) = [
        r
        for r in (dict(zip(DESTINATION_HEADERS, row, strict=True)) for row in rows[1:])
        if r["学号"] == graduate.student_no
    ]
    assert (record["档案去向"], record["档案接收单位"], record["档案寄送方式"]) == (
        "人才服务中心",
        "上海市人才服务中心",
        "机要通信",
    )
    assert (record["机要/快递单号"], record["档案状态"], record["户口去向"]) == (
        "JY2020-0001",
        "已寄出",
        "迁回生源地",
    )


def test_export_downloads(school, destinations, client_for):
    for user in (school.centre, school.leader, school.dept_staff):
        client = client_for(user)
        for name in ("imports:export_roster", "imports:export_destinations"):
            response = client.get(reverse(name) + "?cohort=2020")
            assert response.status_code == 200, (user, name)
            assert "filename*=UTF-8''2020" in response["Content-Disposition"]
            assert load_workbook(io.BytesIO(response.content)).active.max_row >= 2
    page = client_for(school.dept_staff).get(reverse("imports:exports")).content.decode()
    assert "您只能导出所负责院系的毕业生" in page
    assert (
        client_for(school.centre).get(reverse("imports:export_roster") + "?cohort=1999").status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["graduate_user", "teacher"])
def test_export_needs_the_permission(school, client_for, persona):
    client = client_for(getattr(school, persona))
    for name in ("imports:exports", "imports:export_roster", "imports:export_destinations"):
        assert client.get(reverse(name) + "?cohort=2020").status_code == 403
    assert not AuditEvent.objects.filter(action__endswith=".export").exists()


def test_export_command(school, destinations, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = tmp_path / "roster.xlsx"
    stdout = io.StringIO()
    call_command(
        "export_roster",
        institution=school.institution.code,
        cohort=2020,
        output=str(out),
        stdout=stdout,
    )
    rows = sheet_rows(out.read_bytes())
    assert rows[0] == list(HEADERS) and len(rows) == 4
    assert "*" in rows[1][3]  # masked
    call_command(
        "export_roster",
        "--destinations",
        institution=school.institution.code,
        cohort=2020,
        output=str(tmp_path / "d.xlsx"),
        stdout=stdout,
    )
    assert sheet_rows((tmp_path / "d.xlsx").read_bytes())[0] == list(DESTINATION_HEADERS)
    events = AuditEvent.objects.filter(action__in=["roster.export", "destination.export"])
    assert events.count() == 2 and {e.actor_id for e in events} == {None}
    with pytest.raises(CommandError, match="没有1999届"):
        call_command(
            "export_roster",
            institution=school.institution.code,
            cohort=1999,
            output=str(out),
            stdout=stdout,
        )
