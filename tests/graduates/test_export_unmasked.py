"""Exports from the graduates list: masked by default with the list's filters; unmasked behind a
permission of its own and a reason, each graduate in it logged as an unmasked read; no cell of
any export runs as a formula."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.graduates.exporting import NATIONAL_ROSTER_HEADERS, Format, export_roster
from qihang.graduates.importing import HEADERS
from qihang.graduates.models import Graduate
from qihang.institutions.roles import ROLE_PERMISSIONS, Perm, Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import cohort_get_or_create

UNMASKED = reverse("graduates:export_unmasked")
EXPORT = reverse("graduates:export")


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_only_the_career_centre_may_export_unmasked_by_default():
    holders = {
        role for role, perms in ROLE_PERMISSIONS.items() if Perm.ROSTER_EXPORT_UNMASKED in perms
    }
    assert holders == {Role.CAREER_CENTRE}


# --- masked, from the list ----------------------------------------------------------------------
def test_the_list_offers_the_export_with_its_filters(school, client_for):
    piano = school.departments[0].pk
    page = client_for(school.centre).get(
        reverse("graduates:list") + f"?cohort=2020&department={piano}"
    )
    html = page.content.decode()
    assert f'action="{EXPORT}"' in html
    assert f'<input type="hidden" name="department" value="{piano}">' in html
    assert f'href="{UNMASKED}?cohort=2020&amp;department={piano}"' in html
    # Department staff may export (masked) but are not offered the unmasked export.
    html = client_for(school.dept_staff).get(reverse("graduates:list")).content.decode()
    assert f'action="{EXPORT}"' in html
    assert UNMASKED not in html


def test_a_masked_export_follows_the_filters(school, client_for):
    voice = school.departments[1].pk
    response = client_for(school.centre).get(f"{EXPORT}?cohort=2020&department={voice}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "filename*=utf-8''2020" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    assert rows[0] == list(HEADERS)
    assert [r[0] for r in rows[1:]] == [school.graduates[2].student_no]
    assert "*" in rows[1][3]
    event = AuditEvent.objects.get(action="roster.export")
    assert event.data["masked"] is True
    assert event.data["filters"] == {"department": voice}
    assert not SensitiveRead.objects.exists()


def test_a_masked_national_csv_from_the_list(school, client_for):
    response = client_for(school.leader).get(f"{EXPORT}?cohort=2020&layout=national&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    assert rows[0] == list(NATIONAL_ROSTER_HEADERS)
    assert len(rows) == 4


def test_the_export_refuses_what_the_role_may_not(school, client_for):
    assert client_for(school.teacher).get(f"{EXPORT}?cohort=2020").status_code == 403
    assert client_for(school.graduate_user).get(f"{EXPORT}?cohort=2020").status_code == 403
    assert client_for(school.centre).post(f"{EXPORT}?cohort=2020").status_code == 405
    assert client_for(school.centre).get(f"{EXPORT}?cohort=2020&layout=x").status_code == 404


def test_another_institutions_cohort_is_not_found(school, other_school, client_for):
    cohort_get_or_create(institution=other_school.institution, year=2019)
    client = client_for(school.centre)
    assert client.get(f"{EXPORT}?cohort=2019").status_code == 404
    assert client.get(f"{UNMASKED}?cohort=2019").status_code == 404
    response = client.post(UNMASKED, {"cohort": "2019", "reason": "报送省系统"})
    assert response.status_code == 404
    assert not SensitiveRead.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.export").exists()


# --- unmasked -----------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["dept_staff", "leader", "teacher", "graduate_user"])
def test_lower_roles_may_not_export_unmasked(school, client_for, persona):
    client = client_for(getattr(school, persona))
    assert client.get(f"{UNMASKED}?cohort=2020").status_code == 403
    response = client.post(UNMASKED, {"cohort": "2020", "reason": "报送省系统"})
    assert response.status_code == 403
    assert not SensitiveRead.objects.exists()


def test_the_service_refuses_without_permission_or_reason(school):
    with pytest.raises(PermissionDenied):
        export_roster(
            build_actor(school.leader, school.institution.pk),
            school.cohort,
            unmasked=True,
            reason="报送省系统",
        )
    with pytest.raises(ValidationError):
        export_roster(
            build_actor(school.centre, school.institution.pk), school.cohort, unmasked=True
        )
    assert not SensitiveRead.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.export").exists()


def test_the_unmasked_export_asks_why_first(school, client_for):
    client = client_for(school.centre)
    page = client.get(f"{UNMASKED}?cohort=2020")
    assert page.status_code == 200
    assert "3 名毕业生完整的身份证号和手机号码" in page.content.decode()
    response = client.post(UNMASKED, {"cohort": "2020", "reason": " "})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "请填写导出事由。" in response.content.decode()
    assert not SensitiveRead.objects.exists()


def test_an_unmasked_export_logs_a_read_of_every_graduate_in_it(school, client_for):
    piano = school.departments[0].pk
    response = client_for(school.centre).post(
        UNMASKED, {"cohort": "2020", "department": str(piano), "reason": "报送省就业系统"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    rows = sheet_rows(response.content)
    in_piano = [g for g in school.graduates if g.department_id == piano]
    stored = {g.student_no: Graduate.objects.get(pk=g.pk) for g in in_piano}
    assert {r[0]: (r[3], r[14]) for r in rows[1:]} == {
        no: (g.id_number.reveal_unlogged(), g.phone.reveal_unlogged()) for no, g in stored.items()
    }
    reads = SensitiveRead.objects.order_by("target_id")
    assert [(r.target_type, r.target_id, r.field, r.reason, r.actor_id) for r in reads] == [
        (
            "graduates.graduate",
            str(g.pk),
            "id_number,ethnicity,phone,key_groups",
            "报送省就业系统",
            school.centre.pk,
        )
        for g in sorted(in_piano, key=lambda g: str(g.pk))
    ]
    assert {r.target_label for r in reads} == {f"{g.name}（{g.student_no}）" for g in in_piano}
    event = AuditEvent.objects.get(action="roster.export")
    assert event.data["masked"] is False and event.data["reason"] == "报送省就业系统"
    assert event.data["rows"] == 2


def test_reads_and_file_come_in_one_transaction(school, django_assert_num_queries):
    actor = build_actor(school.centre, school.institution.pk)
    # savepoint, graduates, key groups, key-group kinds, the reads (one bulk insert), two audit
    # entries (the unmasked read, the export: each locks the chain head, inserts, advances the
    # head), release
    with django_assert_num_queries(12):
        export_roster(actor, school.cohort, unmasked=True, reason="报送省系统")
    assert SensitiveRead.objects.count() == 3


# --- formulas -----------------------------------------------------------------------------------
HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", " \t=1+1", "\r=cmd"]


@pytest.mark.parametrize("fmt", [Format.XLSX, Format.CSV])
def test_formula_cells_are_neutralised_in_every_export(school, fmt):
    for graduate, text in zip(school.graduates, HOSTILE, strict=False):
        Graduate.objects.filter(pk=graduate.pk).update(specialization=text)
    Graduate.objects.filter(pk=school.graduates[0].pk).update(name="=1+2")
    actor = build_actor(school.centre, school.institution.pk)
    for unmasked in (False, True):
        data = export_roster(actor, school.cohort, fmt=fmt, unmasked=unmasked, reason="核对")
        rows = sheet_rows(data) if fmt == Format.XLSX else csv_rows(data)
        by_no = {r[0]: r for r in rows[1:]}
        for graduate, text in zip(school.graduates, HOSTILE, strict=False):
            assert by_no[graduate.student_no][9] == "'" + text
        assert by_no[school.graduates[0].student_no][1] == "'=1+2"
    if fmt == Format.XLSX:
        sheet = load_workbook(io.BytesIO(data)).active
        assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row[:2])


# --- the command --------------------------------------------------------------------------------
def test_the_command_exports_unmasked_for_a_named_person(school, tmp_path):
    out = tmp_path / "roster.csv"
    stdout = io.StringIO()
    login = school.centre.username
    call_command(
        "export_roster",
        "--unmasked",
        "--layout",
        "national",
        institution=school.institution.code,
        cohort=2020,
        user=login,
        reason="报送省就业系统",
        output=str(out),
        stdout=stdout,
    )
    rows = csv_rows(out.read_bytes())
    assert rows[0] == list(NATIONAL_ROSTER_HEADERS) and len(rows) == 4
    assert "*" not in rows[1][3]
    assert SensitiveRead.objects.filter(actor=school.centre).count() == 3
    with pytest.raises(CommandError, match="没有不脱敏导出生源信息的权限"):
        call_command(
            "export_roster",
            "--unmasked",
            institution=school.institution.code,
            cohort=2020,
            user=school.leader.username,
            reason="报送",
            output=str(tmp_path / "x.xlsx"),
            stdout=stdout,
        )
    with pytest.raises(CommandError, match="请填写查看事由"):
        call_command(
            "export_roster",
            "--unmasked",
            institution=school.institution.code,
            cohort=2020,
            user=login,
            output=str(tmp_path / "y.xlsx"),
            stdout=stdout,
        )
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()
    assert SensitiveRead.objects.count() == 3


@pytest.mark.parametrize("fmt", [Format.XLSX, Format.CSV])
def test_a_neutralised_cell_imports_back_as_the_text_it_was(school, tmp_path, fmt):
    from qihang.graduates.importing import import_roster

    Graduate.objects.filter(pk=school.graduates[0].pk).update(specialization="-")
    Graduate.objects.filter(pk=school.graduates[1].pk).update(specialization="=独奏")
    actor = build_actor(school.centre, school.institution.pk)
    path = tmp_path / f"roster.{fmt}"
    path.write_bytes(export_roster(actor, school.cohort, fmt=fmt))
    result = import_roster(
        path, filename=path.name, institution=school.institution, cohort_year=2020
    )
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)


@pytest.mark.parametrize("fmt", [Format.XLSX, Format.CSV])
def test_destination_exports_neutralise_formulas_too(school, walk_fixtures, fmt):
    from qihang.destinations.models import Destination
    from qihang.graduates.exporting import DESTINATION_HEADERS, Layout, export_destinations

    walk_fixtures(school)  # graduates[0] reports code 76
    Destination.objects.filter(graduate=school.graduates[0]).update(employer_name="@SUM(A1)")
    actor = build_actor(school.centre, school.institution.pk)
    for layout in Layout:
        data = export_destinations(actor, school.cohort, layout=layout, fmt=fmt)
        rows = sheet_rows(data) if fmt == Format.XLSX else csv_rows(data)
        at = 3 if layout == Layout.NATIONAL else DESTINATION_HEADERS.index("单位名称")
        assert rows[1][at] == "'@SUM(A1)"


def test_the_school_layout_carries_the_roster_status_and_reimports(school, tmp_path):
    import datetime as dt

    from qihang.graduates.importing import import_roster
    from qihang.graduates.models import RosterStatus

    Graduate.objects.filter(pk=school.graduates[2].pk).update(
        roster_status=RosterStatus.WITHDRAWN,
        roster_status_reason="本人申请退学",
        roster_status_date=dt.date(2020, 3, 1),
    )
    actor = build_actor(school.centre, school.institution.pk)
    data = export_roster(actor, school.cohort)
    rows = sheet_rows(data)
    assert rows[0][-3:] == ["在册状态", "状态原因", "状态日期"]
    by_no = {r[0]: r[-3:] for r in rows[1:]}
    assert by_no[school.graduates[2].student_no] == ["退学", "本人申请退学", "2020-03-01"]
    assert by_no[school.graduates[0].student_no] == ["在册", None, None]
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    result = import_roster(
        path, filename=path.name, institution=school.institution, cohort_year=2020
    )
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
