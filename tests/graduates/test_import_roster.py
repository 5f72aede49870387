"""Roster import on the committed messy fixtures (scripts/make_fixtures.py writes them)."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qihang.audit.models import AuditEvent
from qihang.destinations.models import CohortPolicy
from qihang.graduates.importing import HEADERS, import_roster
from qihang.graduates.models import Graduate, GraduateKeyGroup
from qihang.graduates.services import id_number_digest
from qihang.imports.samples import roster_rows
from qihang.institutions.models import Cohort, Department, Major
from qihang.lib import validators as v
from tests.factories import key_group_codes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MESSY = ["roster_messy.xlsx", "roster_english.xlsx", "roster_gb18030.csv", "roster_utf8_bom.csv"]
MESSY_STUDENT_NOS = {
    "2016100101",
    "0016100102",
    "2016100103",
    "2016100104",
    "2016100105",
    "2016100106",
}


def run(school, name: str | Path, **kwargs):
    path = name if isinstance(name, Path) else FIXTURES / name
    kwargs.setdefault("cohort_year", 2020)
    return import_roster(path, filename=path.name, institution=school.institution, **kwargs)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Graduate, GraduateKeyGroup, Department, Major, Cohort, AuditEvent)
    }


def write_csv(path: Path, rows: list[list[object]], headers=HEADERS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def kinds_of(graduate: Graduate) -> set[str]:
    """What the roster's 困难生类别 suggested (suggestions wait for a person to confirm them;
    the profile's own suggestions, such as 少数民族 from 民族, are not counted here)."""
    return key_group_codes(graduate.pk, source="roster")


# --- the messy files import cleanly ---------------------------------------------------------------
@pytest.mark.parametrize("name", MESSY)
def test_messy_files_import_cleanly(school, name):
    before = counts()
    result = run(school, name)
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged, result.rows) == (6, 0, 0, 6)
    imported = {
        g.student_no: g
        for g in Graduate.objects.filter(student_no__in=MESSY_STUDENT_NOS).select_related(
            "department", "major"
        )
    }
    assert set(imported) == MESSY_STUDENT_NOS  # leading zeros kept, full-width digits folded

    li = imported["2016100101"]  # numeric 学号 and phone cells, spaces and a lower-case x
    assert li.name == "李华"
    assert li.gender == "M"
    assert li.id_number.reveal_unlogged().endswith("X")
    assert " " not in li.id_number.reveal_unlogged()
    assert li.id_number_digest == id_number_digest(li.id_number.reveal_unlogged())
    assert li.phone.reveal_unlogged() == "13812345678"
    assert li.email == "LiHua@example.edu.cn"  # the domain is lower-cased
    assert (li.ethnicity.reveal_unlogged(), li.political_status) == ("汉族", "共青团员")
    assert (li.origin_division, li.origin_province, li.origin_type) == ("310104", "310000", "urban")
    assert li.department == school.departments[0] and li.major == school.majors[0]
    assert li.cohort == school.cohort and li.degree_level == "bachelor"

    wang = imported["0016100102"]
    assert wang.name == "王芳"
    assert wang.department == school.departments[0]  # "钢琴系　" with a full-width space
    assert (wang.origin_division, wang.origin_province) == ("110105", "110000")
    assert wang.phone.reveal_unlogged() == "13812345679"
    assert kinds_of(wang) == {"poverty_registered", "subsistence"}  # aliases, ";" separator

    zhao = imported["2016100103"]
    assert zhao.major == school.majors[1]  # " 音乐表演 " in 声乐歌剧系
    assert zhao.phone.reveal_unlogged() == "13912345670"  # "+86 139 1234 5670"
    assert zhao.email == "zhaoqiang@example.com"
    assert kinds_of(zhao) == {"hubei_2020", "family_hardship"}

    lin = imported["2016100106"]
    assert (lin.gender, lin.ethnicity.reveal_unlogged(), lin.political_status) == (
        "F",
        "壮族",
        "中共预备党员",
    )
    assert imported["2016100105"].specialization == ""

    after = counts()
    assert after["Graduate"] == before["Graduate"] + 6
    # Six from the 困难生类别 column, two 少数民族 suggested by 民族: suggestions, all of them.
    assert after["GraduateKeyGroup"] == before["GraduateKeyGroup"] + 8
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    assert (after["Department"], after["Major"]) == (before["Department"], before["Major"])
    event = AuditEvent.objects.latest("at")
    assert event.action == "roster.import"
    assert event.data["created"] == 6 and event.data["file"] == name
    assert CohortPolicy.objects.filter(cohort=school.cohort).exists()


