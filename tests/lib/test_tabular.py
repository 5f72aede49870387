"""Tests for qihang.lib.tabular (pure Python, no Django)."""

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from qihang.lib import tabular
from qihang.lib.tabular import ERROR_HEADER, TableError, read_table, resolve_columns

HEADERS = ["学号*", "姓名*", "身份证号*", "手机号码", "出生日期", "备注"]


def roster_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(HEADERS)
    ws.append(["0012", "张三", "31010420030517123X", 13812345678, dt.date(2003, 5, 17), None])
    ws.append([None, None, None, None, None, None])  # row 3: blank
    ws.append(["0013", " 李四 ", "310104200305171241", "138-1234-5679", dt.datetime(2003, 5, 17)])
    ws.append(["\u3000", "", None])  # row 5: only whitespace, counts as blank
    ws.append([2021001, "王五", None, 13812345680.0, "2003/5/17", "=1+1"])
    ws["F6"].data_type = "s"  # text that looks like a formula
    return wb


def save(wb: Workbook, path) -> bytes:
    wb.save(path)
    return path.read_bytes()


def read_all(source, filename, **kwargs) -> tuple[list[str], list[tuple[int, list]]]:
    table = read_table(source, filename=filename, **kwargs)
    return table.headers, list(table.rows)


# --- xlsx ----------------------------------------------------------------------------


def test_read_xlsx_rows_keep_spreadsheet_numbers(tmp_path):
    path = tmp_path / "roster.xlsx"
    save(roster_workbook(), path)
    table = read_table(path, filename="roster.xlsx")
    assert table.headers == HEADERS
    assert table.sheet_name == "名单"
    rows = list(table.rows)
    assert [n for n, _ in rows] == [2, 4, 6]
    number, first = rows[0]
    assert first[0] == "0012"  # text keeps leading zeros
    assert first[2] == "31010420030517123X"
    assert first[3] == 13812345678.0  # numeric cells come back as float
    assert first[4] in (dt.date(2003, 5, 17), dt.datetime(2003, 5, 17))
    assert first[5] is None
    assert rows[1][1][1] == " 李四 "  # raw values; normalising is the validators' job
    assert rows[1][1][5] is None  # short rows are padded
    assert rows[2][1][0] == 2021001.0
    assert rows[2][1][5] == "=1+1"


def test_read_xlsx_from_bytes_and_file_object(tmp_path):
    data = save(roster_workbook(), tmp_path / "roster.xlsx")
    from_bytes = read_all(data, "ROSTER.XLSX")
    from_file = read_all(io.BytesIO(data), "roster.xlsx")
    from_path = read_all(str(tmp_path / "roster.xlsx"), "roster.xlsx")
    assert from_bytes == from_file == from_path


