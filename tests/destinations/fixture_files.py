"""Writes the committed destination-import fixtures (tests/fixtures/destinations_*).

Run `python -m tests.destinations.fixture_files` from the repository root after changing them.
The rows name the test school's graduates (tests/factories.py make_school, prefix "a":
a2020001 钢琴系, a2020002 钢琴系, a2020003 声乐歌剧系) and come the way school spreadsheets
do: numbers stored as numeric cells, full-width spaces, an employer nature by name, a code with
its name, lower-case and hyphenated credit codes, blank rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn import uscc

OUT = Path(__file__).resolve().parents[1] / "fixtures"
HEADERS = [
    "学号",
    "毕业去向代码",
    "单位名称",
    "统一社会信用代码",
    "单位性质",
    "单位所在地",
    "协议书编号",
    "签约日期",
]
ENGLISH_HEADERS = [
    "Student No",
    "Destination Code",
    "Employer Name",
    "Credit Code",
    "Employer Nature",
    "Employer Location",
    "Country",
    "Agreement No",
    "Signed On",
]
FW = "\u3000"


def credit(body: str) -> str:
    return body + uscc.calc_check_digit(body)


ORCHESTRA = credit("12310000425000000")  # a public institution (事业单位) in Shanghai
SCHOOL = credit("12440300455000000")
MESSY_ROWS: list[list[object]] = [
    [
        "a2020001",
        10,  # numeric cell
        f"{FW}上海交响乐团 ",
        ORCHESTRA[:8].lower() + "-" + ORCHESTRA[8:].lower(),
        "其他事业单位",  # by name
        310104,  # numeric cell
        "2020-310-0001",
        dt.datetime(2020, 5, 20),  # a date cell
    ],
    [None] * 8,  # a blank row in between
    ["a2020002", "502 三支一扶", None, None, None, None, None, None],
    [" a2020003", "70", "", " ", None, None, None, None],
]

# Known errors, one per row and two in the last (test_import.py lists them).
BAD_ROWS: list[list[object]] = [
    [
        "a2020001",
        "10",
        "上海交响乐团",
        ORCHESTRA[:-1] + ("0" if ORCHESTRA[-1] != "0" else "1"),
        "29",
        "310104",
        "2020-310-0001",
        "2020-05-20",
    ],
    ["a9999999", "70", None, None, None, None, None, None],
    ["a2020002", "71", "某培训机构", None, None, None, None, None],
    ["a2020003", "11", None, SCHOOL, "22", "440304", None, "2020-06-01"],
    ["a2020001", "70", None, None, None, None, None, None],
    ["a2020002", "10", "深圳某中学", SCHOOL, "22", "440304", "2020-440-0002", "2099-01-01"],
]


def _workbook(headers: list[str], rows: list[list[object]]) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "毕业去向"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    fixed = dt.datetime(2020, 7, 1, 9, 0, 0)  # file metadata, so reruns change nothing needed
    workbook.properties.created = workbook.properties.modified = fixed
    return workbook


def write(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (
        ("destinations_messy.xlsx", MESSY_ROWS),
        ("destinations_bad.xlsx", BAD_ROWS),
    ):
        path = out / name
        _workbook(HEADERS, rows).save(path)
        paths.append(path)
    # English headers, GB18030 (what Excel on Chinese Windows writes).
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(ENGLISH_HEADERS)
    writer.writerow(
        ["a2020001", "11", "上海歌剧院", ORCHESTRA, "29", "310101", "", "", "2020/6/30"]
    )
    writer.writerow(["a2020002", "85", "Moscow Conservatory", "", "", "", "Russia", "", ""])
    path = out / "destinations_english_gb18030.csv"
    path.write_bytes(text.getvalue().encode("gb18030"))
    paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write():
        print(written)
