"""The channels a notification travels by, behind one interface.

E-mail goes through Django's mail backend (settings.MAILERS). SMS and WeChat have a local
backend that appends each message as one JSON line to a file under QIHANG_MESSAGE_OUTBOX_DIR
(`sms.jsonl`, `wechat.jsonl`): the file is the only place a phone number is written in clear
(logs and pages mask it). No vendor is called; a vendor's backend is a class with the same
`open`/`send`/`close` methods named by dotted path in QIHANG_SMS_BACKEND / QIHANG_WECHAT_BACKEND.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, mailers
from django.utils import timezone
from django.utils.module_loading import import_string

from qihang.notifications.kinds import Channel


@dataclass(frozen=True)
class Outgoing:
    """One message as a channel sends it: `to` is an e-mail address, a phone number or a
    WeChat recipient handle."""

    notification_id: int
    to: str
    subject: str
    body: str


class Backend(Protocol):
    def open(self) -> None: ...
    def send(self, message: Outgoing) -> None: ...  # raises on failure
    def close(self) -> None: ...


class EmailBackend:
    """Django's mail backend: one connection for a batch, one message per send."""

    def __init__(self) -> None:
        self.connection: Any = None

    def open(self) -> None:
        self.connection = mailers.default
        self.connection.open()

    def send(self, message: Outgoing) -> None:
        email = EmailMessage(subject=message.subject, body=message.body, to=[message.to])
        self.connection.send_messages([email])

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class FileBackend:
    """Appends JSON lines to `<QIHANG_MESSAGE_OUTBOX_DIR>/<channel>.jsonl`."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.file: Any = None

    @property
    def path(self) -> Path:
        return Path(settings.QIHANG_MESSAGE_OUTBOX_DIR) / f"{self.channel}.jsonl"

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.path.open("a", encoding="utf-8")

    def send(self, message: Outgoing) -> None:
        line = {
            "channel": str(self.channel),
            "notification": message.notification_id,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "at": timezone.now().isoformat(),
        }
        self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


_SETTING = {Channel.SMS: "QIHANG_SMS_BACKEND", Channel.WECHAT: "QIHANG_WECHAT_BACKEND"}


def backend_for(channel: Channel | str) -> Backend | None:
    """The configured backend of a channel; None when the channel is off."""
    channel = Channel(channel)
    if channel == Channel.EMAIL:
        return EmailBackend()
    name = getattr(settings, _SETTING[channel], "")
    if not name:
        return None
    if name == "file":
        return FileBackend(channel)
    try:
        return import_string(name)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"{_SETTING[channel]}: cannot import {name!r}") from exc


def channel_enabled(channel: Channel | str) -> bool:
    channel = Channel(channel)
    return channel == Channel.EMAIL or bool(getattr(settings, _SETTING[channel], ""))
