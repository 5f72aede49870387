"""Demo key-group assistance (issue 10): at 东方音乐学院, most of the 2020 cohort's key-group
graduates (confirmed by their mentors in the autumn) have a file and a plan by their mentor or
the centre, paired with the department's head or the school leader; follow-ups every week or
two through the spring (some overdue now); a few grassroots-programme applications and
job-search subsidies. Through the services, on the demo clock, with their audit rows."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from qihang.assistance import services
from qihang.assistance.selectors import key_group_ids
from qihang.demo import catalogue as cat
from qihang.demo import clock as demo_clock
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor, system_actor

SITUATIONS = (
    "父母务农，家庭收入主要靠季节性务工；申请了国家助学金。",
    "单亲家庭，母亲身体不好，家庭享受城乡低保。",
    "家在边远县城，家里希望回省内就业，本人希望留在上海。",
    "家中有两个弟妹在读书，经济压力较大。",
)
NEEDS = (
    "缺少乐团招考和面试经验，需要模拟面试和作品集指导。",
    "希望从事中小学音乐教育，需要教师资格证和招聘信息。",
    "考虑报考特岗计划或西部计划，需要政策解读。",
    "求职路费和演出服装开支有困难。",
)
GOALS = (
    "六月底前落实去向",
    "五月底前签约中小学音乐教师岗位",
    "通过特岗计划招聘",
    "进入职业乐团或文艺院团",
)
MEASURES = (
    "每两周一次模拟面试；优先推送乐团和院团岗位；协助申请求职创业补贴。",
    "推送区县教育局招聘信息；指导教师资格面试；参加专场招聘会。",
    "讲解基层项目政策；协助报名与材料准备。",
)
TALKS = (
    "了解近期求职进展，投递了三家单位。",
    "谈了面试中的紧张情绪，约了下次模拟面试。",
    "讨论了回生源地就业和留沪的利弊。",
    "提醒补贴申请材料，核对银行卡信息。",
    "已参加一次专场招聘会，有一家单位约面试。",
)
MODES = ("in_person", "phone", "wechat", "wechat", "video")


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    school = Institution.objects.filter(code=cat.DFCM.code).first()
    cohort = Cohort.objects.filter(institution=school, year=2020).first() if school else None
    centre = (
        Membership.objects.filter(institution=school, role=Role.CAREER_CENTRE, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if cohort is None or centre is None:
        return []
    rng = random.Random(seed * 31 + 10)
    members = key_group_ids(system_actor(school.pk), cohort, demo_clock.morning(today))
    graduates = list(
        Graduate.objects.filter(pk__in=list(members))
        .select_related("mentor")
        .order_by("student_no")
    )
    heads = {
        d.pk: m.user_id
        for m in Membership.objects.filter(
            institution=school, role=Role.DEPARTMENT_STAFF, is_active=True
        ).prefetch_related("departments")
        for d in m.departments.all()
    }
    leader = (
        Membership.objects.filter(institution=school, role=Role.LEADERSHIP, is_active=True)
        .values_list("user_id", flat=True)
        .first()
    )
    files = follow_ups = 0
    start = dt.date(2020, 3, 2)
    for index, graduate in enumerate(graduates):
        if rng.random() < 0.15:
            continue  # not yet filed: the caseload shows them first
        author = graduate.mentor or centre.user
        actor = build_actor(author, school.pk)
        opened = start + dt.timedelta(days=rng.randrange(0, 20))
        with demo_clock.at(demo_clock.morning(opened)):
            services.file_save(
                actor=actor,
                graduate_id=graduate.pk,
                data={
                    "situation": rng.choice(SITUATIONS),
                    "needs": rng.choice(NEEDS),
                    "consent_on": opened,
                    "goals": rng.choice(GOALS),
                    "measures": rng.choice(MEASURES),
                    "mentor": author.pk,
                    "leader": heads.get(graduate.department_id, leader) if index % 3 else leader,
                    "plan_due_on": dt.date(2020, 6, 30),
                    "follow_up_days": rng.choice((7, 14, 14)),
                },
            )
            services.step_add(
                actor=actor,
                graduate_id=graduate.pk,
                text="完成简历和作品集修改",
                due_on=opened + dt.timedelta(days=14),
            )
        files += 1
        day = opened + dt.timedelta(days=rng.randrange(2, 8))
        # Most are followed up to within the last fortnight; one in five has lapsed.
        until = today - dt.timedelta(days=rng.randrange(20, 40) if rng.random() < 0.2 else 0)
        while day <= until:
            with demo_clock.at(demo_clock.morning(day, 15)):
                services.follow_up_log(
                    actor=actor,
                    graduate_id=graduate.pk,
                    on=day,
                    mode=rng.choice(MODES),
                    discussed=rng.choice(TALKS),
                    next_step="继续推送岗位",
                    next_on=day + dt.timedelta(days=14),
                )
            follow_ups += 1
            day += dt.timedelta(days=rng.randrange(9, 16))
        with demo_clock.at(demo_clock.morning(opened + dt.timedelta(days=20))):
            if rng.random() < 0.25:
                services.programme_save(
                    actor=actor,
                    graduate_id=graduate.pk,
                    programme=rng.choice(("tegang", "sanzhi_yifu", "xibu")),
                    status=rng.choice(("applied", "applied", "admitted")),
                    applied_on=opened + dt.timedelta(days=18),
                )
            if rng.random() < 0.5:
                paid = rng.random() < 0.6
                services.subsidy_save(
                    actor=build_actor(centre.user, school.pk),
                    graduate_id=graduate.pk,
                    status="paid" if paid else "applied",
                    applied_on=opened + dt.timedelta(days=10),
                    amount=Decimal("1500") if paid else None,
                    paid_on=opened + dt.timedelta(days=20) if paid else None,
                    bank_account="62220210" + f"{rng.randrange(10**11):011d}",
                )
    if log:
        log(
            f"重点群体帮扶：{len(graduates)} 名重点群体毕业生，帮扶档案 {files} 份，跟进 {follow_ups} 次"
        )
    return []