def test_every_format_gives_the_same_graduates(school, other_school):
    def snapshot(institution):
        return sorted(
            (
                g.student_no,
                g.name,
                g.gender,
                g.id_number_digest,
                g.phone.reveal_unlogged(),
                g.email,
                g.ethnicity,
                g.specialization,
                g.origin_division,
                tuple(sorted(kinds_of(g))),
            )
            for g in Graduate.objects.filter(
                institution=institution, student_no__in=MESSY_STUDENT_NOS
            )
        )

    assert run(school, "roster_messy.xlsx").ok
    expected = snapshot(school.institution)
    for name in MESSY[1:]:
        Graduate.objects.filter(
            institution=other_school.institution, student_no__in=MESSY_STUDENT_NOS
        ).delete()
        assert run(other_school, name).ok
        assert snapshot(other_school.institution) == expected, name


# --- all or nothing -------------------------------------------------------------------------------
BAD_FILE_ERRORS = [
    (3, "身份证号", "身份证号校验码错误，请核对是否有输错的数字"),
    (4, "身份证号", "性别与身份证号不符（按身份证号应为男）"),
    (5, "生源地", "行政区划代码“999999”不存在"),
    (6, "届别", "届别2019与导入选择的2020届不一致"),
    (7, "学号", "学号与第2行重复"),
    (8, "困难生类别", "困难生类别中的“单亲家庭”不是有效选项，可选："),  # + the allowed list
    (9, "手机号码", "手机号码格式错误，应为11位中国大陆手机号（以13–19开头）"),
    (10, "姓名", "姓名不能为空"),
    (11, "院系", "院系“舞蹈系”不存在；请先在系统中添加，或勾选“自动创建院系和专业”"),
]


def test_bad_file_reports_every_error_and_writes_nothing(school):
    before = counts()
    result = run(school, "roster_bad.xlsx")
    assert not result.ok
    assert (result.created, result.updated) == (0, 0)
    got = [(e.row, e.column, e.message) for e in result.errors]
    assert len(got) == len(BAD_FILE_ERRORS)
    for (row, column, message), expected in zip(got, BAD_FILE_ERRORS, strict=True):
        assert (row, column) == expected[:2]
        if expected[0] == 8:
            assert message.startswith(expected[2]) and "原建档立卡贫困家庭" in message
        else:
            assert message == expected[2]
    values = {e.row: e.value for e in result.errors}
    assert values[3] == "4201************31"  # sensitive values are masked in the report
    assert values[9] == "********67"
    assert values[5] == "999999" and values[7] == "2016200001"
    assert counts() == before  # nothing written, not even the rows before the first error


def test_bad_file_with_create_missing_creates_no_department(school):
    before = counts()
    result = run(school, "roster_bad.xlsx", create_missing=True)
    assert not result.ok
    assert 11 not in {e.row for e in result.errors}  # 舞蹈系 would have been created …
    assert counts() == before  # … but nothing is, since other rows have errors
    assert not Department.objects.filter(name="舞蹈系").exists()


def test_errors_after_streamed_rows_roll_everything_back(school, tmp_path):
    rows = [r.values() for r in roster_rows(300, seed=11)]
    rows[-1][3] = rows[-1][3][:-1] + ("0" if rows[-1][3][-1] != "0" else "1")  # last row bad
    before = counts()
    result = run(school, write_csv(tmp_path / "late_error.csv", rows), create_missing=True)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(301, "身份证号")]
    assert counts() == before


def test_errors_in_a_later_batch_roll_back_earlier_batches(school, tmp_path, monkeypatch):
    monkeypatch.setattr("qihang.graduates.importing.COPY_BATCH", 50)  # many COPY statements
    rows = [r.values() for r in roster_rows(400, seed=12)]
    rows[333][14] = "12345"
    before = counts()
    result = run(school, write_csv(tmp_path / "batches.csv", rows), create_missing=True)
    assert [(e.row, e.column) for e in result.errors] == [(335, "手机号码")]
    assert counts() == before
    rows[333][14] = "13800000000"
    result = run(school, write_csv(tmp_path / "batches_ok.csv", rows), create_missing=True)
    assert result.ok and result.created == 400
    assert Graduate.objects.filter(institution=school.institution).count() == 3 + 400


