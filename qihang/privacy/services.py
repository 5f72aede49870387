"""Writes of the privacy app: a graduate grants or withdraws a consent, and downloads what the
system holds about them. Each write runs in one transaction with its audit row.

Sharing the résumé with employers is switched by the résumés app's own service
(`resumes.services.resume_consent_set`): that consent is the one every employer read asks, so
a withdrawal here takes effect with the employer's next request."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record, sensitive_reads_log
from qihang.graduates.models import Graduate
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.privacy import export, selectors
from qihang.privacy.models import Consent, ConsentText, Purpose
from qihang.resumes.models import Resume
from qihang.resumes.services import resume_consent_set, resume_of

# The attributes of the roster record the download shows in the clear (logged as a self-read).
SELF_READ_FIELDS = ("id_number", "ethnicity", "phone")


def _audit(actor: Actor, graduate: Graduate, action: AuditAction, target, **data) -> None:
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action=action,
        target=target,
        summary=str(graduate),
        data=data,
    )


def _current_text(purpose: str, version: int) -> ConsentText:
    """The text in force for the purpose, which must be the one the graduate was shown."""
    text = selectors.current_texts().get(purpose)
    if text is None:
        raise ValidationError({"purpose": _("没有这项授权。")})
    if text.version != version:
        raise ValidationError({"version": _("授权说明已经更新，请阅读新的说明后再确认。")})
    return text


@transaction.atomic
def consent_grant(*, actor: Actor, purpose: str, version: int) -> None:
    """The graduate agrees to `purpose` under the text of `version` (the one shown to them). An
    open consent under an older text is closed and a new one opened; the same text again is a
    no-op."""
    actor.require(Perm.PRIVACY_OWN)
    graduate = selectors.own_graduate(actor)
    text = _current_text(purpose, version)
    if purpose == Purpose.RESUME_SHARING:
        resume_consent_set(
            actor=actor, resume=resume_of(graduate), granted=True, text_version=text.version
        )
        return
    now = timezone.now()
    # Lock the graduate's row: two grants at once must not open two consents.
    list(Graduate.objects.select_for_update().filter(pk=graduate.pk).values_list("pk"))
    open_row = Consent.objects.filter(
        graduate=graduate, purpose=purpose, withdrawn_at__isnull=True
    ).first()
    if open_row is not None:
        if open_row.text_version == text.version:
            return
        open_row.withdrawn_at = now
        open_row.withdrawn_by_id = actor.user_id
        open_row.save(update_fields=["withdrawn_at", "withdrawn_by"])
    consent = Consent(
        institution_id=graduate.institution_id,
        graduate=graduate,
        purpose=purpose,
        text_version=text.version,
        granted_at=now,
        granted_by_id=actor.user_id,
    )
    consent.full_clean(exclude=["graduate", "institution", "granted_by", "withdrawn_by"])
    consent.save()
    _audit(
        actor,
        graduate,
        AuditAction.PRIVACY_CONSENT_GRANT,
        consent,
        purpose=purpose,
        text_version=text.version,
        renewed=open_row is not None,
    )


@transaction.atomic
def consent_withdraw(*, actor: Actor, purpose: str) -> None:
    """The graduate withdraws `purpose`; it takes effect at once (the open row is closed now;
    for the résumé, employers lose access with their next request)."""
    actor.require(Perm.PRIVACY_OWN)
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("没有这项授权。")})
    graduate = selectors.own_graduate(actor)
    if purpose == Purpose.RESUME_SHARING:
        resume = Resume.objects.filter(graduate=graduate).first()
        if resume is not None:  # without a résumé there is nothing shared
            resume.graduate = graduate
            resume_consent_set(actor=actor, resume=resume, granted=False)
        return
    consent = (
        Consent.objects.select_for_update()
        .filter(graduate=graduate, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        return
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by_id = actor.user_id
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _audit(
        actor,
        graduate,
        AuditAction.PRIVACY_CONSENT_WITHDRAW,
        consent,
        purpose=purpose,
        text_version=consent.text_version,
    )


@transaction.atomic
def my_data_download(*, actor: Actor, fmt: str) -> tuple[str, bytes, str]:
    """Everything held about the acting graduate as (file name, bytes, content type), in JSON
    or xlsx. The roster record is in the clear — the graduate's own data — and logged as a read
    of it by themselves; the download itself is audited with the sections it carried."""
    actor.require(Perm.PRIVACY_OWN)
    if fmt not in export.FORMATS:
        raise ValidationError({"format": _("请选择 JSON 或 Excel 格式。")})
    graduate = selectors.own_graduate(actor)
    sections = export.collect(actor=actor, graduate=graduate)
    sensitive_reads_log(
        actor=actor,
        model=Graduate,
        targets=[(graduate.pk, str(graduate))],
        field=",".join(SELF_READ_FIELDS),
        purpose=_("本人下载个人数据"),
    )
    _audit(
        actor,
        graduate,
        AuditAction.PRIVACY_DATA_EXPORT,
        graduate,
        format=fmt,
        sections={s.key: len(s.rows) for s in sections},
    )
    return export.render(sections, fmt=fmt, stem=f"my-data-{graduate.student_no}")