def test_read_xlsx_data_not_starting_at_a1(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["B1"], ws["C1"] = "学号", "姓名"
    ws["B3"], ws["C3"] = "001", "张三"
    ws["C5"] = "李四"
    headers, rows = read_all(save(wb, tmp_path / "x.xlsx"), "x.xlsx")
    # Column indexes match the spreadsheet columns: A is index 0, even though it is empty.
    assert headers == ["", "学号", "姓名"]
    assert rows == [(3, [None, "001", "张三"]), (5, [None, None, "李四"])]


def test_read_xlsx_header_row_parameter(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["某某大学2025届毕业生名单"])
    ws.append(["学号", "姓名"])
    ws.append(["001", "张三"])
    headers, rows = read_all(save(wb, tmp_path / "x.xlsx"), "x.xlsx", header_row=2)
    assert headers == ["学号", "姓名"]
    assert rows == [(3, ["001", "张三"])]


def test_read_xlsx_uses_first_visible_sheet(tmp_path):
    wb = Workbook()
    hidden = wb.active
    hidden.title = "下拉选项"
    hidden.append(["选项"])
    hidden.sheet_state = "hidden"
    data = wb.create_sheet("名单")
    data.append(["学号"])
    data.append(["001"])
    table = read_table(save(wb, tmp_path / "x.xlsx"), filename="x.xlsx")
    assert table.sheet_name == "名单"
    assert list(table.rows) == [(2, ["001"])]


def test_formula_without_cached_value_reads_as_blank(tmp_path):
    # Files written by programs (not Excel) carry no cached results; calamine reads those.
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.active.append(["x", "=1+1"])
    _, rows = read_all(save(wb, tmp_path / "x.xlsx"), "x.xlsx")
    assert rows == [(2, ["x", None])]


def test_read_xlsx_errors(tmp_path):
    with pytest.raises(TableError, match="无法读取该Excel文件"):
        read_table(b"not a workbook", filename="x.xlsx")
    with pytest.raises(TableError, match="无法读取该Excel文件"):
        read_table(b"PK\x03\x04broken zip", filename="x.xlsx")
    empty = save(Workbook(), tmp_path / "empty.xlsx")
    with pytest.raises(TableError, match="第1行应为表头"):
        read_table(empty, filename="empty.xlsx")


@pytest.mark.parametrize("filename", ["x.pdf", "x.txt", "x.xlsx.exe", "noextension"])
def test_unknown_extension_rejected(filename):
    with pytest.raises(TableError) as info:
        read_table(b"whatever", filename=filename)
    assert ".xlsx 或 .csv" in str(info.value)
    assert info.value.messages


# --- csv -----------------------------------------------------------------------------

CSV_TEXT = "学号,姓名,手机号码\r\n0012,张三,13812345678\r\n,,\r\n\r\n0013,李四,\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_read_csv_encodings(tmp_path, encoding):
    path = tmp_path / "x.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    headers, rows = read_all(path, "x.CSV")
    assert headers == ["学号", "姓名", "手机号码"]  # no BOM left in the first header
    assert rows == [(2, ["0012", "张三", "13812345678"]), (5, ["0013", "李四", None])]


def test_read_csv_quoted_multiline_cell_counts_as_one_row():
    data = '学号,备注\n001,"第一行\n第二行"\n002,x\n'.encode()
    _, rows = read_all(data, "x.csv")
    assert rows == [(2, ["001", "第一行\n第二行"]), (3, ["002", "x"])]


def test_read_csv_tab_delimited_and_extra_cells():
    data = "学号\t姓名\n001\t张三\t多余\n".encode()
    headers, rows = read_all(data, "x.csv")
    assert headers == ["学号", "姓名"]
    assert rows == [(2, ["001", "张三"])]


def test_read_csv_gb18030_rare_characters():
    # Characters outside GBK (e.g. 㛃, 𠀀) only round-trip in GB18030.
    data = "姓名\n王㛃\n李𠀀\n".encode("gb18030")
    _, rows = read_all(data, "x.csv")
    assert rows == [(2, ["王㛃"]), (3, ["李𠀀"])]


def test_read_csv_errors():
    with pytest.raises(TableError, match="第1行应为表头"):
        read_table(b"", filename="x.csv")
    with pytest.raises(TableError, match="无效字符"):
        read_table(b"a,b\n\x00\x01,2\n", filename="x.csv")


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(st.text(alphabet="ab 0张", max_size=3), min_size=2, max_size=2),
        max_size=12,
    ),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_csv_row_numbers_match_line_numbers(rows, encoding):
    lines = ["h1,h2"] + [",".join(r) for r in rows]
    table = read_table("\n".join(lines).encode(encoding), filename="x.csv")
    expected = [
        (i, [c or None for c in r])  # whitespace is passed through, validators blank it
        for i, r in enumerate(rows, 2)
        if any(c.strip() for c in r)
    ]
    assert list(table.rows) == expected


# --- resolve_columns -----------------------------------------------------------------

SPEC = {
    "student_no": ["学号*", "Student No.", "student_no"],
    "name": ["姓名*", "Name"],
    "phone": ["联系电话（手机）", "Mobile"],
    "remark": ["备注"],
}


def test_resolve_columns_matches_spellings():
    headers = ["STUDENT  NO", "姓 名 *", "联系电话(手机)", "remark", ERROR_HEADER]
    assert resolve_columns(headers, SPEC) == {
        "student_no": 0,
        "name": 1,
        "phone": 2,
        "remark": 3,
    }
    assert resolve_columns(["*学号(必填)", "name"], SPEC) == {"student_no": 0, "name": 1}
    assert resolve_columns(["student-no", "Ｎａｍｅ"], SPEC) == {"student_no": 0, "name": 1}