def test_a_database_conflict_is_reported_and_writes_nothing(school, tmp_path, monkeypatch):
    # As if another import had written the same 学号 after this one looked: the database's
    # unique constraint stops it, on whichever connection or thread the rows were sent.
    monkeypatch.setattr("qihang.graduates.importing.COPY_BATCH", 5)
    rows = [r.values() for r in roster_rows(20, seed=13)]
    rows[12][0] = school.graduates[0].student_no
    original = import_roster.__globals__["_RosterRun"]._load

    def forgetful_load(self):
        original(self)
        self.existing.clear()

    monkeypatch.setattr(import_roster.__globals__["_RosterRun"], "_load", forgetful_load)
    before = counts()
    result = run(school, write_csv(tmp_path / "conflict.csv", rows), create_missing=True)
    assert not result.ok
    (error,) = result.errors
    # Words and the row, never the database's message.
    student_no = school.graduates[0].student_no
    assert (error.row, error.column, error.value) == (14, "学号", student_no)
    assert error.message == (
        f"另一个导入或另一位用户同时写入了学号 {student_no} 的数据；"
        "本次导入未写入任何数据，请重新导入。"
    )
    assert "UNIQUE" not in result.as_json() and "duplicate key" not in result.as_json()
    assert counts() == before


def test_missing_columns_and_unreadable_files(school, tmp_path):
    path = write_csv(tmp_path / "short.csv", [["1", "张三"]], headers=["学号", "姓名", "备注"])
    result = run(school, path)
    assert not result.ok
    messages = [(e.row, e.message) for e in result.errors]
    assert (1, "缺少必填列“身份证号”") in messages
    # A column the importer does not know is left out, with a warning, not an error.
    assert [(w.row, w.column, w.message, w.action) for w in result.warnings] == [
        (1, "备注", "无法识别的列（C列），该列未导入", "dropped")
    ]
    bogus = tmp_path / "roster.xlsx"
    bogus.write_bytes(b"not a workbook")
    result = run(school, bogus)
    assert [e.row for e in result.errors] == [0]
    empty = write_csv(tmp_path / "empty.csv", [])
    result = run(school, empty)
    assert [e.message for e in result.errors] == [
        "文件中没有数据行（第1行应为表头，数据从第2行开始）。"
    ]


# --- idempotent re-import and updates ------------------------------------------------------------
def test_reimport_is_idempotent(school):
    assert run(school, "roster_messy.xlsx").created == 6
    before = counts()
    again = run(school, "roster_messy.xlsx")
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    after = counts()
    assert after["Graduate"] == before["Graduate"]
    assert after["GraduateKeyGroup"] == before["GraduateKeyGroup"]
    # The same graduates in another spelling (csv, aliases) are unchanged too.
    assert run(school, "roster_gb18030.csv").unchanged == 6


def test_update_changes_values_and_replaces_key_groups(school, tmp_path):
    assert run(school, "roster_utf8_bom.csv").ok
    with (FIXTURES / "roster_utf8_bom.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    headers, rows = table[0], [r for r in table[1:] if any(c.strip() for c in r)]
    at = {h: i for i, h in enumerate(headers)}
    wang = next(r for r in rows if r[0] == "0016100102")
    wang[at["姓名"]] = "王芳芳"
    wang[at["困难生类别"]] = "零就业家庭"
    wang[at["手机号码"]] = "13900000000"
    li = next(r for r in rows if r[0] == "2016100101")
    li[at["困难生类别"]] = "残疾"
    result = run(school, write_csv(tmp_path / "changed.csv", rows, headers=headers))
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 2, 4)
    graduate = Graduate.objects.get(institution=school.institution, student_no="0016100102")
    assert graduate.name == "王芳芳"
    assert graduate.phone.reveal_unlogged() == "13900000000"
    assert kinds_of(graduate) == {"zero_employment"}
    li = Graduate.objects.get(institution=school.institution, student_no="2016100101")
    assert kinds_of(li) == {"disability"}
    assert li.updated_at > li.created_at


