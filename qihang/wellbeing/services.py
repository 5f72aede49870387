"""Writes for wellbeing: a graduate's check-in (and the referral it opens), the counsellors'
referral actions and notes, the thresholds."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.institutions.models import Membership
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.ratelimit import over_limit
from qihang.wellbeing.models import CheckIn, Referral, ReferralNote, Support, WellbeingPolicy
from qihang.wellbeing.workflow import REFERRAL

CHECKINS_PER_DAY = 5


def policy_of(institution_id: int) -> WellbeingPolicy:
    policy, _created = WellbeingPolicy.objects.get_or_create(institution_id=institution_id)
    return policy


def _triggers(policy: WellbeingPolicy, answers: dict[str, Any], contact: bool) -> list[str]:
    found = []
    if contact:
        found.append(_("毕业生请求联系"))
    if answers.get("support") == Support.TALK:
        found.append(_("希望与心理老师交流"))
    stress, sleep = answers.get("stress"), answers.get("sleep")
    if stress is not None and stress >= policy.stress_at_least:
        found.append(_("压力 %(n)s（阈值 %(t)s）") % {"n": stress, "t": policy.stress_at_least})
    if sleep is not None and sleep <= policy.sleep_at_most:
        found.append(_("睡眠 %(n)s（阈值 %(t)s）") % {"n": sleep, "t": policy.sleep_at_most})
    return found


@transaction.atomic
def checkin_submit(
    *,
    actor: Actor,
    stress: int | None,
    sleep: int | None,
    support: str,
    note: str,
    contact: bool,
    anonymous: bool,
) -> CheckIn:
    """A graduate's voluntary check-in. One that asks to be contacted, asks to talk, or crosses
    a threshold opens a referral for the psychological counsellors (unless anonymous: then
    nobody could be contacted, and the graduate is told so before sending). The audit row says
    that a check-in was made, nothing of what it said, and names no graduate when anonymous."""
    from qihang.audit.services import audit_record
    from qihang.graduates.models import Graduate

    actor.require(Perm.WELLBEING_CHECKIN)
    graduate = scoped(Graduate, actor).order_by("-cohort__year").first()
    if graduate is None:
        raise ValidationError(_("没有找到你的毕业生信息。"))
    if contact and anonymous:
        raise ValidationError({"anonymous": _("请求联系时不能匿名：老师需要知道联系谁。")})
    for name, value in (("stress", stress), ("sleep", sleep)):
        if value is not None and not 1 <= value <= 5:
            raise ValidationError({name: _("请选择 1–5 之间的数值。")})
    if support not in Support.values:
        raise ValidationError({"support": _("请选择一项。")})
    note = (note or "").strip()[:1000]
    if over_limit(f"wellbeing-checkin:{actor.user_id}", limit=CHECKINS_PER_DAY, seconds=86400):
        raise ValidationError(_("今天已提交多次，请明天再来；如需立即帮助，请拨打心理援助热线。"))
    answers = {"stress": stress, "sleep": sleep, "support": support, "note": note}
    now = timezone.now()
    # An anonymous check-in keeps only the hour: its time must not point at whoever was online.
    at = now.replace(minute=0, second=0, microsecond=0) if anonymous else now
    checkin = CheckIn.objects.create(
        institution_id=graduate.institution_id,
        cohort_id=graduate.cohort_id,
        department_id=graduate.department_id,
        graduate=None if anonymous else graduate,
        answers=json.dumps(answers, ensure_ascii=False),
        submitted_at=at,
    )
    triggers = [] if anonymous else _triggers(policy_of(graduate.institution_id), answers, contact)
    if triggers:
        referral = Referral.objects.filter(graduate=graduate).exclude(status="closed").first()
        if referral is None:
            referral = Referral.objects.create(
                institution_id=graduate.institution_id,
                checkin=checkin,
                graduate=graduate,
                department_id=graduate.department_id,
                trigger="；".join(triggers),
                opened_at=now,
                updated_at=now,
            )
        else:  # one open referral per graduate: the new check-in joins it as a note
            ReferralNote.objects.create(
                institution_id=graduate.institution_id,
                referral=referral,
                author_id=actor.user_id,
                text=_("新的自评（%(at)s）：%(why)s")
                % {"at": f"{now:%Y-%m-%d %H:%M}", "why": "；".join(triggers)},
                at=now,
            )
            Referral.objects.filter(pk=referral.pk).update(updated_at=now)
        _tell_counsellors(referral)
    if not anonymous:  # an anonymous one leaves no trail to its author, the audit's included
        audit_record(
            institution_id=graduate.institution_id,
            actor_id=actor.user_id,
            action="wellbeing.checkin",
            target=None,
            summary=_("心理自评"),
            data={"checkin": checkin.pk, "referral": bool(triggers)},
        )
    return checkin


def _tell_counsellors(referral: Referral) -> None:
    """The institution's psychological counsellors learn that a referral waits: no name, no
    answer in the message, only the link (which asks them to sign in)."""
    from qihang.notifications.kinds import Kind
    from qihang.notifications.services import notify

    recipients = Membership.objects.filter(
        institution_id=referral.institution_id, role=Role.PSYCH_COUNSELLOR, is_active=True
    ).values_list("user_id", flat=True)
    notify(
        recipients=list(recipients),
        kind=Kind.WELLBEING_REFERRAL,
        subject=_("有一条心理关怀转介待处理"),
        body=_("请登录系统查看。"),
        link=reverse("wellbeing:referral", args=[referral.pk]),
        institution_id=referral.institution_id,
    )


@transaction.atomic
def referral_act(*, actor: Actor, referral_id: int, action: str, note: str = "") -> Referral:
    """Move a referral on (wellbeing.workflow.REFERRAL); a note given is sealed beside it."""
    referral = scoped(Referral, actor).select_for_update(of=("self",)).get(pk=referral_id)
    note = (note or "").strip()[:2000]
    now = timezone.now()
    changes: dict[str, Any] = {"updated_at": now}
    if referral.counsellor_id is None:
        changes["counsellor_id"] = actor.user_id
    if action == "close":
        changes["closed_at"] = now
    elif action == "reopen":
        changes["closed_at"] = None
    REFERRAL.apply(
        referral,
        actor,
        action,
        institution_id=referral.institution_id,
        reason=note,
        changes=changes,
        summary=_("心理关怀转介 #%(n)s：%(action)s")
        % {"n": referral.pk, "action": REFERRAL.action(action).label},
    )
    if note:
        ReferralNote.objects.create(
            institution_id=referral.institution_id,
            referral=referral,
            author_id=actor.user_id,
            text=note,
            at=now,
        )
    return referral


@transaction.atomic
def referral_note_add(*, actor: Actor, referral_id: int, text: str) -> ReferralNote:
    from qihang.audit.services import audit_record

    actor.require(Perm.WELLBEING_CASES)
    referral = scoped(Referral, actor).get(pk=referral_id)
    text = (text or "").strip()[:2000]
    if len(text) < 2:
        raise ValidationError({"text": _("请填写记录内容。")})
    now = timezone.now()
    note = ReferralNote.objects.create(
        institution_id=referral.institution_id,
        referral=referral,
        author_id=actor.user_id,
        text=text,
        at=now,
    )
    Referral.objects.filter(pk=referral.pk).update(updated_at=now)
    audit_record(
        institution_id=referral.institution_id,
        actor_id=actor.user_id,
        action="wellbeing.note",
        target=referral,
        summary=_("心理关怀转介 #%(n)s：添加记录") % {"n": referral.pk},
        data={"note": note.pk},
    )
    return note


@transaction.atomic
def policy_update(*, actor: Actor, stress_at_least: int, sleep_at_most: int) -> WellbeingPolicy:
    from qihang.audit.services import audit_record

    actor.require(Perm.WELLBEING_CASES)
    if not (1 <= stress_at_least <= 5 and 1 <= sleep_at_most <= 5):
        raise ValidationError(_("阈值须在 1–5 之间。"))
    policy = policy_of(actor.institution_id)
    before = {"stress_at_least": policy.stress_at_least, "sleep_at_most": policy.sleep_at_most}
    policy.stress_at_least, policy.sleep_at_most = stress_at_least, sleep_at_most
    policy.save()
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="wellbeing.policy",
        target=None,
        summary=_("调整心理关怀阈值"),
        data={
            "before": before,
            "after": {"stress_at_least": stress_at_least, "sleep_at_most": sleep_at_most},
        },
    )
    return policy
