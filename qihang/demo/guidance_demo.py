"""Demo career guidance (guidance app): 东方音乐学院's 就业指导课 of six lectures (recordings on
a video platform, a PDF reading list), the talk 乐团招考面试准备 shared with the paired 江城音乐学院
(共享优质教学资源), a 钢琴系 talk, and a draft; attendance of the school's graduates (and some of
江城's at the shared talk) and their feedback.

Everything goes through the services (audit rows, sharing, the code check are the real ones);
afterwards the attendance times are set to the lectures' and the audit rows dated to the demo
day, as the other demo steps do: the services stamp the real clock.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from qihang.accounts.models import User
from qihang.audit import chain
from qihang.demo import catalogue as cat
from qihang.graduates.models import Graduate
from qihang.guidance import services
from qihang.guidance.models import Attendance, Course, Lecture
from qihang.institutions.models import Department, Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor

COURSE_LECTURES = (
    # (title, days before the demo day, platform link)
    ("职业生涯规划与自我认知", 120, "https://www.bilibili.com/video/BV1demo0001"),
    ("就业形势与政策解读", 106, "https://www.bilibili.com/video/BV1demo0002"),
    ("简历与艺术作品集", 92, "https://www.bilibili.com/video/BV1demo0003"),
    ("乐团、院团招考与考级", 78, "https://v.qq.com/x/page/demo0004.html"),
    ("面试与试奏礼仪", 64, "https://v.qq.com/x/page/demo0005.html"),
    ("就业协议、报到与权益保护", 50, "https://www.bilibili.com/video/BV1demo0006"),
)
COMMENTS = (
    "讲得很实用，尤其是作品集部分。",
    "希望多请几位乐团的老师来讲讲。",
    "政策解读很清楚，报到流程终于明白了。",
    "模拟试奏环节很有帮助。",
    "",
)


def _pdf(text: str) -> bytes:
    """A one-page PDF with one line of (ASCII) text: the demo's reading list file."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone())


def _graduates(institution: Institution, n: int) -> list[Graduate]:
    return list(
        Graduate.objects.filter(institution=institution, user__isnull=False)
        .select_related("user")
        .order_by("-cohort__year", "pk")[:n]
    )


def _attend(
    rng: random.Random, lecture: Lecture, graduates: list[Graduate], share: float
) -> list[Graduate]:
    came = [g for g in graduates if rng.random() < share]
    for graduate in came:
        services.attendance_record(
            actor=build_actor(graduate.user, graduate.institution_id),
            lecture=lecture,
            code=lecture.attendance_code,
        )
    return came