def test_accounts_from_the_roster_follow_its_email_corrections(school, other_school, tmp_path):
    from qihang.accounts.models import User
    from qihang.accounts.services import graduate_accounts_provision
    from qihang.institutions.roles import Role
    from qihang.institutions.scoping import build_actor
    from qihang.institutions.services import membership_grant

    assert run(school, "roster_utf8_bom.csv").ok
    actor = build_actor(school.centre, school.institution.pk)
    cohort = Cohort.objects.get(institution=school.institution, year=2020)
    graduate_accounts_provision(actor=actor, cohort=cohort)

    def account(student_no: str) -> User:
        return User.objects.get(
            graduate__institution=school.institution, graduate__student_no=student_no
        )

    chose_own = account("2016100105")
    chose_own.email = "own.choice@example.com"
    chose_own.save(update_fields=["email"])
    User.objects.create_user(username="someone", email="Taken@Example.com")
    with (FIXTURES / "roster_utf8_bom.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    headers, rows = table[0], [r for r in table[1:] if any(c.strip() for c in r)]
    at = {h: i for i, h in enumerate(headers)}
    by_no = {r[at["学号"]]: r for r in rows}
    old_address = account("2016100101").email
    by_no["2016100101"][at["电子邮箱"]] = "Li.Corrected@Example.edu.cn"  # follows
    by_no["2016100105"][at["电子邮箱"]] = "yang.new@example.edu.cn"  # chose their own: stays
    by_no["2016100104"][at["电子邮箱"]] = "taken@example.com"  # another account has it: stays
    before_104 = account("2016100104").email
    # An account another institution also holds (it accepted a membership there): stays.
    shared = account("2016100106")
    before_106 = shared.email
    membership_grant(institution=other_school.institution, user=shared, role=Role.TEACHER)
    by_no["2016100106"][at["电子邮箱"]] = "moved@example.edu.cn"

    result = run(school, write_csv(tmp_path / "emails.csv", rows, headers=headers))

    assert result.ok, result.as_text()
    assert result.updated == 4
    assert account("2016100106").email == before_106
    assert old_address and account("2016100101").email == "li.corrected@example.edu.cn"
    assert account("2016100105").email == "own.choice@example.com"
    assert account("2016100104").email == before_104
    audit = AuditEvent.objects.filter(action="roster.import").latest("pk")
    assert audit.data["accounts_email_followed"] == 1


def test_masked_values_of_an_export_stand_for_the_stored_ones(school, tmp_path):
    assert run(school, "roster_messy.xlsx").ok
    graduate = Graduate.objects.get(institution=school.institution, student_no="2016100104")
    masked = [
        "2016100104",
        "陈静",
        "女",
        str(graduate.id_number),
        "汉族",
        "共青团员",
        "本科",
        "声乐歌剧系",
        "音乐表演",
        "女高音",
        "2020",
        "320102",
        "城镇",
        "残疾",
        str(graduate.phone),
        "chenjing@example.com",
    ]
    assert "*" in masked[3] and "*" in masked[14]
    result = run(school, write_csv(tmp_path / "masked.csv", [masked]))
    assert (result.ok, result.unchanged) == (True, 1), result.as_text()
    # A masked value that does not match, or for someone new, is refused.
    masked[14] = "139****0000"
    new = list(masked)
    new[0], new[3] = "2016100199", "3201************25"
    result = run(school, write_csv(tmp_path / "masked_bad.csv", [masked, new]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "手机号码"), (3, "身份证号")]


# --- conflicts with stored data -------------------------------------------------------------------
def test_student_no_of_another_cohort_is_an_error(school, tmp_path):
    existing = school.graduates[0]  # a2020001 in 2020
    row = next(iter(roster_rows(1, cohort_year=2021, seed=3))).values()
    row[0] = existing.student_no
    row[7], row[8], row[6] = "钢琴系", "音乐表演", "本科"
    before = counts()
    result = run(school, write_csv(tmp_path / "r.csv", [row]), cohort_year=2021)
    assert not result.ok
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "学号", existing.student_no)
    assert error.message == f"学号{existing.student_no}已属于2020届的毕业生，不能导入到2021届"
    assert counts() == before  # not even the 2021 cohort was created


def test_id_number_of_another_graduate_of_the_cohort_is_an_error(school, tmp_path):
    existing = Graduate.objects.get(pk=school.graduates[1].pk)
    row = next(iter(roster_rows(1, seed=4))).values()
    row[0], row[2], row[3] = "x2020999", "女", existing.id_number.reveal_unlogged()
    row[7], row[8], row[6] = "钢琴系", "音乐表演", "本科"
    result = run(school, write_csv(tmp_path / "r.csv", [row, list(row)]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "身份证号", f"身份证号已属于本届学号为{existing.student_no}的毕业生"),
        (3, "学号", "学号与第2行重复"),
    ]
    # The same person may graduate again in another cohort (a higher degree).
    row[10] = "2023"
    assert run(school, write_csv(tmp_path / "r2.csv", [row]), cohort_year=2023).ok


