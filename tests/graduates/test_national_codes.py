"""Files as the national and provincial graduate systems write them: columns named by code or by
the national database's field names, values as national codes; and the national layout export,
which re-imports as it is."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from qihang.destinations.importing import import_destinations
from qihang.destinations.models import Destination, ReviewStatus
from qihang.graduates.codes import CURRENT_VERSION, read_code_tables
from qihang.graduates.exporting import (
    NATIONAL_DESTINATION_HEADERS,
    NATIONAL_ROSTER_HEADERS,
    Layout,
    export_destinations,
    export_roster,
)
from qihang.graduates.importing import import_roster
from qihang.graduates.models import Graduate, NationalCode, NationalCodeTable
from qihang.institutions.models import DegreeLevel, Major
from qihang.institutions.scoping import build_actor
from tests.destinations.fixture_files import ORCHESTRA, SCHOOL
from tests.factories import make_id_number

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def roster(school, path: Path, **kwargs):
    kwargs.setdefault("cohort_year", 2020)
    return import_roster(path, filename=path.name, institution=school.institution, **kwargs)


# --- the reference data ---------------------------------------------------------------------------
def test_the_migration_loads_every_table_with_its_standard_and_source(db):
    data = read_code_tables(CURRENT_VERSION)
    tables = {t.key: t for t in NationalCodeTable.objects.filter(version=CURRENT_VERSION)}
    assert (
        set(tables)
        == set(data["tables"])
        == {
            "sex",
            "ethnicity",
            "political_status",
            "education_level",
        }
    )
    assert tables["sex"].standard == "GB/T 2261.1-2003"
    assert tables["ethnicity"].standard == "GB/T 3304-1991"
    assert tables["political_status"].standard == "GB/T 4762-1984"
    assert all(t.source for t in tables.values())
    assert tables["education_level"].uncertain  # says what could not be confirmed
    codes = {(c.table.key, c.code): (c.name, c.value) for c in NationalCode.objects.all()}
    assert len([k for k in codes if k[0] == "ethnicity"]) == 58  # 56 groups, 97, 98
    assert codes["ethnicity", "01"] == ("汉族", "汉族")
    assert codes["ethnicity", "56"] == ("基诺族", "基诺族")
    assert codes["political_status", "03"] == ("共青团员", "共青团员")
    assert codes["political_status", "13"] == ("群众", "群众")
    assert codes["education_level", "31"] == ("本科", DegreeLevel.BACHELOR)
    assert codes["sex", "2"] == ("女", "F")


# --- a roster in national codes ---------------------------------------------------------------
def _national_rows() -> list[list]:
    # As the national system writes them: field names for headers, codes for values, and
    # columns a roster does not keep (考生号, 院校代码, 院校名称).
    return [
        ["KSH", "YXDM", "YXMC", "XH", "XM", "XBDM", "SFZH", "MZDM", "ZZMMDM", "XLDM"]
        + ["院系", "ZYDM", "ZYMC", "SYSZDDM", "SJHM"],
        ["20310104150001", "90001", "东方音乐学院", "n2020001", "陈一", "1"]
        + [make_id_number(male=True), "01", "03", "31", "钢琴系", "130201", "音乐表演"]
        + ["310104", "13900000001"],
        ["20310104150002", "90001", "东方音乐学院", "n2020002", "林二", "2"]
        + [make_id_number(male=False), "03", "13", "31", "钢琴系", "130201", "音乐表演"]
        + ["310104", "13900000002"],
        ["20310104150003", "90001", "东方音乐学院", "n2020003", "马三", "1"]
        + [make_id_number(male=True), "05", "01", "31", "声乐歌剧系", "130201", "音乐表演"]
        + ["440304", "13900000003"],
    ]


def test_a_roster_in_national_codes_imports_as_it_is(school, tmp_path):
    header, *rows = _national_rows()
    result = roster(school, write_xlsx(tmp_path / "national.xlsx", header, rows))
    assert result.ok, result.as_text()
    assert result.created == 3
    got = {
        g.student_no: (
            g.gender,
            g.ethnicity.reveal_unlogged(),
            g.political_status,
            g.degree_level,
            g.department.name,
        )
        for g in Graduate.objects.filter(student_no__startswith="n").select_related("department")
    }
    assert got == {
        "n2020001": ("M", "汉族", "共青团员", DegreeLevel.BACHELOR, "钢琴系"),
        "n2020002": ("F", "回族", "群众", DegreeLevel.BACHELOR, "钢琴系"),
        "n2020003": ("M", "维吾尔族", "中共党员", DegreeLevel.BACHELOR, "声乐歌剧系"),
    }
    # The majors had no 专业代码: they keep the file's, which the national layout writes back.
    assert set(
        Major.objects.filter(institution=school.institution).values_list("code", flat=True)
    ) == {"130201"}


def test_our_own_columns_take_national_codes_too(school, tmp_path):
    # The school layout's 民族 / 政治面貌 / 学历层次 columns holding codes: refused before.
    headers = ["学号", "姓名", "性别", "身份证号", "民族", "政治面貌", "学历层次", "院系", "专业"]
    headers += ["生源地", "手机号码"]
    rows = [
        ["t2020001", "韩一", "2", make_id_number(male=False), "01", "03", "31", "钢琴系"]
        + ["音乐表演", "310104", "13900000051"],
    ]
    result = roster(school, write_xlsx(tmp_path / "codes.xlsx", headers, rows))
    assert result.ok, result.as_text()
    graduate = Graduate.objects.get(student_no="t2020001")
    assert (graduate.gender, graduate.ethnicity.reveal_unlogged(), graduate.political_status) == (
        "F",
        "汉族",
        "共青团员",
    )
    assert graduate.degree_level == DegreeLevel.BACHELOR


def test_code_headers_in_chinese_and_codes_that_lost_their_leading_zero(school, tmp_path):
    # A provincial export: 性别代码, 民族代码 … as headers; Excel stored 01 and 03 as numbers.
    headers = ["学号", "姓名", "性别代码", "身份证号", "民族代码", "政治面貌代码", "学历代码"]
    headers += ["院系", "专业", "生源所在地代码", "手机号码"]
    rows = [
        ["p2020001", "宋一", 1, make_id_number(male=True), 1, 3, 31, "钢琴系", "音乐表演"]
        + ["310104", "13900000011"],
        # A code column may hold the name too (a division by its full GB/T 2260 name).
        ["p2020002", "宋二", "女", make_id_number(male=False), "藏族", "中共预备党员", "本科"]
        + ["钢琴系", "音乐表演", "广东省深圳市福田区", "13900000012"],
    ]
    result = roster(school, write_xlsx(tmp_path / "provincial.xlsx", headers, rows))
    assert result.ok, result.as_text()
    first, second = Graduate.objects.filter(student_no__startswith="p").order_by("student_no")
    assert (first.gender, first.ethnicity.reveal_unlogged(), first.political_status) == (
        "M",
        "汉族",
        "共青团员",
    )
    assert (second.gender, second.ethnicity.reveal_unlogged(), second.political_status) == (
        "F",
        "藏族",
        "中共预备党员",
    )


def test_a_name_column_and_its_code_column_must_agree(school, tmp_path):
    headers = ["XH", "XM", "XBDM", "XB", "SFZH", "XLDM", "院系", "ZYMC", "SYSZDDM", "SJHM"]
    rows = [
        ["q2020001", "王一", "1", "男", make_id_number(male=True), "31", "钢琴系", "音乐表演"]
        + ["310104", "13900000021"],
        ["q2020002", "王二", "1", "女", make_id_number(male=True), "31", "钢琴系", "音乐表演"]
        + ["310104", "13900000022"],
    ]
    result = roster(school, write_xlsx(tmp_path / "both.xlsx", headers, rows))
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "XBDM", "性别代码与性别不一致")
    ]


def test_unknown_codes_are_refused_with_the_standard_named(school, tmp_path):
    headers = ["XH", "XM", "XBDM", "SFZH", "MZDM", "XLDM", "院系", "ZYMC", "SYSZDDM", "SJHM"]
    rows = [
        ["r2020001", "赵一", "9", make_id_number(male=True), "99", "21", "钢琴系", "音乐表演"]
        + ["310104", "13900000031"],
    ]
    result = roster(school, write_xlsx(tmp_path / "bad.xlsx", headers, rows))
    assert not result.ok
    errors = {e.column: e.message for e in result.errors}
    assert set(errors) == {"XBDM", "MZDM", "XLDM"}
    assert errors["MZDM"].startswith("民族“99”不是GB/T 3304中的民族名称或代码")
    assert errors["XLDM"].startswith("学历层次“21”不是有效选项")  # GB/T 4658's 本科 is not ours


def test_a_code_column_alone_still_counts_as_the_required_column(school, tmp_path):
    headers = ["XH", "XM", "SFZH", "院系", "ZYMC", "SYSZDDM", "SJHM"]  # neither 性别 nor 学历
    rows = [["s2020001", "钱一", make_id_number(), "钢琴系", "音乐表演", "310104", "13900000041"]]
    result = roster(school, write_xlsx(tmp_path / "missing.xlsx", headers, rows))
    assert not result.ok
    assert sorted(e.message for e in result.errors) == ["缺少必填列“学历层次”", "缺少必填列“性别”"]
    assert {e.row for e in result.errors} == {1}


# --- the national layout, out and back in ---------------------------------------------------------
def test_the_national_roster_layout_writes_codes(school):
    actor = build_actor(school.centre, school.institution.pk)
    rows = sheet_rows(export_roster(actor, school.cohort, layout=Layout.NATIONAL))
    assert rows[0] == list(NATIONAL_ROSTER_HEADERS)
    li = dict(zip(NATIONAL_ROSTER_HEADERS, rows[1], strict=True))
    assert (li["XH"], li["XM"], li["XBDM"], li["XLDM"]) == (
        school.graduates[0].student_no,
        "李明",
        "1",
        "31",
    )
    assert li["SFZH"][4:16] == "*" * 12  # masked
    assert li["ZYDM"] is None  # the fixture's majors have no code: an empty cell


def test_a_new_major_takes_the_files_code(school, tmp_path):
    header, *rows = _national_rows()
    rows[0][header.index("ZYMC")] = "钢琴演奏"
    rows[0][header.index("ZYDM")] = "130201K"
    result = roster(school, write_xlsx(tmp_path / "new.xlsx", header, rows), create_missing=True)
    assert result.ok, result.as_text()
    graduate = Graduate.objects.select_related("major").get(student_no="n2020001")
    assert (graduate.major.name, graduate.major.code) == ("钢琴演奏", "130201K")
    actor = build_actor(school.centre, school.institution.pk)
    exported = sheet_rows(export_roster(actor, school.cohort, layout=Layout.NATIONAL))
    codes = {r[0]: r[NATIONAL_ROSTER_HEADERS.index("ZYDM")] for r in exported[1:]}
    assert codes["n2020001"] == "130201K" and codes["n2020002"] == "130201"


@pytest.mark.parametrize("unmasked", [False, True])
def test_a_national_layout_roster_reimports_as_it_is(school, tmp_path, unmasked):
    header, *rows = _national_rows()
    assert roster(school, write_xlsx(tmp_path / "in.xlsx", header, rows)).ok
    actor = build_actor(school.centre, school.institution.pk)
    path = tmp_path / "national_out.xlsx"
    path.write_bytes(
        export_roster(
            actor, school.cohort, layout=Layout.NATIONAL, unmasked=unmasked, reason="报送省系统"
        )
    )
    result = roster(school, path)
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)


def test_a_national_layout_csv_reimports_as_it_is(school, tmp_path):
    actor = build_actor(school.centre, school.institution.pk)
    path = tmp_path / "national_out.csv"
    path.write_bytes(export_roster(actor, school.cohort, layout=Layout.NATIONAL, fmt="csv"))
    header = next(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert header == list(NATIONAL_ROSTER_HEADERS)
    result = roster(school, path)
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)


def test_destinations_in_national_field_names_and_codes(school, tmp_path, media_root):
    a, b, c = (g.student_no for g in school.graduates)
    headers = ["XH", "XM", "BYQXDM", "DWMC", "TYSHXYDM", "DWXZDM", "DWSZDDM", "协议书编号"]
    headers.append("签约日期")
    rows = [
        [a, "李明", "10", "上海交响乐团", ORCHESTRA, "29", "310104", "2020-310-0001", "2020-05-20"],
        [b, "王芳", "11", "深圳中学", SCHOOL, "22", "440304", "", "2020-06-01"],
        [c, "赵强", "70", "", "", "", "", "", ""],
    ]
    path = write_xlsx(tmp_path / "national_destinations.xlsx", headers, rows)
    kwargs = {"institution": school.institution, "cohort_year": 2020}
    result = import_destinations(path, filename=path.name, **kwargs)
    assert result.ok, result.as_text()
    assert result.created == 3
    first = Destination.objects.select_related("code", "employer_nature").get(
        graduate=school.graduates[0]
    )
    assert (first.code.code, first.employer_nature.code, first.status) == (
        "10",
        "29",
        ReviewStatus.APPROVED,
    )

    actor = build_actor(school.centre, school.institution.pk)
    exported = export_destinations(actor, school.cohort, layout=Layout.NATIONAL)
    out = sheet_rows(exported)
    assert out[0] == list(NATIONAL_DESTINATION_HEADERS)
    assert dict(zip(NATIONAL_DESTINATION_HEADERS, out[1], strict=True)) == {
        "XH": a,
        "XM": "李明",
        "BYQXDM": "10",
        "DWMC": "上海交响乐团",
        "TYSHXYDM": ORCHESTRA,
        "DWXZDM": "29",
        "DWSZDDM": "310104",
        "协议书编号": "2020-310-0001",
        "签约日期": "2020-05-20",
    }
    again = tmp_path / "again.xlsx"
    again.write_bytes(exported)
    result = import_destinations(again, filename=again.name, **kwargs)
    assert result.ok, result.as_text()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
