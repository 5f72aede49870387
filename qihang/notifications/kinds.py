"""The kinds of message the system sends, and what each kind allows (one table).

A kind says which channels may carry it besides the in-app inbox, the mode a person gets
until they choose, and whether they may turn it down: links to an account (set a password,
answer an invitation) always go out at once, whatever the preferences say.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SET_PASSWORD = "set_password", _("账号开通与重设密码")
    INVITATION = "invitation", _("加入单位的邀请")
    DESTINATION_RETURNED = "destination_returned", _("毕业去向被退回")
    DESTINATION_APPROVED = "destination_approved", _("毕业去向已审批")
    # Declared for the employer and job channels (issue 7); their services call notify().
    JOB_PUBLISHED = "job_published", _("岗位已发布")
    JOB_HELD = "job_held", _("岗位被暂缓发布")
    JOB_RETURNED = "job_returned", _("岗位被退回")
    JOB_PUSHED = "job_pushed", _("导师推送的岗位")
    EMPLOYER_VERIFIED = "employer_verified", _("用人单位审核通过")
    EMPLOYER_REJECTED = "employer_rejected", _("用人单位审核未通过")
    EMPLOYER_SUSPENDED = "employer_suspended", _("用人单位被暂停")
    SHARE_RECEIVED = "share_received", _("合作院校共享")
    # applications
    APPLICATION_RECEIVED = "application_received", _("收到求职申请")
    APPLICATION_VIEWED = "application_viewed", _("申请已被单位查看")
    APPLICATION_UPDATED = "application_updated", _("申请进展")
    APPLICATION_MESSAGE = "application_message", _("申请留言")
    APPLICATION_WAITING = "application_waiting", _("待答复的求职申请")
    # events app
    EVENT_APPROVED = "event_approved", _("宣讲会申请已批准")
    EVENT_DECLINED = "event_declined", _("宣讲会申请未通过")
    EVENT_CANCELLED = "event_cancelled", _("宣讲会/双选会已取消")
    EVENT_PROMOTED = "event_promoted", _("候补转为正式报名")
    EVENT_CHANGED = "event_changed", _("活动时间或地点变更")
    # appointments
    APPOINTMENT_BOOKED = "appointment_booked", _("咨询预约成功")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("咨询预约已取消")
    APPOINTMENT_REMINDER = "appointment_reminder", _("咨询预约提醒")
    # reporting (issue 9): the department's answer to a graduate's correction request
    CORRECTION_DECIDED = "correction_decided", _("信息更正申请的处理结果")
    # agreements (issue 9): each step of a tripartite agreement and of its cancellation
    AGREEMENT_UPDATED = "agreement_updated", _("三方协议进展")
    # wellbeing (issue 10): to the psychological counsellors only; the text names nobody.
    WELLBEING_REFERRAL = "wellbeing_referral", _("心理关怀转介")
    # assistance (issue 10): a follow-up overdue, a key-group graduate unplaced at a milestone
    ASSISTANCE_DUE = "assistance_due", _("重点群体帮扶提醒")


class Mode(models.TextChoices):
    INSTANT = "instant", _("即时发送")
    DIGEST = "digest", _("每日汇总")
    OFF = "off", _("不发送")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")


@dataclass(frozen=True)
class KindSpec:
    channels: frozenset[Channel]  # besides the inbox, which every kind reaches
    default: Mode = Mode.INSTANT
    mandatory: bool = False  # cannot be turned off or put in a digest
    # The e-mail carries a set-password link made at delivery (never stored: it signs in).
    account_link: bool = False


_EMAIL = frozenset({Channel.EMAIL})
_EMAIL_WECHAT = frozenset({Channel.EMAIL, Channel.WECHAT})
_ALL = frozenset(Channel)

KINDS: dict[str, KindSpec] = {
    Kind.SET_PASSWORD: KindSpec(_EMAIL, mandatory=True, account_link=True),
    Kind.INVITATION: KindSpec(_EMAIL, mandatory=True),
    Kind.DESTINATION_RETURNED: KindSpec(_ALL),
    Kind.DESTINATION_APPROVED: KindSpec(_EMAIL_WECHAT),
    Kind.JOB_PUBLISHED: KindSpec(_EMAIL_WECHAT),
    Kind.JOB_HELD: KindSpec(_EMAIL_WECHAT),
    Kind.JOB_RETURNED: KindSpec(_EMAIL_WECHAT),
    Kind.JOB_PUSHED: KindSpec(_ALL),
    Kind.EMPLOYER_VERIFIED: KindSpec(_EMAIL_WECHAT),
    Kind.EMPLOYER_REJECTED: KindSpec(_EMAIL_WECHAT),
    Kind.EMPLOYER_SUSPENDED: KindSpec(_EMAIL_WECHAT),
    Kind.SHARE_RECEIVED: KindSpec(_EMAIL, default=Mode.DIGEST),
    # applications: a view is news, not a call to act (a digest unless one asks for more)
    Kind.APPLICATION_RECEIVED: KindSpec(_EMAIL_WECHAT),
    Kind.APPLICATION_VIEWED: KindSpec(_EMAIL_WECHAT, default=Mode.DIGEST),
    Kind.APPLICATION_UPDATED: KindSpec(_ALL),
    Kind.APPLICATION_MESSAGE: KindSpec(_EMAIL_WECHAT),
    Kind.APPLICATION_WAITING: KindSpec(_EMAIL),
    # events app
    Kind.EVENT_APPROVED: KindSpec(_EMAIL_WECHAT),
    Kind.EVENT_DECLINED: KindSpec(_EMAIL_WECHAT),
    Kind.EVENT_CANCELLED: KindSpec(_ALL),
    Kind.EVENT_PROMOTED: KindSpec(_ALL),
    Kind.EVENT_CHANGED: KindSpec(_ALL),
    # appointments
    Kind.APPOINTMENT_BOOKED: KindSpec(_EMAIL_WECHAT),
    Kind.APPOINTMENT_CANCELLED: KindSpec(_EMAIL_WECHAT),
    Kind.APPOINTMENT_REMINDER: KindSpec(_ALL),
    # reporting (issue 9)
    Kind.CORRECTION_DECIDED: KindSpec(_EMAIL_WECHAT),
    Kind.AGREEMENT_UPDATED: KindSpec(_ALL),
    # In-app and e-mail only (no SMS or WeChat text sits on a phone's lock screen), and it
    # cannot be turned down: a counsellor must not miss one.
    Kind.WELLBEING_REFERRAL: KindSpec(_EMAIL, mandatory=True),
    Kind.ASSISTANCE_DUE: KindSpec(_EMAIL_WECHAT),
}

# Where a body names its link: delivery writes the absolute address there.
LINK_MARK = "{link}"
