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


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    ticks = itertools.count()
    with mock.patch.object(
        timezone, "now", lambda: moment + dt.timedelta(microseconds=next(ticks))
    ):
        yield


def morning(day: dt.date, hour: int = 10) -> dt.datetime:
    """`hour` o'clock of `day`, Asia/Shanghai (the demo's local time)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
