"""Demo employers (issue 7): orchestras, troupes, opera houses, schools, cultural companies and
training centres of the Yangtze River Delta (fictional names), their standing at the two demo
schools, channel credit to named teachers and counsellors, contacts and visits, alumni with two
alumni enterprises, one employer shared with 江城, and one employer login.

Deterministic: a seeded random.Random; credit codes from the demo's `credit_code(name)`.
They go with the database: `qihang demo --reset` rebuilds it (docs/audit.md).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password

from qihang.accounts.models import User
from qihang.demo import catalogue as cat
from qihang.employers.models import (
    Alumnus,
    Channel,
    Contact,
    Employer,
    EmployerMember,
    EmployerStanding,
    Interaction,
    InteractionKind,
    JoinRequest,
    StandingStatus,
)
from qihang.graduates.models import Graduate
from qihang.institutions.models import Department, Institution, Membership
from qihang.institutions.roles import EmployerRole, Role
from qihang.institutions.scoping import build_actor

# Employer accounts of the demo: <handle>@<EMPLOYER_DOMAIN> (`generator.check_only_demo`).
EMPLOYER_DOMAIN = "employer.example"


class Spec(NamedTuple):
    name: str
    kind: (
        str  # credit-code type: "12" public institution, "91" company, "52" private non-enterprise
    )
    division: str
    nature: str  # national employer-nature code
    industry: str  # GB/T 4754 section
    contact: str


# The troupes of the Yangtze River Delta that the demo's graduates sign with (catalogue.TROUPES:
# the same names and codes, so destinations point at these employers), then others of ours.
DELTA = ("31", "32", "33", "34")
_TROUPE_INDUSTRY = "R"
EMPLOYERS: tuple[Spec, ...] = tuple(
    Spec(
        name, "12" if nature == "29" else "91", division, nature, _TROUPE_INDUSTRY, "人事部 联系人"
    )
    for name, nature, division, _kinds in cat.TROUPES
    if division[:2] in DELTA
) + (
    # Orchestras and troupes of our own
    Spec("浦江爱乐乐团", "12", "310115", "29", "R", "艺术管理部 孙女士"),
    Spec("姑苏民族管弦乐团", "12", "320508", "29", "R", "演出部 吴先生"),
    Spec("江南丝竹室内乐团", "52", "320506", "99", "R", "团务 卫先生"),
    Spec("金陵歌剧舞剧院", "12", "320102", "29", "R", "人事部 韩女士"),
    Spec("苏韵昆剧团", "12", "320508", "29", "R", "剧团办公室 朱老师"),
    Spec("越韵越剧团", "12", "330402", "29", "R", "团部 秦女士"),
    Spec("姑苏评弹团", "12", "320508", "29", "R", "团务 尤先生"),
    Spec("宜城黄梅戏剧院", "12", "340802", "29", "R", "人事科 许老师"),
    # Schools
    Spec("上海市徐汇区启明小学", "12", "310104", "22", "P", "教导处 张老师"),
    Spec("苏州市吴中区东山实验学校", "12", "320506", "22", "P", "校长室 曹老师"),
    Spec("南京市玄武区梅园小学", "12", "320102", "22", "P", "办公室 严老师"),
    Spec("杭州市西湖区青芝坞中学", "12", "330106", "22", "P", "人事处 华老师"),
    Spec("合肥市蜀山区琥珀中学", "12", "340104", "22", "P", "办公室 魏老师"),
    Spec("无锡市梁溪区惠山实验学校", "12", "320213", "22", "P", "人事 陶老师"),
    # Cultural companies
    Spec("乐享文化传媒（上海）有限公司", "91", "310104", "39", "R", "人力资源部 姜女士"),
    Spec("声动音乐科技有限公司", "91", "310115", "39", "I", "HR 戚先生"),
    Spec("琴韵文化发展有限公司", "91", "320508", "39", "R", "行政部 谢女士"),
    Spec("回响录音制作有限公司", "91", "330106", "39", "R", "制作部 邹先生"),
    Spec("江南剧院管理有限公司", "91", "320102", "31", "R", "运营部 柏先生"),
    # Training centres
    Spec("小音符艺术培训中心", "52", "310104", "99", "P", "教务 水老师"),
    Spec("金钥匙钢琴培训学校", "52", "320508", "99", "P", "校区 窦老师"),
    Spec("雅韵琴行", "92", "330106", "39", "F", "店长 章先生"),
    Spec("和声音乐教育有限公司", "91", "320213", "39", "P", "人事 苏女士"),
    Spec("弦歌提琴工作室", "92", "310115", "39", "O", "主理人 潘先生"),
)

# The one employer login of the demo (printed with the others).
LOGIN_EMPLOYER = "东方交响乐团"
LOGIN_HANDLE = "dongfang-so"
# Alumni enterprises: founded by alumni of 东方 (their alumni records point here).
ALUMNI_ENTERPRISES = ("琴韵文化发展有限公司", "弦歌提琴工作室")
# Shared by 东方 with 江城, which does not hold it itself.
SHARED_WITH_JCCM = "姑苏交响乐团"

CHANNEL_MIX = (
    ("teacher", 5),
    ("counsellor", 4),
    ("department_leader", 2),
    ("alumnus", 2),
    ("platform", 3),
    ("city_network", 2),
    ("national_platform", 1),
    ("partner", 2),
    ("career_fair", 2),
    ("walk_in", 1),
)
VISIT_NOTES = (
    ("走访乐团人事部门，了解下半年招聘计划", "九月前提供演奏员岗位需求"),
    ("电话沟通专场招聘会安排", "确认宣讲时间"),
    ("与团长会谈，商定实习基地协议", "起草实习基地协议"),
    ("邮件发送毕业生推荐名单", "跟进面试结果"),
    ("参加单位开放日，观摩排练", "推荐弦乐专业毕业生"),
    ("电话回访录用毕业生情况", "下学期再次回访"),
)


def credit_code_of(spec: Spec) -> str:
    from qihang.demo.generator import credit_code

    return credit_code(spec.name, kind=spec.kind, division=spec.division)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), ZoneInfo(settings.TIME_ZONE))


def _phone(rng: random.Random, division: str) -> str:
    area = {"31": "021", "32": "025", "33": "0571", "34": "0551"}[division[:2]]
    return f"{area}{rng.randrange(10**7, 10**8)}"


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    """Create the demo employers; returns the employer's demo login (DemoLogin)."""
    from qihang.demo.generator import DemoLogin

    rng = random.Random(f"{seed}/employers")
    schools = {
        i.code: i for i in Institution.objects.filter(code__in=[cat.DFCM.code, cat.JCCM.code])
    }
    dfcm, jccm = schools[cat.DFCM.code], schools[cat.JCCM.code]
    channels = {c.code: c for c in Channel.objects.all()}

    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=spec.name,
                credit_code=credit_code_of(spec),
                nature_code=spec.nature,
                industry_code=spec.industry,
                division=spec.division,
                contact_name=spec.contact.split(" ")[-1],
                contact_phone=_phone(rng, spec.division),
                contact_email=f"hr{n:02d}@{EMPLOYER_DOMAIN}",
                is_alumni_enterprise=spec.name in ALUMNI_ENTERPRISES,
                description=f"{spec.contact.split(' ')[0]}负责毕业生招聘。",
            )
            for n, spec in enumerate(EMPLOYERS, start=1)
        ]
    )
    by_name = {e.name: e for e in employers}
    # A second code with the same phone as the first orchestra: the guard's example.
    twin = by_name["和声音乐教育有限公司"]
    twin.contact_phone = by_name["申江音乐剧团有限公司"].contact_phone
    twin.save(update_fields=["contact_phone"])

    people = _people(dfcm) | {}
    jc_people = _people(jccm)
    mix = [code for code, weight in CHANNEL_MIX for _ in range(weight)]
    standings: list[EmployerStanding] = []
    for n, employer in enumerate(employers):
        for school, staff in ((dfcm, people), (jccm, jc_people)):
            if school is jccm and (employer.name == SHARED_WITH_JCCM or n % 3 == 2):
                continue  # 江城 works with about two thirds of them
            requested = today - dt.timedelta(days=rng.randrange(40, 300))
            status = StandingStatus.VERIFIED
            reason = ""
            if n in (5, 17, 33) and school is dfcm or n in (9, 26) and school is jccm:
                status = StandingStatus.PENDING
            elif n == 29 and school is dfcm:
                status, reason = StandingStatus.REJECTED, "提交的法人证书已过有效期"
            elif n == 36 and school is dfcm:
                status, reason = StandingStatus.SUSPENDED, "岗位信息要求缴纳培训费，已暂停合作"
            code = (
                "alumni_enterprise"
                if employer.is_alumni_enterprise
                else mix[(n * 7 + len(school.code)) % len(mix)]
            )
            credited, department = _credit(code, staff, rng)
            decided = status != StandingStatus.PENDING
            standings.append(
                EmployerStanding(
                    institution=school,
                    employer=employer,
                    status=status,
                    reason=reason,
                    requested_by=None,
                    decided_at=_at(requested + dt.timedelta(days=rng.randrange(1, 8)), 15)
                    if decided
                    else None,
                    decided_by=staff["centre"] if decided else None,
                    channel=channels[code],
                    credited_to=credited,
                    credited_department=department,
                )
            )
    created = EmployerStanding.objects.bulk_create(standings)
    for row in created:  # auto_now_add: move the request into the replayed season
        day = (row.decided_at.date() if row.decided_at else today) - dt.timedelta(days=3)
        EmployerStanding.objects.filter(pk=row.pk).update(requested_at=_at(day, 9))

    _contacts_and_visits(dfcm, people, employers, rng, today)
    _contacts_and_visits(jccm, jc_people, employers[::3], rng, today)
    _alumni(dfcm, people, by_name, rng)
    _alumni(jccm, jc_people, by_name, rng)

    from qihang.audit import chain
    from qihang.institutions.services import share_create

    # Dated within the replayed season, like everything else of the demo.
    shared_at = _at(dt.date(2020, 4, 20), 11)
    with chain.clock(shared_at):
        share = share_create(
            actor=build_actor(people["centre"], dfcm.pk),
            obj=by_name[SHARED_WITH_JCCM],
            partner_id=jccm.pk,
            note="一帮一结对：共享优质用人单位",
        )
    type(share).objects.filter(pk=share.pk).update(created_at=shared_at)

    login = _accounts(by_name[LOGIN_EMPLOYER])
    if log:
        log(f"用人单位：{len(employers)} 家，认证记录 {len(created)} 条")
    return [
        DemoLogin(
            str(EmployerRole.ADMIN.label),
            LOGIN_EMPLOYER,
            login.email,
            "",
            "单位服务：两校认证状态、加入申请、向其他学校一键申请",
        )
    ]


