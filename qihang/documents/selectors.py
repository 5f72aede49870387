"""Reads for documents, through scoping — except the public verification lookup, which finds
a document by its unguessable token alone and returns only what the page may show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from qihang.documents.models import DocumentStatus, IssuedDocument
from qihang.documents.public import public_items
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped


def _documents() -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.select_related("graduate__department", "issued_by")


def documents_for(actor: Actor, *, graduate_id: int | None = None) -> QuerySet[IssuedDocument]:
    """Documents the actor may see: a graduate's own, staff's of the graduates they see."""
    qs = scoped(_documents(), actor)
    if graduate_id is not None:
        qs = qs.filter(graduate_id=graduate_id)
    return qs


def document_for(actor: Actor, document_id: int) -> IssuedDocument:
    return get_scoped_or_404(_documents(), actor, pk=document_id)


def document_chain(document: IssuedDocument) -> list[IssuedDocument]:
    """The originals this one replaced and those that replaced it, oldest first."""
    same = IssuedDocument.objects.filter(
        institution_id=document.institution_id,
        graduate_id=document.graduate_id,
        kind=document.kind,
    ).select_related("issued_by", "revoked_by")
    by_id = {d.pk: d for d in same}
    chain = [document]
    while chain[0].reissue_of_id in by_id:
        chain.insert(0, by_id[chain[0].reissue_of_id])
    later = {d.reissue_of_id: d for d in by_id.values() if d.reissue_of_id}
    while chain[-1].pk in later:
        chain.append(later[chain[-1].pk])
    return chain


@dataclass(frozen=True)
class Verification:
    """What /verify/<token>/ may show: valid or not, and for a valid one its masked details."""

    valid: bool
    kind_label: str = ""
    number: str = ""
    issued_at: Any = None
    items: tuple[tuple[Any, str], ...] = ()


INVALID = Verification(valid=False)


def verification(token: str) -> Verification:
    """One indexed query. An unknown token, a revoked and a superseded document answer alike,
    so the page tells a stranger nothing beyond "not valid"."""
    if not token or len(token) > 64:
        return INVALID
    document = (
        IssuedDocument.objects.filter(token=token, status=DocumentStatus.VALID)
        .only("kind", "number", "issued_at", "public")
        .first()
    )
    if document is None:
        return INVALID
    return Verification(
        valid=True,
        kind_label=document.get_kind_display(),
        number=document.number,
        issued_at=document.issued_at,
        items=tuple(public_items(document.public)),
    )
