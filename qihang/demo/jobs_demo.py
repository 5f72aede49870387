"""Demo jobs (issue 7): about 120 postings for music graduates across the demo employers, through
the jobs services (so guards, the workflow, audit rows and sharing are the real ones).

Some are published, some pending, some returned with a reason, some held by the guards for a
discriminatory phrase, some from the feed 上海市高校毕业生就业网, and some shared with the paired
江城音乐学院 (90002). Deadlines are relative to the real date at load time, so the postings look
open whenever the demo is run (the rest of the demo replays 2020)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from qihang.audit import chain
from qihang.demo import catalogue as cat
from qihang.employers.models import (
    Channel,
    Employer,
    EmployerMember,
    EmployerStanding,
    StandingStatus,
)
from qihang.institutions.models import Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.jobs import services
from qihang.jobs.models import JobKind, SpecialtyTag

FEED = "上海市高校毕业生就业网"

# (title, kind, specialty codes, degree levels, majors, salary range or None, description)
POSTINGS = [
    (
        "乐团招聘大提琴首席",
        JobKind.FULL_TIME,
        ["cello"],
        ["master", "doctor"],
        "音乐表演（大提琴）",
        (15000, 22000),
        "负责乐团大提琴声部的排练与演出，带领声部完成乐季音乐会及巡演。",
    ),
    (
        "大提琴演奏员",
        JobKind.FULL_TIME,
        ["cello"],
        ["bachelor", "master"],
        "音乐表演",
        (9000, 14000),
        "参加乐团日常排练、演出及教育推广音乐会，能适应国内外巡演。",
    ),
    (
        "小提琴演奏员（第二小提琴）",
        JobKind.FULL_TIME,
        ["violin"],
        ["bachelor", "master"],
        "音乐表演",
        (9000, 13000),
        "参加乐团排练演出；需通过乐团专业考核（指定曲目另行通知）。",
    ),
    (
        "中提琴演奏员",
        JobKind.FULL_TIME,
        ["viola"],
        ["bachelor", "master"],
        "音乐表演",
        (9000, 13000),
        "乐团中提琴声部演奏员，参与室内乐及教育项目。",
    ),
    (
        "低音提琴演奏员",
        JobKind.FULL_TIME,
        ["double_bass"],
        ["bachelor"],
        "音乐表演",
        (8500, 12000),
        "乐团低音提琴声部，参加交响乐与歌剧演出。",
    ),
    (
        "圆号演奏员",
        JobKind.FULL_TIME,
        ["horn"],
        ["bachelor", "master"],
        "管弦乐器演奏",
        (9000, 13000),
        "乐团圆号声部演奏员，参与乐季演出。",
    ),
    (
        "长笛演奏员",
        JobKind.FULL_TIME,
        ["flute"],
        ["bachelor", "master"],
        "管弦乐器演奏",
        (9000, 13000),
        "乐团长笛声部演奏员（兼短笛）。",
    ),
    (
        "单簧管演奏员",
        JobKind.FULL_TIME,
        ["clarinet"],
        ["bachelor"],
        "管弦乐器演奏",
        (8500, 12500),
        "参加乐团排练与演出，能胜任室内乐演奏。",
    ),
    (
        "打击乐演奏员",
        JobKind.FULL_TIME,
        ["percussion", "timpani"],
        ["bachelor"],
        "打击乐",
        (8500, 12000),
        "负责定音鼓及打击乐声部演奏。",
    ),
    (
        "钢琴教师",
        JobKind.FULL_TIME,
        ["piano"],
        ["bachelor", "master"],
        "钢琴、音乐教育",
        (8000, 15000),
        "负责少儿及成人钢琴课程教学，参与教研与学员音乐会组织。",
    ),
    (
        "钢琴伴奏",
        JobKind.PART_TIME,
        ["piano"],
        [],
        "钢琴",
        None,
        "为声乐及器乐考级、比赛提供艺术指导与伴奏，按场次结算。",
    ),
    (
        "声乐教师（男高音）",
        JobKind.FULL_TIME,
        ["tenor"],
        ["master"],
        "声乐演唱",
        (10000, 16000),
        "承担声乐专业课教学，男高音声部，有舞台演出经历者优先。",
    ),
    (
        "歌剧院合唱演员（女中音）",
        JobKind.FULL_TIME,
        ["mezzo", "choral"],
        ["bachelor"],
        "声乐演唱",
        (8000, 11000),
        "参加歌剧及合唱音乐会演出，女中音声部。",
    ),
    (
        "合唱团声部长（男中音）",
        JobKind.FULL_TIME,
        ["baritone", "choral"],
        ["bachelor", "master"],
        "声乐演唱、合唱指挥",
        (9000, 12000),
        "负责男中音声部排练，协助指挥完成演出。",
    ),
    (
        "音乐教育实习生",
        JobKind.INTERNSHIP,
        ["music_education"],
        ["bachelor"],
        "音乐学（师范）",
        (3000, 4000),
        "在中小学音乐课堂跟岗实习，参与合唱团与器乐社团指导。",
    ),
    (
        "中学音乐教师",
        JobKind.FULL_TIME,
        ["music_education"],
        ["bachelor", "master"],
        "音乐学（师范）",
        (7000, 10000),
        "承担初中音乐课程教学及学校艺术团排练。",
    ),
    (
        "艺术管理专员",
        JobKind.FULL_TIME,
        ["arts_management"],
        ["bachelor", "master"],
        "艺术管理",
        (8000, 12000),
        "负责演出项目策划、票务与观众拓展，协调艺术家行程。",
    ),
    (
        "演出运营助理",
        JobKind.INTERNSHIP,
        ["arts_management", "stage_management"],
        [],
        "艺术管理",
        (2500, 3500),
        "协助剧场演出运营、前台服务与舞台协调。",
    ),
    (
        "录音师",
        JobKind.FULL_TIME,
        ["sound_engineering"],
        ["bachelor"],
        "录音艺术、音乐科技",
        (9000, 15000),
        "负责音乐会录音、后期混音与母带处理，熟悉 Pro Tools。",
    ),
    (
        "音响工程师",
        JobKind.FULL_TIME,
        ["sound_engineering"],
        ["bachelor"],
        "录音艺术",
        (8000, 13000),
        "剧场扩声系统调试与演出保障。",
    ),
    (
        "作曲与编曲",
        JobKind.FULL_TIME,
        ["composition", "music_production"],
        ["bachelor", "master"],
        "作曲与作曲技术理论",
        (10000, 18000),
        "为影视、游戏及演出项目创作和编配音乐。",
    ),
    (
        "乐团助理指挥",
        JobKind.FULL_TIME,
        ["conducting"],
        ["master", "doctor"],
        "指挥",
        (12000, 18000),
        "协助首席指挥排练，指挥教育音乐会及青少年乐团。",
    ),
    (
        "古筝教师",
        JobKind.FULL_TIME,
        ["guzheng"],
        ["bachelor"],
        "中国乐器演奏",
        (7000, 11000),
        "负责古筝课程教学与学员考级辅导。",
    ),
    (
        "二胡演奏员",
        JobKind.FULL_TIME,
        ["erhu"],
        ["bachelor", "master"],
        "中国乐器演奏",
        (8000, 12000),
        "民族乐团二胡声部演奏员。",
    ),
    (
        "琵琶演奏员",
        JobKind.FULL_TIME,
        ["pipa"],
        ["bachelor"],
        "中国乐器演奏",
        (8000, 12000),
        "民族乐团弹拨声部，参与国内外巡演。",
    ),
    (
        "竹笛演奏员",
        JobKind.FULL_TIME,
        ["dizi"],
        ["bachelor"],
        "中国乐器演奏",
        (8000, 11000),
        "民族乐团吹管声部，兼任少儿竹笛教学。",
    ),
    (
        "音乐治疗师助理",
        JobKind.INTERNSHIP,
        ["music_therapy"],
        ["master"],
        "音乐治疗",
        (3500, 4500),
        "在康复中心协助开展音乐治疗小组活动。",
    ),
    (
        "舞蹈教师",
        JobKind.PART_TIME,
        ["dance"],
        [],
        "舞蹈表演、舞蹈编导",
        None,
        "周末少儿中国舞课程，按课时结算。",
    ),
    (
        "音乐编辑",
        JobKind.FULL_TIME,
        ["musicology"],
        ["bachelor", "master"],
        "音乐学",
        (7000, 10000),
        "负责乐谱、音乐图书及音频内容的编辑与审校。",
    ),
    (
        "竖琴演奏员",
        JobKind.FULL_TIME,
        ["harp"],
        ["bachelor", "master"],
        "音乐表演",
        (9000, 13000),
        "乐团竖琴演奏员，参加交响乐与芭蕾舞剧演出。",
    ),
]

# A discriminatory or fee-charging phrase an employer wrote (the guards hold these postings).
BAD_PHRASES = [
    "限男性，35岁以下。",
    "仅招女生，未婚优先。",
    "身体健康无乙肝，本地户口优先。",
    "985/211院校毕业，第一学历本科。",
    "入职需缴纳培训费2000元及服装费。",
    "已婚已育优先，年龄不超过30岁。",
    "沪籍优先，统一招聘需交押金500元。",
]
PLACES = ["310104", "310101", "310115", "320500", "320100", "330100", "340100", "310106", "320200"]
DEMO_EMPLOYERS = [
    ("上海交响乐团（演示）", "91310000MA1FL0001", "310104"),
    ("上海歌剧院（演示）", "91310000MA1FL0002", "310101"),
    ("苏州民族管弦乐团（演示）", "91320500MA1FL0003", "320500"),
    ("杭州爱乐乐团（演示）", "91330100MA1FL0004", "330100"),
    ("星海琴行艺术培训中心（演示）", "91310115MA1FL0005", "310115"),
]


def _credit_code(base17: str) -> str:
    from stdnum.cn import uscc

    return base17 + uscc.calc_check_digit(base17)


def _employers(school: Institution) -> list[Employer]:
    employers = list(Employer.objects.filter(standings__institution=school).order_by("pk"))
    if employers:
        return employers
    # The employers demo is not there: a handful of our own, verified at the school.
    made = []
    for name, base, division in DEMO_EMPLOYERS:
        # Employers are global and outlive `qihang demo --reset` (which deletes the schools).
        employer, _created = Employer.objects.get_or_create(
            credit_code=_credit_code(base),
            defaults={
                "name": name,
                "division": division,
                "contact_phone": f"021-6{len(made) + 1:03d}0000",
            },
        )
        EmployerStanding.objects.create(
            institution=school, employer=employer, status=StandingStatus.VERIFIED
        )
        made.append(employer)
    return made


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    # The rest of the demo is 2020's season replayed: the postings' audit entries (and the
    # shares') are dated on the demo day, like every other entry of the demo's audit log.
    stamp = dt.datetime.combine(today, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    with chain.clock(chain.dating(stamp, prefixes=("job.", "share."), later_only=True)):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    rng = random.Random(seed * 7 + 3)
    school = Institution.objects.get(code=cat.DFCM.code)
    partner = Institution.objects.get(code=cat.JCCM.code)
    staff = list(
        Membership.objects.filter(
            institution=school, role__in=[Role.CAREER_CENTRE, Role.TEACHER, Role.DEPARTMENT_STAFF]
        )
        .order_by("role", "pk")
        .select_related("user")
    )
    centre_user = next(m.user for m in staff if m.role == Role.CAREER_CENTRE)
    centre = build_actor(centre_user, school.pk)
    posters = [build_actor(m.user, school.pk) for m in staff] or [centre]
    employers = _employers(school)
    verified = set(
        EmployerStanding.objects.filter(
            institution=school, status=StandingStatus.VERIFIED
        ).values_list("employer_id", flat=True)
    )
    members = {m.employer_id: m.user for m in EmployerMember.objects.filter(is_active=True)}
    # Staff postings are credited to the channel (and person) that brought the employer; the
    # feed's to the city recruitment network.
    credits = {
        s.employer_id: (s.channel_id, s.credited_to_id, s.credited_department_id)
        for s in EmployerStanding.objects.filter(institution=school, channel__isnull=False)
    }
    feed_channel = Channel.objects.filter(code="city_network").values_list("pk", flat=True).first()
    tags = {t.code: t for t in SpecialtyTag.objects.all()}
    real_today = timezone.localdate()  # deadlines must look open whenever the demo is loaded
    counts = {"published": 0, "pending": 0, "returned": 0, "flagged": 0, "shared": 0, "feed": 0}
    for n in range(120):
        title, kind, codes, degrees, majors, salary, description = POSTINGS[n % len(POSTINGS)]
        employer = employers[n % len(employers)] if n < len(employers) else rng.choice(employers)
        flagged = n % 11 == 5
        if flagged:
            description = f"{description}{BAD_PHRASES[(n // 11) % len(BAD_PHRASES)]}"
        from_feed = n % 6 == 1
        data = {
            "title": title,
            "kind": kind,
            "degree_levels": degrees,
            "majors": majors,
            "division": rng.choice(PLACES),
            "description": description,
            "salary_min": salary[0] if salary else None,
            "salary_max": salary[1] if salary else None,
            "headcount": rng.choice([1, 1, 2, 3, None]),
            "deadline": real_today + dt.timedelta(days=rng.randint(20, 120)),
            "contact": f"招聘办公室 021-6{rng.randint(1000000, 9999999)}",
        }
        member = members.get(employer.pk)
        if member is not None and not from_feed and n % 3 == 0:
            actor = build_actor(member, None, employer_id=employer.pk)
        else:
            actor = centre if from_feed else posters[n % len(posters)]
        channel_id, credited_to_id, department_id = (
            (feed_channel, None, None) if from_feed else credits.get(employer.pk, (None,) * 3)
        )
        if actor.is_employer:
            channel_id = credited_to_id = department_id = None
        job = services.job_create(
            actor=actor,
            employer=employer,
            institution_id=school.pk,
            data=data,
            specialties=[tags[c] for c in codes if c in tags],
            source=FEED if from_feed else "",
            external_id=f"SH{20260000 + n}" if from_feed else "",
            channel_id=channel_id,
            credited_to_id=credited_to_id,
            credited_department_id=department_id,
            submit=True,
        )
        counts["feed"] += from_feed
        if job.flags:
            counts["flagged"] += 1
            continue
        if n % 9 == 4:
            services.job_transition(
                actor=centre, job=job, action="return", reason="请补充薪资范围和具体工作地点。"
            )
            counts["returned"] += 1
        elif n % 7 == 3 or employer.pk not in verified:
            counts["pending"] += 1
        else:
            services.job_transition(actor=centre, job=job, action="approve")
            counts["published"] += 1
            if n % 5 == 0:
                services.job_share(actor=centre, job=job, partner_id=partner.pk)
                counts["shared"] += 1
    if log:
        log(
            "岗位：发布{published}、待审核{pending}、退回{returned}、风险提示{flagged}、"
            "共享给江城{shared}、来自{feed_name}{feed}".format(feed_name=FEED, **counts)
        )