def test_duplicate_id_number_within_the_file(school, tmp_path):
    first, second = (r.values() for r in roster_rows(2, seed=5))
    second[3], second[2] = first[3], first[2]
    result = run(school, write_csv(tmp_path / "r.csv", [first, second]), create_missing=True)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "身份证号", "身份证号与第2行重复")
    ]


# --- create missing, dry run ----------------------------------------------------------------------
def test_unknown_departments_need_create_missing(school):
    before = counts()
    result = run(school, "roster_conservatory.xlsx")
    assert not result.ok
    assert {e.column for e in result.errors} == {"院系", "专业"}
    assert counts() == before

    result = run(school, "roster_conservatory.xlsx", create_missing=True)
    assert result.ok, result.as_text()
    assert result.created == 40
    names = set(
        Department.objects.filter(institution=school.institution).values_list("name", flat=True)
    )
    assert {"作曲系", "指挥系", "研究生部", "钢琴系"} <= names
    # 钢琴系 existed: it gained a 专科 音乐表演 next to its 本科 one, not a second department.
    assert Department.objects.filter(institution=school.institution, name="钢琴系").count() == 1
    piano = Major.objects.filter(institution=school.institution, department__name="钢琴系")
    assert set(piano.values_list("degree_level", flat=True)) == {"bachelor", "associate"}
    doctors = Graduate.objects.filter(institution=school.institution, degree_level="doctor")
    assert doctors.exists() and {g.major.name for g in doctors} == {"音乐与舞蹈学"}


def test_an_update_may_move_a_graduate_to_a_new_department(school, tmp_path):
    assert run(school, "roster_utf8_bom.csv").ok
    with (FIXTURES / "roster_utf8_bom.csv").open(encoding="utf-8-sig", newline="") as f:
        headers, *rows = list(csv.reader(f))
    rows = [r for r in rows if any(c.strip() for c in r)]
    rows[0][headers.index("院系")] = "钢琴系（新）"
    result = run(school, write_csv(tmp_path / "moved.csv", rows, headers), create_missing=True)
    assert (result.ok, result.updated, result.unchanged) == (True, 1, 5), result.as_text()
    moved = Graduate.objects.select_related("department", "major").get(
        institution=school.institution, student_no=rows[0][0]
    )
    assert moved.department.name == "钢琴系（新）"
    assert (moved.major.department, moved.major.name) == (moved.department, "音乐表演")


def test_dry_run_checks_and_counts_but_writes_nothing(school):
    before = counts()
    result = run(school, "roster_conservatory.xlsx", create_missing=True, dry_run=True)
    assert (result.ok, result.dry_run, result.created) == (True, True, 40)
    assert counts() == before
    assert not run(school, "roster_bad.xlsx", dry_run=True).ok
    assert counts() == before


