#!/usr/bin/env python
"""Write the committed import fixtures in tests/fixtures/ (run: `make fixtures`).

The roster files hold the same six graduates in the shapes real school spreadsheets come in:
numbers stored as numeric cells (学号, 手机号码, 生源地), codes with leading zeros stored as
text, full-width spaces and digits, a lower-case x in an ID number, blank rows in between,
aliases for values (团员, 本科生, 建档立卡), English headers, GB18030 and UTF-8-with-BOM csv.
All of them import cleanly into the test school (tests/factories.py: 钢琴系 and 声乐歌剧系, 本科
音乐表演). roster_bad.xlsx has one known error per row (tests/graduates/test_import_roster.py
lists them); roster_conservatory.xlsx names departments the test school does not have yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihang.settings")

import django  # noqa: E402

django.setup()

from qihang.graduates.importing import COLUMN_SPEC, HEADERS  # noqa: E402
from qihang.imports.samples import roster_rows  # noqa: E402
from qihang.lib.tabular import write_xlsx  # noqa: E402

OUT = ROOT / "tests" / "fixtures"
# Workbook metadata (openpyxl writes naive UTC times): fixed, so reruns change little.
FIXED_TIME = dt.datetime(2020, 6, 1, 9, 0, 0)  # noqa: DTZ001


def id_number(region: str, birth: str, seq: int, *, check: str | None = None) -> str:
    """A valid ID number; with `check`, the first sequence number from `seq` giving it."""
    while True:
        body = f"{region}{birth}{seq:03d}"
        digit = ric.calc_check_digit(body + "0")  # it ignores the last character
        if check is None or digit == check:
            return body + digit
        seq += 2  # keep the parity: the 17th digit encodes the sex


MALE_X = id_number("310104", "19980512", 11, check="X")  # ends in X: typed as lower-case x
FEMALE = id_number("110105", "19971103", 22)
MALE_2 = id_number("420106", "19980301", 33)
FEMALE_2 = id_number("320102", "19990115", 44)
MALE_3 = id_number("510107", "19971230", 55)
FEMALE_3 = id_number("440304", "19980820", 66)

# The six graduates as a careful person would type them: (student_no, ID number, phone).
CLEAN = [
    ("2016100101", MALE_X, "13812345678"),
    ("0016100102", FEMALE, "13812345679"),
    ("2016100103", MALE_2, "13912345670"),
    ("2016100104", FEMALE_2, "15012345671"),
    ("2016100105", MALE_3, "18612345672"),
    ("2016100106", FEMALE_3, "17712345673"),
]

FW = "\u3000"  # the full-width space Chinese input methods type


def messy_rows() -> list[list[object]]:
    """Rows of roster_messy.xlsx, with cell types as school spreadsheets have them."""
    return [
        [
            2016100101,  # numeric cell
            f"{FW}李华{FW}",
            "男",
            MALE_X[:6] + " " + MALE_X[6:14] + " " + MALE_X[14:].lower(),  # spaces, lower-case x
            "汉",
            "团员",
            "本科",
            "钢琴系",
            "音乐表演",
            "钢琴",
            2020,
            "310104",
            "城镇",
            None,
            13812345678,  # numeric cell
            "LiHua@Example.EDU.cn",
        ],
        [
            "0016100102",  # text keeps the leading zeros
            "王 芳",
            "女",
            FEMALE,
            "回族",
            "中共党员",
            "本科生",
            f"钢琴系{FW}",
            "音乐表演",
            "钢琴伴奏",
            "2020届",
            110105,  # numeric cell
            "农村",
            "建档立卡;低保",
            "138-1234-5679",
            None,
        ],
        [None] * 16,  # a blank row
        [
            "２０１６１００１０３",  # full-width digits
            "赵强",
            "男性",
            MALE_2,
            "蒙古族",
            "群众",
            "本科",
            "声乐歌剧系",
            " 音乐表演 ",
            "男高音",
            "2020",
            "420106",
            "城镇",
            "湖北籍、家庭经济困难",
            "+86 139 1234 5670",
            " zhaoqiang@example.com ",
        ],
        [FW, "", None, " "] + [None] * 12,  # only spaces: blank too
        [
            "2016100104",
            "陈静",
            "女",
            FEMALE_2,
            "汉族",
            "共青团员",
            "本科",
            "声乐歌剧系",
            "音乐表演",
            "女高音",
            2020,
            "320102",
            "城镇",
            "残疾",
            15012345671,
            "chenjing@example.com",
        ],
        [
            2016100105,
            "杨帆",
            "男",
            MALE_3,
            "汉族",
            "共青团员",
            "本科",
            "钢琴系",
            "音乐表演",
            None,
            2020,
            "510107",
            "农村",
            "",
            "18612345672",
            "yangfan@example.com",
        ],
        [
            "2016100106",
            "林晓",
            "2",  # GB/T 2261.1 code for 女
            FEMALE_3,
            "壮",
            "预备党员",
            "本科",
            "声乐歌剧系",
            "音乐表演",
            "美声",
            "2020",
            "440304",
            "城镇",
            "少数民族",
            "17712345673",
            "linxiao@example.com",
        ],
    ]


def _text_rows() -> list[list[str]]:
    """The same graduates with every cell text (what a csv export gives)."""
    rows = []
    for row in messy_rows():
        if all(c is None or str(c).strip(" \u3000") == "" for c in row):
            rows.append(["" for _ in row])
            continue
        rows.append(["" if c is None else str(c) for c in row])
    return rows


def _workbook(headers: list[str], rows: list[list[object]], title: str) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def messy_headers() -> list[str]:
    headers = list(HEADERS)
    headers[0] = "学号 "  # a trailing space
    headers[3] = "身份证号码"  # an alias
    headers[14] = "手机号码(必填)"  # a required mark
    return headers


def english_headers() -> list[str]:
    return [next(s for s in spellings if s.isascii()) for spellings in COLUMN_SPEC.values()]


def bad_rows() -> list[list[object]]:
    """One known error per row from row 3 on; rows 2 and 12 are valid."""

    def row(student_no: str, name: str, gender: str, id_no: str, **changes: object) -> list:
        values = {
            "学号": student_no,
            "姓名": name,
            "性别": gender,
            "身份证号": id_no,
            "民族": "汉族",
            "政治面貌": "共青团员",
            "学历层次": "本科",
            "院系": "钢琴系",
            "专业": "音乐表演",
            "专业方向": "钢琴",
            "届别": "2020",
            "生源地": "310104",
            "城乡生源": "城镇",
            "困难生类别": "",
            "手机号码": "13812340000",
            "电子邮箱": "",
        }
        values.update(changes)
        return [values[h] for h in HEADERS]

    wrong_checksum = MALE_2[:-1] + ("1" if MALE_2[-1] != "1" else "2")
    return [
        row("2016200001", "周一", "男", id_number("310104", "19980101", 1)),  # 2: valid
        row("2016200002", "周二", "男", wrong_checksum),  # 3
        row("2016200003", "周三", "女", id_number("310104", "19980103", 3)),  # 4: sex
        row("2016200004", "周四", "男", id_number("310104", "19980104", 5), 生源地="999999"),
        row("2016200005", "周五", "男", id_number("310104", "19980105", 7), 届别="2019"),
        row("2016200001", "周六", "男", id_number("310104", "19980106", 9)),  # 7: dup 学号
        row("2016200007", "周七", "女", id_number("310104", "19980107", 10), 困难生类别="单亲家庭"),
        row("2016200008", "周八", "女", id_number("310104", "19980108", 12), 手机号码="1381234567"),
        row("2016200009", "", "女", id_number("310104", "19980109", 14)),  # 10: no name
        row("2016200010", "周十", "女", id_number("310104", "19980110", 16), 院系="舞蹈系"),
        row("2016200011", "周十一", "女", id_number("310104", "19980111", 18)),  # 12: valid
    ]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    _workbook(messy_headers(), messy_rows(), "2020届生源").save(OUT / "roster_messy.xlsx")
    _workbook(english_headers(), _text_rows(), "Roster").save(OUT / "roster_english.xlsx")
    for name, encoding in (("roster_gb18030.csv", "gb18030"), ("roster_utf8_bom.csv", "utf-8-sig")):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows(_text_rows())
        (OUT / name).write_bytes(buffer.getvalue().encode(encoding))
    _workbook(list(HEADERS), bad_rows(), "Sheet1").save(OUT / "roster_bad.xlsx")
    with (OUT / "roster_conservatory.xlsx").open("wb") as out:
        write_xlsx(out, HEADERS, [r.values() for r in roster_rows(40, seed=7)])
    for path in sorted(OUT.iterdir()):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
