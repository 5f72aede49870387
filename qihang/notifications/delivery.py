"""Sending what the outbox holds: instant deliveries (the `deliver` task) and daily digests.

Every delivery is claimed with a conditional UPDATE (pending/failed → sending) before its
message goes out and marked sent or failed after: a task that runs twice, or a retry after a
failure, never sends a message that was sent. Failures keep the error and count attempts;
running `deliver` again for the same ids retries them, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.accounts.links import absolute_url, set_password_url
from qihang.accounts.models import User
from qihang.graduates.models import Graduate
from qihang.notifications.channels import Outgoing, backend_for
from qihang.notifications.kinds import KINDS, LINK_MARK, Channel
from qihang.notifications.models import Delivery, DeliveryStatus, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def rendered_body(notification: Notification, *, for_inbox: bool = False) -> str:
    """The body with its link written in: the inbox never shows a set-password link."""
    if LINK_MARK not in notification.body:
        return notification.body
    if KINDS[notification.kind].account_link:
        link = (
            _("（链接已发送到您的邮箱）") if for_inbox else set_password_url(notification.recipient)
        )
    else:
        link = absolute_url(notification.link) if notification.link else ""
    return notification.body.replace(LINK_MARK, link)


def _phones(user_ids: Iterable[int]) -> dict[int, str]:
    return {
        g.user_id: g.phone.reveal_unlogged()
        for g in Graduate.objects.filter(user_id__in=list(user_ids)).only("user_id", "phone")
        if g.phone
    }


def _address(delivery: Delivery, phones: dict[int, str]) -> str:
    notification = delivery.notification
    if delivery.channel == Channel.EMAIL:
        return notification.email_to
    if delivery.channel == Channel.SMS:
        return phones.get(notification.recipient_id, "")
    # WeChat: the recipient's binding (an openid) comes with a real vendor; the local backend
    # addresses the account.
    return f"user:{notification.recipient_id}"


def _claim(delivery: Delivery) -> bool:
    claimed = Delivery.objects.filter(
        pk=delivery.pk, status__in=RETRYABLE, attempts__lt=MAX_ATTEMPTS
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    return claimed == 1


def _finish(pks: Sequence[int], status: DeliveryStatus, error: str = "") -> None:
    Delivery.objects.filter(pk__in=list(pks)).update(
        status=status,
        last_error=error[:500],
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )


def _send_batch(channel: str, items: list[tuple[Delivery, Outgoing]]) -> int:
    """Send over one connection; returns how many went out."""
    backend = backend_for(channel)
    if backend is None:
        _finish([d.pk for d, _m in items], DeliveryStatus.SKIPPED, "channel off")
        return 0
    sent = 0
    try:
        backend.open()
    except Exception as exc:  # the server is down: every message waits for a retry
        logger.warning("%s channel could not open: %s", channel, exc)
        _finish([d.pk for d, _m in items], DeliveryStatus.FAILED, str(exc))
        return 0
    try:
        for delivery, message in items:
            try:
                backend.send(message)
            except Exception as exc:
                # Never the address in the log: phone numbers are sensitive.
                logger.warning("%s delivery %s failed: %s", channel, delivery.pk, exc)
                _finish([delivery.pk], DeliveryStatus.FAILED, str(exc))
            else:
                _finish([delivery.pk], DeliveryStatus.SENT)
                sent += 1
    finally:
        backend.close()
    return sent


def deliver_notifications(notification_ids: Sequence[int]) -> int:
    """Send the instant deliveries of these notifications that are still to be sent."""
    deliveries = list(
        Delivery.objects.filter(
            notification_id__in=list(notification_ids),
            digest=False,
            status__in=RETRYABLE,
            attempts__lt=MAX_ATTEMPTS,
        )
        .select_related("notification__recipient")
        .order_by("channel", "notification_id")
    )
    phones = _phones({d.notification.recipient_id for d in deliveries if d.channel == Channel.SMS})
    batches: dict[str, list[tuple[Delivery, Outgoing]]] = defaultdict(list)
    for delivery in deliveries:
        to = _address(delivery, phones)
        if not to:
            _finish([delivery.pk], DeliveryStatus.SKIPPED, "no address")
            continue
        if not _claim(delivery):
            continue  # another run has it
        notification = delivery.notification
        batches[delivery.channel].append(
            (
                delivery,
                Outgoing(
                    notification_id=notification.pk,
                    to=to,
                    subject=notification.subject,
                    body=rendered_body(notification),
                ),
            )
        )
    return sum(_send_batch(channel, items) for channel, items in batches.items())


# --- The daily digest --------------------------------------------------------------------------
def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day in the deployment's time zone (settings.TIME_ZONE)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _digest_message(user: User, day: dt.date, rows: list[Notification]) -> tuple[str, str]:
    subject = _("【启航】%(date)s 通知汇总（%(n)s 条）") % {
        "date": day.isoformat(),
        "n": len(rows),
    }
    parts = [
        _("%(name)s，您好：\n\n以下是您 %(date)s 的通知：")
        % {"name": user.display_name or user.username, "date": day.isoformat()}
    ]
    for n in rows:
        entry = f"\n· {n.subject}\n{rendered_body(n)}"
        if n.link and LINK_MARK not in n.body:
            entry += f"\n{absolute_url(n.link)}"
        parts.append(entry)
    parts.append(_("\n\n在“我的通知 → 通知设置”中可以改为即时发送或不再发送。\n"))
    return subject, "\n".join(parts)


def digests_send(*, day: dt.date) -> int:
    """One e-mail per person with the day's digest messages still unsent; the number sent.
    Deterministic for a date: the same rows, in creation order, whenever it runs."""
    start, end = day_bounds(day)
    deliveries = list(
        Delivery.objects.filter(
            channel=Channel.EMAIL,
            digest=True,
            status__in=RETRYABLE,
            attempts__lt=MAX_ATTEMPTS,
            notification__created_at__gte=start,
            notification__created_at__lt=end,
        )
        .select_related("notification__recipient")
        .order_by("notification__recipient_id", "notification__created_at", "notification_id")
    )
    by_user: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_user[delivery.notification.recipient_id].append(delivery)
    backend = backend_for(Channel.EMAIL)
    assert backend is not None
    sent = 0
    if not by_user:
        return 0
    backend.open()
    try:
        for rows in by_user.values():
            claimed = [d for d in rows if _claim(d)]
            if not claimed:
                continue
            notifications = [d.notification for d in claimed]
            subject, body = _digest_message(notifications[0].recipient, day, notifications)
            message = Outgoing(
                notification_id=notifications[-1].pk,
                to=notifications[-1].email_to,
                subject=subject,
                body=body,
            )
            pks = [d.pk for d in claimed]
            try:
                backend.send(message)
            except Exception as exc:
                logger.warning(
                    "digest for user %s failed: %s", rows[0].notification.recipient_id, exc
                )
                _finish(pks, DeliveryStatus.FAILED, str(exc))
            else:
                _finish(pks, DeliveryStatus.SENT)
                sent += 1
    finally:
        backend.close()
    return sent
