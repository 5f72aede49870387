"""Demo notifications: what the outbox would have sent the demo's people by the demo date.

Graduates whose record was returned or approved find the decision in their inbox (unread for
the recent ones); career-centre staff have a few messages of their own. Rows are written as
already delivered history (no task is enqueued, nothing is mailed when the demo loads), and
the same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from qihang.demo import catalogue as cat
from qihang.destinations.models import Destination, ReviewStatus
from qihang.institutions.models import Institution, Membership
from qihang.institutions.roles import Role
from qihang.notifications.kinds import KINDS, Kind, Mode
from qihang.notifications.models import Delivery, DeliveryStatus, Notification

PER_INSTITUTION = 60  # decisions told, at most, per school


def _at(rng: random.Random, today: dt.date, within_days: int) -> dt.datetime:
    day = today - dt.timedelta(days=rng.randrange(within_days))
    return dt.datetime.combine(
        day, dt.time(rng.randrange(8, 20), rng.randrange(60)), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> None:
    rows: list[Notification] = []
    mine = reverse("destinations:mine")
    for institution in Institution.objects.filter(code__in=[cat.DFCM.code, cat.JCCM.code]).order_by(
        "code"
    ):
        rng = random.Random(f"{seed}:notifications:{institution.code}")
        decided = list(
            Destination.objects.filter(
                institution=institution,
                graduate__user__isnull=False,
                status__in=[ReviewStatus.RETURNED, ReviewStatus.APPROVED],
            )
            .select_related("graduate__user", "code")
            .order_by("pk")
        )
        # Every returned record (the graduate must act), and a sample of approvals.
        returned = [d for d in decided if d.status == ReviewStatus.RETURNED]
        approved = [d for d in decided if d.status == ReviewStatus.APPROVED]
        chosen = returned + rng.sample(approved, min(len(approved), PER_INSTITUTION))
        for d in chosen:
            user = d.graduate.user
            code = f"{d.code.code} {d.code.name}"
            if d.status == ReviewStatus.RETURNED:
                kind, subject = Kind.DESTINATION_RETURNED, "【启航】您填报的毕业去向被退回，请更正"
                body = (
                    f"{d.graduate.name}同学：\n\n您填报的毕业去向（{code}）被退回。"
                    f"退回原因：\n{d.return_reason}\n\n请登录后按原因更正并重新提交：{{link}}\n"
                )
            else:
                kind, subject = Kind.DESTINATION_APPROVED, "【启航】您的毕业去向已审批通过"
                body = (
                    f"{d.graduate.name}同学：\n\n您填报的毕业去向（{code}）已由学校审批通过，"
                    "成为正式记录。\n\n查看：{link}\n"
                )
            created = _at(rng, today, 30)
            recent = (today - created.date()).days < 7
            rows.append(
                Notification(
                    institution=institution,
                    recipient=user,
                    kind=kind,
                    mode=Mode.INSTANT,
                    subject=subject,
                    body=body,
                    link=mine,
                    email_to=user.email or d.graduate.email,
                    created_at=created,
                    read_at=None if recent or rng.random() < 0.3 else created,
                )
            )
        centre = (
            Membership.objects.filter(institution=institution, role=Role.CAREER_CENTRE)
            .select_related("user")
            .order_by("pk")
        )
        for membership in centre:
            for kind, subject, body in (
                (
                    Kind.SHARE_RECEIVED,
                    "【启航】结对院校共享了招聘信息",
                    "结对院校与本校共享了岗位和用人单位，可在岗位列表中查看。",
                ),
                (
                    Kind.EMPLOYER_VERIFIED,
                    "【启航】用人单位审核通过",
                    "一家用人单位已通过审核，其岗位可以发布。",
                ),
            ):
                created = _at(rng, today, 10)
                rows.append(
                    Notification(
                        institution=institution,
                        recipient=membership.user,
                        kind=kind,
                        mode=KINDS[kind].default,
                        subject=subject,
                        body=body,
                        link="",
                        email_to=membership.user.email,
                        created_at=created,
                        read_at=None,
                    )
                )
    Notification.objects.bulk_create(rows)
    Delivery.objects.bulk_create(
        Delivery(
            notification=n,
            channel="email",
            status=DeliveryStatus.SENT if n.email_to else DeliveryStatus.SKIPPED,
            attempts=1 if n.email_to else 0,
            sent_at=n.created_at if n.email_to else None,
        )
        for n in rows
    )
    if log:
        log(f"通知：{len(rows)} 条")
