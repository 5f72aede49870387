"""Writes of applications: apply, the workflow's actions, messages, reminders, the policy.

Every change writes an ApplicationEvent (the timeline both sides see) and its audit row in one
transaction, and tells the other side through the notifications outbox (delivered after
commit). The graduate is told of every change the employer makes; the employer's accounts of
every application and of the graduate's moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from qihang.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationPolicy,
    ApplicationStatus,
    InterviewKind,
    Side,
)
from qihang.applications.workflow import ANSWERS, APPLICATION, EMPLOYER_ACTIONS
from qihang.audit.kinds import AuditAction
from qihang.audit.services import audit_record
from qihang.employers.models import EmployerMember
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor
from qihang.jobs.models import Job, JobStatus
from qihang.notifications.kinds import Kind
from qihang.notifications.services import notify
from qihang.search.selectors import own_graduate, searchable_jobs

DEFAULT_REMIND_AFTER_DAYS = 7


def _employer_accounts(employer_id: int) -> list[int]:
    return list(
        EmployerMember.objects.filter(employer_id=employer_id, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _event(
    application: Application, *, action: str, side: str, actor: Actor | None, text: str = ""
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        institution_id=application.institution_id,
        application=application,
        action=action,
        status=application.status,
        side=side,
        actor_id=actor.user_id if actor is not None else None,
        text=text,
        at=timezone.now(),
    )


def _tell_employer(application: Application, *, kind: Kind, subject: str, body: str) -> None:
    notify(
        recipients=_employer_accounts(application.employer_id),
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("employer_applications:detail", args=[application.pk]),
        institution_id=application.institution_id,
    )


def _tell_graduate(application: Application, *, kind: Kind, subject: str, body: str) -> None:
    user_id = application.graduate.user_id
    if user_id is None:
        return
    notify(
        recipients=[user_id],
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("applications:detail", args=[application.pk]),
        institution_id=application.institution_id,
    )


def application_submit(*, actor: Actor, job: Job, note: str = "") -> Application:
    """The graduate applies to a published, open job they may see (their institution's or one a
    partner shares with it). One live application per job; after withdrawing one may apply
    again."""
    actor.require(Perm.APPLICATION_APPLY)
    graduate = own_graduate(actor)
    if graduate is None:
        raise PermissionDenied("no graduate record")
    today = timezone.localdate()
    open_job = (
        searchable_jobs(actor)
        .filter(pk=job.pk, status=JobStatus.PUBLISHED)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .exists()
    )
    if not open_job:
        raise ValidationError(_("该岗位已截止或不在招聘中，不能投递。"))
    application = Application(
        institution_id=graduate.institution_id,
        job=job,
        graduate=graduate,
        employer_id=job.employer_id,
        note=note.strip()[:2000],
        submitted_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            application.save()
            _event(
                application, action="submit", side=Side.GRADUATE, actor=actor, text=application.note
            )
            audit_record(
                institution_id=application.institution_id,
                actor_id=actor.user_id,
                action=AuditAction.APPLICATION_SUBMIT,
                target=application,
                summary=f"{graduate.name} → {job.title}",
                data={"job": job.pk},
            )
            _tell_employer(
                application,
                kind=Kind.APPLICATION_RECEIVED,
                subject=_("【启航】收到求职申请：%(title)s") % {"title": job.title},
                body=_("%(name)s 投递了“%(title)s”。请及时答复，每份申请都应得到回复。")
                % {"name": graduate.name, "title": job.title},
            )
    except IntegrityError as exc:
        raise ValidationError(_("你已投递过该岗位，可在“我的申请”中查看进展。")) from exc
    return application


# What the graduate is told when the employer acts (subject, body).
_GRADUATE_TOLD = {
    "invite": (
        _lazy("【启航】%(employer)s 邀请你参加%(kind)s"),
        _lazy("“%(title)s”：%(when)s，%(where)s。%(text)s"),
    ),
    "offer": (_lazy("【启航】%(employer)s 向你发出拟录用通知"), _lazy("“%(title)s”。%(text)s")),
    "decline": (
        _lazy("【启航】%(employer)s 答复了你的申请"),
        _lazy("很遗憾，“%(title)s”未能录用。原因：%(text)s"),
    ),
}


def application_act(
    *,
    actor: Actor,
    application: Application,
    action: str,
    reason: str = "",
    interview: dict[str, Any] | None = None,
    offer_note: str = "",
) -> Application:
    """Take a workflow action. The caller fetched `application` through scoping (the employer
    its own, the graduate theirs); the workflow's guards check the side again."""
    changes: dict[str, Any] = {}
    text = reason.strip()
    if action == "invite":
        interview = interview or {}
        at = interview.get("at")
        if not isinstance(at, dt.datetime) or timezone.is_naive(at):
            raise ValidationError({"interview_at": _("请填写面试/试奏时间。")})
        place = (interview.get("place") or "").strip()[:200]
        link = (interview.get("link") or "").strip()
        if not place and not link:
            raise ValidationError({"interview_place": _("请填写地点或线上链接。")})
        kind = interview.get("kind") or InterviewKind.INTERVIEW
        if kind not in InterviewKind.values:
            raise ValidationError({"interview_kind": _("考核方式无效。")})
        changes = {
            "interview_kind": kind,
            "interview_at": at,
            "interview_place": place,
            "interview_link": link,
        }
        text = (interview.get("note") or "").strip()[:500]
    elif action == "offer":
        changes = {"offer_note": offer_note.strip()[:500]}
        text = changes["offer_note"]
    elif action == "decline":
        changes = {"decline_reason": reason.strip()[:300]}
    if action in ANSWERS and application.answered_at is None:
        changes["answered_at"] = timezone.now()
    side = Side.EMPLOYER if action in EMPLOYER_ACTIONS else Side.GRADUATE
    with transaction.atomic():
        APPLICATION.apply(
            application,
            actor,
            action,
            institution_id=application.institution_id,
            reason=reason if action == "decline" else "",
            changes=changes,
            summary=f"{application.graduate.name} → {application.job.title}",
        )
        _event(application, action=action, side=side, actor=actor, text=text)
        values = {
            "employer": application.employer.name,
            "title": application.job.title,
            "text": text,
            "kind": application.get_interview_kind_display(),
            "when": timezone.localtime(application.interview_at).strftime("%Y-%m-%d %H:%M")
            if application.interview_at
            else "",
            "where": application.interview_place or application.interview_link,
        }
        if action == "view":
            _tell_graduate(
                application,
                kind=Kind.APPLICATION_VIEWED,
                subject=_("【启航】%(employer)s 查看了你的申请") % values,
                body=_("“%(title)s”的申请已被单位查看。") % values,
            )
        elif action in _GRADUATE_TOLD:
            subject, body = _GRADUATE_TOLD[action]
            _tell_graduate(
                application,
                kind=Kind.APPLICATION_UPDATED,
                subject=subject % values,
                body=body % values,
            )
        else:  # the graduate accepted or withdrew
            name = application.graduate.name
            label = _("接受了录用") if action == "accept" else _("撤回了申请")
            _tell_employer(
                application,
                kind=Kind.APPLICATION_UPDATED,
                subject=_("【启航】%(name)s%(label)s：%(title)s")
                % {"name": name, "label": label, "title": application.job.title},
                body=values["title"],
            )
    return application


