"""Reads of the privacy app: the acting graduate's own record, the consent texts in force,
each purpose's state and history, and who read the graduate's sensitive data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qihang.audit.models import SensitiveRead
from qihang.graduates.models import Graduate
from qihang.institutions.models import Membership, MembershipInvitation
from qihang.institutions.roles import Role
from qihang.institutions.scoping import Actor, get_scoped_or_404
from qihang.privacy.models import Consent, ConsentText, Purpose
from qihang.resumes.models import ConsentChange, Resume

# SensitiveRead.field values that name no Graduate field.
READ_FIELD_LABELS: dict[str, str | Promise] = {
    "key_groups": _("重点群体"),
    "assistance": _("帮扶档案"),  # assistance pages (qihang/assistance)
    "wellbeing": _("心理关怀记录"),
}


def own_graduate(actor: Actor) -> Graduate:
    """The acting graduate's own roster record, through scoping (404 for an account with none
    here): every page and download of this app starts from it."""
    return get_scoped_or_404(
        Graduate.objects.select_related("department", "major", "cohort", "mentor"),
        actor,
        user_id=actor.user_id,
    )


def current_texts(at: dt.datetime | None = None) -> dict[str, ConsentText]:
    """Each purpose's text in force at `at` (now): the highest version already effective. One
    query."""
    at = at or timezone.now()
    texts: dict[str, ConsentText] = {}
    for text in ConsentText.objects.filter(effective_from__lte=at).order_by("version"):
        texts[text.purpose] = text
    return texts


@dataclass(frozen=True)
class HistoryEntry:
    granted: bool
    at: dt.datetime
    version: int | None  # the text shown; None: switched on the résumé page


@dataclass
class PurposeState:
    purpose: Purpose
    text: ConsentText | None
    granted: bool = False
    version: int | None = None  # of the open consent
    since: dt.datetime | None = None
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def outdated(self) -> bool:
        """Granted under an older text than the one in force: asked to confirm again."""
        return (
            self.granted
            and self.text is not None
            and self.version is not None
            and self.version < self.text.version
        )


def consent_states(graduate: Graduate) -> list[PurposeState]:
    """Every purpose in order, with its text in force, whether the graduate consents now and
    the history, newest first. Four queries: the texts, the consents, the résumé's changes and
    whether the résumé is shared."""
    texts = current_texts()
    states = {p: PurposeState(Purpose(p), texts.get(p)) for p in Purpose.values}
    for row in Consent.objects.filter(graduate=graduate).order_by("granted_at", "pk"):
        state = states[row.purpose]
        state.history.append(HistoryEntry(True, row.granted_at, row.text_version))
        if row.withdrawn_at is None:
            state.granted, state.version, state.since = True, row.text_version, row.granted_at
        else:
            state.history.append(HistoryEntry(False, row.withdrawn_at, row.text_version))
    resume = states[Purpose.RESUME_SHARING]
    changes = ConsentChange.objects.filter(resume__graduate=graduate).order_by("changed_at", "pk")
    for change in changes:
        resume.history.append(HistoryEntry(change.granted, change.changed_at, change.text_version))
        if change.granted:
            resume.version, resume.since = change.text_version, change.changed_at
    # The switch itself is the truth; the changes are its history.
    resume.granted = graduate_shares_resume(graduate)
    if not resume.granted:
        resume.version = resume.since = None
    for state in states.values():
        state.history.sort(key=lambda entry: entry.at, reverse=True)
    return list(states.values())


def graduate_shares_resume(graduate: Graduate) -> bool:
    return Resume.objects.filter(graduate=graduate, discoverable=True).exists()


@dataclass(frozen=True)
class ReadRow:
    read: SensitiveRead
    reader: str
    roles: str
    fields: str


def reads_of_me(graduate: Graduate) -> models.QuerySet[SensitiveRead]:
    """The log rows whose target is the graduate's own roster record, newest first (a
    résumé's reads are on the résumés app's own page)."""
    return (
        SensitiveRead.objects.filter(
            institution_id=graduate.institution_id,
            target_type=Graduate._meta.label_lower,
            target_id=str(graduate.pk),
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def _field_labels(value: str) -> str:
    labels = []
    for name in value.split(","):
        if name in READ_FIELD_LABELS:
            labels.append(str(READ_FIELD_LABELS[name]))
            continue
        try:
            labels.append(str(Graduate._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001 — a name no longer a field is shown as written
            labels.append(name)
    return "、".join(labels)


def read_rows(graduate: Graduate, reads: list[SensitiveRead]) -> list[ReadRow]:
    """One page of reads with each reader's name and roles here (not their username). One
    query for the roles of the page's readers."""
    user_ids = {read.actor_id for read in reads}
    roles: dict[int, list[str]] = defaultdict(list)
    memberships = Membership.objects.filter(
        institution_id=graduate.institution_id,
        user_id__in=user_ids,
        is_active=True,
        invitation=MembershipInvitation.ACCEPTED,
    ).order_by("role")
    for user_id, role in memberships.values_list("user_id", "role"):
        roles[user_id].append(str(Role(role).label))
    rows = []
    for read in reads:
        if read.actor_id == graduate.user_id:
            reader, role_names = str(_("本人")), str(Role.GRADUATE.label)
        else:
            reader = read.actor.display_name or str(_("（未留姓名）"))
            names = roles.get(read.actor_id) or (
                [str(_("平台管理员"))] if read.actor.is_platform_admin else []
            )
            role_names = "、".join(names) or "—"
        rows.append(ReadRow(read, reader, role_names, _field_labels(read.field)))
    return rows
