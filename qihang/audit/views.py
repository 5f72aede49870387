"""The audit pages: what was changed by whom, and every unmasked read of sensitive data."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import actor_of, requires, scoped, takes_ids

PAGE_SIZE = 50


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _period(qs: QuerySet[Any], params: Any) -> tuple[QuerySet[Any], dict[str, Any]]:
    """Limit to [from, to] in the local calendar (both days included)."""
    start, end = _date(params.get("from", "")), _date(params.get("to", ""))
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz))
    if end:
        next_day = end + datetime.timedelta(days=1)
        qs = qs.filter(at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=tz))
    return qs, {"from": start, "to": end}


def _by_person(qs: QuerySet[Any], who: str) -> QuerySet[Any]:
    if not who:
        return qs
    return qs.filter(
        Q(actor__display_name__icontains=who)
        | Q(actor__username__icontains=who)
        | Q(actor__email__icontains=who)
    )


@takes_ids()
@requires(Perm.AUDIT_VIEW)
def events(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    base = scoped(AuditEvent, actor)
    qs = base.select_related("actor").order_by("-at", "-id")
    who = request.GET.get("who", "").strip()[:60]
    action = request.GET.get("action", "").strip()[:60]
    text = request.GET.get("q", "").strip()[:60]
    qs = _by_person(qs, who)
    if action:
        qs = qs.filter(action=action)
    if text:
        qs = qs.filter(Q(summary__icontains=text) | Q(target_id=text))
    qs, period = _period(qs, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.action_label = ACTION_LABELS.get(event.action, event.action)
    actions = [
        (code, ACTION_LABELS.get(code, code))
        for code in base.order_by("action").values_list("action", flat=True).distinct()
    ]
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "actions": actions,
            "action": action,
            "who": who,
            "q": text,
            "period": period,
        },
    )


@takes_ids()
@requires(Perm.AUDIT_VIEW)
def sensitive_reads(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    qs = scoped(SensitiveRead, actor).select_related("actor").order_by("-at", "-id")
    who = request.GET.get("who", "").strip()[:60]
    whose = request.GET.get("whose", "").strip()[:60]
    field = request.GET.get("field", "").strip()[:60]
    qs = _by_person(qs, who)
    if whose:
        qs = qs.filter(target_label__icontains=whose)
    if field:
        qs = qs.filter(field=field)
    qs, period = _period(qs, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for read in page.object_list:
        read.field_label = FIELD_LABELS.get(read.field, read.field)
    return render(
        request,
        "audit/sensitive_reads.html",
        {
            "page": page,
            "who": who,
            "whose": whose,
            "field": field,
            "fields": FIELD_LABELS,
            "period": period,
        },
    )


# What people call the actions the services record; unknown codes are shown as they are.
ACTION_LABELS: dict[str, Any] = {
    "institution.create": _("登记学校"),
    "membership.grant": _("授予角色"),
    "staff.create": _("添加工作人员"),
    "staff.update": _("修改工作人员角色"),
    "staff.deactivate": _("停用工作人员"),
    "account.invite": _("发送账号邀请"),
    "membership.invited_elsewhere": _("本校人员被其他单位邀请"),
    "membership.granted_elsewhere": _("其他单位授予本校人员角色"),
    "membership.invitation_accept": _("接受单位邀请"),
    "membership.invitation_decline": _("谢绝单位邀请"),
    "account.set_password": _("通过链接设置密码"),
    "account.password_change": _("修改密码"),
    "account.password_reset_request": _("申请重设密码"),
    "api_token.create": _("创建 API 令牌"),
    "api_token.revoke": _("吊销 API 令牌"),
    "graduate.accounts_provision": _("开通毕业生账号"),
    "graduate.mentor_assign": _("指定导师"),
    "graduate.mentor_clear": _("取消导师"),
    "roster.import": _("导入生源信息"),
    "roster.export": _("导出生源信息"),
    "import.upload": _("上传导入文件"),
    "destination.submit": _("填报毕业去向"),
    "destination.record": _("代为录入毕业去向"),
    "destination.review": _("院系审核毕业去向"),
    "destination.approve": _("审批毕业去向"),
    "destination.return": _("退回毕业去向"),
    "destination.import": _("导入毕业去向"),
    "destination.export": _("导出毕业去向"),
    "destination.evidence": _("上传证明材料"),
    "destination.policy_update": _("修改签约率口径"),
    "share.create": _("共享给结对学校"),
    "share.revoke": _("撤回共享"),
    "employer.register": _("用人单位注册"),
    "employer.request": _("用人单位申请合作"),
    "employer.record": _("登记已在平台注册的用人单位"),
    "employer.update": _("修改单位信息"),
    "employer.verify": _("认证用人单位"),
    "employer.reject": _("不予认证用人单位"),
    "employer.suspend": _("暂停与用人单位合作"),
    "employer.reinstate": _("恢复与用人单位合作"),
    "employer.resubmit": _("用人单位重新提交审核"),
    "employer.credit": _("记录单位引荐渠道"),
    "employer.contact": _("记录单位联系人"),
    "employer.interaction": _("记录走访与沟通"),
    "employer.alumnus": _("记录校友信息"),
    "employer.join_request": _("申请加入用人单位"),
    "employer.member_invite": _("邀请招聘专员"),
    "employer.member_accept": _("接受加入申请"),
    "employer.member_decline": _("谢绝加入申请"),
    "employer.member_activate": _("启用招聘账号"),
    "employer.member_deactivate": _("停用招聘账号"),
    "job.create": _("发布岗位"),
    "job.update": _("修改岗位"),
    "job.submit": _("提交岗位审核"),
    "job.approve": _("审核通过岗位"),
    "job.return": _("退回岗位"),
    "job.revise": _("已发布岗位修改后重新审核"),
    "job.close": _("关闭岗位"),
    "job.expire": _("岗位到期关闭"),
    "job.push": _("导师推送岗位"),
    "job_preference.save": _("保存求职意向"),
    "guard.create": _("新增岗位审核规则"),
    "guard.update": _("修改岗位审核规则"),
}

# How the log names the fields it records (model field names -> what people call them).
FIELD_LABELS: dict[str, Any] = {
    "id_number": _("身份证号"),
    "phone": _("手机号码"),
    "id_number,phone": _("身份证号、手机号码（不脱敏导出）"),
}
