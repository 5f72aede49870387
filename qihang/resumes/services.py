"""Writes of the résumés app. Only the graduate writes their résumé and portfolio; each write
runs in one transaction with its audit row. Reads that must be logged (an employer's, a staff
member's) are recorded by `resume_read_record`, called by the selectors' callers."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import models, transaction
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.models import SensitiveRead
from qihang.audit.services import audit_record
from qihang.destinations.evidence import EvidenceUpload, check_upload
from qihang.employers.models import Employer
from qihang.graduates.models import Graduate
from qihang.imports.storage import seal, unseal
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.lib.media import check_media, platform_of
from qihang.resumes.models import ConsentChange, MediaItem, MediaKind, Resume
from qihang.resumes.sections import Section

PROFILE_FIELDS = ("headline", "summary")


def _require_own(actor: Actor, resume: Resume) -> None:
    """Only the graduate themselves writes their résumé (callers fetched it through scoping)."""
    actor.require(Perm.RESUME_OWN)
    if resume.graduate.user_id != actor.user_id:
        raise PermissionDenied("not your résumé")


def resume_of(graduate: Graduate) -> Resume:
    """The graduate's résumé for a write, made empty on first use (reads use
    selectors.resume_for_reading, which writes nothing)."""
    resume, _created = Resume.objects.get_or_create(
        graduate=graduate, defaults={"institution_id": graduate.institution_id}
    )
    resume.graduate = graduate
    return resume


def _audit(actor: Actor, resume: Resume, action: AuditAction, target: models.Model, **data: Any):
    audit_record(
        institution_id=resume.institution_id,
        actor_id=actor.user_id,
        action=action,
        target=target,
        summary=str(resume.graduate),
        data=data,
    )


@transaction.atomic
def resume_update(*, actor: Actor, resume: Resume, data: dict[str, Any]) -> Resume:
    _require_own(actor, resume)
    # Compared with the stored row: a bound ModelForm has already set the new values here.
    before = Resume.objects.filter(pk=resume.pk).values(*PROFILE_FIELDS).get()
    changed = [f for f in PROFILE_FIELDS if f in data and before[f] != data[f]]
    for name in changed:
        setattr(resume, name, data[name])
    resume.full_clean(exclude=["graduate", "institution", "pdf_file"])
    resume.save(update_fields=[*changed, "updated_at"])
    _audit(actor, resume, AuditAction.RESUME_UPDATE, resume, fields=changed)
    return resume


@transaction.atomic
def resume_row_add(
    *, actor: Actor, resume: Resume, section: Section, data: dict[str, Any]
) -> models.Model:
    """Add a row to one of the sections (a media row added here is a platform link)."""
    _require_own(actor, resume)
    # A field left out (or None for a text field) keeps its default.
    values = {
        name: data[name]
        for name in section.fields
        if name in data and (data[name] is not None or section.model._meta.get_field(name).null)
    }
    extra: dict[str, Any] = {}
    if section.model is MediaItem:
        values["url"] = (values.get("url") or "").strip()
        extra = {"kind": MediaKind.LINK, "platform": platform_of(values["url"]).name}
    row = section.model(institution_id=resume.institution_id, resume=resume, **values, **extra)
    row.full_clean(exclude=["resume", "institution"])
    row.save()
    _audit(actor, resume, AuditAction.RESUME_ROW_ADD, row, section=section.key)
    return row


@transaction.atomic
def resume_row_remove(*, actor: Actor, resume: Resume, section: Section, row: models.Model) -> None:
    _require_own(actor, resume)
    if row.resume_id != resume.pk:
        raise PermissionDenied("not a row of this résumé")
    file = getattr(row, "file", None)
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))
    _audit(actor, resume, AuditAction.RESUME_ROW_REMOVE, row, section=section.key)
    row.delete()


def _store(field: models.fields.files.FieldFile, data: bytes, extension: str) -> None:
    """Seal and save under a random name; the old file goes once the new one is committed."""
    old = field.name
    field.save(f"{uuid.uuid4().hex}{extension}.enc", ContentFile(seal(data)), save=False)
    if old:
        storage = field.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def resume_pdf_upload(*, actor: Actor, resume: Resume, file: File) -> Resume:
    """The graduate's own PDF résumé: a PDF by its bytes, within the evidence size limit."""
    _require_own(actor, resume)
    try:
        checked = check_upload(EvidenceUpload("resume", file))
    except ValidationError as exc:
        raise ValidationError({"pdf": exc.messages}) from None
    if checked.content_type != "application/pdf":
        raise ValidationError(
            {"pdf": _("简历须为PDF文件；“%(name)s”是图片。") % {"name": checked.original_name}}
        )
    file.seek(0)
    data = file.read()
    _store(resume.pdf_file, data, ".pdf")
    resume.pdf_name = checked.original_name
    resume.pdf_size = checked.size
    resume.pdf_sha256 = hashlib.sha256(data).hexdigest()
    resume.save(update_fields=["pdf_file", "pdf_name", "pdf_size", "pdf_sha256", "updated_at"])
    _audit(actor, resume, AuditAction.RESUME_PDF_UPLOAD, resume, name=resume.pdf_name)
    return resume


