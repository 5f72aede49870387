"""Demo start-up projects: three founders' projects of the conservatory — a music-education
studio, an a-cappella group's label and a recording studio — and one of 江城's, each with a
team of graduates of the school and a mentor, through the ventures services (the parks are the
reference data the migration loads). Audit rows are dated to the demo day like the rest of the
demo's log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from qihang.audit import chain
from qihang.demo import catalogue as cat
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.ventures import services

PROJECTS = {
    cat.DFCM.code: [
        {
            "name": "小音符音乐教育工作室",
            "field": "music_education",
            "stage": "prototype",
            "summary": "面向 4–10 岁琴童的钢琴启蒙与视唱练耳小班课，周末在社区活动中心试运营。",
            "needs": "固定教学场地两间；招生渠道；教学法培训",
            "funding_sought": 300000,
            "funding_obtained": 60000,
            "districts": ["徐汇区", "杨浦区"],
        },
        {
            "name": "声浪阿卡贝拉厂牌",
            "field": "label",
            "stage": "idea",
            "summary": "校阿卡贝拉团毕业成员组建的无伴奏合唱厂牌，发行原创改编作品并承接商演。",
            "needs": "版权登记与发行渠道；Livehouse 演出档期",
            "funding_sought": 150000,
            "funding_obtained": 0,
            "districts": ["静安区", "黄浦区"],
        },
        {
            "name": "回声录音棚",
            "field": "recording",
            "stage": "registered",
            "summary": "音乐工程系毕业生合伙的录音与混音工作室，已注册公司，为独立音乐人和影视配乐录音。",
            "needs": "声学改造资金；设备融资租赁",
            "funding_sought": 800000,
            "funding_obtained": 200000,
            "districts": ["徐汇区"],
        },
    ],
    cat.JCCM.code: [
        {
            "name": "江声民乐工作坊",
            "field": "performance",
            "stage": "prototype",
            "summary": "民乐专业毕业生的小型室内乐团，在昙华林街区驻场演出并开设体验课。",
            "needs": "驻场演出空间；演出经纪",
            "funding_sought": 100000,
            "funding_obtained": 20000,
            "districts": ["武昌区"],
        },
    ],
}


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    # The projects' audit entries are dated on the demo day, like the rest of the demo's log.
    stamp = dt.datetime.combine(today, dt.time(11, 0), tzinfo=timezone.get_default_timezone())
    with chain.clock(chain.dating(stamp, kinds=("project.create",))):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    made = 0
    for institution in Institution.objects.filter(code__in=list(PROJECTS)).order_by("code"):
        founders = list(
            Graduate.objects.filter(institution=institution, user__isnull=False).order_by(
                "-cohort__year", "pk"
            )[: 3 * len(PROJECTS[institution.code])]
        )
        mentor = (
            Membership.objects.filter(institution=institution, role=Role.TEACHER, is_active=True)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        for n, data in enumerate(PROJECTS[institution.code]):
            team = founders[3 * n : 3 * n + 3]
            if not team:
                break
            services.project_create(
                actor=build_actor(team[0].user, institution.pk),
                data=dict(data),
                members=[g.student_no for g in team[1:]],
                mentor_id=mentor,
            )
            made += 1
    if log:
        log(f"创业项目：{made} 个")
    return []
