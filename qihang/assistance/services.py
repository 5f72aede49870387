"""Writes for key-group assistance: the file and plan, plan steps, follow-ups, programme
applications, subsidies; and the reminders (overdue follow-ups, milestone dates for key-group
graduates still unplaced). Every write is audited without its sealed text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.assistance.models import (
    AssistanceFile,
    ContactMode,
    FollowUp,
    PlanStep,
    Programme,
    ProgrammeApplication,
    ProgrammeStatus,
    Subsidy,
    SubsidyStatus,
)
from qihang.audit.services import audit_record
from qihang.graduates.models import Graduate
from qihang.institutions.models import Membership
from qihang.institutions.roles import Perm, Role
from qihang.institutions.scoping import Actor, scoped


def _graduate(actor: Actor, graduate_id: int) -> Graduate:
    actor.require(Perm.ASSISTANCE_EDIT)
    return scoped(Graduate, actor).select_for_update(of=("self",)).get(pk=graduate_id)


def _staff_of(actor: Actor, user_id: int | None, label: str) -> int | None:
    """A person of the institution's staff (not a graduate, not another school's)."""
    if user_id is None:
        return None
    ok = Membership.objects.filter(
        institution_id=actor.institution_id,
        user_id=user_id,
        is_active=True,
        role__in=[Role.CAREER_CENTRE, Role.DEPARTMENT_STAFF, Role.TEACHER, Role.LEADERSHIP],
    ).exists()
    if not ok:
        raise ValidationError({label: _("请选择本校在岗的教职工。")})
    return user_id


def _text(value: str, limit: int = 2000) -> str:
    return (value or "").strip()[:limit]


@transaction.atomic
def file_save(*, actor: Actor, graduate_id: int, data: dict[str, Any]) -> AssistanceFile:
    """Open or update the graduate's file and plan (一人一档、一人一策)."""
    graduate = _graduate(actor, graduate_id)
    file, created = AssistanceFile.objects.get_or_create(
        graduate=graduate, defaults={"institution_id": graduate.institution_id}
    )
    for name in ("situation", "needs", "goals", "measures"):
        if name in data:
            setattr(file, name, _text(data[name]))
    if "mentor" in data:
        file.mentor_id = _staff_of(actor, data["mentor"], "mentor")
    if "leader" in data:
        file.leader_id = _staff_of(actor, data["leader"], "leader")
    for name in ("consent_on", "plan_due_on"):
        if name in data:
            setattr(file, name, data[name])
    if "follow_up_days" in data:
        days = int(data["follow_up_days"] or 14)
        if not 1 <= days <= 90:
            raise ValidationError({"follow_up_days": _("跟进周期须在1–90天之间。")})
        file.follow_up_days = days
    file.save()
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="assistance.file_open" if created else "assistance.file_update",
        target=graduate,
        summary=_("%(graduate)s：帮扶档案") % {"graduate": graduate},
        data={"fields": sorted(data)},
    )
    return file


@transaction.atomic
def step_add(*, actor: Actor, graduate_id: int, text: str, due_on: dt.date) -> PlanStep:
    graduate = _graduate(actor, graduate_id)
    file = AssistanceFile.objects.filter(graduate=graduate).first()
    if file is None:
        raise ValidationError(_("请先建立帮扶档案。"))
    if len(_text(text)) < 2:
        raise ValidationError({"text": _("请填写措施。")})
    step = PlanStep.objects.create(
        institution_id=graduate.institution_id, file=file, text=_text(text, 500), due_on=due_on
    )
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="assistance.step_add",
        target=graduate,
        summary=_("%(graduate)s：帮扶措施（时限 %(due)s）") % {"graduate": graduate, "due": due_on},
        data={"step": step.pk},
    )
    return step