def _people(institution: Institution) -> dict:
    """The school's centre director, mentor teacher and department counsellors."""
    members = Membership.objects.filter(institution=institution, is_active=True).select_related(
        "user"
    )
    centre = next(m.user for m in members.order_by("pk") if m.role == Role.CAREER_CENTRE)
    teachers = [m.user for m in members.order_by("pk") if m.role == Role.TEACHER]
    counsellors = [
        (m.user, m.departments.order_by("sort_order").first())
        for m in members.order_by("pk").prefetch_related("departments")
        if m.role == Role.DEPARTMENT_STAFF
    ]
    departments = list(Department.objects.filter(institution=institution).order_by("sort_order"))
    return {
        "centre": centre,
        "teachers": teachers or [centre],
        "counsellors": counsellors,
        "departments": departments,
    }


def _credit(code: str, staff: dict, rng: random.Random) -> tuple:
    departments = staff["departments"]
    if code == "teacher":
        return rng.choice(staff["teachers"]), departments[0]
    if code in ("counsellor", "department_leader") and staff["counsellors"]:
        user, department = rng.choice(staff["counsellors"])
        return user, department
    if code == "alumnus":
        return staff["centre"], rng.choice(departments)
    return None, None


def _contacts_and_visits(
    school: Institution, staff: dict, employers: list, rng: random.Random, today: dt.date
) -> None:
    centre = staff["centre"]
    contacts, visits = [], []
    for employer in employers:
        contacts.append(
            Contact(
                institution=school,
                employer=employer,
                name=employer.contact_name,
                title="招聘负责人",
                phone=employer.contact_phone,
                email=employer.contact_email,
                created_by=centre,
            )
        )
        for _ in range(rng.randrange(0, 3)):
            kind = rng.choice(list(InteractionKind))
            note, step = rng.choice(VISIT_NOTES)
            who = rng.choice([centre, *staff["teachers"], *(u for u, _d in staff["counsellors"])])
            visits.append(
                Interaction(
                    institution=school,
                    employer=employer,
                    kind=kind,
                    happened_on=today - dt.timedelta(days=rng.randrange(3, 200)),
                    staff=who,
                    notes=note,
                    next_step=step,
                    created_by=who,
                )
            )
    Contact.objects.bulk_create(contacts)
    Interaction.objects.bulk_create(visits)


