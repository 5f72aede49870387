"""Demo wellbeing (issue 10): a handful of 东方音乐学院 graduates of the 2020 cohort check in over
the last weeks — most calm, two asking for help, three anonymously — and the school's
psychological counsellor (xinli@…) has contacted one and closed another with notes. Everything
goes through the services (sealed answers, referrals, notifications, audit rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from qihang.demo import catalogue as cat
from qihang.demo import clock as demo_clock
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.wellbeing import services

# (days before today, stress, sleep, support, note, contact, anonymous)
CHECKINS = (
    (20, 2, 4, "none", "", False, False),
    (18, 3, 3, "career", "想了解乐团招考的准备", False, False),
    (16, 5, 2, "talk", "乐团考试没通过，最近睡不好，不知道该怎么办", True, False),
    (14, 1, 5, "none", "", False, True),
    (12, 3, 4, "peers", "", False, False),
    (10, 4, 2, "talk", "毕业演出和找工作同时压着，有点撑不住", True, False),
    (9, 2, 4, "none", "", False, True),
    (7, 3, 3, "none", "", False, False),
    (5, 4, 3, "none", "", False, True),
    (3, 2, 4, "career", "", False, False),
)


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    school = Institution.objects.filter(code=cat.DFCM.code).first()
    cohort = Cohort.objects.filter(institution=school, year=2020).first() if school else None
    counsellor = (
        Membership.objects.filter(institution=school, role=Role.PSYCH_COUNSELLOR, is_active=True)
        .select_related("user")
        .first()
    )
    if cohort is None or counsellor is None:
        return []
    graduates = list(
        Graduate.objects.filter(cohort=cohort, user__isnull=False).order_by("student_no")[
            : len(CHECKINS)
        ]
    )
    referrals = []
    for graduate, (days, stress, sleep, support, note, contact, anonymous) in zip(
        graduates, CHECKINS, strict=False
    ):
        with demo_clock.at(demo_clock.morning(today - dt.timedelta(days=days))):
            checkin = services.checkin_submit(
                actor=build_actor(graduate.user, school.pk),
                stress=stress,
                sleep=sleep,
                support=support,
                note=note,
                contact=contact,
                anonymous=anonymous,
            )
        if hasattr(checkin, "referral"):
            referrals.append((days, checkin.referral))
    actor = build_actor(counsellor.user, school.pk)
    for index, (days, referral) in enumerate(referrals):
        with demo_clock.at(demo_clock.morning(today - dt.timedelta(days=days - 1))):
            services.referral_note_add(
                actor=actor, referral_id=referral.pk, text="电话联系，约定周四下午面谈。"
            )
            services.referral_act(actor=actor, referral_id=referral.pk, action="contact")
        if index == 0:
            with demo_clock.at(demo_clock.morning(today - dt.timedelta(days=days - 8))):
                services.referral_act(
                    actor=actor,
                    referral_id=referral.pk,
                    action="close",
                    note="三次面谈后情绪平稳，已转介就业指导中心一对一咨询。",
                )
    if log:
        log(f"心理关怀：自评 {min(len(graduates), len(CHECKINS))} 条，转介 {len(referrals)} 条")
    return []
