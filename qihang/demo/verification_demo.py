"""Demo verification (就业核查) of 东方音乐学院's 2020 cohort, through the services.

- A newly registered company (recorded by a teacher, standing still pending) that five graduates
  without a destination were placed with, each record carrying the same scanned 录用证明: the
  flags "many graduates with one newly registered employer", "unregistered credit code" and
  "evidence reused" fire on them.
- One of the school's contacts for an employer carries another employer's phone number
  ("same contact behind different employers").
- A social-insurance enrolment list the centre imported that leaves out three of the code 11/12
  graduates ("missing from the enrolment list").
- A round drawn as of five days before the demo day (5%, 钢琴系 10%), its calls: most
  confirmed, some unreachable (one reached on the second try), and one false whose record (a
  newer version recorded after the draw, still pending) went back for correction.
The services run on the demo clock (`demo.clock.Clock`: django.utils.timezone.now set to moments of the
season, a few seconds apart), so every row and audit entry they write is dated in July 2020
like the rest of the demo, in the first place — nothing is re-dated afterwards.
- A 2019 graduate's agreement signed in October 2019, after the closing date (31 August),
  recorded and approved in November ("agreements dated after the closing date").
Rules that fire on the generated season itself (the batch approved the week before 30 June,
codes 12/76 in 数字媒体艺术学院) are left to the data. docs/verification.md states the rules.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from qihang.accounts.models import User
from qihang.demo import catalogue as cat
from qihang.demo.clock import Clock
from qihang.demo.replay import SCAN
from qihang.destinations import services as destinations
from qihang.destinations.evidence import EvidenceUpload
from qihang.destinations.models import Destination, DestinationPeriod
from qihang.employers import services as employers
from qihang.employers.models import Contact, Employer
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Department, Institution, Membership
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.lib.tabular import write_xlsx
from qihang.reports.selectors import placed_as_of
from qihang.verification import services
from qihang.verification.enrolment import LocalFileSource

NEW_EMPLOYER = ("上海声启文化传媒有限公司", "91310115MA1K4C8XP")  # check character appended


def _user(institution: Institution, role: str) -> User | None:
    user_id = (
        Membership.objects.filter(institution=institution, role=role, is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    return User.objects.get(pk=user_id) if user_id else None


def populate(*, seed: int, today: dt.date, log: Callable[[str], None] | None = None) -> list:
    school = Institution.objects.filter(code=cat.DFCM.code).first()
    if school is None:
        return []
    cohort = Cohort.objects.filter(institution=school, year=2020).first()
    centre_user, teacher_user = _user(school, Role.CAREER_CENTRE), _user(school, Role.TEACHER)
    if cohort is None or centre_user is None:
        return []
    centre = build_actor(centre_user, school.pk)
    rng = random.Random(seed * 11 + 9)  # noqa: S311 (demo data)
    clock = Clock()
    with clock:
        clock.at(dt.date(today.year - 1, 11, 5), 10)
        _late_agreement(centre, school, clock)
        clock.at(today - dt.timedelta(days=25), 10)
        teacher = build_actor(teacher_user or centre_user, school.pk)
        code = _new_employer_record(teacher)
        clock.at(today - dt.timedelta(days=14), 15)
        _new_employer_placements(centre, cohort, code, rng, clock)
        clock.at(today - dt.timedelta(days=12), 11)
        _shared_contact(centre, school)
        clock.at(today - dt.timedelta(days=7), 9)
        _enrolment_list(centre, cohort, rng)
        clock.at(today - dt.timedelta(days=5), 9)
        round_ = _round(centre, cohort, today, seed)
        clock.at(today - dt.timedelta(days=3), 14)
        _calls(centre, round_, rng, clock, today)
    if log:
        log(f"核查：{round_.name}，抽取 {round_.samples.count()} 人")
    return []


def _new_employer_record(teacher) -> str:  # noqa: ANN001
    from stdnum.cn import uscc

    name, body = NEW_EMPLOYER
    code = body[:17] + uscc.calc_check_digit(body[:17])
    employers.employer_record(actor=teacher, name=name, credit_code=code, division="310115")
    return code


def _new_employer_placements(  # noqa: ANN001
    centre, cohort: Cohort, code: str, rng: random.Random, clock: Clock
) -> None:
    name = NEW_EMPLOYER[0]
    # Graduates who have reported nothing yet (no record, so no period the new one closes).
    unplaced = list(
        Graduate.objects.filter(
            institution_id=cohort.institution_id, cohort=cohort, destination__isnull=True
        )
        .filter(roster_status="active")
        .order_by("student_no")[:40]
    )
    for graduate in rng.sample(unplaced, min(5, len(unplaced))):
        record = destinations.destination_record(
            actor=centre,
            graduate=graduate,
            data={
                "code": "12",
                "employer_name": name,
                "employer_credit_code": code,
                "employer_division": "310115",
                "confirmed_not_internship": True,
                "note": "录用证明（扫描件）",
            },
            evidence_files=[EvidenceUpload("offer", ContentFile(SCAN, name="录用证明.png"))],
        )
        clock.tick()
        destinations.destination_approve(actor=centre, destination=record)
        clock.tick()


def _late_agreement(centre, school: Institution, clock: Clock) -> None:  # noqa: ANN001
    """A 2019 graduate who signed in October, after the closing date; recorded in November."""
    # One whose periods all began before now (the demo clock's November 2019): the new
    # version closes them now.
    later = DestinationPeriod.objects.filter(valid_from__gte=timezone.now()).values("graduate_id")
    graduate = (
        Graduate.objects.filter(
            institution=school, cohort__year=2019, destination__official_code__code="70"
        )
        .exclude(pk__in=later)
        .order_by("student_no")
        .first()
    )
    if graduate is None:
        return
    record = destinations.destination_record(
        actor=centre,
        graduate=graduate,
        data={
            "code": "10",
            "employer_name": "上海爱乐乐团",
            "employer_credit_code": "12310000425016478B",
            "employer_nature": "29",
            "employer_division": "310104",
            "agreement_no": "2019-DFCM-9001",
            "signed_on": dt.date(2019, 10, 21),
            "confirmed_not_internship": True,
            "note": "截止日期后签约，补录",
        },
        evidence_files=[
            EvidenceUpload("agreement", ContentFile(SCAN + b"#2019-9001", name="就业协议书.png"))
        ],
        reason="毕业生十月签约，补录就业协议",
    )
    clock.tick()
    destinations.destination_approve(actor=centre, destination=record)


def _shared_contact(centre, school: Institution) -> None:  # noqa: ANN001
    with_phone = list(
        Employer.objects.filter(standings__institution=school)
        .exclude(contact_phone="")
        .order_by("pk")[:2]
    )
    others = list(
        Employer.objects.filter(standings__institution=school)
        .exclude(pk__in=[e.pk for e in with_phone])
        .order_by("pk")[:1]
    )
    if not with_phone or not others:
        return
    employers.contact_save(
        actor=centre,
        contact=Contact(
            institution=school,
            employer=others[0],
            name="周经理",
            title="人事主管",
            phone=with_phone[0].contact_phone,
            note="招聘会上留下的电话",
        ),
    )


def _enrolment_list(centre, cohort: Cohort, rng: random.Random) -> None:  # noqa: ANN001
    insured = [
        p.graduate_id
        for p in placed_as_of(actor=centre, cohort=cohort, as_of=None)
        if p.code in {"11", "12"}
    ]
    graduates = list(Graduate.objects.filter(pk__in=insured).order_by("student_no"))
    left_out = set(rng.sample([g.pk for g in graduates], min(3, len(graduates))))
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        ["姓名", "身份证号", "参保单位统一社会信用代码"],
        [
            [g.name, g.id_number.reveal_unlogged(), g.destination.employer_credit_code]
            for g in graduates
            if g.pk not in left_out
        ],
    )
    services.enrolment_import(
        actor=centre,
        cohort=cohort,
        source=LocalFileSource(buffer.getvalue(), "2020届毕业生社保参保名单.xlsx"),
    )


def _round(centre, cohort: Cohort, today: dt.date, seed: int):  # noqa: ANN001, ANN202
    piano = Department.objects.filter(institution_id=cohort.institution_id, name="钢琴系").first()
    return services.round_draw(
        actor=centre,
        cohort=cohort,
        name="2020届第一次就业核查",
        as_of=today - dt.timedelta(days=5),
        default_percent="5",
        department_percents={piano.pk: "10"} if piano else {},
        seed=seed,
    )


CONFIRMED_NOTES = ("本人确认，已入职", "本人确认，协议信息无误", "单位人事处确认在岗")


def _calls(centre, round_, rng: random.Random, clock: Clock, today: dt.date) -> None:  # noqa: ANN001
    samples = list(round_.samples.select_related("graduate").order_by("graduate__student_no"))
    if not samples:
        return
    later = set(
        DestinationPeriod.objects.filter(valid_from__gte=timezone.now()).values_list(
            "graduate_id", flat=True
        )
    )
    settled = [s for s in samples if s.graduate_id not in later and s.destination_id]
    if not settled:
        return
    false = next((s for s in settled if s.code == "10"), settled[0])
    # After the draw a counsellor recorded a newer version (still pending) …
    destination = Destination.objects.get(pk=false.destination_id)
    destinations.destination_record(
        actor=centre,
        graduate=false.graduate,
        data={
            **destination.official_values,
            "code": destination.official_code.code,
            "employer_nature": destination.official_values.get("employer_nature") or None,
            "signed_on": destination.signed_on,
            "confirmed_not_internship": True,
            "note": "补录协议书编号",
        },
        reason="补录协议书编号",
    )
    # … and the call found the graduate never worked there.
    clock.tick()
    services.call_record(
        actor=centre,
        sample=false,
        result="false",
        notes="本人表示未与该单位签约，协议由他人代填；已请本人如实更正",
    )
    for i, sample in enumerate(s for s in samples if s.pk != false.pk):
        if i % 30 == 29:  # about thirty calls a day
            clock.at(today - dt.timedelta(days=max(0, 2 - i // 30)), 9)
        clock.tick(180)
        if i % 9 == 4:
            services.call_record(
                actor=centre, sample=sample, result="unreachable", notes="无人接听"
            )
            if i % 2:
                clock.tick(600)
                services.call_record(
                    actor=centre, sample=sample, result="confirmed", notes="第二次致电，本人确认"
                )
        elif i % 7 != 6:  # a few are left to call
            services.call_record(
                actor=centre, sample=sample, result="confirmed", notes=rng.choice(CONFIRMED_NOTES)
            )
