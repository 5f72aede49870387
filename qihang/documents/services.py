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
from qihang.documents.models import (
    DOSSIER_FIELDS,
    REPORT_CARD_LAST_COHORT,
    DispatchMethod,
    DocumentKind,
    DocumentStatus,
    Dossier,
    DossierChange,
    FileStatus,
    IssuedDocument,
    Recommendation,
    RecommendationLevel,
    RecommendationStatus,
)
from qihang.documents.public import public_fields, verification_url
from qihang.documents.rendering import Render, renderer
from qihang.documents.workflow import DOCUMENT_LIFECYCLE, RECOMMENDATION
from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor


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


# --- The recommendation form ---------------------------------------------------------------------
def recommendation_number(recommendation: Recommendation) -> str:
    """TJ<cohort>-<serial>: unique in the institution; kept by re-issues. Not the student number,
    which the public page must not show."""
    return f"TJ{recommendation.graduate.cohort.year}-{recommendation.pk:05d}"


def _recommendation_render(recommendation: Recommendation, number: str) -> Render:
    return renderer(
        "documents/print/recommendation.html",
        {
            "recommendation": recommendation,
            "graduate": recommendation.graduate,
            "number": number,
            "approved_on": timezone.localdate(),
        },
    )


def recommendation_submit(
    *, actor: Actor, graduate: Graduate, self_assessment: str, intentions: str, honours: str = ""
) -> Recommendation:
    """The graduate's application: their part of the form, sent to the department. A returned
    form is edited and sent again; a form under review or approved is not editable."""
    with transaction.atomic():
        recommendation, _created = Recommendation.objects.select_for_update().get_or_create(
            graduate=graduate,
            defaults={"institution_id": graduate.institution_id},
        )
        RECOMMENDATION.check(recommendation, actor, "submit")
        recommendation.self_assessment = self_assessment.strip()
        recommendation.intentions = intentions.strip()
        recommendation.honours = honours.strip()
        recommendation.full_clean(exclude=["graduate", "document"])
        recommendation.save(update_fields=["self_assessment", "intentions", "honours"])
        RECOMMENDATION.apply(
            recommendation,
            actor,
            "submit",
            institution_id=recommendation.institution_id,
            changes={"submitted_at": timezone.now(), "return_reason": ""},
            summary=str(graduate),
        )
    return recommendation


def recommendation_assess(
    *, actor: Actor, recommendation: Recommendation, comments: str, level: str
) -> Recommendation:
    comments = comments.strip()
    errors = {}
    if len(comments) < 2:
        errors["department_comments"] = _("请填写院系评议。")
    if level not in RecommendationLevel.values:
        errors["level"] = _("请选择推荐意见。")
    if errors:
        raise ValidationError(errors)
    RECOMMENDATION.apply(
        recommendation,
        actor,
        "assess",
        institution_id=recommendation.institution_id,
        changes={
            "department_comments": comments[:2000],
            "level": level,
            "assessed_by_id": actor.user_id,
            "assessed_at": timezone.now(),
        },
        summary=str(recommendation.graduate),
        data={"level": level},
    )
    return recommendation


def recommendation_return(
    *, actor: Actor, recommendation: Recommendation, reason: str
) -> Recommendation:
    RECOMMENDATION.apply(
        recommendation,
        actor,
        "return",
        institution_id=recommendation.institution_id,
        reason=reason,
        changes={"return_reason": reason.strip()[:200]},
        summary=str(recommendation.graduate),
    )
    return recommendation


def recommendation_approve(*, actor: Actor, recommendation: Recommendation) -> Recommendation:
    """The centre approves: the original is issued (PDF with the QR code) in the same
    transaction as the approval."""
    RECOMMENDATION.check(recommendation, actor, "approve")
    graduate = recommendation.graduate
    number = recommendation_number(recommendation)
    with transaction.atomic():
        document = document_issue(
            actor=actor,
            kind=DocumentKind.RECOMMENDATION,
            graduate=graduate,
            number=number,
            public=public_fields(graduate),
            render=_recommendation_render(recommendation, number),
        )
        RECOMMENDATION.apply(
            recommendation,
            actor,
            "approve",
            institution_id=recommendation.institution_id,
            changes={
                "number": number,
                "document_id": document.pk,
                "approved_by_id": actor.user_id,
                "approved_at": timezone.now(),
            },
            summary=str(graduate),
            data={"number": number, "document_id": document.pk},
        )
        recommendation.document = document
    return recommendation


