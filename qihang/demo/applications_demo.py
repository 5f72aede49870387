"""Demo data for applications (issue 8): graduates of both schools apply to open jobs they can
see, and employers answer at every pace — auditions, offers, hires, refusals with reasons — while
some applications have waited for weeks without an answer (the centre's response-time page shows
who). Called by qihang/demo/channels.py after the search step; every change goes through the
services, then the times are moved back to spread over the season."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from qihang.applications import services
from qihang.applications.models import Application, ApplicationEvent
from qihang.audit import chain
from qihang.employers.models import EmployerMember
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.jobs.models import JobStatus
from qihang.notifications.models import Delivery, DeliveryStatus, Notification
from qihang.search.selectors import searchable_jobs

NOTES = [
    "我主修{major}，在校期间参加过多场音乐会演出，希望加入贵团。",
    "本人{major}专业，有两年琴童教学经历，附上演出视频链接。",
    "{major}专业应届毕业生，曾获全国青少年比赛二等奖，可随时参加试奏。",
    "",
]
DECLINE_REASONS = ["本次招聘名额已满，欢迎关注下一轮招聘。", "声部已招满，简历已存入人才库。"]
MESSAGES = ["请问试奏需要准备哪些曲目？", "感谢邀请，我会准时参加。"]
# What happens to each application: the employer's answers, then the graduate's.
PATHS = [
    [],  # never answered
    [],
    ["view"],  # opened, never answered
    ["view", "invite"],
    ["view", "invite", "offer"],
    ["view", "invite", "offer", "accept"],
    ["view", "decline"],
    ["withdraw"],
]


def _employer_actor(employer_id: int):
    member = (
        EmployerMember.objects.filter(employer_id=employer_id, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return None if member is None else build_actor(member.user, None, employer_id=employer_id)


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    rng = random.Random(seed + 8)
    now = timezone.now()
    stamp = dt.datetime.combine(today, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    graduates = [
        graduate
        for institution_id in sorted(
            set(
                Graduate.objects.filter(user__isnull=False).values_list("institution_id", flat=True)
            )
        )
        for graduate in Graduate.objects.filter(institution_id=institution_id, user__isnull=False)
        .select_related("major", "user")
        .order_by("student_no")[:24]
    ]
    made = 0
    for i, graduate in enumerate(graduates):
        actor = build_actor(graduate.user, graduate.institution_id)
        if actor is None or not actor.has("application.apply"):
            continue
        jobs = list(
            searchable_jobs(actor)
            .filter(status=JobStatus.PUBLISHED)
            .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
            .filter(employer__members__is_active=True)
            .distinct()
            .order_by("pk")[:12]
        )
        for job in rng.sample(jobs, k=min(len(jobs), 1 + i % 2)):
            employer = _employer_actor(job.employer_id)
            path = PATHS[(i + made) % len(PATHS)] if employer is not None else []
            # Spread over the season before the demo day: unanswered ones have waited one to six
            # weeks; an invitation's audition is a few days after the demo day.
            back = dt.timedelta(days=rng.randint(7, 42) if not path else rng.randint(2, 30))
            # The services date the application's audit entries back as well: they are
            # written at the moment of the timeline, never re-dated afterwards.
            by = (now - stamp) + back
            with chain.clock(_shifted(by)):
                application = services.application_submit(
                    actor=actor, job=job, note=rng.choice(NOTES).format(major=graduate.major.name)
                )
                for step in path:
                    if step == "invite":
                        services.application_act(
                            actor=employer,
                            application=application,
                            action="invite",
                            interview={
                                "kind": "audition",
                                "at": now + dt.timedelta(days=rng.randint(3, 20), hours=2),
                                "place": "乐团排练厅（二楼）",
                                "note": "请准备一首自选曲目和一段乐团片段。",
                            },
                        )
                        if rng.random() < 0.5:
                            services.application_message(
                                actor=actor, application=application, text=rng.choice(MESSAGES)
                            )
                    elif step == "offer":
                        services.application_act(
                            actor=employer,
                            application=application,
                            action="offer",
                            offer_note="试用期三个月，7月1日报到。",
                        )
                    elif step == "decline":
                        services.application_act(
                            actor=employer,
                            application=application,
                            action="decline",
                            reason=rng.choice(DECLINE_REASONS),
                        )
                    elif step in ("accept", "withdraw"):
                        services.application_act(actor=actor, application=application, action=step)
                    else:
                        services.application_act(
                            actor=employer, application=application, action=step
                        )
            _move_back(application, by)
            if path and path[-1] == "invite":
                Application.objects.filter(pk=application.pk).update(
                    interview_at=stamp + dt.timedelta(days=rng.randint(3, 14), hours=4)
                )
            made += 1
    if log:
        log(f"applications: {made} applications, some unanswered for weeks")


def _shifted(by: dt.timedelta) -> chain.Rule:
    """The audit clock of one application: its entries `by` earlier than the real time."""

    def rule(action: str, real: dt.datetime) -> dt.datetime:
        return real - by if action.startswith("application.") else real

    return rule


def _move_back(application: Application, by: dt.timedelta) -> None:
    """Move an application back by `by`: its times, its timeline and the messages it caused
    (the services stamp them now; the demo tells a past season). Its audit entries were
    written `by` earlier in the first place (`_shifted`)."""
    Application.objects.filter(pk=application.pk).update(
        submitted_at=F("submitted_at") - by,
        answered_at=F("answered_at") - by,
        interview_at=F("interview_at") - by,
    )
    ApplicationEvent.objects.filter(application=application).update(at=F("at") - by)
    links = [
        reverse("applications:detail", args=[application.pk]),
        reverse("employer_applications:detail", args=[application.pk]),
    ]
    told = Notification.objects.filter(link__in=links)
    Delivery.objects.filter(notification__in=told, sent_at__isnull=False).update(
        sent_at=F("sent_at") - by
    )
    # History, not work: a digest that waited went out that night.
    for delivery in Delivery.objects.filter(
        notification__in=told, status=DeliveryStatus.PENDING
    ).select_related("notification"):
        delivery.status = DeliveryStatus.SENT
        delivery.attempts = 1
        delivery.sent_at = delivery.notification.created_at - by
        delivery.save(update_fields=["status", "attempts", "sent_at"])
    told.update(created_at=F("created_at") - by)
