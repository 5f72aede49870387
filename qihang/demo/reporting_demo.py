"""Demo reporting to the education authorities (issue 9, qihang/reporting): 东方音乐学院's 2020
cohort reported once (everything approved so far, through the local file backend), the
authority's returned list with two records (now on their department's list), an open check
window (生源信息核对) and a few correction requests — one pending in 钢琴系 (the department
login's queue), one confirmed, one refused — from graduates with accounts, the demo graduate
login among them.

Everything goes through the services: the audit rows, the unmasked-read log of the report
file and the notifications are the real ones, stamped with the real clock (entries are never
re-dated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Case, When
from django.utils import timezone

from qihang.accounts.models import User
from qihang.demo import catalogue as cat
from qihang.demo import clock as demo_clock
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.reporting import services
from qihang.reporting.models import RunScope

DEMO_GRADUATE = "2016104001"
RETURN_REASONS = (
    "单位统一社会信用代码与单位名称不一致，请核实",
    "签约日期晚于数据上报日期，请核实去向真实性",
)


def _first_member(institution: Institution, role: str, **extra: object) -> User | None:
    membership = (
        Membership.objects.filter(institution=institution, role=role, is_active=True, **extra)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    with demo_clock.at(demo_clock.morning(today - dt.timedelta(days=6))):
        return _populate(seed=seed, today=today, log=log)


def _populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    school = Institution.objects.filter(code=cat.DFCM.code).first()
    if school is None:
        return []
    cohort = Cohort.objects.filter(institution=school, year=2020).first()
    centre_user = _first_member(school, Role.CAREER_CENTRE)
    if cohort is None or centre_user is None:
        return []
    centre = build_actor(centre_user, school.pk)

    # A past report: every approved record of the cohort.
    run = services.report_run_create(
        actor=centre,
        cohort=cohort,
        extent=RunScope.ALL,
        fmt="xlsx",
        reason="按省教育厅通知报送2020届毕业去向数据",
    )
    # The authority returned two of them for re-check: approved records with nothing pending,
    # so the destinations stay as the generator wrote them (their department corrects them).
    reported = list(
        Graduate.objects.filter(
            institution=school,
            cohort=cohort,
            destination__official_code__code__in=["12", "76"],
            destination__status="approved",
        )
        .order_by("student_no")
        .values_list("student_no", flat=True)[:2]
    )
    if len(reported) == 2:
        lines = ["学号,退回原因"] + [
            f"{no},{reason}" for no, reason in zip(reported, RETURN_REASONS, strict=True)
        ]
        services.returned_list_import(
            actor=centre,
            cohort=cohort,
            source=("\n".join(lines) + "\n").encode("utf-8"),
            filename="省就业监测平台退回名单.csv",
        )

    # The check window, with three graduates' requests (the demo graduate login first).
    services.check_window_open(
        actor=centre,
        cohort=cohort,
        closes_on=timezone.localdate() + dt.timedelta(days=14),
        note="请在截止日前核对本人生源信息和毕业去向，有误请申请更正并说明原因。",
    )
    with_accounts = (
        Graduate.objects.filter(institution=school, cohort=cohort, user__isnull=False)
        .select_related("department", "user")
        # The demo graduate login first: its holder sees their own request.
        .order_by(Case(When(student_no=DEMO_GRADUATE, then=0), default=1), "student_no")
    )
    first = list(with_accounts[:400])
    piano = [g for g in first if g.department.name.startswith("钢琴")]
    others = [g for g in first if not g.department.name.startswith("钢琴")]
    asks = [
        (piano[:1], "roster", "origin_division", "310115", "生源地应为浦东新区，入学时登记有误"),
        (piano[1:2], "roster", "political_status", "中共预备党员", "2020年5月已转为预备党员"),
        (others[:1], "roster", "ethnicity", "满族", "民族登记错误，以户口簿为准"),
    ]
    made = []
    for graduates, target, field, value, reason in asks:
        if not graduates:
            continue
        graduate = graduates[0]
        made.append(
            services.correction_request_create(
                actor=build_actor(graduate.user, school.pk),
                graduate=graduate,
                target=target,
                field=field,
                value=value,
                reason=reason,
            )
        )
    # The confirmed one changes nothing the roster's key groups are read from (an ethnicity
    # correction would leave the key-group suggestion behind: issue 10 makes those follow).
    if len(made) >= 2:
        services.correction_confirm(actor=centre, request=made[1], note="已核对党组织证明材料")
    if len(made) >= 3:
        services.correction_refuse(
            actor=centre, request=made[2], reason="请附户口簿本人页后重新申请"
        )
    if log:
        log(
            f"reporting: report run of {run.rows} records, "
            f"{len(reported)} returned, {len(made)} correction requests"
        )
    return []
