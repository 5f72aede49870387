"""Demo appointments: each school's advisers (the centre director for the whole school, the
mentor teacher, two department counsellors), their weekly slots for the coming three weeks with
some booked, and the past four weeks' appointments — attended with advisers' notes (a few
marked sensitive), no-shows and cancellations.

Times are around the real today, not the demo day, so that the booking page has free slots
whenever the demo is loaded (as the jobs demo keeps deadlines open). Advisers and upcoming slots
go through the services; bookings and past appointments are written as history rows (no message
is sent when the demo loads), and the services' audit rows are dated to the demo day like the
rest of the demo's log.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from qihang.appointments import services
from qihang.appointments.models import (
    Adviser,
    AdviserNote,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Slot,
)
from qihang.audit import chain
from qihang.demo import catalogue as cat
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor

TOPICS = {
    "career": ["想考虑乐团和中小学音乐教师两条路，不知道怎么选", "是否应该先读研再就业", "考编和进院团的时间冲突"],
    "resume": ["简历里演出经历太多，怎么取舍", "英文简历的曲目单怎么写", "帮忙看看求职信"],
    "mock_audition": ["下月交响乐团招聘考试，想模拟一次视奏", "歌剧院合唱团面试的自我介绍", "教师招聘的试讲"],
    "entrepreneurship": ["想和同学开一个琴童工作室", "阿卡贝拉团体能否注册厂牌", "录音棚设备的融资"],
}  # fmt: skip
NOTES = [
    ("目标明确，已约定两周后复盘投递情况。", False),
    ("简历已改为一页，曲目单按时期排列；建议补充室内乐经历。", False),
    ("模拟视奏节奏稳定，音准需加强；推荐参加下周的乐团模拟考。", False),
    ("家庭经济压力较大，情绪低落，已建议联系心理健康中心并告知辅导员。", True),
    ("创业资金主要来自家庭借款，建议先参加创业园区的孵化路演。", False),
    ("反映曾遭遇实习单位拖欠报酬，已转学校法律援助。", True),
]
PLACES = ["就业指导中心 204 室", "琴房楼 3 楼咨询室", "腾讯会议 615-208-331"]


def _tz():
    return timezone.get_default_timezone()


def _advisers(institution: Institution, rng: random.Random) -> list[Adviser]:
    members = list(
        Membership.objects.filter(institution=institution, is_active=True, invitation="")
        .select_related("user")
        .prefetch_related("departments")
        .order_by("pk")
    )
    centre_user = next(m.user for m in members if m.role == Role.CAREER_CENTRE)
    centre = build_actor(centre_user, institution.pk)
    kinds = {t.code: t for t in AppointmentType.objects.all()}
    chosen = [(centre_user, None, "就业指导中心主任", ["career", "resume", "entrepreneurship"])]
    teachers = [m for m in members if m.role == Role.TEACHER]
    if teachers:
        chosen.append((teachers[0].user, None, "导师", ["mock_audition", "career"]))
    for m in [m for m in members if m.role == Role.DEPARTMENT_STAFF][:2]:
        chosen.append((m.user, m.departments.first(), "院系辅导员", ["resume", "mock_audition"]))
    return [
        services.adviser_save(
            actor=centre,
            user=user,
            types=[kinds[c] for c in codes],
            department=department,
            title=title,
        )
        for user, department, title, codes in chosen
    ]


def _graduates_for(institution: Institution, adviser: Adviser) -> list[Graduate]:
    qs = Graduate.objects.filter(institution=institution, user__isnull=False)
    if adviser.department_id:
        qs = qs.filter(department_id=adviser.department_id)
    return list(qs.order_by("-cohort__year", "pk")[:40])


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    # The services' audit entries belong to the demo's log, which ends on the demo day.
    stamp = dt.datetime.combine(today, dt.time(9, 30), tzinfo=_tz())
    with chain.clock(chain.dating(stamp, kinds=("adviser.save", "slot.publish"))):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    real_today = timezone.localdate()
    total_slots = total_appointments = 0
    for institution in Institution.objects.filter(code__in=[cat.DFCM.code, cat.JCCM.code]).order_by(
        "code"
    ):
        rng = random.Random(f"{seed}:appointments:{institution.code}")
        advisers = _advisers(institution, rng)
        appointments: list[Appointment] = []
        notes: list[tuple[int, str, bool, int]] = []
        for n, adviser in enumerate(advisers):
            types = list(adviser.types.all())
            graduates = _graduates_for(institution, adviser)
            if not graduates:
                continue
            actor = build_actor(adviser.user, institution.pk)
            # Upcoming: a weekly pattern per type, through the service.
            upcoming: list[Slot] = []
            for k, kind in enumerate(types[:2]):
                upcoming += services.slots_publish_weekly(
                    actor=actor,
                    type=kind,
                    weekday=(n + 2 * k) % 5,
                    start=dt.time(9 + 5 * k, 0),
                    minutes=kind.minutes,
                    first_day=real_today + dt.timedelta(days=1),
                    weeks=3,
                    count=2,
                    location=PLACES[(n + k) % len(PLACES)],
                )
            for slot in upcoming:
                if rng.random() < 0.4:
                    appointments.append(
                        Appointment(
                            institution=institution,
                            slot=slot,
                            graduate=rng.choice(graduates),
                            topic=rng.choice(TOPICS[slot.type.code]),
                        )
                    )
            # The past four weeks, as history.
            past = []
            for week in range(1, 5):
                day = real_today - dt.timedelta(days=7 * week - n % 5)
                for k, kind in enumerate(types[:2]):
                    starts = dt.datetime.combine(day, dt.time(9 + 5 * k, 0), tzinfo=_tz())
                    past.append(
                        Slot(
                            institution=institution,
                            adviser=adviser,
                            type=kind,
                            starts_at=starts,
                            ends_at=starts + dt.timedelta(minutes=kind.minutes),
                            location=PLACES[(n + k) % len(PLACES)],
                        )
                    )
            past = Slot.objects.bulk_create(past)
            total_slots += len(upcoming) + len(past)
            for slot in past:
                roll = rng.random()
                if roll < 0.15:
                    continue  # nobody came to book it
                status = (
                    AppointmentStatus.NO_SHOW
                    if roll < 0.3
                    else AppointmentStatus.CANCELLED
                    if roll < 0.4
                    else AppointmentStatus.ATTENDED
                )
                appointment = Appointment(
                    institution=institution,
                    slot=slot,
                    graduate=rng.choice(graduates),
                    topic=rng.choice(TOPICS[slot.type.code]),
                    status=status,
                    reminded_at=slot.starts_at - dt.timedelta(hours=20),
                    cancelled_at=(
                        slot.starts_at - dt.timedelta(days=2)
                        if status == AppointmentStatus.CANCELLED
                        else None
                    ),
                )
                appointments.append(appointment)
                if status == AppointmentStatus.ATTENDED:
                    text, sensitive = rng.choice(NOTES)
                    notes.append((len(appointments) - 1, text, sensitive, adviser.user_id))
        created = Appointment.objects.bulk_create(appointments)
        AdviserNote.objects.bulk_create(
            AdviserNote(
                institution=institution,
                appointment=created[i],
                text=text,
                sensitive=sensitive,
                written_by_id=writer,
            )
            for i, text, sensitive, writer in notes
        )
        total_appointments += len(created)
    if log:
        log(f"咨询预约：时段 {total_slots} 个，预约 {total_appointments} 条")
    return []