POSITIONS = (
    "首席演奏员",
    "演奏员",
    "声部长",
    "音乐教师",
    "艺术总监",
    "创始人",
    "制作人",
    "合唱指挥",
)


def _alumni(school: Institution, staff: dict, by_name: dict, rng: random.Random) -> None:
    """Graduates of the school's earlier cohort become alumni records."""
    latest = (
        Graduate.objects.filter(institution=school)
        .order_by("-cohort__year")
        .values_list("cohort__year", flat=True)
        .first()
    )
    earlier = list(
        Graduate.objects.filter(institution=school, cohort__year__lt=latest).order_by("student_no")[
            ::25
        ][:14]
    )
    enterprises = [by_name[n] for n in ALUMNI_ENTERPRISES] if school.code == cat.DFCM.code else []
    employers = list(by_name.values())
    rows = []
    for n, graduate in enumerate(earlier):
        leads = n < len(enterprises)
        employer = enterprises[n] if leads else (rng.choice(employers) if n % 3 else None)
        rows.append(
            Alumnus(
                institution=school,
                graduate=graduate,
                employer=employer,
                organisation="" if employer else "自由职业音乐人",
                position="创始人" if leads else rng.choice(POSITIONS),
                city=employer.division if employer else "310104",
                leads_employer=leads,
                willing_to_mentor=leads or n % 2 == 0,
                willing_to_recruit=leads or n % 4 == 1,
                contact_consent=n % 5 != 4,
                created_by=staff["centre"],
            )
        )
    Alumnus.objects.bulk_create(rows)


def _accounts(employer: Employer) -> User:
    """The employer's admin (the demo login) and a recruiter asking to join."""
    from qihang.demo.generator import DEMO_PASSWORD

    password = make_password(DEMO_PASSWORD)
    admin = User.objects.create(
        username=f"{LOGIN_HANDLE}@{EMPLOYER_DOMAIN}",
        email=f"{LOGIN_HANDLE}@{EMPLOYER_DOMAIN}",
        display_name="钱乐团",
        password=password,
    )
    EmployerMember.objects.create(
        employer=employer, user=admin, role=EmployerRole.ADMIN, title="人事主管"
    )
    asking = User.objects.create(
        username=f"{LOGIN_HANDLE}-hr2@{EMPLOYER_DOMAIN}",
        email=f"{LOGIN_HANDLE}-hr2@{EMPLOYER_DOMAIN}",
        display_name="孙招聘",
        password=password,
    )
    EmployerMember.objects.create(
        employer=employer,
        user=asking,
        role=EmployerRole.RECRUITER,
        is_active=False,
        join_request=JoinRequest.PENDING,
    )
    Employer.objects.filter(pk=employer.pk).update(registered_by=admin)
    return admin