def application_mark_viewed(*, actor: Actor, application: Application) -> bool:
    """The employer opened a new application: viewed (once; later openings change nothing)."""
    if application.status != ApplicationStatus.SUBMITTED or not APPLICATION.can(
        application, actor, "view"
    ):
        return False
    application_act(actor=actor, application=application, action="view")
    return True


def application_message(*, actor: Actor, application: Application, text: str) -> ApplicationEvent:
    """A message to the other side, on the timeline; an employer's message is an answer."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写留言内容。")})
    if len(text) > 1000:
        raise ValidationError({"text": _("留言不能超过1000字。")})
    if actor.is_employer:
        if actor.employer_id != application.employer_id or not actor.has(Perm.EMPLOYER_PORTAL):
            raise PermissionDenied("application.message")
        side = Side.EMPLOYER
    else:
        if application.graduate.user_id != actor.user_id or not actor.has(Perm.APPLICATION_APPLY):
            raise PermissionDenied("application.message")
        side = Side.GRADUATE
    with transaction.atomic():
        event = _event(application, action="message", side=side, actor=actor, text=text)
        if side == Side.EMPLOYER and application.answered_at is None:
            application.answered_at = event.at
            application.save(update_fields=["answered_at", "updated_at"])
        audit_record(
            institution_id=application.institution_id,
            actor_id=actor.user_id,
            action=AuditAction.APPLICATION_MESSAGE,
            target=application,
            summary=text[:100],
            data={"side": side},
        )
        subject = _("【启航】关于“%(title)s”的留言") % {"title": application.job.title}
        if side == Side.EMPLOYER:
            _tell_graduate(application, kind=Kind.APPLICATION_MESSAGE, subject=subject, body=text)
        else:
            _tell_employer(application, kind=Kind.APPLICATION_MESSAGE, subject=subject, body=text)
    return event


def remind_after_days(institution_id: int) -> int:
    policy = ApplicationPolicy.objects.filter(institution_id=institution_id).first()
    return policy.remind_after_days if policy else DEFAULT_REMIND_AFTER_DAYS


@transaction.atomic
def application_policy_update(*, actor: Actor, remind_after_days: int) -> ApplicationPolicy:
    actor.require(Perm.SETTINGS_MANAGE)
    if not 1 <= remind_after_days <= 60:
        raise ValidationError({"remind_after_days": _("提醒天数应在1到60天之间。")})
    policy, _created = ApplicationPolicy.objects.update_or_create(
        institution_id=actor.institution_id, defaults={"remind_after_days": remind_after_days}
    )
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action=AuditAction.APPLICATION_POLICY_UPDATE,
        target=policy,
        summary=str(remind_after_days),
        data={"remind_after_days": remind_after_days},
    )
    return policy


def applications_remind(*, now: dt.datetime | None = None) -> int:
    """Remind employers of applications that have waited `remind_after_days` (the graduate's
    institution's setting) without an answer, and again after as many more days: one message
    per employer and institution, listing how many wait. Returns the number of messages."""
    now = now or timezone.now()
    days = dict(ApplicationPolicy.objects.values_list("institution_id", "remind_after_days"))
    waiting = (
        Application.objects.filter(
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.VIEWED],
            answered_at__isnull=True,
        )
        .select_related("job")
        .order_by("submitted_at", "pk")
    )
    due: dict[tuple[int, int], list[Application]] = defaultdict(list)
    for application in waiting.iterator():
        wait = dt.timedelta(days=days.get(application.institution_id, DEFAULT_REMIND_AFTER_DAYS))
        last = application.reminded_at or application.submitted_at
        if now - last >= wait:
            due[(application.employer_id, application.institution_id)].append(application)
    sent = 0
    for (employer_id, institution_id), applications in due.items():
        with transaction.atomic():
            oldest = min(a.submitted_at for a in applications)
            notify(
                recipients=_employer_accounts(employer_id),
                kind=Kind.APPLICATION_WAITING,
                subject=_("【启航】%(count)s份求职申请等待你的答复") % {"count": len(applications)},
                body=_("最早的一份投递于%(day)s（%(title)s）。每份申请都应得到答复。")
                % {
                    "day": timezone.localtime(oldest).strftime("%Y-%m-%d"),
                    "title": applications[0].job.title,
                },
                link=reverse("employer_applications:list"),
                institution_id=institution_id,
            )
            Application.objects.filter(pk__in=[a.pk for a in applications]).update(reminded_at=now)
        sent += 1
    return sent
