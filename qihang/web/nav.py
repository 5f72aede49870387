"""The main navigation, declared once: entries grouped by what a person comes to do, each entry
with the permissions that show it.

A career-centre officer holds some twenty pages' permissions: one flat bar of them overflowed a
1280-pixel screen. Here a group shows as a menu when the person may open two or more of its
pages, as a plain link when only one, and not at all when none — so a graduate's bar, an
employer's and the centre's each hold a handful of entries. `nav_for(actor, path)` is what the
template renders (qihang/web/templates/web/_nav_items.html, through the context processor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qihang.institutions.roles import Perm


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url_name: str
    perms: tuple[Perm, ...]  # any of them shows the entry


@dataclass(frozen=True)
class Group:
    label: str | Promise
    items: tuple[Item, ...]


NAV: tuple[Group, ...] = (
    Group(_("就业数据"), (Item(_("就业数据"), "reports:dashboard", (Perm.STATS_VIEW,)),)),
    Group(
        _("毕业生"),
        (
            Item(_("毕业生"), "graduates:list", (Perm.ROSTER_VIEW,)),
            Item(_("重点群体帮扶"), "assistance:caseload", (Perm.ASSISTANCE_VIEW,)),
            Item(
                _("去向审核"),
                "destinations:review_queue",
                (Perm.DESTINATION_REVIEW, Perm.DESTINATION_APPROVE),
            ),
            Item(_("三方协议"), "agreements:staff_list", (Perm.AGREEMENT_VIEW,)),
            Item(_("解约申请"), "agreements:cancellations", (Perm.AGREEMENT_VIEW,)),
            Item(_("三方协议设置"), "agreements:policy", (Perm.SETTINGS_MANAGE,)),
            Item(_("毕业生简历"), "resumes:staff_list", (Perm.RESUME_VIEW,)),
            Item(_("数据导入"), "imports:list", (Perm.ROSTER_IMPORT,)),
            Item(_("就业核查"), "verification:rounds", (Perm.VERIFICATION_VIEW,)),
            Item(_("异常提示"), "verification:anomalies", (Perm.VERIFICATION_MANAGE,)),
            # reporting to the education authorities (issue 9)
            Item(_("上报主管部门"), "reporting:home", (Perm.REPORTING_MANAGE,)),
            Item(_("信息更正申请"), "reporting:corrections", (Perm.REPORTING_CORRECT,)),
            Item(_("退回待核记录"), "reporting:returned", (Perm.REPORTING_CORRECT,)),
        ),
    ),
    Group(
        _("我的去向"),
        (
            Item(_("我的毕业去向"), "destinations:mine", (Perm.DESTINATION_REPORT_OWN,)),
            Item(_("我的三方协议"), "agreements:mine", (Perm.AGREEMENT_OWN,)),
            Item(_("核对我的信息"), "reporting:my_check", (Perm.REPORTING_CHECK_OWN,)),
            Item(_("我的授权与数据"), "privacy:mine", (Perm.PRIVACY_OWN,)),
        ),
    ),
    Group(
        _("招聘与求职"),
        (
            Item(_("岗位"), "jobs:list", (Perm.JOB_VIEW,)),
            Item(_("招聘岗位"), "jobs:browse", (Perm.JOB_BROWSE,)),
            Item(_("岗位搜索"), "search:jobs", (Perm.JOB_SEARCH,)),
            Item(_("为我推荐"), "search:recommendations", (Perm.JOB_BROWSE,)),
            Item(_("我的申请"), "applications:mine", (Perm.APPLICATION_APPLY,)),
            Item(_("我的简历"), "resumes:mine", (Perm.RESUME_OWN,)),
            Item(_("求职申请"), "applications:staff_list", (Perm.APPLICATION_VIEW,)),
            Item(_("用人单位"), "employers:list", (Perm.EMPLOYER_VIEW,)),
            Item(_("岗位审核规则"), "jobs:guard_list", (Perm.GUARD_MANAGE,)),
        ),
    ),
    Group(
        _("单位服务"),
        (
            Item(_("单位服务"), "employer_portal:home", (Perm.EMPLOYER_PORTAL,)),
            Item(_("三方协议"), "employer_agreements:list", (Perm.EMPLOYER_PORTAL,)),
            Item(_("毕业生简历"), "resumes:employer_list", (Perm.RESUME_BROWSE,)),
        ),
    ),
    Group(
        _("活动与指导"),
        (
            Item(_("宣讲会"), "events:list", (Perm.EVENT_VIEW,)),
            Item(_("宣讲会与双选会"), "events:upcoming", (Perm.EVENT_REGISTER,)),
            Item(_("就业指导课"), "guidance:catalogue", (Perm.GUIDANCE_ATTEND,)),
            Item(_("就业指导课程"), "guidance:list", (Perm.GUIDANCE_VIEW,)),
            Item(_("预约咨询"), "appointments:book", (Perm.APPOINTMENT_BOOK,)),
            Item(_("咨询日程"), "appointments:calendar", (Perm.APPOINTMENT_ADVISE,)),
            Item(_("咨询预约概况"), "appointments:overview", (Perm.APPOINTMENT_MANAGE,)),
        ),
    ),
    Group(  # wellbeing (issue 10)
        _("心理关怀"),
        (
            Item(_("心理自评"), "wellbeing:checkin", (Perm.WELLBEING_CHECKIN,)),
            Item(_("心理关怀转介"), "wellbeing:referrals", (Perm.WELLBEING_CASES,)),
            Item(_("心理关怀概况"), "wellbeing:overview", (Perm.WELLBEING_OVERVIEW,)),
        ),
    ),
    Group(
        _("创新创业"),
        (
            Item(_("我的创业项目"), "ventures:mine", (Perm.VENTURE_OWN,)),
            Item(_("创业项目"), "ventures:staff_list", (Perm.VENTURE_VIEW,)),
        ),
    ),
    Group(  # documents (issue 9)
        _("就业文件"),
        (
            Item(_("就业推荐表"), "documents:recommendation_mine", (Perm.RECOMMENDATION_APPLY,)),
            Item(
                _("就业推荐表审核"), "documents:recommendation_list", (Perm.RECOMMENDATION_ASSESS,)
            ),
            Item(_("签发的文件"), "documents:list", (Perm.DOCUMENT_VIEW,)),
            Item(_("我的档案与户口"), "documents:dossier_mine", (Perm.DESTINATION_REPORT_OWN,)),
            Item(_("档案与户口导出"), "documents:dossier_export", (Perm.DOSSIER_EDIT,)),
        ),
    ),
    Group(
        _("管理"),
        (
            Item(_("人员与权限"), "accounts:staff_list", (Perm.STAFF_MANAGE,)),
            Item(_("审计日志"), "audit:events", (Perm.AUDIT_VIEW,)),
            Item(_("证明材料规则"), "destinations:evidence_policy", (Perm.SETTINGS_MANAGE,)),
        ),
    ),
)


@dataclass
class Link:
    label: str | Promise
    url: str
    current: bool = False


@dataclass
class Entry:
    """One entry of the bar: a link (`links` has one) or a menu of them."""

    label: str | Promise
    links: list[Link] = field(default_factory=list)
    key: str = ""

    @property
    def is_menu(self) -> bool:
        return len(self.links) > 1

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def nav_for(actor: Any, path: str) -> list[Entry]:
    """The bar for `actor` on the page at `path` (the current page marked)."""
    perms = actor.perms if actor is not None else frozenset()
    entries = []
    for n, group in enumerate(NAV):
        links = []
        for item in group.items:
            if any(p in perms for p in item.perms):
                url = reverse(item.url_name)
                links.append(Link(item.label, url))
        if not links:
            continue
        # The longest matching URL is the current page (a list and its details).
        entries.append(Entry(group.label, links, key=f"nav{n}"))
    best = max(
        (link for e in entries for link in e.links if path.startswith(link.url)),
        key=lambda link: len(link.url),
        default=None,
    )
    if best is not None and best.url != "/":
        best.current = True
    return entries