def recommendation_reissue(
    *, actor: Actor, recommendation: Recommendation, reason: str
) -> Recommendation:
    """补发: one original per graduate, so the current one is superseded (with the reason) and a
    new one, with a new QR code and the same number, takes its place."""
    if recommendation.status != RecommendationStatus.APPROVED or recommendation.document is None:
        raise ValidationError(_("推荐表尚未签发，不能补发。"))
    with transaction.atomic():
        new = document_reissue(
            actor=actor,
            document=recommendation.document,
            reason=reason,
            render=_recommendation_render(recommendation, recommendation.number),
            public=public_fields(recommendation.graduate),
        )
        Recommendation.objects.filter(pk=recommendation.pk).update(document=new)
        recommendation.document = new
    return recommendation


# --- 档案 and 户口 ----------------------------------------------------------------------------------
def _dossier_values(dossier: Dossier) -> dict[str, Any]:
    values = {}
    for name in DOSSIER_FIELDS:
        value = getattr(dossier, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def dossier_update(
    *, actor: Actor, graduate: Graduate, data: dict[str, Any], reason: str = ""
) -> Dossier:
    """Record where the file and the 户口 go (DOSSIER_EDIT; the caller scoped the graduate).
    A change of an existing record needs a reason; each change keeps its before and after."""
    actor.require(Perm.DOSSIER_EDIT)
    if graduate.institution_id != actor.institution_id:
        raise ValidationError(_("该毕业生不属于本校。"))
    with transaction.atomic():
        dossier, created = Dossier.objects.select_for_update().get_or_create(
            graduate=graduate, defaults={"institution_id": graduate.institution_id}
        )
        before = _dossier_values(dossier)
        for name in DOSSIER_FIELDS:
            if name in data:
                value = data[name]
                setattr(dossier, name, value.strip() if isinstance(value, str) else value)
        after = _dossier_values(dossier)
        changed = [name for name in DOSSIER_FIELDS if before[name] != after[name]]
        if not changed:
            raise ValidationError(_("没有需要保存的修改。"))
        errors: dict[str, str] = {}
        has_report_card = any(
            after[n] for n in ("report_card_number", "report_card_issued_on", "report_card_unit")
        )
        if has_report_card and graduate.cohort.year > REPORT_CARD_LAST_COHORT:
            errors["report_card_number"] = _("2023届起不再签发报到证，无需填写。")
        if dossier.file_status in {FileStatus.SENT, FileStatus.RECEIVED}:
            if not dossier.file_destination or not dossier.receiver_name:
                errors["receiver_name"] = _("档案寄出前请填写档案去向和接收单位。")
            if dossier.dispatch_method in {DispatchMethod.CONFIDENTIAL_MAIL, DispatchMethod.EMS}:
                if not dossier.dispatch_number:
                    errors["dispatch_number"] = _("机要或EMS寄送请填写单号。")
        reason = reason.strip()
        if not created and len(reason) < 2:
            errors["reason"] = _("修改已登记的档案信息请填写原因。")
        if errors:
            raise ValidationError(errors)
        dossier.version = 1 if created else dossier.version + 1
        dossier.updated_by_id = actor.user_id
        dossier.full_clean(exclude=["graduate"])
        dossier.save()
        change = DossierChange.objects.create(
            institution_id=dossier.institution_id,
            dossier=dossier,
            version=dossier.version,
            before={n: before[n] for n in changed},
            after={n: after[n] for n in changed},
            reason=reason[:200],
            changed_by_id=actor.user_id,
        )
        audit_record(
            institution_id=dossier.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.DOSSIER_UPDATE,
            target=dossier,
            summary=str(graduate),
            data={
                "graduate_id": graduate.pk,
                "version": dossier.version,
                "before": change.before,
                "after": change.after,
                "reason": change.reason,
            },
        )
    return dossier


def dossier_export_recorded(*, actor: Actor, count: int, cohort_year: int | None) -> None:
    """The audit row of an export of dossier data (addresses of graduates' files)."""
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.DOSSIER_EXPORT,
        summary=f"{count}",
        data={"rows": count, "cohort": cohort_year},
    )
