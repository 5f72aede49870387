"""Writes for notifications: the one outbox every message the system sends goes through.

    notify(recipients=[user, ...], kind=Kind.JOB_HELD, subject="…", body="…",
           link="/jobs/12/", institution_id=actor.institution_id)

Call it inside the transaction of the change that causes the message (a service's
`transaction.atomic`): it writes one Notification per recipient and one Delivery per channel the
kind allows, and registers `transaction.on_commit` to enqueue the `deliver` task, so a rolled
back change sends nothing and nothing is ever sent before its change is committed.

- `recipients`: Users (or user ids). Inactive accounts are still written (the inbox keeps
  them) but get no e-mail, SMS or WeChat.
- `body`: plain text; where it contains LINK_MARK ("{link}") delivery writes the absolute
  address of `link` (for Kind.SET_PASSWORD: a fresh set-password link, never stored).
- `email_to`: {user_id: address} for an address other than the account's e-mail.
- The person's preference for the kind decides: instant (sent after commit), digest (one
  e-mail a day, `qihang send_digests`), off (in the inbox, already read, sent nowhere).
  Kinds marked mandatory in kinds.KINDS ignore preferences.
Returns the notifications written. A constant number of queries, whatever the recipients.
`notify_each(kind=…, institution_id=…, messages=[Message(recipient, subject, body, link)])`
does the same for texts that differ per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from qihang.accounts.models import User
from qihang.notifications.channels import channel_enabled
from qihang.notifications.kinds import KINDS, Channel, Kind, KindSpec, Mode
from qihang.notifications.models import Delivery, DeliveryStatus, Notification, Preference
from qihang.notifications.tasks import deliver


def modes_for(user_ids: Sequence[int], kind: Kind | str) -> dict[int, Mode]:
    spec = KINDS[kind]
    modes = {uid: Mode(spec.default) for uid in user_ids}
    if spec.mandatory:
        return {uid: Mode.INSTANT for uid in user_ids}
    for uid, mode in Preference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list(
        "user_id", "mode"
    ):
        modes[uid] = Mode(mode)
    return modes


@dataclass(frozen=True)
class Message:
    """One recipient's message, for `notify_each` (texts that differ per person)."""

    recipient: User
    subject: str
    body: str
    link: str = ""
    email_to: str = ""  # default: the account's e-mail


def notify(
    *,
    recipients: Iterable[User | int],
    kind: Kind | str,
    subject: str,
    body: str,
    link: str = "",
    institution_id: int | None,
    email_to: Mapping[int, str] | None = None,
) -> list[Notification]:
    """The same message to every recipient (see the module docstring); each person once."""
    chosen: dict[int, User | None] = {}
    for u in recipients:
        if u is not None:
            pk = u.pk if isinstance(u, User) else int(u)
            chosen.setdefault(pk, u if isinstance(u, User) else None)
    missing = [pk for pk, u in chosen.items() if u is None]
    found = User.objects.only("id", "email", "is_active").in_bulk(missing) if missing else {}
    users = [u or found[pk] for pk, u in chosen.items() if u is not None or pk in found]
    addresses = email_to or {}
    return notify_each(
        kind=kind,
        institution_id=institution_id,
        messages=[
            Message(
                recipient=u, subject=subject, body=body, link=link, email_to=addresses.get(u.pk, "")
            )
            for u in users
        ],
    )


def notify_each(
    *, kind: Kind | str, institution_id: int | None, messages: Sequence[Message]
) -> list[Notification]:
    """One message per recipient, each its own text; same rules and queries as `notify`."""
    kind = Kind(kind)
    spec = KINDS[kind]
    if not messages:
        return []
    modes = modes_for([m.recipient.pk for m in messages], kind)
    now = timezone.now()
    notifications = [
        Notification(
            institution_id=institution_id,
            recipient_id=m.recipient.pk,
            kind=kind,
            mode=modes[m.recipient.pk],
            subject=m.subject[:200],
            body=m.body,
            link=m.link,
            email_to=m.email_to or m.recipient.email,
            created_at=now,
            read_at=now if modes[m.recipient.pk] == Mode.OFF else None,
        )
        for m in messages
    ]
    with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
        Notification.objects.bulk_create(notifications)
        deliveries = Delivery.objects.bulk_create(_deliveries(spec, notifications, messages))
    instant = sorted(
        {
            d.notification.pk
            for d in deliveries
            if d.status == DeliveryStatus.PENDING and not d.digest
        }
    )
    if instant:
        transaction.on_commit(lambda: _enqueue(instant))
    return notifications


def _deliveries(
    spec: KindSpec, notifications: list[Notification], messages: Sequence[Message]
) -> list[Delivery]:
    deliveries = []
    for notification, message in zip(notifications, messages, strict=True):
        mode = Mode(notification.mode)
        for channel in Channel:
            if channel not in spec.channels:
                continue
            skip = (
                mode == Mode.OFF
                or not message.recipient.is_active
                or not channel_enabled(channel)
                or (channel == Channel.EMAIL and not notification.email_to)
                # A digest is an e-mail; the other channels are for what cannot wait.
                or (mode == Mode.DIGEST and channel != Channel.EMAIL)
            )
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=channel,
                    status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
                    digest=mode == Mode.DIGEST and not skip,
                )
            )
    return deliveries


def _enqueue(notification_ids: list[int]) -> None:
    deliver.enqueue(notification_ids)


def notifications_mark_read(*, user: Any, ids: Iterable[int]) -> int:
    """Mark the user's own notifications read; ids of anyone else's are ignored."""
    return Notification.objects.filter(
        recipient_id=user.pk, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_update(*, user: Any, modes: Mapping[str, str]) -> None:
    """Keep the user's choice per kind; mandatory kinds are not theirs to change."""
    for kind, mode in modes.items():
        spec = KINDS[Kind(kind)]
        if spec.mandatory:
            continue
        mode = Mode(mode)
        if mode == spec.default:
            Preference.objects.filter(user_id=user.pk, kind=kind).delete()
        else:
            Preference.objects.update_or_create(user_id=user.pk, kind=kind, defaults={"mode": mode})