@transaction.atomic
def step_done(*, actor: Actor, step_id: int, done_on: dt.date | None = None) -> PlanStep:
    actor.require(Perm.ASSISTANCE_EDIT)
    step = scoped(PlanStep, actor).select_related("file__graduate").get(pk=step_id)
    step.done_on = done_on or timezone.localdate()
    step.save(update_fields=["done_on"])
    audit_record(
        institution_id=step.institution_id,
        actor_id=actor.user_id,
        action="assistance.step_done",
        target=step.file.graduate,
        summary=_("%(graduate)s：帮扶措施完成") % {"graduate": step.file.graduate},
        data={"step": step.pk},
    )
    return step


@transaction.atomic
def follow_up_log(
    *,
    actor: Actor,
    graduate_id: int,
    on: dt.date,
    mode: str,
    discussed: str,
    next_step: str = "",
    next_on: dt.date | None = None,
) -> FollowUp:
    graduate = _graduate(actor, graduate_id)
    today = timezone.localdate()
    if on > today:
        raise ValidationError({"on": _("跟进日期不能晚于今天。")})
    if mode not in ContactMode.values:
        raise ValidationError({"mode": _("请选择跟进方式。")})
    if len(_text(discussed)) < 2:
        raise ValidationError({"discussed": _("请填写沟通内容。")})
    if next_on is not None and next_on < on:
        raise ValidationError({"next_on": _("下次跟进日期不能早于本次。")})
    follow_up = FollowUp.objects.create(
        institution_id=graduate.institution_id,
        graduate=graduate,
        on=on,
        mode=mode,
        discussed=_text(discussed),
        next_step=_text(next_step, 500),
        next_on=next_on,
        author_id=actor.user_id,
    )
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="assistance.follow_up",
        target=graduate,
        summary=_("%(graduate)s：跟进（%(mode)s，%(on)s）")
        % {"graduate": graduate, "mode": ContactMode(mode).label, "on": on},
        data={"follow_up": follow_up.pk},
    )
    return follow_up


@transaction.atomic
def programme_save(
    *,
    actor: Actor,
    graduate_id: int,
    programme: str,
    status: str,
    applied_on: dt.date | None = None,
    outcome_on: dt.date | None = None,
    note: str = "",
    application_id: int | None = None,
) -> ProgrammeApplication:
    graduate = _graduate(actor, graduate_id)
    if programme not in Programme.values or status not in ProgrammeStatus.values:
        raise ValidationError(_("请选择项目和状态。"))
    if application_id:
        application = scoped(ProgrammeApplication, actor).get(pk=application_id, graduate=graduate)
    else:
        application = ProgrammeApplication(
            institution_id=graduate.institution_id, graduate=graduate
        )
    application.programme, application.status = programme, status
    application.applied_on, application.outcome_on = applied_on, outcome_on
    application.note = _text(note, 200)
    application.save()
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="assistance.programme",
        target=graduate,
        summary=_("%(graduate)s：%(programme)s %(status)s")
        % {
            "graduate": graduate,
            "programme": Programme(programme).label,
            "status": ProgrammeStatus(status).label,
        },
        data={"application": application.pk, "status": status},
    )
    return application


@transaction.atomic
def subsidy_save(
    *,
    actor: Actor,
    graduate_id: int,
    status: str,
    applied_on: dt.date | None = None,
    decided_on: dt.date | None = None,
    amount: Decimal | None = None,
    paid_on: dt.date | None = None,
    bank_account: str = "",
    subsidy_id: int | None = None,
) -> Subsidy:
    graduate = _graduate(actor, graduate_id)
    if status not in SubsidyStatus.values:
        raise ValidationError({"status": _("请选择状态。")})
    if status == SubsidyStatus.PAID and (amount is None or paid_on is None):
        raise ValidationError({"amount": _("已发放的补贴须填写金额和发放日期。")})
    if amount is not None and not Decimal("0") < amount <= Decimal("100000"):
        raise ValidationError({"amount": _("金额不合理。")})
    account = "".join((bank_account or "").split())
    if account and not (account.isdigit() and 12 <= len(account) <= 19):
        raise ValidationError({"bank_account": _("银行卡号应为12–19位数字。")})
    if subsidy_id:
        subsidy = scoped(Subsidy, actor).get(pk=subsidy_id, graduate=graduate)
    else:
        subsidy = Subsidy(institution_id=graduate.institution_id, graduate=graduate)
    subsidy.status, subsidy.applied_on, subsidy.decided_on = status, applied_on, decided_on
    subsidy.amount, subsidy.paid_on = amount, paid_on
    if account:
        subsidy.bank_account = account
    subsidy.save()
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="assistance.subsidy",
        target=graduate,
        summary=_("%(graduate)s：求职创业补贴%(status)s")
        % {"graduate": graduate, "status": SubsidyStatus(status).label},
        data={"subsidy": subsidy.pk, "status": status, "amount": str(amount or "")},
    )
    return subsidy


