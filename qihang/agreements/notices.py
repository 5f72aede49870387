"""What each party of a tripartite agreement is told when another acts (Kind.AGREEMENT_UPDATED).

The party who has to act next, or whom a decision concerns, is told: the graduate of an
offer, a change or a withdrawal; the employer of the graduate's answer; both of the school's
decision and of a cancellation's outcome; the employer of a cancellation request. Department
and centre steps in between are in the staff queues, not in anyone's inbox. Called inside the
action's transaction: the outbox sends after commit, and a rolled-back action tells nobody.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from qihang.agreements.models import Agreement, Cancellation
from qihang.employers.models import EmployerMember
from qihang.notifications.kinds import Kind
from qihang.notifications.services import notify

GRADUATE, EMPLOYER = "graduate", "employer"

# event -> (who is told, subject, body); the texts take the agreement's fields below.
_AGREEMENT: dict[str, tuple[tuple[str, ...], Any, Any]] = {
    "offer": (
        (GRADUATE,),
        gettext_lazy("【启航】%(employer)s 向你发出三方协议，请确认"),
        gettext_lazy(
            "协议书编号 %(number)s，岗位“%(position)s”。请查看协议内容，接受并签署或拒绝。"
        ),
    ),
    "edit": (
        (GRADUATE,),
        gettext_lazy("【启航】%(employer)s 修改了三方协议"),
        gettext_lazy("协议书编号 %(number)s 已改为第%(version)s版，请查看新内容后再答复。"),
    ),
    "withdraw": (
        (GRADUATE,),
        gettext_lazy("【启航】%(employer)s 撤回了三方协议"),
        gettext_lazy("协议书编号 %(number)s 已由单位撤回，无须再答复。"),
    ),
    "accept": (
        (EMPLOYER,),
        gettext_lazy("【启航】%(graduate)s 接受并签署了三方协议"),
        gettext_lazy("协议书编号 %(number)s，现待学校院系审核、就业指导中心审批后签约生效。"),
    ),
    "decline": (
        (EMPLOYER,),
        gettext_lazy("【启航】%(graduate)s 拒绝了三方协议"),
        gettext_lazy("协议书编号 %(number)s。原因：%(reason)s"),
    ),
    "approve": (
        (GRADUATE, EMPLOYER),
        gettext_lazy("【启航】三方协议已签约生效"),
        gettext_lazy(
            "协议书编号 %(number)s（%(graduate)s · %(employer)s）已经学校审批，签约生效。"
        ),
    ),
    "reject": (
        (GRADUATE, EMPLOYER),
        gettext_lazy("【启航】三方协议未通过学校审核"),
        gettext_lazy(
            "协议书编号 %(number)s（%(graduate)s · %(employer)s）未通过。原因：%(reason)s"
        ),
    ),
}

_CANCELLATION: dict[str, tuple[tuple[str, ...], Any, Any]] = {
    "request": (
        (EMPLOYER,),
        gettext_lazy("【启航】%(graduate)s 申请解除三方协议"),
        gettext_lazy("协议书编号 %(number)s。原因：%(reason)s。请在协议页面表示同意或不同意。"),
    ),
    "withdraw": (
        (EMPLOYER,),
        gettext_lazy("【启航】%(graduate)s 撤回了解约申请"),
        gettext_lazy("协议书编号 %(number)s 继续有效。"),
    ),
    "employer_refuse": (
        (GRADUATE,),
        gettext_lazy("【启航】单位不同意解约"),
        gettext_lazy("协议书编号 %(number)s 的解约申请未获单位同意。原因：%(reason)s"),
    ),
    "department_refuse": (
        (GRADUATE, EMPLOYER),
        gettext_lazy("【启航】院系不同意解约"),
        gettext_lazy("协议书编号 %(number)s 的解约申请未获院系同意。原因：%(reason)s"),
    ),
    "centre_refuse": (
        (GRADUATE, EMPLOYER),
        gettext_lazy("【启航】就业指导中心不同意解约"),
        gettext_lazy("协议书编号 %(number)s 的解约申请未获批准。原因：%(reason)s"),
    ),
    "centre_approve": (
        (GRADUATE, EMPLOYER),
        gettext_lazy("【启航】三方协议已解约"),
        gettext_lazy(
            "协议书编号 %(number)s（%(graduate)s · %(employer)s）已解除，毕业去向已恢复为此前的记录。"
        ),
    ),
}


def agreement_notice(agreement: Agreement, event: str, *, reason: str = "") -> None:
    """Tell the parties of `event` on the agreement (nothing for events no one is told of)."""
    _tell(agreement, _AGREEMENT.get(event), reason=reason or agreement.reason)


def cancellation_notice(cancellation: Cancellation, event: str, *, reason: str = "") -> None:
    _tell(
        cancellation.agreement,
        _CANCELLATION.get(event),
        reason=reason or cancellation.refuse_reason or cancellation.reason,
    )


def _tell(
    agreement: Agreement, spec: tuple[tuple[str, ...], Any, Any] | None, *, reason: str
) -> None:
    if spec is None:
        return
    parties, subject, body = spec
    values = {
        "number": agreement.number,
        "employer": agreement.employer.name,
        "graduate": agreement.graduate.name,
        "position": agreement.position,
        "version": agreement.version,
        "reason": reason or "—",
    }
    for party in parties:
        if party == GRADUATE:
            recipients = [agreement.graduate.user_id] if agreement.graduate.user_id else []
            link = reverse("agreements:detail", args=[agreement.pk])
        else:
            recipients = list(
                EmployerMember.objects.filter(
                    employer_id=agreement.employer_id, is_active=True
                ).values_list("user_id", flat=True)
            )
            link = reverse("employer_agreements:detail", args=[agreement.pk])
        if recipients:
            notify(
                recipients=recipients,
                kind=Kind.AGREEMENT_UPDATED,
                subject=str(subject) % values,
                body=str(body) % values,
                link=link,
                institution_id=agreement.institution_id,
            )
