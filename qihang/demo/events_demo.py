"""Demo info sessions and job fairs (events app): 东方音乐学院's rooms, past info sessions of
the demo's orchestras and troupes with attendance and no-shows, upcoming ones (approved, one
nearly full, requests waiting for the centre, one declined, an online session), and the joint
长三角 fair with 江城音乐学院, full with a waiting list; founders' events (创业活动): a past
visit to a 静安 park with attendance, an upcoming roadshow at 徐汇's 西岸 (no room booked) and an
incubator open day of 杨浦's park in the school's own hall.

Times are relative to the real date at load time, so "upcoming" is upcoming whenever the demo
is loaded (the rest of the demo replays 2020, as the job deadlines do). Upcoming events go
through the services (workflow, bookings, audit rows, sharing are the real ones); past events
and the crowd of registrations are written as history rows, as the notifications demo writes
its messages: the services refuse a slot in the past, and registering hundreds of graduates one
by one would only slow the demo down. Counters are set from the rows written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from qihang.audit import chain
from qihang.demo import catalogue as cat
from qihang.employers.models import EmployerMember, EmployerStanding, StandingStatus
from qihang.events import services
from qihang.events.models import (
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    RoomBooking,
    slots_of,
)
from qihang.graduates.models import Graduate
from qihang.institutions.models import Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.ventures.models import Park

ROOMS = (
    ("贺绿汀音乐厅", "主楼一层", 600, ""),
    ("北楼报告厅", "北楼三层", 120, "可投影、可录像"),
    ("学术报告厅", "图书馆二层", 200, ""),
    ("排练厅A", "演艺中心地下一层", 60, "适合现场试奏"),
    ("图书馆多功能厅", "图书馆一层", 80, "装修中，暂停预约"),
)

# (title suffix, description) for an employer's info session.
SESSIONS = (
    ("2020届毕业生招聘宣讲会", "乐团简介、乐季演出安排、演奏员岗位与待遇说明，现场答疑。"),
    ("校园专场宣讲暨现场试奏", "宣讲后在排练厅进行现场试奏，请自备乐谱。"),
    ("演员招聘宣讲会", "剧院演员及舞台艺术岗位介绍，往届校友分享工作体会。"),
    ("艺术教育岗位宣讲会", "音乐教育推广与青少年乐团指导岗位介绍。"),
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _past_event(*, school, employer, room, title, description, start, hours, capacity, rng, pool):
    """A past info session as history: the event, its bookings, registrations, check-ins."""
    event = Event.objects.create(
        institution=school,
        kind=EventKind.INFO_SESSION,
        title=title,
        description=description,
        employer=employer,
        status=EventStatus.APPROVED,
        room=room,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
        decided_at=start - dt.timedelta(days=14),
    )
    RoomBooking.objects.bulk_create(
        RoomBooking(institution=school, room=room, event=event, slot_start=s)
        for s in slots_of(event.starts_at, event.ends_at)
    )
    registered = rng.sample(pool, min(len(pool), rng.randint(capacity // 2, capacity)))
    _register(event, registered, rng=rng, attend=rng.uniform(0.6, 0.9))
    return event


def _register(event, graduates, *, rng, attend=0.0, waitlisted=()) -> None:
    codes: set[str] = set()

    def code() -> str:
        while (c := services.new_code()) in codes:
            pass
        codes.add(c)
        return c

    rows = []
    for graduate in graduates:
        checked = rng.random() < attend
        rows.append(
            Registration(
                institution_id=graduate.institution_id,
                event=event,
                graduate=graduate,
                status=RegistrationStatus.SEATED,
                code=code(),
                checked_in_at=event.starts_at + dt.timedelta(minutes=rng.randint(-20, 15))
                if checked
                else None,
            )
        )
    rows += [
        Registration(
            institution_id=g.institution_id,
            event=event,
            graduate=g,
            status=RegistrationStatus.WAITLISTED,
            code=code(),
        )
        for g in waitlisted
    ]
    Registration.objects.bulk_create(rows)
    Event.objects.filter(pk=event.pk).update(
        seats_taken=Registration.objects.filter(
            event=event, status=RegistrationStatus.SEATED
        ).count()
    )


def _founders_events(*, centre, school, rooms, rng, pool) -> int:
    """Founders' events: one past at a park (history, with attendance), two upcoming through
    the services (one at a park, no room; one in the school's hall, about a park)."""
    parks = {p.code: p for p in Park.objects.filter(is_active=True)}
    if not {"sh-ja-music-square", "sh-xh-west-bund", "sh-yp-bay-valley"} <= set(parks):
        return 0
    real_today = timezone.localdate()
    start = _at(real_today - dt.timedelta(days=10), 14)
    visit = Event.objects.create(
        institution=school,
        kind=EventKind.FOUNDERS,
        title="走进静安现代音乐产业园：入驻政策与创业者分享",
        description="参观园区录音棚与孵化空间，园区介绍入驻与租金减免政策，两位校友创业者分享经验。",
        status=EventStatus.APPROVED,
        park=parks["sh-ja-music-square"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=40,
        decided_at=start - dt.timedelta(days=14),
    )
    _register(visit, rng.sample(pool, 32), rng=rng, attend=0.8)
    roadshow_day = real_today + dt.timedelta(days=9)
    roadshow = services.event_create(
        actor=centre,
        data={
            "kind": EventKind.FOUNDERS,
            "title": "西岸文化艺术示范区毕业生创业项目路演",
            "description": "音乐教育、演出与艺术管理类项目现场路演，园区与投资机构点评，"
            "优秀项目可申请入驻工位。",
            "starts_at": _at(roadshow_day, 14),
            "ends_at": _at(roadshow_day, 17),
            "capacity": 60,
        },
        room=None,
        park=parks["sh-xh-west-bund"],
    )
    _register(roadshow, rng.sample(pool, 18), rng=rng)
    open_day = real_today + dt.timedelta(days=16)
    services.event_create(
        actor=centre,
        data={
            "kind": EventKind.FOUNDERS,
            "title": "杨浦创智天地·大学生创业园孵化器开放日（校内专场）",
            "description": "园区来校介绍孵化器申请、创业补贴与场地支持，现场一对一咨询。",
            "starts_at": _at(open_day, 15),
            "ends_at": _at(open_day, 17),
            "capacity": 100,
        },
        room=rooms["北楼报告厅"],
        park=parks["sh-yp-bay-valley"],
    )
    return 3


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    # The rest of the demo is 2020's season replayed: the events' audit entries (and the
    # share's) are dated on the demo day, like every other entry of the demo's audit log.
    stamp = dt.datetime.combine(today, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    with chain.clock(chain.dating(stamp, prefixes=("event.", "share."), later_only=True)):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    rng = random.Random(seed * 11 + 8)
    school = Institution.objects.get(code=cat.DFCM.code)
    partner = Institution.objects.get(code=cat.JCCM.code)
    centre_user = (
        Membership.objects.filter(institution=school, role=Role.CAREER_CENTRE)
        .order_by("pk")
        .select_related("user")
        .first()
        .user
    )
    centre = build_actor(centre_user, school.pk)
    rooms = {
        name: services.room_save(
            actor=centre,
            room=None,
            data={
                "name": name,
                "location": where,
                "seats": seats,
                "note": note,
                "is_active": not note.startswith("装修"),
            },
        )
        for name, where, seats, note in ROOMS
    }
    employers = [
        s.employer
        for s in EmployerStanding.objects.filter(institution=school, status=StandingStatus.VERIFIED)
        .select_related("employer")
        .order_by("employer_id")
    ]
    if not employers:
        return
    members = {m.employer_id: m.user for m in EmployerMember.objects.filter(is_active=True)}
    ours = list(Graduate.objects.filter(institution=school).order_by("-cohort__year", "pk")[:900])
    theirs = list(
        Graduate.objects.filter(institution=partner).order_by("-cohort__year", "pk")[:300]
    )
    # The demo's graduate logins keep their own choices: 2016104001 registers themselves.
    free = [g for g in ours if g.student_no != "2016104001"]
    real_today = timezone.localdate()

    # Past info sessions, with attendance and no-shows.
    past = 0
    for i, employer in enumerate(employers[:8]):
        suffix, description = SESSIONS[i % len(SESSIONS)]
        room = rooms["北楼报告厅"] if i % 2 else rooms["学术报告厅"]
        _past_event(
            school=school,
            employer=employer,
            room=room,
            title=f"{employer.name}{suffix}",
            description=description,
            start=_at(real_today - dt.timedelta(days=7 + 6 * i), 14 if i % 2 else 19),
            hours=2,
            capacity=min(room.seats, rng.choice([60, 80, 100, 120])),
            rng=rng,
            pool=free,
        )
        past += 1

    # Upcoming approved sessions through the services; the first is nearly full.
    upcoming = []
    for i, employer in enumerate(employers[:6]):
        suffix, description = SESSIONS[(i + 1) % len(SESSIONS)]
        room = [rooms["北楼报告厅"], rooms["排练厅A"], rooms["学术报告厅"]][i % 3]
        day = real_today + dt.timedelta(days=3 + 4 * i)
        event = services.event_create(
            actor=centre,
            data={
                "kind": EventKind.INFO_SESSION,
                "title": f"{employer.name}{suffix}",
                "description": description,
                "starts_at": _at(day, 14 if i % 2 else 10),
                "ends_at": _at(day, 16 if i % 2 else 12),
                "capacity": min(room.seats, 60),
            },
            room=room,
            employer=employer,
        )
        upcoming.append(event)
    nearly = upcoming[0]
    _register(nearly, rng.sample(free, nearly.capacity - 2), rng=rng)
    for event in upcoming[1:]:
        _register(event, rng.sample(free, rng.randint(5, event.capacity // 2)), rng=rng)

    # An online session, and employers' own requests: two waiting, one declined.
    services.event_create(
        actor=centre,
        data={
            "kind": EventKind.ONLINE,
            "title": f"{employers[-1].name}线上宣讲会",
            "description": "面向外地及实习中的毕业生，线上介绍岗位并答疑。",
            "online_link": "https://meeting.example.cn/j/2020061801",
            "starts_at": _at(real_today + dt.timedelta(days=5), 19),
            "ends_at": _at(real_today + dt.timedelta(days=5), 20),
            "capacity": 300,
        },
        room=None,
        employer=employers[-1],
    )
    requests = []
    requesters = [e for e in employers if e.pk in members]
    for i in range(3 if requesters else 0):
        employer = requesters[i % len(requesters)]
        actor = build_actor(members[employer.pk], None, employer_id=employer.pk)
        day = real_today + dt.timedelta(days=20 + 2 * i)
        requests.append(
            services.event_request(
                actor=actor,
                institution_id=school.pk,
                data={
                    "kind": EventKind.INFO_SESSION,
                    "title": f"{employer.name}专场宣讲会"
                    + ("（加场）" if i >= len(requesters) else ""),
                    "description": SESSIONS[i % len(SESSIONS)][1],
                    "starts_at": _at(day, 14),
                    "ends_at": _at(day, 16),
                    "capacity": 100,
                },
                room=rooms["北楼报告厅"],
            )
        )
    if requests:
        # Told through the outbox, which the notifications demo leaves as delivered history.
        services.event_transition(
            actor=centre,
            event=requests[-1],
            action="decline",
            reason="当日北楼报告厅已安排期末考试，请改选下周时段。",
        )

    # The joint fair with 江城: full, with a waiting list; booths of many employers.
    fair_day = real_today + dt.timedelta(days=14)
    fair = services.event_create(
        actor=centre,
        data={
            "kind": EventKind.JOB_FAIR,
            "title": "长三角文艺院团专场双选会（东方·江城联合举办）",
            "description": "长三角及中部地区交响乐团、民族乐团、歌剧院、院团与艺术学校现场招聘，"
            "两校毕业生均可报名。",
            "starts_at": _at(fair_day, 9),
            "ends_at": _at(fair_day, 12),
            "capacity": 150,
        },
        room=rooms["贺绿汀音乐厅"],
    )
    for n, employer in enumerate(employers[:12], start=1):
        services.booth_add(actor=centre, event=fair, employer=employer, label=f"A{n:02d}")
    services.event_share(actor=centre, event=fair, partner_id=partner.pk)
    # 2016104002 holds a seat: when they cancel, the first on the waiting list is promoted.
    holder = [g for g in free if g.student_no == "2016104002"]
    others = rng.sample([g for g in free if g not in holder], min(len(free) - len(holder), 120))
    crowd = holder + others[: 110 - len(holder)] + theirs[:40] + others[110:] + theirs[40:42]
    seated, waiting = crowd[: fair.capacity], crowd[fair.capacity : fair.capacity + 12]
    _register(fair, seated, rng=rng, waitlisted=waiting)

    founders = _founders_events(centre=centre, school=school, rooms=rooms, rng=rng, pool=free)

    if log:
        log(
            f"  events: {len(rooms)} rooms, {past} past and {len(upcoming) + 1} upcoming sessions, "
            f"{len(requests)} requests, the joint fair ({fair.capacity} seats, {len(waiting)} waiting), "
            f"{founders} founders' events"
        )
