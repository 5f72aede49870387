"""What the demo institutions look like: departments, majors and 专业方向, staff, how graduates
of each kind of programme end up (destination mixes), and the employers they go to.

Everything here is fictional — the two conservatories, their people, the orchestras, schools
and companies — except foreign conservatories (real places people study at) and administrative
divisions (real GB/T 2260 codes). No real school is impersonated.

Destination mixes are per kind of programme ("outcome"), as weights over destination codes
(sub-codes such as 504 特岗教师 and 801 研究生 roll up to 50 and 80 in rates). They follow the
seed (DOMAIN.md §1): conducting, composition and modern instruments have the highest signing
rates; music education places many graduates in schools and grassroots teaching (特岗); the
performance departments send many abroad (85) and into freelance work (76).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Programme:
    level: str  # DegreeLevel value
    major: str
    weight: float  # graduates per cohort, relative (the demo's 2020 weights add up to 729)
    specs: tuple[tuple[str, float, float], ...]  # (专业方向, weight, share of women)
    outcome: str  # key of OUTCOMES


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    code: str
    slug: str  # e-mail of its staff: <slug>@<domain>
    programmes: tuple[Programme, ...]
    staff_name: str = ""  # the department's employment officer (counsellor)
    staff_title: str = ""
    # Small departments share their counsellor with the department named here.
    staff_shared_with: str = ""


@dataclass(frozen=True)
class StaffSpec:
    key: str  # local part of the e-mail and a handle in code
    name: str
    role: str  # Role value
    title: str
    look_at: str  # what this login shows in the demo (printed in the logins table)
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstitutionProfile:
    code: str
    name: str
    short_name: str
    domain: str  # e-mail domain of staff and graduates (a reserved .example domain)
    home: str  # division code of the campus, e.g. "310104"
    # Where graduates come from: (province prefix, weight).
    origins: tuple[tuple[str, float], ...]
    departments: tuple[DepartmentSpec, ...]
    staff: tuple[StaffSpec, ...]
    # 学号: "{entry}{level}{department}{serial:03d}" style, see generator.student_no().
    student_no_style: str = "dfcm"
    # The demo teacher's department: they mentor ten of its graduates of the latest cohort.
    mentor_department: str = ""
    # Days by which the season ran late, per cohort year (COVID-19 in 2020).
    delays: dict[int, int] = field(default_factory=dict)
    # No destination activity before this day of the year (Wuhan's lockdown in 2020).
    closed_until: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Final destination mixes shifted per cohort year: {year: {code: factor}}.
    year_factors: dict[int, dict[str, float]] = field(default_factory=dict)


def _specs(text: str) -> tuple[tuple[str, float, float], ...]:
    """ "钢琴:8:0.72 钢琴艺术指导:2:0.8" -> ((name, weight, share of women), ...)."""
    out = []
    for item in text.split():
        name, weight, women = item.split(":")
        out.append((name, float(weight), float(women)))
    return tuple(out)


B, M, D = "bachelor", "master", "doctor"

# --- 东方音乐学院 (Shanghai) ------------------------------------------------------------------------
DFCM_DEPARTMENTS = (
    DepartmentSpec(
        "作曲系", "01", "composition",
        (Programme(B, "作曲与作曲技术理论", 30, _specs("作曲:4:0.45 作曲技术理论:2:0.55 视唱练耳:1:0.7"), "composition"),),
        "吴立群", "作曲系、指挥系辅导员",
    ),
    DepartmentSpec(
        "指挥系", "02", "conducting",
        (Programme(B, "指挥", 12, _specs("乐队指挥:2:0.3 合唱指挥:1:0.6"), "conducting"),),
        staff_shared_with="作曲系",
    ),
    DepartmentSpec(
        "音乐学系", "03", "musicology",
        (Programme(B, "音乐学", 28, _specs("音乐学:3:0.75 音乐史:1:0.7 民族音乐学:1:0.7 音乐治疗:1:0.8"), "musicology"),),
        "许晴", "音乐学系辅导员",
    ),
    DepartmentSpec(
        "钢琴系", "04", "piano",
        (Programme(B, "音乐表演", 55, _specs("钢琴:8:0.72 钢琴艺术指导:2:0.8 管风琴:0.4:0.6"), "piano"),),
        "陈思远", "钢琴系辅导员",
    ),
    DepartmentSpec(
        "声乐歌剧系", "05", "voice",
        (Programme(B, "音乐表演", 62, _specs("女高音:5:1 女中音:1.5:1 男高音:2.5:0 男中音:2:0 男低音:0.5:0"), "voice"),),
        "杨柳", "声乐歌剧系辅导员",
    ),
    DepartmentSpec(
        "管弦系", "06", "orchestra",
        (
            Programme(
                B, "音乐表演", 85,
                _specs(
                    "小提琴:8:0.68 中提琴:2.5:0.6 大提琴:3:0.62 低音提琴:1.2:0.3 长笛:1.5:0.8 "
                    "双簧管:1:0.55 单簧管:1.2:0.45 大管:0.8:0.4 圆号:1.2:0.3 小号:1.2:0.15 "
                    "长号:0.8:0.1 大号:0.4:0.05 竖琴:0.6:0.95"
                ),
                "orchestra",
            ),
        ),
        "马骏", "管弦系辅导员",
    ),
    DepartmentSpec(
        "民族音乐系", "07", "chinese",
        (
            Programme(
                B, "音乐表演", 62,
                _specs("古筝:3:0.95 二胡:3:0.55 琵琶:2.5:0.85 笛子:1.5:0.3 扬琴:1:0.75 笙:0.8:0.25 唢呐:0.6:0.15 中阮:0.8:0.7 民族打击乐:0.6:0.3"),
                "chinese",
            ),
        ),
        "何静怡", "民族音乐系辅导员",
    ),
    DepartmentSpec(
        "现代器乐与打击乐系", "08", "modern",
        (
            Programme(
                B, "音乐表演", 42,
                _specs("打击乐:3:0.3 爵士鼓:2:0.15 手风琴:1:0.45 吉他:1.5:0.3 萨克斯管:1:0.25 电贝司:0.8:0.15 爵士钢琴:1:0.5 双排键电子琴:1:0.7"),
                "modern",
            ),
        ),
        "高翔", "现代器乐与打击乐系辅导员",
    ),
    DepartmentSpec(
        "音乐工程系", "09", "engineering",
        (
            Programme(B, "录音艺术", 26, _specs("录音工程:3:0.3 音乐制作:2:0.35"), "engineering"),
            Programme(B, "作曲与作曲技术理论", 10, _specs("电子音乐作曲:1:0.35"), "engineering"),
        ),
        "郑凯", "音乐工程系辅导员",
    ),
    DepartmentSpec(
        "艺术管理系", "10", "management",
        (Programme(B, "艺术管理", 32, _specs("演出经营与管理:2:0.8 音乐传媒与产业:1:0.78"), "management"),),
        "罗佳", "艺术管理系辅导员",
    ),
    DepartmentSpec(
        "音乐教育系", "11", "education",
        (Programme(B, "音乐学（师范）", 48, _specs("音乐教育:4:0.82 合唱指挥与教学:1:0.7"), "education"),),
        "梁雪", "音乐教育系辅导员",
    ),
    DepartmentSpec(
        "音乐戏剧系", "12", "theatre",
        (Programme(B, "音乐剧表演", 28, _specs("音乐剧表演:1:0.6"), "theatre"),),
        "宋雨桐", "音乐戏剧系辅导员",
    ),
    DepartmentSpec(
        "数字媒体艺术学院", "13", "media",
        (
            Programme(B, "数字媒体艺术", 30, _specs("数字音频:1:0.4 交互媒体艺术:1:0.55 影视音乐制作:1:0.45"), "media"),
            Programme(B, "艺术与科技", 16, _specs("声音设计:1:0.45 演艺技术:1:0.35"), "media"),
        ),
        "唐浩", "数字媒体艺术学院辅导员",
    ),
    DepartmentSpec(
        "研究生部", "14", "graduate",
        (
            Programme(
                M, "音乐与舞蹈学", 45,
                _specs("音乐学:2:0.75 作曲技术理论:1:0.5 音乐表演艺术研究:1:0.7 音乐教育:0.7:0.8 艺术管理:0.5:0.8"),
                "master",
            ),
            Programme(
                M, "音乐", 100,
                _specs(
                    "钢琴:2:0.7 声乐:2:0.6 小提琴:1:0.65 大提琴:0.5:0.6 管乐:0.8:0.45 "
                    "民族器乐:1.2:0.65 作曲:0.8:0.4 指挥:0.4:0.3 录音艺术:0.4:0.3 音乐剧:0.3:0.6 打击乐:0.3:0.3"
                ),
                "master",
            ),
            Programme(
                D, "音乐与舞蹈学", 18,
                _specs("音乐学:2:0.6 作曲技术理论:1:0.4 音乐表演艺术研究:1:0.5 民族音乐学:0.6:0.6"),
                "doctor",
            ),
        ),
        "韩冰", "研究生部就业秘书",
    ),
)  # fmt: skip

DFCM_STAFF = (
    StaffSpec("centre", "林晓岚", "career_centre", "就业指导中心主任",
              "全校看板（各院系落实率、签约率，与去年同期对比）、待审批去向、生源导入、工作人员管理"),
    StaffSpec("centre2", "周子涵", "career_centre", "就业指导中心科员", "批量审批去向（与中心主任轮流审批）"),
    StaffSpec("leader", "沈国华", "leadership", "分管学生工作副院长", "只读：全校看板和各院系排名"),
    StaffSpec("mentor", "顾文清", "teacher", "钢琴系教授（毕业生导师）", "名下约十名钢琴系毕业生及其去向"),
    StaffSpec("xinli", "许静怡", "psych_counsellor", "心理健康教育中心老师",
              "心理关怀转介与保密记录（只有本角色看得到个人自评；其他角色只看到人数）"),
)  # fmt: skip

# Where the conservatory's students come from (province prefix, weight).
DFCM_ORIGINS = (
    ("31", 14), ("32", 12), ("33", 11), ("34", 7), ("37", 8), ("42", 5), ("41", 6), ("35", 4),
    ("36", 3), ("43", 4), ("44", 3), ("51", 3), ("13", 3), ("21", 2), ("23", 1.5), ("22", 1),
    ("14", 2), ("61", 2), ("11", 1.5), ("12", 1), ("50", 1.5), ("45", 1.5), ("53", 1),
    ("52", 1), ("62", 1), ("15", 1), ("65", 1), ("46", 0.5), ("64", 0.5), ("63", 0.3), ("54", 0.3),
)  # fmt: skip

# --- 江城音乐学院 (Wuhan), the paired conservatory ---------------------------------------------------
JCCM_DEPARTMENTS = (
    DepartmentSpec(
        "作曲系", "01", "composition",
        (Programme(B, "作曲与作曲技术理论", 20, _specs("作曲:3:0.45 作曲技术理论:1:0.55"), "composition"),),
        "黄志远", "作曲系辅导员",
    ),
    DepartmentSpec(
        "音乐学系", "02", "musicology",
        (Programme(B, "音乐学", 22, _specs("音乐学:3:0.75 音乐治疗:1:0.8"), "musicology"),),
        "刘畅", "音乐学系辅导员",
    ),
    DepartmentSpec(
        "钢琴系", "03", "piano",
        (Programme(B, "音乐表演", 38, _specs("钢琴:6:0.72 钢琴艺术指导:1:0.8"), "piano"),),
        "彭丽", "钢琴系辅导员",
    ),
    DepartmentSpec(
        "声乐系", "04", "voice",
        (Programme(B, "音乐表演", 48, _specs("女高音:4:1 女中音:1:1 男高音:2:0 男中音:2:0 民族声乐:3:0.8"), "voice"),),
        "曾敏", "声乐系辅导员",
    ),
    DepartmentSpec(
        "管弦系", "05", "orchestra",
        (
            Programme(
                B, "音乐表演", 55,
                _specs("小提琴:6:0.68 中提琴:2:0.6 大提琴:2.5:0.62 低音提琴:1:0.3 长笛:1.5:0.8 单簧管:1:0.45 圆号:1:0.3 小号:1:0.15 长号:0.6:0.1"),
                "orchestra",
            ),
        ),
        "王磊", "管弦系辅导员",
    ),
    DepartmentSpec(
        "民族器乐系", "06", "chinese",
        (Programme(B, "音乐表演", 45, _specs("古筝:3:0.95 二胡:3:0.55 琵琶:2:0.85 笛子:1.5:0.3 扬琴:1:0.75 编钟:0.5:0.6"), "chinese"),),
        "陈曦", "民族器乐系辅导员",
    ),
    DepartmentSpec(
        "流行音乐系", "07", "modern",
        (Programme(B, "音乐表演", 28, _specs("流行演唱:3:0.6 爵士鼓:1:0.15 电吉他:1:0.2 键盘:1:0.5"), "modern"),),
        "李想", "流行音乐系辅导员",
    ),
    DepartmentSpec(
        "音乐教育学院", "08", "education",
        (Programme(B, "音乐学（师范）", 55, _specs("音乐教育:4:0.82 合唱指挥与教学:1:0.7"), "education"),),
        "张琳", "音乐教育学院辅导员",
    ),
    DepartmentSpec(
        "音乐工程系", "09", "engineering",
        (Programme(B, "录音艺术", 20, _specs("录音工程:2:0.3 电子音乐制作:1:0.35"), "engineering"),),
        "赵鹏", "音乐工程系辅导员",
    ),
    DepartmentSpec(
        "舞蹈系", "10", "dance",
        (
            Programme(B, "舞蹈表演", 24, _specs("中国古典舞:2:0.8 民族民间舞:2:0.75 现代舞:1:0.6"), "dance"),
            Programme(B, "舞蹈编导", 8, _specs("舞蹈编导:1:0.65"), "dance"),
        ),
        "孙悦", "舞蹈系辅导员",
    ),
    DepartmentSpec(
        "艺术管理系", "11", "management",
        (Programme(B, "艺术管理", 17, _specs("演出经营与管理:1:0.8"), "management"),),
        staff_shared_with="音乐学系",
    ),
    DepartmentSpec(
        "研究生处", "12", "graduate",
        (
            Programme(M, "音乐与舞蹈学", 25, _specs("音乐学:2:0.75 作曲技术理论:1:0.5 舞蹈学:1:0.8"), "master"),
            Programme(M, "音乐", 45, _specs("钢琴:2:0.7 声乐:2:0.6 器乐:2:0.55 作曲:0.6:0.4"), "master"),
        ),
        "吕明", "研究生处就业秘书",
    ),
)  # fmt: skip

JCCM_STAFF = (
    StaffSpec("centre", "胡文静", "career_centre", "就业指导中心主任",
              "江城音乐学院自己的看板和数据（看不到东方音乐学院的任何数据）"),
    StaffSpec("leader", "邓建国", "leadership", "分管学生工作副院长", "只读：全校看板"),
    StaffSpec("mentor", "曾一鸣", "teacher", "声乐系副教授（毕业生导师）", "名下声乐系毕业生"),
)  # fmt: skip

JCCM_ORIGINS = (
    ("42", 42), ("41", 8), ("43", 7), ("36", 5), ("34", 5), ("37", 4), ("51", 4), ("50", 3),
    ("44", 2), ("32", 2), ("33", 2), ("13", 2), ("14", 2), ("61", 2), ("45", 1.5), ("52", 1.5),
    ("53", 1), ("62", 1), ("35", 1), ("21", 1), ("23", 1), ("15", 0.5), ("65", 0.5), ("64", 0.3),
)  # fmt: skip

# The season of 2020 ran late everywhere (COVID-19: exams, offers and visas postponed), Wuhan's
# most: nothing moved there before the lockdown ended on 8 April.
COVID_FACTORS = {
    "85": 0.7, "10": 0.9, "11": 0.95, "70": 1.5, "71": 1.2, "76": 1.15, "504": 1.4, "502": 1.3,
    "801": 1.15,
}  # fmt: skip

DFCM = InstitutionProfile(
    code="90001",
    name="东方音乐学院",
    short_name="东音",
    domain="dfcm.example",
    home="310104",
    origins=DFCM_ORIGINS,
    departments=DFCM_DEPARTMENTS,
    staff=DFCM_STAFF,
    student_no_style="dfcm",
    mentor_department="钢琴系",
    delays={2020: 18},
    year_factors={2020: COVID_FACTORS},
)
JCCM = InstitutionProfile(
    code="90002",
    name="江城音乐学院",
    short_name="江音",
    domain="jccm.example",
    home="420106",
    origins=JCCM_ORIGINS,
    departments=JCCM_DEPARTMENTS,
    staff=JCCM_STAFF,
    student_no_style="jccm",
    mentor_department="声乐系",
    delays={2020: 30},
    closed_until={2020: (4, 8)},
    year_factors={2020: {**COVID_FACTORS, "70": 1.9, "10": 0.85, "85": 0.6}},
)
DEMO_PROFILES = (DFCM, JCCM)
DEMO_COHORTS = {DFCM.code: {2019: 650, 2020: 729}, JCCM.code: {2019: 430, 2020: 450}}
PLATFORM_ADMIN = ("admin@qihang.example", "平台管理员")

# --- Destination mixes -----------------------------------------------------------------------------
# code -> weight; sub-codes: 504 特岗教师, 502 三支一扶, 503 西部计划, 512 选调生, 519 其他地方基层,
# 801 研究生. Signing rate (10 + 11): conducting ~55%, composition ~50%, modern ~47%, the rest less.
OUTCOMES: dict[str, dict[str, float]] = {
    "conducting": {"10": 40, "11": 18, "12": 5, "76": 8, "801": 10, "85": 12, "70": 3, "71": 2, "72": 1},
    "composition": {"10": 30, "11": 23, "12": 6, "75": 3, "76": 8, "801": 12, "85": 13, "70": 3, "71": 2, "72": 1},
    "modern": {"10": 27, "11": 23, "12": 8, "46": 1, "75": 5, "76": 16, "801": 5, "85": 8, "70": 3, "71": 1, "72": 1},
    "orchestra": {"10": 18, "11": 12, "12": 8, "76": 14, "801": 10, "85": 25, "70": 4, "71": 2, "72": 1},
    "piano": {"10": 12, "11": 10, "12": 8, "75": 6, "76": 16, "801": 10, "85": 28, "70": 3, "71": 2, "72": 1},
    "voice": {"10": 15, "11": 10, "12": 8, "46": 1, "502": 1, "76": 18, "801": 14, "85": 20, "70": 4, "71": 2, "72": 1},
    "chinese": {"10": 18, "11": 10, "12": 9, "504": 2, "75": 4, "76": 18, "801": 14, "85": 8, "70": 5, "71": 3, "72": 1},
    "musicology": {"10": 12, "11": 14, "12": 8, "27": 2, "76": 5, "801": 25, "85": 18, "70": 4, "71": 4, "72": 1},
    "engineering": {"10": 10, "11": 25, "12": 10, "75": 6, "76": 12, "801": 10, "85": 14, "70": 4, "71": 2, "72": 1},
    "management": {"10": 10, "11": 28, "12": 10, "512": 1, "75": 3, "76": 6, "801": 10, "85": 18, "70": 4, "71": 2, "72": 1},
    "education": {"10": 30, "11": 6, "12": 5, "504": 9, "502": 2, "512": 1, "519": 2, "76": 5, "801": 14, "85": 5, "70": 3, "71": 2, "72": 1},
    "theatre": {"10": 8, "11": 18, "12": 12, "75": 4, "76": 25, "801": 6, "85": 12, "70": 5, "71": 2, "72": 1},
    "media": {"10": 8, "11": 28, "12": 12, "75": 6, "76": 18, "801": 8, "85": 10, "70": 4, "71": 1, "72": 1},
    "dance": {"10": 20, "11": 15, "12": 10, "46": 1, "75": 5, "76": 15, "801": 8, "85": 6, "70": 6, "71": 3, "72": 2},
    "master": {"10": 24, "11": 13, "12": 8, "27": 3, "504": 1, "76": 10, "801": 8, "85": 10, "70": 5, "71": 2, "72": 2},
    "doctor": {"10": 70, "11": 5, "27": 6, "85": 6, "76": 3, "70": 3, "72": 2},
}  # fmt: skip

# Where employed graduates of each kind go: sector -> weight (see EMPLOYMENT_SECTORS).
SECTORS: dict[str, dict[str, float]] = {
    "conducting": {"troupe": 6, "school": 2, "university": 2, "company": 1, "training": 0.5},
    "composition": {"troupe": 2, "university": 2, "company": 4, "school": 1, "training": 1},
    "modern": {"troupe": 3, "company": 4, "training": 2, "school": 1},
    "orchestra": {"troupe": 6, "school": 1.5, "training": 2, "company": 1, "university": 0.5},
    "piano": {"troupe": 1, "school": 2, "training": 5, "university": 1, "company": 1},
    "voice": {"troupe": 4, "school": 2, "training": 2, "company": 1},
    "chinese": {"troupe": 5, "school": 2, "training": 2, "company": 1},
    "musicology": {"university": 2, "company": 3, "school": 2, "troupe": 1},
    "engineering": {"company": 6, "troupe": 1, "university": 1},
    "management": {"company": 5, "troupe": 3, "university": 0.5},
    "education": {"school": 8, "training": 2, "university": 0.5},
    "theatre": {"troupe": 3, "company": 4, "training": 2},
    "media": {"company": 8, "university": 0.5},
    "dance": {"troupe": 5, "school": 2, "training": 3, "company": 1},
    "master": {"university": 4, "school": 2, "troupe": 3, "company": 2, "training": 1},
    "doctor": {"university": 9, "troupe": 1},
}
# Which sectors each employment code draws from.
EMPLOYMENT_SECTORS = {
    "10": ("troupe", "school", "university", "company"),
    "11": ("company", "troupe", "training"),
    "12": ("training", "company", "troupe"),
}
# Kinds of troupe that suit a programme kind (see TROUPES).
TROUPE_KINDS = {
    "conducting": ("orchestra", "choir", "opera"),
    "composition": ("songdance", "opera", "orchestra"),
    "modern": ("pop", "songdance", "orchestra"),
    "orchestra": ("orchestra",),
    "piano": ("venue", "orchestra", "opera"),
    "voice": ("opera", "choir", "songdance"),
    "chinese": ("chinese", "songdance"),
    "musicology": ("venue",),
    "engineering": ("venue", "songdance"),
    "management": ("venue",),
    "theatre": ("musical", "songdance"),
    "dance": ("dance", "songdance"),
    "media": ("venue",),
    "master": ("orchestra", "opera", "chinese", "choir", "songdance", "venue"),
    "doctor": ("venue",),
    "education": ("choir",),
}

# --- Employers (fictional) -------------------------------------------------------------------------
# (name, employer nature, division, kinds)
TROUPES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("东方交响乐团", "29", "310104", ("orchestra",)),
    ("申江爱乐乐团", "31", "310106", ("orchestra",)),
    ("东方歌剧院", "29", "310101", ("opera", "choir")),
    ("东方民族乐团", "29", "310104", ("chinese",)),
    ("申江歌舞剧院", "31", "310105", ("songdance", "dance", "chinese")),
    ("申城合唱团", "29", "310106", ("choir",)),
    ("申江音乐剧团有限公司", "39", "310101", ("musical",)),
    ("东方大剧院", "29", "310115", ("venue",)),
    ("申江艺术中心", "29", "310104", ("venue",)),
    ("申江城市爵士乐团", "39", "310106", ("pop",)),
    ("姑苏交响乐团", "29", "320508", ("orchestra",)),
    ("秦淮民族乐团", "29", "320104", ("chinese",)),
    ("钟山歌剧舞剧院", "31", "320102", ("opera", "dance", "songdance")),
    ("锡城爱乐乐团", "29", "320213", ("orchestra",)),
    ("钱塘爱乐乐团", "31", "330106", ("orchestra",)),
    ("钱塘歌舞剧院", "29", "330102", ("songdance", "dance", "pop")),
    ("甬江交响乐团", "29", "330203", ("orchestra",)),
    ("越音民族乐团", "29", "330602", ("chinese",)),
    ("庐州民族乐团", "29", "340103", ("chinese",)),
    ("泉城交响乐团", "29", "370102", ("orchestra",)),
    ("岛城歌舞剧院", "29", "370202", ("songdance", "pop")),
    ("京华交响乐团", "29", "110105", ("orchestra",)),
    ("京华歌剧舞剧院", "29", "110102", ("opera", "dance")),
    ("燕京民族乐团", "29", "110101", ("chinese",)),
    ("京华合唱团", "29", "110108", ("choir",)),
    ("京华音乐剧院有限公司", "39", "110105", ("musical",)),
    ("鹏城交响乐团", "29", "440304", ("orchestra",)),
    ("羊城歌舞剧院", "29", "440104", ("songdance", "dance", "pop")),
    ("南粤民族乐团", "29", "440106", ("chinese",)),
    ("鹏城音乐厅", "29", "440304", ("venue",)),
    ("江城交响乐团", "29", "420106", ("orchestra",)),
    ("楚天歌剧院", "29", "420102", ("opera", "choir")),
    ("荆楚民族乐团", "29", "420106", ("chinese",)),
    ("汉江歌舞剧院", "31", "420103", ("songdance", "dance", "pop")),
    ("江城大剧院", "29", "420102", ("venue",)),
    ("江城音乐剧团有限公司", "39", "420106", ("musical",)),
    ("蓉城民族乐团", "29", "510104", ("chinese",)),
    ("蓉城交响乐团", "29", "510107", ("orchestra",)),
    ("长安歌舞剧院", "29", "610103", ("songdance", "dance", "chinese")),
    ("潇湘交响乐团", "29", "430102", ("orchestra",)),
    ("潇湘歌舞剧院", "29", "430104", ("songdance", "dance")),
    ("中原歌舞剧院", "29", "410105", ("songdance", "chinese")),
    ("闽江交响乐团", "29", "350102", ("orchestra",)),
    ("山城歌剧院", "29", "500103", ("opera", "songdance")),
    ("琼州交响乐团", "29", "460105", ("orchestra",)),
    ("津门歌舞剧院", "29", "120101", ("songdance", "dance")),
)  # fmt: skip

# Higher education (nature 21): (name, division)
UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("申江师范大学音乐学院", "310104"), ("申江大学艺术学院", "310110"),
    ("钱塘职业艺术学院", "330106"), ("淮海师范学院音乐学院", "320303"),
    ("皖江师范学院音乐学院", "340202"), ("中原文理学院音乐系", "410102"),
    ("楚天艺术职业学院", "420111"), ("江汉师范学院音乐学院", "420102"),
    ("潇湘师范学院音乐学院", "430104"), ("齐州艺术学院", "370102"),
    ("八闽艺术职业学院", "350102"), ("巴渝艺术学院", "500106"),
    ("南岭师范学院音乐学院", "440106"), ("西岭艺术学院", "510107"),
    ("京华艺术职业学院", "110108"), ("陇原师范学院音乐学院", "620102"),
)  # fmt: skip

# Domestic further study (801): conservatories and universities with graduate programmes.
GRADUATE_SCHOOLS: tuple[tuple[str, str, float], ...] = (
    ("东方音乐学院", "310104", 6), ("江城音乐学院", "420106", 3), ("京华音乐学院", "110102", 3),
    ("西岭音乐学院", "510107", 2), ("南粤艺术学院", "440106", 2), ("北国音乐学院", "210102", 1),
    ("长安音乐学院", "610113", 1.5), ("津门音乐学院", "120101", 1), ("申江师范大学", "310104", 2),
    ("潇湘师范大学", "430104", 1),
)  # fmt: skip

# Study abroad (85 出国、出境): real institutions people go to; (name, weight, kind, ISO 3166-1
# country) — kind "general" suits arts management, media and musicology. The conservatories of Russia, Poland, Hungary, Czechia, Belarus, Thailand, Malaysia and Singapore
# are in the Belt and Road countries (regions “一带一路”); 中国香港 and 中国澳门 are 出境.
ABROAD: tuple[tuple[str, float, str, str], ...] = (
    ("英国皇家音乐学院", 3, "music", "GB"), ("皇家北方音乐学院（英国）", 2, "music", "GB"),
    ("伦敦市政厅音乐与戏剧学院", 1.5, "music", "GB"), ("茱莉亚音乐学院（美国）", 1, "music", "US"),
    ("曼哈顿音乐学院（美国）", 2, "music", "US"), ("伯克利音乐学院（美国）", 2.5, "music", "US"),
    ("新英格兰音乐学院（美国）", 1.5, "music", "US"), ("南加州大学桑顿音乐学院", 1.5, "music", "US"),
    ("印第安纳大学雅各布斯音乐学院", 1, "music", "US"), ("柏林艺术大学（德国）", 2, "music", "DE"),
    ("汉诺威音乐与戏剧学院（德国）", 1.5, "music", "DE"), ("科隆音乐与舞蹈学院（德国）", 1, "music", "DE"),
    ("慕尼黑音乐与戏剧学院（德国）", 1, "music", "DE"),
    ("维也纳音乐与表演艺术大学（奥地利）", 2, "music", "AT"),
    ("莫扎特音乐大学（奥地利萨尔茨堡）", 1, "music", "AT"),
    ("巴黎国立高等音乐学院（法国）", 1, "music", "FR"),
    ("米兰威尔第音乐学院（意大利）", 1.5, "music", "IT"),
    ("罗马圣切契利亚音乐学院（意大利）", 1, "music", "IT"),
    ("莫斯科柴可夫斯基音乐学院（俄罗斯）", 1.5, "music", "RU"),
    ("圣彼得堡音乐学院（俄罗斯）", 1.5, "music", "RU"), ("格涅辛音乐学院（俄罗斯）", 1, "music", "RU"),
    ("白俄罗斯国立音乐学院", 0.5, "music", "BY"), ("肖邦音乐大学（波兰华沙）", 1, "music", "PL"),
    ("李斯特音乐学院（匈牙利布达佩斯）", 1, "music", "HU"),
    ("布拉格表演艺术学院（捷克）", 0.5, "music", "CZ"),
    ("玛希隆大学音乐学院（泰国）", 1, "music", "TH"), ("博特拉大学音乐系（马来西亚）", 1, "music", "MY"),
    ("马来亚大学文化中心（马来西亚）", 0.5, "general", "MY"),
    ("东京艺术大学（日本）", 1, "music", "JP"), ("香港演艺学院", 1.5, "music", "HK"),
    ("悉尼大学音乐学院（澳大利亚）", 1, "music", "AU"), ("多伦多大学音乐学院（加拿大）", 1, "music", "CA"),
    ("新加坡国立大学杨秀桃音乐学院", 0.5, "music", "SG"), ("南洋艺术学院（新加坡）", 0.5, "music", "SG"),
    ("伦敦大学金史密斯学院（英国）", 1, "general", "GB"), ("纽约大学斯坦哈特学院（美国）", 1, "general", "US"),
    ("爱丁堡大学（英国）", 1, "general", "GB"), ("伦敦国王学院（英国）", 1, "general", "GB"),
    ("香港大学", 0.5, "general", "HK"), ("澳门城市大学", 0.5, "general", "MO"),
    ("华威大学（英国）", 0.5, "general", "GB"),
)  # fmt: skip
ABROAD_GENERAL_KINDS = frozenset({"management", "media", "musicology", "engineering"})

# Parts of fictional names for schools, companies, studios and training schools.
BRANDS = "和鸣 知音 星河 悦音 声海 琴心 鹿鸣 云端 律动 青禾 弦歌 清音 乐府 雅韵 声浪 听澜 启明 明远 致远 博雅".split()
SCHOOL_WORDS = "启明 育英 弦歌 鹿鸣 青禾 明远 致远 知行 崇文 博雅 星河 春晖 嘉禾 翰林".split()
SCHOOL_KINDS = (("中学", 3), ("实验学校", 2), ("小学", 3), ("外国语学校", 1), ("艺术学校", 0.5))
# (business, nature, programme kinds it suits or () for any)
COMPANY_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("文化传媒有限公司", "39", ()),
    ("演艺有限公司", "39", ("theatre", "voice", "modern", "dance", "management")),
    ("音乐科技有限公司", "39", ("engineering", "media", "composition")),
    ("数字娱乐有限公司", "39", ("media", "composition", "engineering")),
    ("教育科技有限公司", "39", ("piano", "education", "orchestra", "musicology", "master")),
    ("影视文化有限公司", "39", ("composition", "media", "engineering", "theatre")),
    ("唱片有限公司", "39", ("engineering", "composition", "modern", "voice")),
    ("演出经纪有限公司", "39", ("management", "modern", "voice", "theatre")),
    ("声学科技有限公司", "39", ("engineering",)),
)
# A few large employers by name: (name, nature, division, programme kinds)
NAMED_COMPANIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("东方演艺集团有限公司", "31", "310101", ("management", "theatre", "voice", "modern", "dance")),
    ("和声唱片（中国）有限公司", "32", "310106", ("engineering", "composition", "modern")),
    ("楚天演艺集团有限公司", "31", "420102", ("management", "theatre", "voice", "dance")),
    ("星河数字娱乐股份有限公司", "39", "440305", ("media", "composition", "engineering")),
)  # fmt: skip

# Freelance work (76): the note the record carries, by programme kind ("" for any).
FREELANCE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("独立演奏、商业演出", ("orchestra", "chinese", "modern", "piano", "master")),
    ("钢琴陪练与线上教学", ("piano",)),
    ("声乐私教、商业演出", ("voice", "theatre")),
    ("网络音乐主播", ("voice", "modern", "chinese", "media", "theatre")),
    ("短视频平台音乐创作者", ("media", "composition", "modern", "engineering")),
    ("自由编曲、作曲", ("composition", "engineering", "media")),
    ("录音、混音自由职业", ("engineering",)),
    ("乐器私教、线上课程", ("orchestra", "chinese", "modern", "education")),
    ("婚礼及商业演出乐手", ("modern", "orchestra", "chinese")),
    ("自由撰稿（乐评、音乐推广）", ("musicology", "management")),
    ("独立舞者、舞蹈教学", ("dance",)),
)  # fmt: skip

# Why a department or the career centre returns a record, by destination code, and what the
# graduate writes in the note when resubmitting. Key "" is for any code.
RETURN_REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    "10": (
        ("就业协议书缺少用人单位签章页，请上传完整扫描件。", "已上传签章完整的就业协议书"),
        ("单位名称与协议书不一致，请按单位公章上的全称填写。", "已按协议书更正单位全称"),
        ("签约日期与协议书不一致，请核对后重新提交。", "已核对签约日期"),
    ),
    "11": (
        ("劳动合同缺少双方签字页，请补充后重新提交。", "已补充劳动合同签字页"),
        ("统一社会信用代码与单位名称不符，请核对。", "已核对统一社会信用代码"),
    ),
    "12": (
        ("录用证明未加盖单位公章，请补充后重新提交。", "已补充加盖公章的录用证明"),
        ("实习证明不能作为就业证明，请上传劳动合同或录用证明。", "已上传录用证明"),
    ),
    "76": (("自由职业须上传本人签字的《自由职业声明》并注明收入来源。", "已上传自由职业声明"),),
    "75": (("自主创业须上传营业执照及经营情况说明。", "已上传营业执照"),),
    "85": (("出国（境）留学须上传录取通知书（offer）扫描件。", "已上传录取通知书"),),
    "80": (("升学须上传拟录取通知或录取名单截图。", "已上传拟录取通知"),),
    "": (("证明材料不清晰，请重新上传。", "已重新上传证明材料"),),
}
CENTRE_RETURN_REASONS = (
    ("单位所在地与单位地址不符，请更正行政区划。", "已更正单位所在地"),
    ("证明材料与填报的毕业去向不一致，请核对后重新提交。", "已核对并补充材料"),
)
# Why a graduate changes an approved record, by the new code's class.
CHANGE_REASONS = {
    "10": "已与用人单位签订就业协议",
    "11": "已签订劳动合同",
    "12": "已取得录用证明",
    "50": "已通过基层项目招录",
    "51": "已通过地方基层项目招录",
    "80": "已收到研究生拟录取通知",
    "85": "已收到国（境）外院校录取通知",
    "75": "已办理营业执照，自主创业",
    "76": "已开始自由职业",
    "46": "已应征入伍",
    "27": "已聘为科研助理",
    "": "去向有变化，更新登记",
}
STAFF_RECORD_REASONS = (
    "根据毕业生提交的材料代为登记",
    "经电话核实，更新毕业生去向",
    "毕业生未能登录系统，由辅导员代为填报",
)
LATE_RECORD_REASON = "登记截止后根据毕业生提交的证明材料更新去向"
