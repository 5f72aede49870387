"""The demo's clock: services called inside `at(moment)` read `moment` from timezone.now()
(a microsecond later at each call, so the order of the writes is kept), and so do the audit
entries they append. The demo tells a past season; nothing it writes is dated after its day,
and loading it twice gives the same records."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from unittest import mock

from django.utils import timezone


class Clock:
    """A clock a demo step moves as its story goes: `at(day, hour)` sets it, `tick(seconds)`
    moves it on; between two moves each reading is a microsecond later than the last."""

    def __init__(self, moment: dt.datetime | None = None) -> None:
        self.set(moment or timezone.now())

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment
        self._ticks = itertools.count()

    def at(self, day: dt.date, hour: int) -> None:
        self.set(morning(day, hour))

    def tick(self, seconds: int = 41) -> None:
        self.set(self.moment + dt.timedelta(seconds=seconds))

    def now(self) -> dt.datetime:
        return self.moment + dt.timedelta(microseconds=next(self._ticks))

    def __enter__(self) -> Clock:
        self._patch = mock.patch.object(timezone, "now", self.now)
        self._patch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._patch.stop()


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    with Clock(moment):
        yield


def morning(day: dt.date, hour: int = 10) -> dt.datetime:
    """`hour` o'clock of `day`, Asia/Shanghai (the demo's local time)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