# --- reminders -----------------------------------------------------------------------------------
MILESTONES = ((5, 31), (6, 30))  # key-group graduates still unplaced on these days are flagged


def remind(*, institution_id: int, today: dt.date) -> dict[str, int]:
    """Notify mentors and department staff of overdue follow-ups, and on a milestone day of the
    key-group graduates still unplaced. Idempotent per day (notifications name the day). The
    messages name the graduate to the people who help them, never the key group."""
    from qihang.accounts.models import User
    from qihang.assistance.selectors import caseload
    from qihang.institutions.models import Cohort
    from qihang.institutions.scoping import system_actor
    from qihang.notifications.kinds import Kind
    from qihang.notifications.models import Notification
    from qihang.notifications.services import Message, notify_each
    from qihang.reports.selectors import placed_as_of

    actor = system_actor(institution_id)
    cohort = Cohort.objects.filter(institution_id=institution_id).order_by("-year").first()
    if cohort is None:
        return {"overdue": 0, "unplaced": 0}
    rows = caseload(actor, cohort, today=today)
    milestone = (today.month, today.day) in MILESTONES
    placed = (
        {p.graduate_id for p in placed_as_of(actor=actor, cohort=cohort, as_of=today)}
        if milestone
        else set()
    )
    heads: dict[int, list[int]] = {}
    for m in Membership.objects.filter(
        institution_id=institution_id, role=Role.DEPARTMENT_STAFF, is_active=True
    ).prefetch_related("departments"):
        for d in m.departments.all():
            heads.setdefault(d.pk, []).append(m.user_id)
    tag = f"[{today:%Y-%m-%d}]"
    already = set(
        Notification.objects.filter(
            institution_id=institution_id, kind=Kind.ASSISTANCE_DUE, subject__endswith=tag
        ).values_list("recipient_id", "link")
    )
    pending: list[tuple[int, str, str, str]] = []
    counts = {"overdue": 0, "unplaced": 0}
    for row in rows:
        reasons = []
        if row.overdue:
            reasons.append(_("跟进已逾期（应于 %(due)s 跟进）") % {"due": row.next_due})
            counts["overdue"] += 1
        if milestone and row.graduate.pk not in placed:
            reasons.append(_("截至 %(day)s 仍未落实去向") % {"day": f"{today:%m月%d日}"})
            counts["unplaced"] += 1
        if not reasons:
            continue
        link = reverse("assistance:detail", args=[row.graduate.pk])
        recipients = {row.graduate.mentor_id, row.file.mentor_id if row.file else None}
        recipients |= set(heads.get(row.graduate.department_id, []))
        for user_id in sorted(recipients - {None}):
            if (user_id, link) in already:
                continue
            pending.append(
                (
                    user_id,
                    _("帮扶提醒：%(graduate)s %(tag)s")
                    % {"graduate": row.graduate.name, "tag": tag},
                    "；".join(reasons),
                    link,
                )
            )
    users = User.objects.in_bulk({p[0] for p in pending})
    messages = [
        Message(recipient=users[user_id], subject=subject, body=body, link=link)
        for user_id, subject, body, link in pending
        if user_id in users
    ]
    notify_each(kind=Kind.ASSISTANCE_DUE, institution_id=institution_id, messages=messages)
    return counts
