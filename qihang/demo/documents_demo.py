"""Demo documents (issue 9): recommendation forms of the conservatory's 2020 graduates at every
stage — issued originals (the demo graduate 2016104001's among them), one re-issued because
the original was lost, one waiting for the department, one for the centre — and 档案/户口
records with dispatch numbers, a 报到证 and a corrected entry, all through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from qihang.demo import catalogue as cat
from qihang.demo import clock as demo_clock
from qihang.documents import services
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import Actor, build_actor

DEMO_GRADUATE = "2016104001"

SELF = [
    "专业基础扎实，多次参加院系音乐会演出；性格开朗，善于与人合作，愿意从基层做起。",
    "四年来坚持每日练琴，担任班级文艺委员，组织过多场社区公益演出。",
    "热爱音乐教育，在少年宫担任助教两年，熟悉中小学音乐课堂。",
    "学习刻苦，参与过原创作品录音与舞台制作，具备较强的学习能力。",
    "曾赴乐团实习半年，熟悉乐团排练与演出流程，能吃苦耐劳。",
    "积极参加志愿服务，具有良好的沟通表达能力和团队精神。",
]
INTENTIONS = ["中小学音乐教师", "专业乐团演奏员", "艺术培训机构", "文化馆（站）", "演出经纪"]
COMMENTS = [
    "该生思想端正，专业成绩优良，演奏水平突出，同意推荐。",
    "该生品学兼优，积极参与院系艺术实践，表现优秀，特此推荐。",
    "该生学习认真，工作负责，具有较好的专业素养，同意推荐。",
]

FILE_ROWS = [
    {
        "file_destination": "employer",
        "receiver_name": "上海东方交响乐团人事部",
        "receiver_address": "上海市徐汇区汾阳路20号",
        "dispatch_method": "confidential_mail",
        "dispatch_number": "JY2020070100{n}",
        "file_status": "received",
        "hukou_destination": "employer",
        "hukou_address": "上海市徐汇区",
        "report_card_unit": "上海东方交响乐团",
    },
    {
        "file_destination": "talent_centre",
        "receiver_name": "上海市人才服务中心",
        "receiver_address": "上海市静安区梅园路77号",
        "dispatch_method": "ems",
        "dispatch_number": "EA60231780{n}CN",
        "file_status": "sent",
        "hukou_destination": "talent_centre",
        "hukou_address": "上海市静安区梅园路77号",
        "report_card_unit": "上海市人才服务中心",
    },
    {
        "file_destination": "home",
        "receiver_name": "浙江省温州市人力资源和社会保障局",
        "receiver_address": "浙江省温州市鹿城区市府路500号",
        "dispatch_method": "confidential_mail",
        "dispatch_number": "",
        "file_status": "pending",
        "hukou_destination": "home",
        "hukou_address": "浙江省温州市鹿城区",
        "report_card_unit": "",
    },
]


def _staff(institution: Institution, graduate: Graduate) -> tuple[Actor, Actor]:
    """(department officer of the graduate's department or the centre, the centre)."""
    centre = (
        Membership.objects.filter(institution=institution, role=Role.CAREER_CENTRE, is_active=True)
        .order_by("pk")
        .first()
    )
    department = (
        Membership.objects.filter(
            institution=institution,
            role=Role.DEPARTMENT_STAFF,
            is_active=True,
            departments=graduate.department_id,
        )
        .order_by("pk")
        .first()
    ) or centre
    return (
        build_actor(department.user, institution.pk),
        build_actor(centre.user, institution.pk),
    )


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    with demo_clock.at(demo_clock.morning(today - dt.timedelta(days=20))):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    institution = Institution.objects.filter(code=cat.DFCM.code).first()
    if institution is None:
        return []
    ours = Graduate.objects.filter(
        institution=institution, cohort__year=2020, user__isnull=False
    ).select_related("institution", "department", "major", "cohort", "user")
    # The demo login's first, then others of the cohort who have accounts.
    graduates = list(ours.filter(student_no=DEMO_GRADUATE)) + list(
        ours.exclude(student_no=DEMO_GRADUATE).order_by("student_no")[:5]
    )
    issued = reissued = 0
    # 0-3 issued (1 re-issued), 4 waiting for the centre, 5 for the department.
    for n, graduate in enumerate(graduates[:6]):
        department, centre = _staff(institution, graduate)
        recommendation = services.recommendation_submit(
            actor=build_actor(graduate.user, institution.pk),
            graduate=graduate,
            self_assessment=SELF[n % len(SELF)],
            intentions=INTENTIONS[n % len(INTENTIONS)],
            honours="校级奖学金；院系专场音乐会独奏" if n % 2 == 0 else "",
        )
        if n == 5:
            continue
        services.recommendation_assess(
            actor=department,
            recommendation=recommendation,
            comments=COMMENTS[n % len(COMMENTS)],
            level="strongly" if n % 3 == 0 else "recommended",
        )
        if n == 4:
            continue
        services.recommendation_approve(actor=centre, recommendation=recommendation)
        issued += 1
        if n == 1:
            services.recommendation_reissue(
                actor=centre,
                recommendation=recommendation,
                reason="毕业生报告原件在寄送用人单位途中遗失",
            )
            reissued += 1
    # 档案/户口 for the first graduates: the 2020 cohort still had 报到证.
    dossiers = 0
    for n, graduate in enumerate(graduates[:6]):
        department, _centre = _staff(institution, graduate)
        row = dict(FILE_ROWS[n % len(FILE_ROWS)])
        row["dispatch_number"] = row["dispatch_number"].format(n=n)
        if row["report_card_unit"]:
            row["report_card_number"] = f"沪毕{2020}{31000 + n:05d}"
            row["report_card_issued_on"] = dt.date(2020, 7, 3)
        services.dossier_update(actor=department, graduate=graduate, data=row)
        dossiers += 1
        if n == 2:  # the file came back: wrong address at home, sent again
            services.dossier_update(
                actor=department,
                graduate=graduate,
                data={"file_status": "returned"},
                reason="生源地人社局退回：接收地址有误",
            )
    if log:
        log(f"就业推荐表：签发 {issued} 份（补发 {reissued} 份）；档案与户口：{dossiers} 人")
    return []