def test_progress_is_reported(school):
    calls = []
    run(
        school,
        "roster_conservatory.xlsx",
        create_missing=True,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[0] == (0, 40) and calls[-1] == (40, 40)


# --- query count ----------------------------------------------------------------------------------
def test_queries_do_not_depend_on_the_number_of_rows(school, other_school, tmp_path):
    def queries(target, rows: int) -> int:
        data = [r.values() for r in roster_rows(rows, seed=rows)]
        for row in data:
            row[13] = "城乡低保家庭"  # key groups on every row, so both runs write them
        path = write_csv(tmp_path / f"r{rows}.csv", data)
        with CaptureQueriesContext(connection) as ctx:
            result = run(target, path, create_missing=True)
        assert result.ok and result.created == rows
        return len(ctx.captured_queries)

    # Whatever the size (up to 5,000 rows: PostgreSQL sends one COPY per 5,000), 27 on
    # SQLite, 28 on PostgreSQL. The order differs: SQLite checks before its write
    # transaction, PostgreSQL streams rows inside it. 1 cohort lookup (SQLite) or SET
    # CONSTRAINTS IMMEDIATE and back to DEFERRED (PostgreSQL, 2); 6 departments,
    #  majors, key group kinds, national code tables, the institution's graduates, their key groups; 1 savepoint; 1 institution lock; 1 cohort; 6 policy_for (policy, code set,
    #  get_or_create: policy, savepoint, insert, release); 2 new departments, new majors;
    #  1 the graduates (COPY or one executemany); 3 their key-group suggestions (the new
    #  graduates' ids, the memberships they hold, one insert); roster periods: 3 reads (open periods that no longer match, the
    #  graduates with an open period, the graduates who count) and the new graduates' periods
    #  from now (SQLite one executemany, PostgreSQL a COPY, not counted); 1 audit row; 1 release savepoint. (No updates here: those add 4 on PostgreSQL
    #  — temp table, COPY, UPDATE, DROP — and 1 executemany elsewhere.)
    small, large = queries(school, 10), queries(other_school, 200)
    # + 2 for the audit chain (lock the head, advance it)
    assert small == large == (31 if connection.vendor == "postgresql" else 30)


# --- the command ----------------------------------------------------------------------------------
def test_command_json_report_and_exit_status(school, capsys):
    code = school.institution.code
    argv = ["qihang", "import_roster", str(FIXTURES / "roster_bad.xlsx")]
    argv += ["--institution", code, "--cohort", "2020", "--json"]
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(argv).execute()
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    report = json.loads(out)
    assert (report["ok"], report["created"], report["updated"]) == (False, 0, 0)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [e[:2] for e in BAD_FILE_ERRORS]
    assert set(report["errors"][0]) >= {"row", "column", "value", "message"}
    assert report["errors"][0]["value"] == "4201************31"


def test_command_success_text_and_json(school):
    out = io.StringIO()
    call_command(
        "import_roster",
        str(FIXTURES / "roster_messy.xlsx"),
        institution=school.institution.code,
        cohort=2020,
        stdout=out,
    )
    assert "导入成功：共6行，新增6，更新0，未变0。" in out.getvalue()
    out = io.StringIO()
    call_command(
        "import_roster",
        str(FIXTURES / "roster_messy.xlsx"),
        "--json",
        "--dry-run",
        institution=school.institution.code,
        cohort=2020,
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["ok"], report["created"], report["unchanged"], report["errors"]) == (
        True,
        0,
        6,
        [],
    )


def test_command_reports_warnings_beside_errors_without_blocking(school, tmp_path):
    # An office's own column (备注) is no reason to refuse a roster: a warning, in text and JSON.
    rows = [[*r.values(), "转专业"] for r in roster_rows(3, seed=21)]
    file_headers = [*HEADERS[: len(rows[0]) - 1], "备注"]  # without the optional status columns
    path = write_csv(tmp_path / "with_note.csv", rows, headers=file_headers)
    letter = chr(ord("A") + len(file_headers) - 1)
    out = io.StringIO()
    call_command(
        "import_roster",
        str(path),
        "--json",
        "--create-missing",
        institution=school.institution.code,
        cohort=2020,
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["ok"], report["created"], report["errors"]) == (True, 3, [])
    assert report["warnings"] == [
        {
            "row": 1,
            "column": "备注",
            "value": "",
            "message": f"无法识别的列（{letter}列），该列未导入",
            "action": "dropped",
        }
    ]
    again = io.StringIO()
    call_command(
        "import_roster",
        str(path),
        institution=school.institution.code,
        cohort=2020,
        stdout=again,
    )
    assert again.getvalue().splitlines()[1:] == [
        "提示1处（不影响导入）：",
        f"第1行，备注列：无法识别的列（{letter}列），该列未导入（已忽略）",
    ]


def test_command_unknown_institution(db):
    with pytest.raises(CommandError):
        call_command(
            "import_roster",
            str(FIXTURES / "roster_messy.xlsx"),
            institution="00000",
            cohort=2020,
            stdout=io.StringIO(),
        )


def test_create_institution_command(db):
    out = io.StringIO()
    call_command("create_institution", "10278", "上海音乐学院", stdout=out)
    assert "已创建学校 10278 上海音乐学院" in out.getvalue()
    with pytest.raises(CommandError, match="学校代码 10278 已存在"):
        call_command("create_institution", "10278", "另一所", stdout=io.StringIO())
    with pytest.raises(CommandError, match="4到10位数字"):
        call_command("create_institution", "abc", "名称", stdout=io.StringIO())


def test_phone_value_normaliser_agrees_with_fixture():
    # Guards the fixture against a validator change: the messy spellings still mean these.
    assert v.mobile_phone("+86 139 1234 5670") == "13912345670"
    assert v.mobile_phone(13812345678.0) == "13812345678"