# The guidance services' kinds, dated on the demo day.
GUIDANCE_KINDS = (
    "course.save",
    "course.publish",
    "course.share",
    "lecture.save",
    "material.add",
    "attendance.record",
    "feedback.submit",
)


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    # The times of a loaded demo: audit entries on the demo day (the talk's share.create
    # too, as events_demo dates its joint fair's).
    stamp = _at(today, 10)
    with chain.clock(
        chain.dating(stamp, prefixes=("share.",), kinds=GUIDANCE_KINDS, later_only=True)
    ):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    school = Institution.objects.filter(code=cat.DFCM.code).first()
    partner = Institution.objects.filter(code=cat.JCCM.code).first()
    if school is None:
        return []
    rng = random.Random(seed * 7 + 8)  # noqa: S311 (demo data)
    centre_user = (
        Membership.objects.filter(institution=school, role=Role.CAREER_CENTRE, is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    if centre_user is None:
        return []
    centre = build_actor(User.objects.get(pk=centre_user), school.pk)
    teacher = (
        Membership.objects.filter(institution=school, role=Role.TEACHER, is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    graduates = _graduates(school, 40)

    # 就业指导课: six lectures, links to the recordings, a reading list.
    course = services.course_save(
        actor=centre,
        course=None,
        data={
            "kind": "course",
            "title": "2020届毕业生就业指导课",
            "summary": "面向2020届全体毕业生的必修就业指导课，共六讲：生涯规划、政策、简历与作品集、"
            "院团招考、面试与试奏、协议与报到。每讲在课上公布签到码。",
            "teacher_name": "林晓岚（就业指导中心）",
        },
    )
    lectures = []
    for order, (title, days, link) in enumerate(COURSE_LECTURES, start=1):
        lectures.append(
            services.lecture_save(
                actor=centre,
                course=course,
                lecture=None,
                data={
                    "order": order,
                    "title": title,
                    "held_at": _at(today - dt.timedelta(days=days), 14),
                    "attendance_code": services.new_code(),
                },
                video_url=link,
            )
        )
    services.material_add(
        actor=centre,
        course=course,
        title="就业指导课阅读书目",
        file=ContentFile(_pdf("Qihang career guidance reading list 2020"), name="阅读书目.pdf"),
    )
    services.material_add(
        actor=centre,
        course=course,
        title="高校毕业生就业政策汇编",
        url="https://www.ncss.cn/",
    )
    services.course_publish(actor=centre, course=course)

    # 讲座 乐团招考面试准备, shared with 江城.
    talk = services.course_save(
        actor=centre,
        course=None,
        data={
            "kind": "talk",
            "title": "乐团招考面试准备",
            "summary": "长三角职业乐团演奏员招考的流程、曲目准备与面试、试奏要点，乐团人事主管现场答疑。",
            "teacher_name": "东方交响乐团人事主管",
        },
    )
    talk_lecture = services.lecture_save(
        actor=centre,
        course=talk,
        lecture=None,
        data={
            "title": "乐团招考面试准备",
            "held_at": _at(today - dt.timedelta(days=30), 19),
            "attendance_code": services.new_code(),
        },
        video_url="https://www.bilibili.com/video/BV1demo0100",
    )
    services.course_publish(actor=centre, course=talk)
    if partner is not None:
        services.course_share(actor=centre, course=talk, partner_id=partner.pk)

    # A 钢琴系 talk for its graduates, with the mentor as teacher; and a draft.
    piano = Department.objects.filter(institution=school, name__contains="钢琴").first()
    if piano is not None:
        piano_talk = services.course_save(
            actor=centre,
            course=None,
            data={
                "kind": "talk",
                "title": "钢琴教师岗位的求职与试讲",
                "summary": "琴行、艺术培训机构和中小学钢琴教师岗位的试讲准备。",
            },
            department=piano,
            teacher_id=teacher,
        )
        services.lecture_save(
            actor=centre,
            course=piano_talk,
            lecture=None,
            data={"title": "试讲与说课", "held_at": _at(today + dt.timedelta(days=14), 15)},
        )
        services.course_publish(actor=centre, course=piano_talk)
    services.course_save(
        actor=centre,
        course=None,
        data={"kind": "course", "title": "2021届就业指导课（筹备中）", "cohort_year": 2021},
    )

    # Attendance and feedback.
    for lecture in lectures:
        _attend(rng, lecture, graduates, 0.75)
    for graduate in graduates[:20]:
        actor = build_actor(graduate.user, school.pk)
        services.feedback_submit(
            actor=actor,
            course=course,
            rating=rng.choice((5, 5, 4, 4, 4, 3)),
            comment=rng.choice(COMMENTS),
        )
    came = _attend(rng, talk_lecture, graduates, 0.4)
    if partner is not None:
        came += _attend(rng, talk_lecture, _graduates(partner, 15), 0.6)
    for graduate in came[:10]:
        services.feedback_submit(
            actor=build_actor(graduate.user, graduate.institution_id),
            course=talk,
            rating=rng.choice((5, 5, 4)),
            comment=rng.choice(COMMENTS),
        )
    # The times of a loaded demo: attendance at the lecture, audit rows on the demo day.
    for lecture in Lecture.objects.filter(course__institution=school).exclude(held_at=None):
        Attendance.objects.filter(lecture=lecture).update(
            attended_at=lecture.held_at + dt.timedelta(minutes=5)
        )
    if log:
        log(
            f"就业指导课程：{Course.objects.filter(institution=school).count()} 门，"
            f"听课记录 {Attendance.objects.count()} 条"
        )
    return []