@transaction.atomic
def resume_media_upload(*, actor: Actor, resume: Resume, title: str, file: File) -> MediaItem:
    _require_own(actor, resume)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写录音或录像的标题。")})
    checked = check_media(file)
    item = MediaItem(
        institution_id=resume.institution_id,
        resume=resume,
        title=title[:120],
        kind=checked.kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=hashlib.sha256(checked.data).hexdigest(),
    )
    _store(item.file, checked.data, checked.extension)
    item.save()
    _audit(actor, resume, AuditAction.RESUME_MEDIA_UPLOAD, item, name=item.original_name)
    return item


def stored_bytes(field: models.fields.files.FieldFile) -> bytes:
    """A stored file's plaintext (callers have checked the reader may see it)."""
    with field.open("rb") as handle:
        return unseal(handle.read())


@transaction.atomic
def resume_consent_set(
    *, actor: Actor, resume: Resume, granted: bool, text_version: int | None = None
) -> Resume:
    """Turn the consent to be found by employers on or off. A withdrawal takes effect at once:
    every employer read asks selectors.resume_visible_to_employer, which reads this row. This
    is also the privacy page's "向用人单位展示简历" purpose (qihang/privacy), which passes the
    version of the text it showed; granting again under a newer text is recorded too."""
    _require_own(actor, resume)
    resume = Resume.objects.select_for_update().select_related("graduate").get(pk=resume.pk)
    if resume.discoverable == granted:
        last = resume.consent_changes.order_by("-changed_at", "-pk").first()
        if not granted or text_version is None or (last and last.text_version == text_version):
            return resume
    else:
        resume.discoverable = granted
        resume.save(update_fields=["discoverable", "updated_at"])
    change = ConsentChange.objects.create(
        institution_id=resume.institution_id,
        resume=resume,
        granted=granted,
        text_version=text_version,
        changed_by_id=actor.user_id,
    )
    action = AuditAction.RESUME_CONSENT_GRANT if granted else AuditAction.RESUME_CONSENT_WITHDRAW
    shown = {"text_version": text_version} if text_version is not None else {}
    _audit(actor, resume, action, change, **shown)
    return resume


def resume_read_record(*, actor: Actor, resume: Resume, part: str) -> SensitiveRead:
    """Log one read of a résumé or portfolio by an employer or a member of staff, in the
    graduate's institution's log (an employer account has no institution of its own); the
    graduate sees these rows on their "who looked at my résumé" page."""
    if actor.employer_id is not None:
        employer = Employer.objects.only("name").get(pk=actor.employer_id)
        reason = _("用人单位查看：%(name)s") % {"name": employer.name}
    else:
        reason = _("本校老师查看")
    return SensitiveRead.objects.create(
        institution_id=resume.institution_id,
        actor_id=actor.user_id,
        target_type=Resume._meta.label_lower,
        target_id=str(resume.pk),
        target_label=str(resume.graduate)[:120],
        field=part,
        reason=reason[:300],
    )
