"""Demo résumés and portfolios (issue 8, resumes): for a realistic share of the latest cohort
of both demo schools — every graduate with an account, and about a third of the others.
Performers list repertoire by their instrument, performances, masterclasses, ensembles and
recordings as links to the common platforms; 师范 graduates teaching experience. About two in
three consent to be found by employers, a few withdrew again, and employers verified at the
school have read some of the consenting résumés (the graduate's "谁看过我的简历").

Rows are bulk-written as history (no audit rows: the demo's own load is audited once), and the
same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import Max

from qihang.audit.models import SensitiveRead
from qihang.demo import catalogue as cat
from qihang.employers.models import EmployerMember, EmployerStanding, StandingStatus
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution
from qihang.resumes.models import (
    Award,
    ConsentChange,
    Education,
    Ensemble,
    Language,
    Masterclass,
    MediaItem,
    MediaKind,
    Performance,
    ReadPart,
    Repertoire,
    Resume,
    Skill,
    Teaching,
)

SHARE = 0.35  # of the latest cohort's graduates without an account
CONSENT = 0.65

# Repertoire by the graduate's specialization (its first matching key), then a general list.
REPERTOIRE: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    "钢琴": (
        ("肖邦", "第一叙事曲 g小调 Op.23", "", 1835),
        ("贝多芬", "第二十三钢琴奏鸣曲“热情” Op.57", "第三乐章", 1805),
        ("拉赫玛尼诺夫", "第二钢琴协奏曲 c小调 Op.18", "第一乐章", 1901),
        ("巴赫", "平均律钢琴曲集第一卷", "第八首前奏曲与赋格", 1722),
        ("储望华", "二泉映月（钢琴改编曲）", "", 1972),
    ),
    "提琴": (
        ("柴科夫斯基", "D大调小提琴协奏曲 Op.35", "第一乐章", 1878),
        ("巴赫", "无伴奏大提琴组曲第一号 BWV 1007", "前奏曲", 1720),
        ("何占豪、陈钢", "梁山伯与祝英台", "", 1959),
        ("德沃夏克", "b小调大提琴协奏曲 Op.104", "第二乐章", 1895),
    ),
    "音": (  # 女高音, 男中音 …
        ("莫扎特", "费加罗的婚礼", "苏珊娜咏叹调“美妙的时刻就要来临”", 1786),
        ("普契尼", "贾尼·斯基基", "“亲爱的爸爸”", 1918),
        ("黄自", "玫瑰三愿", "", 1932),
        ("舒伯特", "冬之旅 D.911", "菩提树", 1827),
    ),
    "笛": (
        ("莫扎特", "G大调长笛协奏曲 K.313", "第一乐章", 1778),
        ("德彪西", "牧神午后前奏曲（乐队片段）", "", 1894),
    ),
    "二胡": (
        ("刘天华", "良宵", "", 1928),
        ("华彦钧", "二泉映月", "", 1950),
        ("刘文金", "长城随想", "第一乐章", 1981),
    ),
    "琵琶": (("刘德海", "天鹅", "", 1980), ("传统乐曲", "十面埋伏", "", 1818)),
    "古筝": (("王昌元", "战台风", "", 1965), ("传统乐曲", "渔舟唱晚", "", 1938)),
}
GENERAL = (
    ("贝多芬", "第五交响曲 c小调 Op.67", "第一乐章", 1808),
    ("马勒", "第五交响曲", "小柔板", 1902),
    ("谭盾", "卧虎藏龙协奏曲", "", 2000),
)
VENUES = (
    "上海音乐厅",
    "贺绿汀音乐厅",
    "上海交响乐团音乐厅",
    "江城大剧院",
    "东方艺术中心",
    "国家大剧院",
)
MASTERS = (
    ("郎朗", "钢琴大师课"),
    ("吕思清", "小提琴大师课"),
    ("廖昌永", "声乐大师课"),
    ("王健", "大提琴大师课"),
    ("宋飞", "二胡大师课"),
)
ENSEMBLES = ("学院交响乐团", "学院民族乐团", "青年室内乐团", "合唱团", "弦乐四重奏组")
PLATFORM_URLS = (
    "https://www.bilibili.com/video/BV1{code}",
    "https://v.youku.com/v_show/id_X{code}.html",
    "https://y.qq.com/n/ryqq/songDetail/00{code}",
    "https://music.163.com/#/song?id={number}",
)
PLATFORM_NAMES = ("哔哩哔哩", "优酷", "QQ音乐", "网易云音乐")
SCHOOLS = (
    "江城第一实验小学",
    "明德中学",
    "星海琴行艺术培训中心",
    "少年宫音乐教研组",
    "育才初级中学",
)
AWARDS = (
    ("中国音乐金钟奖", "入围"),
    ("全国高校音乐表演大赛", "二等奖"),
    ("上海之春国际音乐节青年演奏比赛", "三等奖"),
    ("长三角青年音乐人大赛", "优秀奖"),
)


def _repertoire(specialization: str) -> tuple[tuple[str, str, str, int], ...]:
    for key, works in REPERTOIRE.items():
        if key in specialization:
            return works
    return GENERAL


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    total = 0
    for institution in Institution.objects.filter(code__in=[cat.DFCM.code, cat.JCCM.code]).order_by(
        "code"
    ):
        rng = random.Random(f"{seed}:resumes:{institution.code}")
        latest = Graduate.objects.filter(institution=institution).aggregate(y=Max("cohort__year"))[
            "y"
        ]
        graduates = list(
            Graduate.objects.filter(institution=institution, cohort__year=latest)
            .select_related("major", "department", "cohort")
            .order_by("pk")
        )
        chosen = [g for g in graduates if g.user_id or rng.random() < SHARE]
        resumes = Resume.objects.bulk_create(
            [
                Resume(
                    institution=institution,
                    graduate=g,
                    headline=_headline(g),
                    summary=f"{institution.name}{g.major.name}专业{g.specialization or ''}方向应届毕业生。",
                    discoverable=rng.random() < CONSENT,
                )
                for g in chosen
            ]
        )
        rows: dict[type, list] = {}

        def add(model: type, resume: Resume, *, _rows=rows, _at=institution, **values) -> None:
            _rows.setdefault(model, []).append(model(institution=_at, resume=resume, **values))

        consents: list[ConsentChange] = []
        for resume, g in zip(resumes, chosen, strict=True):
            year = g.cohort.year
            add(
                Education,
                resume,
                school=institution.name,
                degree=g.get_degree_level_display(),
                major=f"{g.major.name}{'（' + g.specialization + '）' if g.specialization else ''}",
                period=f"{year - 4}.09–{year}.06",
            )
            add(Language, resume, language="英语", level=rng.choice(("CET-4", "CET-6", "雅思 6.5")))
            if rng.random() < 0.3:
                add(Language, resume, language=rng.choice(("德语", "意大利语", "日语")), level="B1")
            teacher = "师范" in g.major.name or "教育" in g.major.name
            if teacher:
                for _ in range(rng.randint(1, 3)):
                    add(
                        Teaching,
                        resume,
                        organisation=rng.choice(SCHOOLS),
                        subject=rng.choice(("音乐课", "合唱排练", "钢琴启蒙", "课后社团")),
                        period=f"{year - 1}.0{rng.randint(2, 9)}–{year}.0{rng.randint(1, 6)}",
                        description="教育实习" if rng.random() < 0.6 else "兼职教学",
                    )
                add(Skill, resume, name="教师资格证", level="中学音乐")
            performer = "表演" in g.major.name or "指挥" in g.major.name
            if performer:
                for composer, work, movement, work_year in rng.sample(
                    _repertoire(g.specialization), k=min(3, len(_repertoire(g.specialization)))
                ):
                    add(
                        Repertoire,
                        resume,
                        composer=composer,
                        work=work,
                        movement=movement,
                        year=work_year,
                    )
                for n in range(rng.randint(1, 3)):
                    add(
                        Performance,
                        resume,
                        title=rng.choice(
                            ("毕业音乐会", "新年音乐会", "青年演奏家系列", "室内乐专场")
                        ),
                        role=rng.choice(("独奏", "首席", "声部演奏员", "主演")),
                        venue=rng.choice(VENUES),
                        date=dt.date(year - n, rng.randint(1, 12), rng.randint(1, 28)),
                    )
                teacher_name, occasion = rng.choice(MASTERS)
                add(Masterclass, resume, teacher=teacher_name, occasion=occasion, year=year - 1)
                add(
                    Ensemble,
                    resume,
                    name=rng.choice(ENSEMBLES),
                    role=rng.choice(("演奏员", "首席", "副首席")),
                    period=f"{year - 3}–{year}",
                )
                for n in range(rng.randint(1, 2)):
                    at = rng.randrange(len(PLATFORM_URLS))
                    code = f"{rng.randrange(16**8):08x}"
                    add(
                        MediaItem,
                        resume,
                        title=f"{g.specialization or g.major.name}演奏录像{n + 1}",
                        kind=MediaKind.LINK,
                        url=PLATFORM_URLS[at].format(code=code, number=rng.randrange(10**9)),
                        platform=PLATFORM_NAMES[at],
                    )
                if rng.random() < 0.4:
                    name, prize = rng.choice(AWARDS)
                    add(Award, resume, name=name, prize=prize, year=year - 1)
            add(
                Skill,
                resume,
                name=rng.choice(("视唱练耳", "Sibelius 打谱", "Logic Pro 录音")),
                level="熟练",
            )
            if resume.discoverable:
                consents.append(
                    ConsentChange(
                        institution=institution,
                        resume=resume,
                        granted=True,
                        changed_by_id=g.user_id,
                    )
                )
            elif rng.random() < 0.1:
                # Consented, then withdrew: two rows of history.
                for granted in (True, False):
                    consents.append(
                        ConsentChange(
                            institution=institution,
                            resume=resume,
                            granted=granted,
                            changed_by_id=g.user_id,
                        )
                    )
        for model, objs in rows.items():
            model.objects.bulk_create(objs, batch_size=1000)
        ConsentChange.objects.bulk_create(consents, batch_size=1000)
        _employer_reads(institution, [r for r in resumes if r.discoverable], rng)
        total += len(resumes)
    if log:
        log(f"简历与作品集：{total} 份")


def _employer_reads(institution: Institution, resumes: list[Resume], rng: random.Random) -> None:
    """Employers verified at the school have read some consenting résumés."""
    verified = EmployerStanding.objects.filter(
        institution=institution, status=StandingStatus.VERIFIED
    ).values("employer_id")
    members = list(
        EmployerMember.objects.filter(employer_id__in=verified, is_active=True)
        .select_related("employer", "user")
        .order_by("pk")
    )
    if not members:
        return
    reads = []
    for resume in rng.sample(resumes, k=min(len(resumes), 40)):
        for member in rng.sample(members, k=min(len(members), rng.randint(1, 3))):
            reads.append(
                SensitiveRead(
                    institution=institution,
                    actor=member.user,
                    target_type=Resume._meta.label_lower,
                    target_id=str(resume.pk),
                    target_label=str(resume.graduate)[:120],
                    field=rng.choice((ReadPart.RESUME, ReadPart.RESUME, ReadPart.PRINTABLE)),
                    reason=f"用人单位查看：{member.employer.name}",
                )
            )
    SensitiveRead.objects.bulk_create(reads)


def _headline(g: Graduate) -> str:
    if "师范" in g.major.name:
        return "中小学音乐教师"
    if g.specialization:
        return f"{g.specialization}演奏员 / 艺术指导"
    return f"{g.major.name}相关岗位"
