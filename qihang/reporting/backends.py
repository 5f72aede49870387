"""How a report run's file reaches the education authority, behind one interface.

The built-in backend ("file", the default) writes the file into a directory under
QIHANG_REPORTING_OUTBOX_DIR (`<institution code>/<run id>-<time>-<filename>`, 0600 in 0700
directories: it holds ID numbers in clear) and answers with the path; a person then uploads it to
the national or provincial system, which has no public push interface we could call. An adapter
for an authority's interface is a class with the same `push` method, named by dotted path in
QIHANG_REPORTING_BACKEND (like the SMS and WeChat channels, qihang/notifications/channels.py).

`push` is called inside the run's transaction, after the run row exists: a refusal (an
exception) rolls the whole run back, so no run is recorded for a file that did not leave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from qihang.lib.files import clean_name


@dataclass(frozen=True)
class Submission:
    """One file to hand over: whose, which run, its name and bytes."""

    institution_code: str
    run_id: int
    filename: str
    data: bytes
    at: dt.datetime  # when the run was made

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Receipt:
    """What the backend answers: where the file went (a path, an authority's batch number)."""

    backend: str
    reference: str


class Backend(Protocol):
    name: str

    def push(self, submission: Submission) -> Receipt: ...  # raises on failure


class LocalFileBackend:
    """Writes the file into the outbox directory; the receipt is its path."""

    name = "file"

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.QIHANG_REPORTING_OUTBOX_DIR)

    def push(self, submission: Submission) -> Receipt:
        folder = self.directory / clean_name(submission.institution_code)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The run's id and moment: ids alone may repeat after a database is rebuilt (the demo).
        stamp = submission.at.strftime("%Y%m%dT%H%M%S%f")
        name = clean_name(submission.filename)
        # O_EXCL: a run's file is written once, never replaced. The same id and moment again
        # (`qihang demo --reset` rebuilds the database and replays the same dated season) gets
        # a numbered name beside the earlier file.
        for n in itertools.count(1):
            path = folder / (
                f"{submission.run_id}-{stamp}-{name}"
                if n == 1
                else f"{submission.run_id}-{stamp}-{n}-{name}"
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            break
        with os.fdopen(fd, "wb") as out:
            out.write(submission.data)
        return Receipt(backend=self.name, reference=str(path))


def backend() -> Backend:
    """The configured backend (QIHANG_REPORTING_BACKEND)."""
    name = settings.QIHANG_REPORTING_BACKEND
    if name in ("", "file"):
        return LocalFileBackend()
    try:
        return import_string(name)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"QIHANG_REPORTING_BACKEND: cannot import {name!r}") from exc