def test_resolve_columns_reports_every_problem():
    headers = ["学号", "籍贯", "Student No.", "", "Mobile"]
    with pytest.raises(TableError) as info:
        resolve_columns(headers, SPEC)
    assert info.value.messages == [
        "无法识别的列“籍贯”（B列）",
        "“Student No.”（C列）与“学号”（A列）重复",
        "缺少必填列“姓名”",
    ]


def test_resolve_columns_options():
    headers = ["学号", "籍贯"]
    assert resolve_columns(headers, SPEC, required=["student_no"], ignore_unknown=True) == {
        "student_no": 0
    }
    assert resolve_columns(headers, SPEC, required=[], ignore=["籍贯"]) == {"student_no": 0}
    with pytest.raises(TableError, match="缺少必填列“备注”"):
        resolve_columns(["学号", "姓名"], SPEC, required=["remark"])
    with pytest.raises(ValueError, match="ambiguous"):
        resolve_columns(["学号"], {"a": ["学号"], "b": ["学 号"]})


# --- writing -------------------------------------------------------------------------


def test_write_xlsx_round_trip(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [
        ["0012", "张三", 13812345678, dt.date(2003, 5, 17)],
        ['=HYPERLINK("http://evil")', "#N/A", 2.5, None],
        ["bad\x01char", "", None, dt.datetime(2020, 1, 2, 3, 4)],
    ]
    tabular.write_xlsx(
        path,
        ["学号", "姓名", "手机号码", "出生日期"],
        rows,
        comments={(2, 2): "请核对姓名"},
        fills={(3, 1): "FFFF00"},
        sheet_title="导出",
    )
    wb = load_workbook(path)
    ws = wb["导出"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws["A2"].value == "0012"
    assert ws["C2"].value == 13812345678
    assert ws["D2"].value == dt.datetime(2003, 5, 17)
    # User text is never turned into a formula or an error value.
    assert ws["A3"].value == '=HYPERLINK("http://evil")' and ws["A3"].data_type == "s"
    assert ws["B3"].value == "#N/A" and ws["B3"].data_type == "s"
    assert ws["A4"].value == "badchar"
    assert ws["B2"].comment.text == "请核对姓名"
    assert ws["A3"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws.column_dimensions["A"].width >= 20  # fits the formula text
    headers, read_rows = read_all(path, "out.xlsx")
    assert headers == ["学号", "姓名", "手机号码", "出生日期"]
    assert [n for n, _ in read_rows] == [2, 3, 4]


def test_write_xlsx_to_stream_with_explicit_widths():
    stream = io.BytesIO()
    tabular.write_xlsx(stream, ["a", "b"], iter([[1, 2]] * 300), column_widths=[12, None])
    ws = load_workbook(io.BytesIO(stream.getvalue())).active
    assert ws.max_row == 301
    assert ws.column_dimensions["A"].width == 12


def test_write_annotated_xlsx(tmp_path):
    path = tmp_path / "errors.xlsx"
    source = tmp_path / "roster.xlsx"
    save(roster_workbook(), source)
    table = read_table(source, filename="roster.xlsx")
    errors = [
        {"row": 2, "column": 2, "message": "身份证号校验码错误"},
        {"row": 2, "column": "手机号码", "message": "手机号码格式错误"},
        {"row": 6, "column": None, "message": "与第2行重复"},
        {"row": 6, "column": 2, "message": "不能为空"},
        {"row": 99, "column": 0, "message": "ignored: no such row"},
    ]
    tabular.write_annotated_xlsx(path, table.headers, table.rows, errors)
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == [*HEADERS, ERROR_HEADER]
    assert ws.max_row == 4  # header + the three non-blank rows
    assert ws["C2"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["C2"].comment.text == "身份证号校验码错误"
    assert ws["D2"].comment.text == "手机号码格式错误"
    assert ws["A2"].comment is None
    assert ws["G2"].value == "身份证号校验码错误；手机号码格式错误"
    assert ws["G3"].value is None
    assert ws["G4"].value == "与第2行重复；身份证号：不能为空"
    assert ws["F4"].value == "=1+1" and ws["F4"].data_type == "s"

    # Re-uploading the annotated file works: the 错误 column is ignored.
    table = read_table(path, filename="errors.xlsx")
    spec = {"student_no": ["学号*"], "name": ["姓名*"], "id": ["身份证号*"]}
    assert resolve_columns(table.headers, spec, ignore_unknown=True) == {
        "student_no": 0,
        "name": 1,
        "id": 2,
    }


def test_write_annotated_xlsx_only_errors():
    stream = io.BytesIO()
    rows = [(2, ["a", 1]), (3, ["b", 2]), (4, ["c", 3])]
    errors = [{"row": 3, "column": 1, "message": "超出范围"}]
    tabular.write_annotated_xlsx(stream, ["名称", "数值"], rows, errors, only_errors=True)
    ws = load_workbook(io.BytesIO(stream.getvalue())).active
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["名称", "数值", ERROR_HEADER],
        ["b", 2, "数值：超出范围"],
    ]


def test_write_annotated_xlsx_marks_warnings_in_amber_with_a_legend():
    stream = io.BytesIO()
    rows = [(2, ["a", 1, "2020-04-01"]), (3, ["b", 2, None])]
    errors = [{"row": 3, "column": 1, "message": "超出范围"}]
    warnings = [
        {"row": 1, "column": 2, "message": "无法识别的列", "action": "dropped"},
        {"row": 2, "column": "日期", "message": "没有意义", "action": "dropped"},
        {"row": 3, "column": 0, "message": "空格已去掉", "action": "normalised"},
    ]
    tabular.write_annotated_xlsx(stream, ["名称", "数值", "日期"], rows, errors, warnings=warnings)
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    ws = workbook.worksheets[0]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["名称", "数值", "日期", tabular.ERROR_HEADER, tabular.WARNING_HEADER],
        ["a", 1, "2020-04-01", None, "日期：没有意义（已忽略）"],
        ["b", 2, None, "数值：超出范围", "名称：空格已去掉（已规范化）"],
    ]
    amber, red = "FFFFEB9C", "FFFFC7CE"
    assert ws["C1"].fill.fgColor.rgb == amber and ws["C1"].comment.text == "无法识别的列（已忽略）"
    assert ws["C2"].fill.fgColor.rgb == amber and ws["C2"].comment.text == "没有意义（已忽略）"
    assert (ws["A3"].fill.fgColor.rgb, ws["B3"].fill.fgColor.rgb) == (amber, red)
    assert [[c.value for c in r][:1] for r in workbook[tabular.LEGEND_TITLE].iter_rows()] == [
        [tabular.ERROR_HEADER],
        [tabular.WARNING_HEADER],
    ]
    # Re-uploaded, the first sheet is read and the 错误 and 提示 columns are ignored.
    table = read_table(stream.getvalue(), filename="again.xlsx")
    spec = {"name": ["名称"], "value": ["数值"], "date": ["日期"]}
    assert resolve_columns(table.headers, spec) == {"name": 0, "value": 1, "date": 2}


def test_column_letter():
    assert tabular.column_letter(0) == "A"
    assert tabular.column_letter(26) == "AA"


# --- hostile files: bounded before parsing (issue 6 §1) -------------------------------------

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    b'"xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
    b'"worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def hostile_xlsx(path, sheet_body, *, before_data=b"", extra=()) -> int:
    """Write a minimal xlsx whose worksheet's <sheetData> is `sheet_body` (bytes, or an
    iterable of chunks streamed into the zip), after `before_data`; `extra` adds (name, bytes)
    members. The file's size."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD.replace(b"<sheetData>", before_data + b"<sheetData>"))
            for chunk in [sheet_body] if isinstance(sheet_body, bytes) else sheet_body:
                sheet.write(chunk)
            sheet.write(_SHEET_TAIL)
        for name, data in extra:
            archive.writestr(name, data)
    return path.stat().st_size


def lie_about_size(path, member: str, size: int) -> None:
    """Rewrite `member`'s uncompressed size, in its local header and the central directory,
    as a zip bomb does to slip past a check of the declared sizes."""
    import struct
    import zipfile

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    assert info.file_size < 0xFFFFFFFF  # not a zip64 entry: the 32-bit fields hold the size
    struct.pack_into("<I", data, info.header_offset + 22, size)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        if bytes(data[at + 46 : at + 46 + name_length]).decode() == member:
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 46 + name_length + extra_length + comment_length)
    path.write_bytes(bytes(data))


def read_in_subprocess(path) -> dict:
    """read_table on `path` in a fresh interpreter: its outcome and its peak memory (MB)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import json, sys\n"
        "from qihang.lib.tabular import TableError, read_table\n"
        "try:\n"
        "    table = read_table(sys.argv[1], filename=sys.argv[1])\n"
        "    rows, message = sum(1 for _ in table.rows), None\n"
        "except TableError as exc:\n"
        "    rows, message = None, str(exc)\n"
        # VmHWM is this program's own peak: ru_maxrss would include the forking parent's.
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "peak = int(status) / 1024\n"
        "print(json.dumps({'rows': rows, 'message': message, 'peak_mb': peak}))\n"
    )
    root = Path(tabular.__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


# The interpreter with openpyxl and python-calamine loaded is ≈ 50 MB; the 600 MB cell took 3.2 GB.
MEMORY_BOUND_MB = 200


def test_a_600_mb_cell_in_a_small_workbook_is_refused_within_a_memory_bound(tmp_path):
    path = tmp_path / "one_cell.xlsx"
    chunk = b"x" * (1 << 20)
    body = [b'<row r="1"><c r="A1" t="inlineStr"><is><t>', *([chunk] * 600), b"</t></is></c></row>"]
    assert hostile_xlsx(path, body) < 1 << 20  # the upload limit cannot see it coming
    outcome = read_in_subprocess(path)
    assert outcome["message"] == (
        "Excel文件中的“xl/worksheets/sheet1.xml”解压后有600 MB，超过上限200 MB"
    )
    assert outcome["peak_mb"] < MEMORY_BOUND_MB
    # The same file lying that the member is small: read as it expands, the cell is seen to
    # pass Excel's limit within its first megabytes.
    lie_about_size(path, "xl/worksheets/sheet1.xml", 4096)
    outcome = read_in_subprocess(path)
    assert outcome["message"] == "工作表“sheet1.xml”的A1单元格内容超过单元格上限32767个字符"
    assert outcome["peak_mb"] < MEMORY_BOUND_MB


def test_two_cells_far_apart_are_refused_before_the_parser_lays_out_the_range(tmp_path):
    # python-calamine makes a dense range: A1 and CV200000 alone cost 20 million cells (≈ 620 MB).
    path = tmp_path / "far_apart.xlsx"
    hostile_xlsx(
        path,
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>No</t></is></c></row>'
        b'<row r="200000"><c r="CV200000"><v>1</v></c></row>',
    )
    outcome = read_in_subprocess(path)
    assert outcome["message"] == (
        "工作表“sheet1.xml”的数据范围达200000行×100列，超过10000000个单元格的上限"
    )
    assert outcome["peak_mb"] < MEMORY_BOUND_MB


def test_rows_and_cells_without_references_are_counted(tmp_path):
    # Without r="…" each row and cell follows the previous one: bounds count them.
    wide = tmp_path / "wide.xlsx"
    hostile_xlsx(wide, b"<row>" + b"<c><v>1</v></c>" * 1500 + b"</row>")
    with pytest.raises(TableError) as refused:
        read_table(wide, filename="wide.xlsx")
    assert refused.value.messages == ["工作表“sheet1.xml”的数据可达第1500列，超过上限1000列"]
    tall = tmp_path / "tall.xlsx"
    hostile_xlsx(tall, [b"<row><c><v>1</v></c></row>" * 1000] * 301)
    with pytest.raises(TableError) as refused:
        read_table(tall, filename="tall.xlsx")
    assert refused.value.messages == ["工作表“sheet1.xml”的数据可达第301000行，超过上限300000行"]


def test_a_dimension_element_alone_claims_nothing(tmp_path):
    # <dimension> is not what the parser sizes its range by: a false claim is harmless.
    path = tmp_path / "claim.xlsx"
    hostile_xlsx(
        path,
        before_data=b'<dimension ref="A1:XFD1048576"/>',
        sheet_body=b'<row r="1"><c r="A1" t="inlineStr"><is><t>No</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>7</v></c></row>',
    )
    headers, rows = read_all(path, "claim.xlsx")
    assert headers == ["No"] and rows == [(2, [7.0])]


def test_a_member_lying_about_its_size_is_measured_not_trusted(tmp_path):
    path = tmp_path / "liar.xlsx"
    hostile_xlsx(path, b"<row/>" * 2_000_000)  # 12 MB of XML, declared as 1 KB below
    lie_about_size(path, "xl/worksheets/sheet1.xml", 1024)
    limits = tabular.Limits(part_bytes=5 << 20)
    with pytest.raises(TableError) as refused:
        read_table(path, filename="liar.xlsx", limits=limits)
    assert refused.value.messages == ["Excel文件中的“xl/worksheets/sheet1.xml”解压后超过上限5 MB"]


def test_a_zip_bomb_of_many_members_is_refused_by_the_total(tmp_path):
    path = tmp_path / "bomb.xlsx"
    zeros = bytes(8 << 20)
    hostile_xlsx(path, b"", extra=[(f"xl/media/image{i}.bin", zeros) for i in range(8)])
    assert path.stat().st_size < 1 << 20
    limits = tabular.Limits(uncompressed_bytes=32 << 20)
    with pytest.raises(TableError) as refused:
        read_table(path, filename="bomb.xlsx", limits=limits)
    assert refused.value.messages == ["Excel文件解压后有64 MB，超过上限32 MB"]
    # Declared small, each member still counts as it really expands.
    for i in range(8):
        lie_about_size(path, f"xl/media/image{i}.bin", 10)
    with pytest.raises(TableError) as refused:
        read_table(path, filename="bomb.xlsx", limits=limits)
    assert refused.value.messages == ["Excel文件解压后超过上限32 MB（在“xl/media/image3.bin”处）"]


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path):
    path = tmp_path / "long.xlsx"  # openpyxl would cut the cell at Excel's limit: write it raw
    hostile_xlsx(
        path,
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>No</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Note</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>'
        + "长".encode() * 32_768
        + b"</t></is></c></row>",
    )
    with pytest.raises(TableError) as refused:
        read_all(path, "long.xlsx")
    assert refused.value.messages == ["工作表“sheet1.xml”的B2单元格内容超过单元格上限32767个字符"]
    shared = tmp_path / "shared.xlsx"
    hostile_xlsx(
        shared,
        b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        extra=[("xl/sharedStrings.xml", b"<sst><si><t>" + b"x" * 40_000 + b"</t></si></sst>")],
    )
    with pytest.raises(TableError) as refused:
        read_all(shared, "shared.xlsx")
    assert refused.value.messages == ["“xl/sharedStrings.xml”中有内容超过单元格上限32767个字符"]
    # Characters, not bytes: 32,767 three-byte characters are within the limit.
    fits = tmp_path / "fits.xlsx"
    hostile_xlsx(
        fits,
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>No</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        + "长".encode() * 32_767
        + b"</t></is></c></row>",
    )
    assert len(read_all(fits, "fits.xlsx")[1][0][1][0]) == 32_767
    csv_data = ("学号,备注\n1," + "长" * 32_768 + "\n").encode()
    with pytest.raises(TableError) as refused:
        read_all(csv_data, "long.csv")
    assert refused.value.messages == ["第2行B列的内容有32768个字符，超过单元格上限32767个字符"]


def test_csv_rows_lines_and_columns_are_bounded():
    rows = ("学号\n" + "1\n" * 150).encode()
    with pytest.raises(TableError) as refused:
        read_all(rows, "many.csv", limits=tabular.Limits(rows=100))
    assert refused.value.messages == ["文件超过100行的上限（第101行）"]
    line = ("学号,备注\n1," + "x" * 2000 + "\n").encode()
    with pytest.raises(TableError) as refused:
        read_all(line, "line.csv", limits=tabular.Limits(line_chars=1000))
    assert refused.value.messages == ["CSV文件第2行有2002个字符，超过一行1000个字符的上限"]
    wide = (",".join(f"列{i}" for i in range(1001)) + "\n1\n").encode()
    with pytest.raises(TableError) as refused:
        read_all(wide, "wide.csv")
    assert refused.value.messages == ["表头有1001列，超过上限1000列（第1行）"]


def test_a_legitimate_workbook_passes_the_bounds(tmp_path):
    path = tmp_path / "roster.xlsx"
    data = save(roster_workbook(), path)
    tabular.check_workbook(data)  # no exception
    headers, rows = read_all(path, "roster.xlsx")
    assert [number for number, _cells in rows] == [2, 4, 6]
