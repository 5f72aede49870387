"""Writes of the documents app. Each runs in one transaction with its audit row.

Issuing (document_issue) is called by the service that decides a document is due — the
recommendation form's approval, an agreement's signing — which has checked that the actor may
approve it; issuing itself only checks the graduate is of the actor's institution. The caller
passes a `render(verification_url) -> bytes` callable that makes the PDF with the QR code to
that URL (qihang.lib.pdf); the bytes are stored privately (like evidence files, under a random
name) with their SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.destinations.evidence import stored_files
from qihang.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from qihang.documents.public import verification_url
from qihang.documents.workflow import DOCUMENT_LIFECYCLE
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import Actor

Render = Callable[[str], bytes]


def _new_token() -> str:
    token = secrets.token_urlsafe(24)  # 192 bits: not guessable, not enumerable
    while IssuedDocument.objects.filter(token=token).exists():  # pragma: no cover
        token = secrets.token_urlsafe(24)
    return token


def document_issue(
    *,
    actor: Actor,
    kind: str,
    graduate: Graduate,
    number: str,
    public: dict[str, Any],
    render: Render,
    reissue_of: IssuedDocument | None = None,
    reason: str = "",
) -> IssuedDocument:
    """Issue one original: render its PDF (with the QR code to its verification URL), store
    it, record it. `public` is what the verification page shows (documents.public.
    public_fields). Refuses a second valid original with the same kind and number."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("未知的文件类型：%(kind)s") % {"kind": kind}})
    if graduate.institution_id != actor.institution_id:
        raise ValidationError(_("该毕业生不属于本校。"))
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("文件编号不能为空。")})
    token = _new_token()
    pdf = render(verification_url(token))
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("render() must return the bytes of a PDF")
    sha256 = hashlib.sha256(pdf).hexdigest()
    name = f"documents/{graduate.institution_id}/{graduate.pk}/{uuid.uuid4().hex}.pdf"
    with stored_files() as stored, transaction.atomic():
        if (
            IssuedDocument.objects.filter(
                institution_id=graduate.institution_id,
                kind=kind,
                number=number,
                status=DocumentStatus.VALID,
            )
            .select_for_update()
            .exists()
        ):
            raise ValidationError(
                {"number": _("编号为%(number)s的文件已签发且有效。") % {"number": number}}
            )
        saved = default_storage.save(name, ContentFile(pdf))
        stored.append(saved)
        document = IssuedDocument(
            institution_id=graduate.institution_id,
            kind=kind,
            graduate=graduate,
            number=number,
            token=token,
            file=saved,
            size=len(pdf),
            sha256=sha256,
            issued_at=timezone.now(),
            issued_by_id=actor.user_id,
            public=public,
            reissue_of=reissue_of,
            reissue_reason=reason.strip() if reissue_of is not None else "",
        )
        document.full_clean(exclude=["file"])
        document.save()
        audit_record(
            institution_id=document.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.DOCUMENT_ISSUE,
            target=document,
            summary=f"{document} · {graduate}",
            data={
                "kind": kind,
                "number": number,
                "graduate_id": graduate.pk,
                "sha256": sha256,
                "size": len(pdf),
                "reissue_of": reissue_of.pk if reissue_of is not None else None,
            },
        )
    return document


def document_revoke(*, actor: Actor, document: IssuedDocument, reason: str) -> IssuedDocument:
    """作废: the original verifies as invalid from now on (DOCUMENT_MANAGE, reason required)."""
    DOCUMENT_LIFECYCLE.apply(
        document,
        actor,
        "revoke",
        institution_id=document.institution_id,
        reason=reason,
        changes={
            "revoked_at": timezone.now(),
            "revoked_by_id": actor.user_id,
            "revoke_reason": reason.strip()[:200],
        },
        summary=str(document),
        data={"number": document.number, "kind": document.kind},
    )
    return document


def document_reissue(
    *,
    actor: Actor,
    document: IssuedDocument,
    reason: str,
    render: Render,
    number: str | None = None,
    public: dict[str, Any] | None = None,
) -> IssuedDocument:
    """补发: the old original is superseded (invalid from now on) and a new one issued, with a
    new QR token, pointing back to it. Same number unless `number` is given."""
    with transaction.atomic():
        DOCUMENT_LIFECYCLE.apply(
            document,
            actor,
            "reissue",
            institution_id=document.institution_id,
            reason=reason,
            changes={
                "revoked_at": timezone.now(),
                "revoked_by_id": actor.user_id,
                "revoke_reason": reason.strip()[:200],
            },
            summary=str(document),
            data={"number": document.number, "kind": document.kind},
        )
        return document_issue(
            actor=actor,
            kind=document.kind,
            graduate=document.graduate,
            number=number or document.number,
            public=document.public if public is None else public,
            render=render,
            reissue_of=document,
            reason=reason,
        )


def document_bytes(*, actor: Actor, document: IssuedDocument) -> bytes:
    """The stored PDF for a person allowed to see the document (the caller scoped it); the
    download is recorded, as it shows the graduate's details unmasked."""
    with default_storage.open(document.file.name, "rb") as handle:
        data = handle.read()
    audit_record(
        institution_id=document.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.DOCUMENT_DOWNLOAD,
        target=document,
        summary=str(document),
        data={"number": document.number, "graduate_id": document.graduate_id},
    )
    return data
