"""Realistic, valid roster rows made by a seeded generator.

Used by scripts/make_fixtures.py (the committed test fixtures), by `qihang bench_import` (a
100,000-row roster) and by the tests that need rows in memory. Every row it makes passes the
roster import's validation: real division codes, ID numbers with correct check digits and the
sex they encode, birth dates that fit the degree level.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from stdnum.cn import ric

# Current county-level codes (GB/T 2260) spread over the provinces.
DIVISIONS = (
    "310104 310101 310106 310110 310115 110101 110105 110108 120101 130102 140105 150102 "
    "210102 220102 230102 320102 320506 330106 330102 340104 350102 360102 370102 410105 "
    "420106 420102 420111 430104 440106 440304 450103 460105 500103 510107 520102 530102 "
    "540102 610113 620102 630103 640104 650102"
).split()

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"
GIVEN_MALE = "伟强磊军洋勇杰涛明超亮刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林乐晨阳昊然博文轩睿哲"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英华慧巧美娴雪琳晶妍茜璐瑶婷雯欣怡萱悦彤颖佳琪梦蕾薇"

ETHNICITIES = ("汉族",) * 44 + ("回族", "蒙古族", "满族", "土家族", "苗族", "壮族")
POLITICAL = ("共青团员",) * 6 + ("中共党员", "中共预备党员", "群众", "群众")

# (department, [(degree level label, major, [specialisations])])
DEPARTMENTS: tuple[tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    ("作曲系", (("本科", "作曲与作曲技术理论", ("作曲", "视唱练耳", "理论作曲")),)),
    ("指挥系", (("本科", "音乐表演", ("合唱指挥", "乐队指挥")),)),
    ("音乐学系", (("本科", "音乐学", ("音乐史", "民族音乐学", "音乐评论")),)),
    ("钢琴系", (("本科", "音乐表演", ("钢琴", "钢琴伴奏")), ("专科", "音乐表演", ("钢琴",)))),
    ("声乐歌剧系", (("本科", "音乐表演", ("美声", "女高音", "男高音", "男中音")),)),
    (
        "管弦系",
        (("本科", "音乐表演", ("小提琴", "中提琴", "大提琴", "长笛", "单簧管", "圆号", "小号")),),
    ),
    ("民族音乐系", (("本科", "音乐表演", ("二胡", "琵琶", "古筝", "笛子", "扬琴")),)),
    ("现代器乐与打击乐系", (("本科", "音乐表演", ("打击乐", "爵士钢琴", "电吉他")),)),
    ("音乐工程系", (("本科", "录音艺术", ("录音", "电子音乐")),)),
    ("艺术管理系", (("本科", "艺术管理", ("",)),)),
    ("音乐教育系", (("本科", "音乐学", ("音乐教育",)),)),
    ("音乐戏剧系", (("本科", "音乐表演", ("音乐剧",)),)),
    ("数字媒体艺术学院", (("本科", "数字媒体艺术", ("",)),)),
    (
        "研究生部",
        (
            ("硕士研究生", "音乐与舞蹈学", ("作曲技术理论", "音乐表演艺术研究")),
            ("硕士研究生", "音乐", ("钢琴", "声乐", "管弦")),
            ("博士研究生", "音乐与舞蹈学", ("音乐学",)),
        ),
    ),
)

HARDSHIP = ("原建档立卡贫困家庭", "城乡低保家庭", "零就业家庭", "残疾", "家庭经济困难", "少数民族")
PHONE_PREFIXES = (
    "138",
    "139",
    "135",
    "136",
    "137",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "177",
    "199",
)

# Years of age at graduation, by degree level.
_AGE = {"专科": (20, 23), "本科": (21, 24), "硕士研究生": (24, 28), "博士研究生": (27, 34)}
_LEVEL_CODE = {"专科": "1", "本科": "2", "硕士研究生": "3", "博士研究生": "4"}


@dataclass(frozen=True)
class RosterRow:
    """One graduate as the roster sheet has it (all text, as typed)."""

    student_no: str
    name: str
    gender: str
    id_number: str
    ethnicity: str
    political_status: str
    degree_level: str
    department: str
    major: str
    specialization: str
    cohort: str
    origin: str
    origin_type: str
    hardship: str
    phone: str
    email: str

    def values(self) -> list[str]:
        return [getattr(self, name) for name in ROW_FIELDS]


ROW_FIELDS = tuple(RosterRow.__dataclass_fields__)


def make_id_number(rng: random.Random, division: str, birth: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd 17th digit = male
    body = f"{division}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function ignores the last character


def roster_rows(count: int, *, cohort_year: int = 2020, seed: int = 2020) -> Iterator[RosterRow]:
    """`count` distinct, valid graduates of one cohort (deterministic for a seed)."""
    rng = random.Random(seed)
    seen_ids: set[str] = set()
    programmes = [
        (department, level, major, specs)
        for department, offers in DEPARTMENTS
        for level, major, specs in offers
    ]
    for index in range(count):
        department, level, major, specs = programmes[index % len(programmes)]
        male = rng.random() < 0.45
        given = GIVEN_MALE if male else GIVEN_FEMALE
        name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        origin = rng.choice(DIVISIONS)
        low, high = _AGE[level]
        birth = dt.date(cohort_year - rng.randint(low, high), 1, 1) + dt.timedelta(
            days=rng.randrange(365)
        )
        id_number = make_id_number(rng, origin, birth, male)
        while id_number in seen_ids:
            id_number = make_id_number(rng, origin, birth, male)
        seen_ids.add(id_number)
        # 学号: entry year, level, then a serial wide enough for 100,000 graduates.
        entry = cohort_year - (3 if level == "硕士研究生" else 4 if level != "专科" else 3)
        student_no = f"{entry}{_LEVEL_CODE[level]}{index + 1:06d}"
        ethnicity = rng.choice(ETHNICITIES)
        hardship: list[str] = []
        if rng.random() < 0.08:
            hardship.append(rng.choice(HARDSHIP[:5]))
        if ethnicity != "汉族" and rng.random() < 0.5:
            hardship.append("少数民族")
        yield RosterRow(
            student_no=student_no,
            name=name,
            gender="男" if male else "女",
            id_number=id_number,
            ethnicity=ethnicity,
            political_status=rng.choice(POLITICAL),
            degree_level=level,
            department=department,
            major=major,
            specialization=rng.choice(specs),
            cohort=str(cohort_year),
            origin=origin,
            origin_type="农村" if rng.random() < 0.3 else "城镇",
            hardship="、".join(hardship),
            phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            email=f"{student_no}@stu.example.edu.cn",
        )
