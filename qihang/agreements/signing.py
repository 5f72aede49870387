"""Electronic signatures behind one interface.

Each party signs the exact bytes of the agreement's terms document (`terms_document`, a
deterministic UTF-8 rendering of one version of the terms): the employer when it offers or
edits, the graduate when they accept, the school when the career centre approves. A backend
returns what the platform records — who signed, when, and the SHA-256 of those bytes — and a
vendor's reference if it has one. The built-in "local" backend signs in the platform itself;
an external vendor (法大大, e签宝 …) is a class with the same `sign` method named by dotted path
in settings.QIHANG_SIGNING_BACKEND, like the notification channels' backends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Signer:
    party: str  # models.Party
    user_id: int | None
    name: str


@dataclass(frozen=True)
class SignatureResult:
    sha256: str
    signed_at: dt.datetime
    reference: str = ""


class SigningBackend(Protocol):
    name: str

    def sign(self, *, document: bytes, signer: Signer) -> SignatureResult: ...  # raises on failure


class LocalBackend:
    """Signs in the platform: the signer is the signed-in person, the time is now, and the
    signature is the SHA-256 of the document's bytes."""

    name = "local"

    def sign(self, *, document: bytes, signer: Signer) -> SignatureResult:
        return SignatureResult(
            sha256=hashlib.sha256(document).hexdigest(), signed_at=timezone.now()
        )


def backend() -> SigningBackend:
    name = getattr(settings, "QIHANG_SIGNING_BACKEND", "local") or "local"
    if name == "local":
        return LocalBackend()
    try:
        return import_string(name)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"QIHANG_SIGNING_BACKEND: cannot import {name!r}") from exc


# The terms both parties sign, in a fixed order; a change to any of them is a new version.
TERM_FIELDS = (
    "number",
    "position",
    "employer_nature",
    "work_division",
    "monthly_salary",
    "term",
    "terms",
)


def terms_document(agreement: Any) -> bytes:
    """The exact bytes each party signs: the agreement's parties and terms as canonical JSON
    (sorted keys, UTF-8), so the same version always gives the same hash."""
    content = {
        "institution": agreement.institution_id,
        "cohort": agreement.cohort_id,
        "graduate": agreement.graduate.student_no,
        "graduate_name": agreement.graduate.name,
        "employer": agreement.employer.credit_code,
        "employer_name": agreement.employer.name,
        "version": agreement.version,
        **{f: getattr(agreement, f) for f in TERM_FIELDS},
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
