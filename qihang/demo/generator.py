"""A seeded generator of realistic institutions: roster, accounts, key groups, and destinations
that fill in over the season with their full review history.

Two entry points:

- `load_demo()` (``qihang demo``): the conservatory 东方音乐学院 (90001, 729 graduates in 2020
  and 650 in 2019) and the paired Wuhan conservatory 江城音乐学院 (90002), their staff and a few
  graduate logins, as of a fixed day (`DEFAULT_TODAY`, 15 July 2020: mid-season for 2020,
  while 2019 is complete).
- `generate_institution()`: one institution of any size for benchmarks, written in batches.

Reproducible: every random choice comes from `random.Random` streams derived from the seed, the
institution and the cohort; the only notion of time is the explicit `today`. The same seed
gives the same people, student numbers, ID numbers, employers, codes and timestamps.

Destinations are written in bulk, below the services, but row for row as
`qihang.destinations.services` writes them: each graduate's season is planned as a sequence
of actions (report or record, department review, career-centre approval in batches, return
with a reason and resubmission) and replayed into the Destination (its current version,
official values), the DestinationChange history (`rules.snapshot` / `rules.diff`, exactly as
the services compute them), the DestinationPeriod timeline (reported periods open at each
report or record, official ones at each approval, each closing the previous one at the same
instant) and the audit rows. Actions after `today` are not written, so the 2020 cohort
stands mid-season: approved records, pending ones, returned ones, graduates not yet heard of.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import math
import random
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from stdnum.cn import ric, uscc

from qihang.accounts.models import User
from qihang.audit import chain as audit_chain
from qihang.audit.models import AuditEvent
from qihang.audit.services import audit_record
from qihang.demo import catalogue as cat
from qihang.demo import channels, mfa_demo
from qihang.demo.names import MOBILE_PREFIXES, POLITICAL_STATUS, Namer, weighted
from qihang.demo.replay import (
    GRADUATE,
    AuditRows,
    Codes,
    Ids,
    Replay,
    Rows,
    Step,
    Values,
    approval_rows,
)
from qihang.destinations.evidence_rules import rules_for
from qihang.destinations.models import (
    ChangeAction,
    CohortPolicy,
    Destination,
    DestinationChange,
    DestinationPeriod,
    Evidence,
    ReviewStatus,
)
from qihang.destinations.policy import policy_for
from qihang.destinations.rules import Reference
from qihang.graduates import keygroups
from qihang.graduates.keygroups import POVERTY_COUNTIES, THREE_REGIONS
from qihang.graduates.models import (
    Graduate,
    GraduateKeyGroup,
    KeyGroupKind,
    RosterPeriod,
    kind_digest,
)
from qihang.institutions.models import (
    Cohort,
    DegreeLevel,
    Department,
    Institution,
    Major,
    Membership,
)
from qihang.institutions.roles import Role
from qihang.institutions.services import (
    cohort_get_or_create,
    department_get_or_create,
    institution_create,
    major_get_or_create,
    membership_grant,
)
from qihang.lib import places

DEFAULT_SEED = 2020
# The demo stands on 15 July 2020: two weeks after graduation, mid-season for the 2020 cohort
# (about two thirds placed and approved), while 2019 — the same day a year earlier, and
# everything after it — is complete. Pages "as of today" show 2020 as it stood that day.
DEFAULT_TODAY = dt.date(2020, 7, 15)
DEMO_PASSWORD = "qihang-demo-2020"  # noqa: S105 - the published password of the demo logins
BATCH = 2000  # graduates written per round of bulk inserts

LEVEL_DIGITS = {DegreeLevel.ASSOCIATE: "0", DegreeLevel.BACHELOR: "1", DegreeLevel.MASTER: "2", DegreeLevel.DOCTOR: "3"}  # fmt: skip

# When each destination is typically settled: (first, last, most likely) day of the year.
FACT_DAYS: dict[str, tuple[int, int, int]] = {
    "85": (35, 200, 110), "801": (55, 165, 100), "10": (40, 205, 125), "11": (75, 235, 160),
    "12": (95, 250, 165), "27": (120, 240, 185), "46": (225, 275, 250), "504": (190, 245, 215),
    "502": (185, 240, 205), "503": (175, 215, 195), "512": (150, 250, 200), "519": (170, 260, 210),
    "75": (110, 280, 175), "76": (100, 280, 170), "70": (158, 185, 175), "71": (100, 185, 160),
    "72": (150, 190, 176),
}  # fmt: skip
REGISTRATION = (158, 185, 174)  # graduation: everyone is asked to register a destination
LAST_FACT_DAY = 320  # mid-November: every season is complete by the end of the year
NOT_PLACED = frozenset({"70", "71", "72"})
GRASSROOTS_PROVINCES = frozenset(
    "13 14 15 22 23 34 36 41 42 43 45 50 51 52 53 61 62 63 64 65".split()
)
RURAL_SHARE = {
    "31": 0.04, "11": 0.05, "12": 0.1, "32": 0.25, "33": 0.25, "44": 0.3, "35": 0.3, "37": 0.35,
    "52": 0.55, "53": 0.55, "62": 0.55, "63": 0.5, "64": 0.5, "65": 0.5, "54": 0.6, "45": 0.5,
    "15": 0.45,
}  # fmt: skip
NEAR = {"31": ("32", "33", "34"), "42": ("41", "43", "36", "34", "50")}


# --- small helpers ------------------------------------------------------------------------------
def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _stream(seed: int, *parts: object) -> random.Random:
    """An independent, reproducible random stream for one purpose."""
    return random.Random("/".join(str(p) for p in (seed, *parts)))


def _allocate(weights: Sequence[float], total: int) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder: exact, deterministic)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [w * total / whole for w in weights]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - counts[i], -i), reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _check_char(text: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(text, weights, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def _with_evidence(step: Step, ref: Codes) -> Step:
    """A version (report or record) carries the files its code's evidence rule asks for,
    uploaded with it, so the centre's approval has what it needs (destinations.evidence_rules)."""
    if step.values is None or step.evidence:
        return step
    return replace(step, evidence=ref.evidence.get(step.values.code, ()))


@functools.lru_cache(maxsize=65536)
def credit_code(name: str, *, kind: str, division: str) -> str:
    """A valid unified social credit code (GB 32100) for a fictional organisation, stable per
    name: registration authority and type (`kind`: "12" public institution, "91" company, "92"
    individual business, "52" private non-enterprise), division, organisation code, check."""
    digest = hashlib.sha256(f"qihang-demo/{name}".encode()).hexdigest()
    org = f"{int(digest[:12], 16) % 10**8:08d}"
    body = f"{kind}{division}{org}{_check_char(org)}"
    return body + uscc.calc_check_digit(body)


def _id_number(rng: random.Random, division: str, birth: dt.date, female: bool) -> str:
    sequence = rng.randrange(500) * 2 + (0 if female else 1)  # odd 17th digit: male
    body = f"{division}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


@dataclass(slots=True)
class Person:
    department: cat.DepartmentSpec
    programme: cat.Programme
    department_id: int
    major_id: int
    student_no: str
    name: str
    female: bool
    birth: dt.date
    id_number: str
    ethnicity: str
    political_status: str
    specialization: str
    origin: str
    origin_type: str
    phone: str
    email: str
    key_groups: list[str]
    final: str = ""  # destination code at the end of the season
    steps: list[Step] = field(default_factory=list)
    mentor_id: int | None = None
    password: str | None = None  # a demo login's password hash


@dataclass
class DemoLogin:
    role: str
    institution: str
    username: str
    password: str
    look_at: str


@dataclass(frozen=True)
class Scenario:
    """A demo graduate whose season is fixed, so their login shows what the logins table says:
    "none" (nothing reported yet), "returned" (returned with a reason), "approved" (an approved
    agreement with its history), "pending" (reviewed, awaiting the career centre)."""

    year: int
    department: str
    nth: int  # the nth graduate (0-based) of the department in the cohort
    kind: str
    day: dt.date  # when the graduate reports
    look_at: str


# --- the builder --------------------------------------------------------------------------------
class InstitutionBuilder:
    """Creates one institution: structure and staff through the services, then each cohort's
    graduates and their seasons in bulk."""

    def __init__(
        self,
        profile: cat.InstitutionProfile,
        *,
        seed: int,
        today: dt.date,
        password_hash: str,
        with_destinations: bool = True,
        with_accounts: bool = True,
        scenarios: Sequence[Scenario] = (),
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.profile = profile
        self.seed = seed
        self.today = today
        self.tz = _tz()
        self.cutoff = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, self.tz)
        self.password_hash = password_hash
        self.with_destinations = with_destinations
        self.with_accounts = with_accounts
        self.scenarios = list(scenarios)
        self.log = log or (lambda _msg: None)
        self.namer = Namer()
        self.serials: dict[tuple[int, str, str], int] = defaultdict(int)
        self.agreement_serial = 0
        self.logins: list[DemoLogin] = []
        self.staff: dict[str, User] = {}
        self.department_staff: dict[str, User] = {}  # department name -> its officer
        self.counts = {
            "graduates": 0,
            "destinations": 0,
            "changes": 0,
            "periods": 0,
            "evidence": 0,
            "audit": 0,
        }

    # --- structure and staff ------------------------------------------------------------------
    def create(self) -> Institution:
        profile = self.profile
        first_year = min((y for y in self._years), default=self.today.year)
        self.setup_at = dt.datetime(first_year - 2, 9, 3, 9, 0, tzinfo=self.tz)
        # Set up two years before the first cohort: the log says so from the first entry.
        with audit_chain.clock(self.setup_at):
            self.institution = institution_create(
                code=profile.code, name=profile.name, short_name=profile.short_name
            )
            inst = self.institution
            self.departments: dict[str, Department] = {}
            self.majors: dict[tuple[str, str, str], Major] = {}
            for order, spec in enumerate(profile.departments, start=1):
                department = department_get_or_create(
                    institution=inst, name=spec.name, code=spec.code, sort_order=order
                )
                self.departments[spec.name] = department
                for programme in spec.programmes:
                    self.majors[(spec.name, programme.level, programme.major)] = (
                        major_get_or_create(
                            department=department,
                            degree_level=programme.level,
                            name=programme.major,
                        )
                    )
            self._create_staff()
        Membership.objects.filter(institution=inst).update(created_at=self.setup_at)
        Institution.objects.filter(pk=inst.pk).update(created_at=self.setup_at)
        return inst

    @property
    def _years(self) -> list[int]:
        return sorted(self.cohort_sizes)

    def _user(self, email: str, name: str) -> User:
        user = User.objects.create(
            username=email,
            email=email,
            display_name=name,
            password=self.password_hash,
            date_joined=self.setup_at,
        )
        return user

    def _create_staff(self) -> None:
        profile, inst = self.profile, self.institution
        for spec in profile.staff:
            user = self._user(f"{spec.key}@{profile.domain}", spec.name)
            departments = [self.departments[d] for d in spec.departments] or None
            membership_grant(
                institution=inst,
                user=user,
                role=spec.role,
                departments=departments,
                title=spec.title,
            )
            self.staff[spec.key] = user
            self.logins.append(
                DemoLogin(str(Role(spec.role).label), profile.name, user.email, "", spec.look_at)
            )
        shared: dict[str, list[cat.DepartmentSpec]] = defaultdict(list)
        for spec in profile.departments:
            shared[spec.staff_shared_with or spec.name].append(spec)
        for owner_name, specs in shared.items():
            owner = next(s for s in specs if s.name == owner_name)
            user = self._user(f"{owner.slug}@{profile.domain}", owner.staff_name)
            membership_grant(
                institution=inst,
                user=user,
                role=Role.DEPARTMENT_STAFF,
                departments=[self.departments[s.name] for s in specs],
                title=owner.staff_title,
            )
            for spec in specs:
                self.department_staff[spec.name] = user
        self.centre_ids = [u.pk for k, u in self.staff.items() if k.startswith("centre")]
        mentor = self.staff.get("mentor")
        self.mentor_id = mentor.pk if mentor else None

    def department_login(self, department: str, look_at: str) -> None:
        user = self.department_staff[department]
        self.logins.append(
            DemoLogin(str(Role.DEPARTMENT_STAFF.label), self.profile.name, user.email, "", look_at)
        )

    # --- cohorts ------------------------------------------------------------------------------
    def build(self, cohort_sizes: dict[int, int]) -> Institution:
        self.cohort_sizes = dict(cohort_sizes)
        self.create()  # through the services, which stamp their own rows (retimed after)
        self.ids = Ids()
        for year in self._years:
            started = time.perf_counter()
            before = dict(self.counts)
            self.write_cohort(year, self.cohort_sizes[year])
            done = {k: self.counts[k] - before[k] for k in self.counts}
            self.log(
                f"  {self.profile.name} {year}届：{done['graduates']} 名毕业生，"
                f"{done['destinations']} 条去向记录，{done['changes']} 条去向历史，"
                f"{done['periods']} 个去向时段，{done['evidence']} 份证明材料"
                f"（{time.perf_counter() - started:.1f} 秒）"
            )
        return self.institution

    def write_cohort(self, year: int, size: int) -> None:
        inst = self.institution
        cohort = cohort_get_or_create(institution=inst, year=year)
        roster_at = dt.datetime(year - 1, 11, 20, 10, 12, tzinfo=self.tz)
        accounts_at = dt.datetime(year, 2, 17, 9, 40, tzinfo=self.tz)
        Cohort.objects.filter(pk=cohort.pk).update(created_at=roster_at)
        policy = policy_for(cohort)
        CohortPolicy.objects.filter(pk=policy.pk).update(updated_at=roster_at)
        ref = Codes(Reference.load(policy, year), rules_for(inst.pk, policy.code_set_id))
        self.deadline = policy.registration_deadline or dt.date(year, 8, 31)
        key_kinds = dict(KeyGroupKind.objects.values_list("code", "pk"))
        self.key_names = dict(KeyGroupKind.objects.values_list("code", "name"))
        people_rng = _stream(self.seed, self.profile.code, year, "people")
        outcome_rng = _stream(self.seed, self.profile.code, year, "outcomes")
        season_rng = _stream(self.seed, self.profile.code, year, "season")
        seen_ids: set[str] = set()
        approvals: dict[tuple[int, dt.datetime], list[tuple[int, int, str, str]]] = defaultdict(
            list
        )
        user_ids: list[int] = []
        mentee_ids: list[int] = []

        people = self._people(year, size, people_rng, seen_ids)
        if year == max(self._years):
            self._assign_mentors(people)
        if self.with_destinations:
            self._outcomes(year, people, outcome_rng)
        scenario_people = {id(p) for p in self._apply_scenarios(year, people)}
        audit = AuditRows()
        for start in range(0, len(people), BATCH):
            batch = people[start : start + BATCH]
            if self.with_destinations:
                for person in batch:
                    if id(person) not in scenario_people:
                        self._plan(year, person, season_rng)
            graduate_ids, users = self._write_people(
                cohort, batch, key_kinds, roster_at, accounts_at
            )
            user_ids += [u for u in users if u is not None]
            mentee_ids += [g for p, g in zip(batch, graduate_ids, strict=True) if p.mentor_id]
            if self.with_destinations:
                self._write_destinations(cohort, batch, graduate_ids, users, ref, approvals, audit)
            self.counts["audit"] += audit.flush(institution_id=inst.pk)
            for person in batch:
                person.steps = []  # written: keep memory flat however large the cohort
        self._cohort_audit(audit, cohort, size, roster_at, accounts_at, user_ids, mentee_ids)
        self._approval_audit(audit, approvals)
        self.counts["audit"] += audit.flush(institution_id=inst.pk)

    def _cohort_audit(
        self,
        audit: Rows,
        cohort: Cohort,
        size: int,
        roster_at: dt.datetime,
        accounts_at: dt.datetime,
        user_ids: list[int],
        mentee_ids: list[int],
    ) -> None:
        """The career centre's own actions on the cohort: roster import, accounts, invitations,
        mentors — as the services that do them record them."""
        centre = self.centre_ids[0]
        cohort_target = {"target_type": "institutions.cohort", "target_id": str(cohort.pk)}
        name = f"{cohort.year}届生源信息.xlsx"
        audit.add(
            actor_id=centre,
            action="roster.import",
            **cohort_target,
            summary=f"导入生源信息 {name}：新增{size}，更新0",
            data={
                "file": name,
                "cohort": cohort.year,
                "rows": size,
                "created": size,
                "updated": 0,
                "unchanged": 0,
                "create_missing": False,
            },
            at=roster_at,
        )
        if user_ids:
            audit.add(
                actor_id=centre,
                action="graduate.accounts_provision",
                **cohort_target,
                summary=f"开通毕业生账号 {len(user_ids)} 个",
                data={
                    "created": len(user_ids),
                    "linked": 0,
                    "without_email": 0,
                    "email_conflicts": 0,
                },
                at=accounts_at,
            )
            audit.add(
                actor_id=centre,
                action="account.invite",
                target_type="",
                target_id="",
                summary=f"发送账号邀请 {len(user_ids)} 封",
                data={"users": user_ids[:1000]},
                at=accounts_at + dt.timedelta(minutes=3),
            )
        if mentee_ids and self.mentor_id:
            mentor = self.staff["mentor"]
            audit.add(
                actor_id=centre,
                action="graduate.mentor_assign",
                target_type="accounts.user",
                target_id=str(mentor.pk),
                summary=f"为 {len(mentee_ids)} 名毕业生指定导师 {mentor}",
                data={"graduates": mentee_ids[:1000], "mentor": mentor.pk},
                at=_mentor_assigned_at(accounts_at),
            )

    # --- people -------------------------------------------------------------------------------
    def _people(self, year: int, size: int, rng: random.Random, seen_ids: set[str]) -> list[Person]:
        profile = self.profile
        programmes = [(d, p) for d in profile.departments for p in d.programmes]
        counts = _allocate([p.weight for _d, p in programmes], size)
        people: list[Person] = []
        for (department, programme), count in zip(programmes, counts, strict=True):
            major = self.majors[(department.name, programme.level, programme.major)]
            for _ in range(count):
                people.append(self._person(year, department, programme, major, rng, seen_ids))
        return people

    def _person(
        self,
        year: int,
        department: cat.DepartmentSpec,
        programme: cat.Programme,
        major: Major,
        rng: random.Random,
        seen_ids: set[str],
    ) -> Person:
        level = programme.level
        spec, _w, women = weighted(rng, [((s, w, f), w) for s, w, f in programme.specs])
        female = rng.random() < women
        age = {
            DegreeLevel.BACHELOR: (20.8, 25.5, 22.3),
            DegreeLevel.ASSOCIATE: (19.8, 24.0, 21.2),
            DegreeLevel.MASTER: (23.8, 31.0, 25.4),
            DegreeLevel.DOCTOR: (27.0, 40.0, 31.0),
        }[level]
        birth = dt.date(year, 7, 1) - dt.timedelta(days=int(rng.triangular(*age) * 365.25))
        origin = self._origin(rng, birth.year)
        province = origin[:2]
        ethnicity = self.namer.ethnicity(rng, province)
        name = (
            self.namer.minority(rng, people=ethnicity, female=female)
            if ethnicity != "汉族" and rng.random() < 0.8
            else None
        ) or self.namer.han(rng, female=female)
        id_number = _id_number(rng, origin, birth, female)
        while id_number in seen_ids:
            id_number = _id_number(rng, origin, birth, female)
        seen_ids.add(id_number)
        rural = rng.random() < RURAL_SHARE.get(province, 0.4)
        entry = self._entry_year(rng, year, programme)
        student_no = self._student_no(entry, level, department.code)
        return Person(
            department=department,
            programme=programme,
            department_id=self.departments[department.name].pk,
            major_id=major.pk,
            student_no=student_no,
            name=name,
            female=female,
            birth=birth,
            id_number=id_number,
            ethnicity=ethnicity,
            political_status=weighted(rng, POLITICAL_STATUS[level]),
            specialization=spec,
            origin=origin,
            origin_type="rural" if rural else "urban",
            phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            email=f"{student_no}@stu.{self.profile.domain}",
            key_groups=self._key_groups(rng, year, origin, ethnicity, rural),
        )

    def _origin(self, rng: random.Random, born: int) -> str:
        if rng.random() < 0.005:  # a county among the 52 not yet lifted out of poverty
            county = places.county(rng.choice(POVERTY_COUNTIES))
            if county is not None and county.since <= born:
                return county.code
        while True:
            province = weighted(rng, self.profile.origins)
            codes, cumulative = _county_weights(province, born)
            if codes:
                return rng.choices(codes, cum_weights=cumulative)[0]

    @staticmethod
    def _entry_year(rng: random.Random, year: int, programme: cat.Programme) -> int:
        if programme.level == DegreeLevel.MASTER:
            return year - (2 if programme.major == "音乐" and rng.random() < 0.2 else 3)
        if programme.level == DegreeLevel.DOCTOR:
            return year - weighted(rng, ((3, 6), (4, 3), (5, 1)))
        if programme.level == DegreeLevel.ASSOCIATE:
            return year - 3
        return year - (5 if rng.random() < 0.02 else 4)  # a few graduate a year late

    def _student_no(self, entry: int, level: str, department_code: str) -> str:
        key = (entry, level, department_code)
        self.serials[key] += 1
        serial = self.serials[key]
        digit = LEVEL_DIGITS[level]
        style = self.profile.student_no_style
        if style == "dfcm":
            return f"{entry}{digit}{department_code}{serial:03d}"
        if style == "jccm":
            return f"{entry}{department_code}{digit}{serial:04d}"
        return f"{entry}{digit}{department_code}{serial:05d}"

    @staticmethod
    def _key_groups(
        rng: random.Random, year: int, origin: str, ethnicity: str, rural: bool
    ) -> list[str]:
        groups: list[str] = []
        poor_place = origin in POVERTY_COUNTIES
        remote = any(origin.startswith(p) for p in THREE_REGIONS)
        if rng.random() < 0.02 * (4 if rural else 1) * (5 if poor_place or remote else 1):
            groups.append("poverty_registered")
        if poor_place:
            groups.append("poverty_county_52")
        if remote:
            groups.append("three_regions")
        if rng.random() < 0.008 * (3 if rural else 1):
            groups.append("subsistence")
        if rng.random() < 0.003:
            groups.append("zero_employment")
        if rng.random() < 0.001:
            groups.append("extreme_hardship")
        if rng.random() < 0.003:
            groups.append("disability")
        if ethnicity != "汉族":
            groups.append("ethnic_minority")
        if year == 2020 and origin.startswith("42"):
            groups.append("hubei_2020")
        hardship = {"poverty_registered", "subsistence", "zero_employment", "extreme_hardship"}
        # 家庭经济困难 (the broad aid category) covers the poorest and some others.
        if hardship & set(groups) or rng.random() < 0.035 * (2 if rural else 1):
            groups.append("family_hardship")
        return groups

    # --- destinations: final codes, values, season ---------------------------------------------
    def _outcomes(self, year: int, people: list[Person], rng: random.Random) -> None:
        """Final codes per programme by exact quota, so departments keep their character."""
        factors = self.profile.year_factors.get(year, {})
        groups: dict[tuple[str, str, str], list[Person]] = defaultdict(list)
        for person in people:
            groups[(person.department.name, person.programme.level, person.programme.major)].append(
                person
            )
        for members in groups.values():
            mix = cat.OUTCOMES[members[0].programme.outcome]
            codes = list(mix)
            counts = _allocate([mix[c] * factors.get(c, 1.0) for c in codes], len(members))
            finals = [c for c, n in zip(codes, counts, strict=True) for _ in range(n)]
            rng.shuffle(finals)
            for person, final in zip(members, finals, strict=True):
                person.final = final

    def _day(self, year: int, day_of_year: float) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=int(day_of_year))

    def _fact_day(self, year: int, code: str, rng: random.Random) -> int:
        low, high, mode = FACT_DAYS[code]
        day = rng.triangular(low, high, mode)
        delay = self.profile.delays.get(year, 0)
        if delay:
            day += rng.triangular(0, 2 * delay, delay) if code not in NOT_PLACED else delay / 3
        closed = self.profile.closed_until.get(year)
        if closed:
            reopen = (dt.date(year, *closed) - dt.date(year, 1, 1)).days
            if day < reopen:
                day = reopen + rng.triangular(0, 45, 12)
        return int(min(day, LAST_FACT_DAY))

    def _plan(self, year: int, person: Person, rng: random.Random) -> None:
        """The graduate's season: an optional registration at graduation, then the final
        destination, each version reviewed and approved (or returned and resubmitted)."""
        if rng.random() < 0.006:
            return  # never heard of
        final = person.final
        fact = self._fact_day(year, final, rng)
        registration = int(rng.triangular(*REGISTRATION)) + (
            int(self.profile.delays.get(year, 0) / 3)
        )
        versions: list[tuple[int, Values]] = []
        if final not in NOT_PLACED and fact > registration and rng.random() < 0.8:
            interim = "71" if final in ("801", "85") and rng.random() < 0.7 else "70"
            note = {"801": "准备考研复试", "85": "等待国外院校录取结果"}.get(final, "")
            versions.append((registration, Values(interim, note=note if interim == "71" else "")))
        values = self.values_for(final, person, rng, self._day(year, fact))
        versions.append((max(fact, registration + 3) if versions else fact, values))
        self._season(year, person, versions, rng)

    def _season(
        self,
        year: int,
        person: Person,
        versions: list[tuple[int, Values]],
        rng: random.Random,
        *,
        returns: bool = True,
    ) -> None:
        approved_any = False
        t = None
        for day, values in versions:
            moment = self._graduate_time(self._day(year, day), rng)
            if t is not None and moment <= t:
                moment = self._graduate_time_after(t, rng.uniform(1, 3), rng)
            t, approved = self._version(person, values, moment, rng, approved_any, returns)
            approved_any = approved_any or approved

    def _version(
        self,
        person: Person,
        values: Values,
        t: dt.datetime,
        rng: random.Random,
        approved_any: bool,
        returns: bool,
    ) -> tuple[dt.datetime, bool]:
        """Steps of one version: report, review, approval (or return and resubmission)."""
        steps = person.steps
        department_staff = self.department_staff[person.department.name].pk
        had_record = bool(steps)
        late = t.astimezone(self.tz).date() > self.deadline
        by_mentor = person.mentor_id is not None and rng.random() < 0.3
        if late or rng.random() < 0.16 or by_mentor:
            actor = person.mentor_id if by_mentor and not late else department_staff
            if actor == department_staff:
                t = self._office_time(t, rng)
            status = (
                ReviewStatus.SUBMITTED
                if actor == person.mentor_id
                else ReviewStatus.DEPARTMENT_REVIEWED
            )
            reason = ""
            if late:
                reason = cat.LATE_RECORD_REASON
            elif had_record:
                reason = rng.choice(cat.STAFF_RECORD_REASONS)
            steps.append(Step(t, ChangeAction.RECORD, actor, values, status, reason))
        else:
            status = ReviewStatus.SUBMITTED
            reason = self._change_reason(values.code) if approved_any else ""
            steps.append(Step(t, ChangeAction.SUBMIT, GRADUATE, values, status, reason))
        returned = 0
        while True:
            if status == ReviewStatus.SUBMITTED:
                if rng.random() < 0.03:  # the centre approves before the department has looked
                    t = self._approval_time(person, t, rng)
                    steps.append(Step(t, ChangeAction.APPROVE, self._approver(t)))
                    return t, True
                t = self._office_time(t + dt.timedelta(days=rng.triangular(0.05, 6, 0.8)), rng)
                if returns and returned < 2 and rng.random() < 0.07:
                    reason, fix = rng.choice(
                        cat.RETURN_REASONS.get(values.code[:2], cat.RETURN_REASONS[""])
                    )
                    steps.append(Step(t, ChangeAction.RETURN, department_staff, reason=reason))
                    values, t, status = self._resubmit(person, values, fix, t, rng, approved_any)
                    returned += 1
                    continue
                steps.append(Step(t, ChangeAction.REVIEW, department_staff))
                status = ReviewStatus.DEPARTMENT_REVIEWED
            t = self._approval_time(person, t, rng)
            if returns and returned < 2 and rng.random() < 0.02:
                reason, fix = rng.choice(cat.CENTRE_RETURN_REASONS)
                steps.append(Step(t, ChangeAction.RETURN, self._approver(t), reason=reason))
                values, t, status = self._resubmit(person, values, fix, t, rng, approved_any)
                returned += 1
                continue
            steps.append(Step(t, ChangeAction.APPROVE, self._approver(t)))
            return t, True

    def _resubmit(
        self,
        person: Person,
        values: Values,
        fix: str,
        t: dt.datetime,
        rng: random.Random,
        approved_any: bool,
    ) -> tuple[Values, dt.datetime, str]:
        values = replace(values, note=fix)
        t = self._graduate_time_after(t, rng.triangular(0.5, 7, 1.5), rng)
        if t.astimezone(self.tz).date() > self.deadline:
            staff = self.department_staff[person.department.name].pk
            t = self._office_time(t, rng)
            person.steps.append(
                Step(
                    t,
                    ChangeAction.RECORD,
                    staff,
                    values,
                    ReviewStatus.DEPARTMENT_REVIEWED,
                    cat.LATE_RECORD_REASON,
                )
            )
            return values, t, ReviewStatus.DEPARTMENT_REVIEWED
        reason = self._change_reason(values.code) if approved_any else ""
        person.steps.append(
            Step(t, ChangeAction.SUBMIT, GRADUATE, values, ReviewStatus.SUBMITTED, reason)
        )
        return values, t, ReviewStatus.SUBMITTED

    @staticmethod
    def _change_reason(code: str) -> str:
        return cat.CHANGE_REASONS.get(code[:2], cat.CHANGE_REASONS[""])

    def _graduate_time(self, day: dt.date, rng: random.Random) -> dt.datetime:
        """Graduates report any day, mostly afternoons and evenings."""
        hour = weighted(rng, ((9, 2), (10, 3), (11, 3), (13, 2), (14, 3), (15, 3), (16, 3), (19, 3), (20, 4), (21, 4), (22, 3), (23, 1)))  # fmt: skip
        return dt.datetime.combine(
            day, dt.time(hour, rng.randrange(60), rng.randrange(60)), self.tz
        )

    def _graduate_time_after(
        self, after: dt.datetime, days: float, rng: random.Random
    ) -> dt.datetime:
        moment = self._graduate_time(
            (after + dt.timedelta(days=days)).astimezone(self.tz).date(), rng
        )
        return moment if moment > after else after + dt.timedelta(hours=rng.uniform(2, 9))

    def _office_time(self, moment: dt.datetime, rng: random.Random) -> dt.datetime:
        """Staff work weekdays, 8:30 to 17:30: the next such moment at or after `moment`."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() > dt.time(17, 0):
            day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(8, 30), self.tz)
        if start < local:
            start = local
        result = start + dt.timedelta(minutes=rng.randrange(5, 240))
        if result.time() > dt.time(17, 30):
            result = dt.datetime.combine(result.date(), dt.time(17, 20), self.tz)
        return result if result > moment else moment + dt.timedelta(minutes=7)

    def _approval_time(self, person: Person, after: dt.datetime, rng: random.Random) -> dt.datetime:
        """Mostly in the career centre's batches before each reporting date (the 10th, 20th,
        30th), a department at a time; sometimes at once."""
        if rng.random() < 0.1:
            return self._office_time(after + dt.timedelta(days=rng.triangular(0.2, 3, 0.8)), rng)
        return self._batch_after(person, after)

    def _batch_after(self, person: Person, after: dt.datetime) -> dt.datetime:
        """The department's slot in the first approval batch after `after`'s day."""
        day = _next_batch_day(after.astimezone(self.tz).date())
        index = int(person.department.code) if person.department.code.isdigit() else 0
        jitter = (day.toordinal() * 7 + index * 13) % 30
        return dt.datetime.combine(day, dt.time(10, 0), self.tz) + dt.timedelta(
            minutes=index * 4 + jitter, seconds=index
        )

    def _approver(self, moment: dt.datetime) -> int:
        return self.centre_ids[moment.toordinal() % len(self.centre_ids)]

    # --- what a destination says -----------------------------------------------------------------
    def values_for(self, code: str, person: Person, rng: random.Random, day: dt.date) -> Values:
        kind = person.programme.outcome
        if code in NOT_PLACED:
            note = {"71": rng.choice(("准备考研", "准备出国留学", "准备考编")), "72": ""}.get(
                code, ""
            )
            return Values(code, note=note)
        if code in EMPLOYMENT:
            sectors = {
                s: w for s, w in cat.SECTORS[kind].items() if s in cat.EMPLOYMENT_SECTORS[code]
            }
            sector = weighted(rng, list(sectors.items())) if sectors else "company"
            name, nature, division, kind_code = self._employer(sector, person, rng)
            credit = credit_code(name, kind=kind_code, division=division)
            signed = day - dt.timedelta(days=int(rng.triangular(0, 40, 8)))
            signed = max(signed, dt.date(day.year - 1, 1, 1))
            agreement = ""
            if code == "10":
                self.agreement_serial += 1
                agreement = f"{day.year}{self.profile.code}{self.agreement_serial:05d}"
            if code == "12" and rng.random() < 0.5:
                credit, signed = (credit if rng.random() < 0.6 else ""), None
            return Values(code, name, credit, nature, division, agreement, signed)
        if code == "27":
            division = self.profile.home
            return Values(
                code,
                f"{self.profile.name}（科研助理）",
                credit_code(self.profile.name, kind="12", division=division),
                "21",
                division,
                signed_on=day - dt.timedelta(days=5),
            )
        if code == "46":
            return Values(
                code, employer_nature="40", employer_division=person.origin, note="应征入伍"
            )
        if code in ("504", "502", "503"):
            county = self._grassroots_county(person, rng)
            place = places.name_of(county)
            town = rng.choice(("城关", "新华", "河东", "石桥", "龙泉", "白沙", "青山", "民主"))
            name, nature = {
                "504": (f"{place}{town}镇中心学校", "22"),
                "502": (f"{place}{town}镇综合文化站", "29"),
                "503": (f"{place}青少年活动中心", "29"),
            }[code]
            return Values(
                code,
                name,
                credit_code(name, kind="12", division=county),
                nature,
                county,
                signed_on=day - dt.timedelta(days=3),
            )
        if code in ("512", "519"):
            county = person.origin if rng.random() < 0.7 else self._home_county(rng)
            place = places.name_of(county)
            name, nature, kind_code = (
                (f"{place}文化和旅游局", "10", "11")
                if code == "512"
                else (
                    f"{place}{rng.choice(('和平', '东风', '建设', '向阳'))}街道社区文化活动中心",
                    "56",
                    "52",
                )
            )
            return Values(
                code, name, credit_code(name, kind=kind_code, division=county), nature, county
            )
        if code == "75":
            division = self._home_county(rng) if rng.random() < 0.6 else person.origin
            brand = rng.choice(cat.BRANDS)
            place = places.short_place(division)
            if rng.random() < 0.6:
                name, kind_code = f"{place}{brand}音乐工作室", "92"
            else:
                name, kind_code = f"{place}{brand}文化艺术有限公司", "91"
            return Values(
                code,
                name,
                credit_code(name, kind=kind_code, division=division),
                "39",
                division,
                note="自主创业",
            )
        if code == "76":
            division = self._home_county(rng) if rng.random() < 0.6 else person.origin
            notes = [n for n, kinds in cat.FREELANCE if kind in kinds] or [cat.FREELANCE[0][0]]
            return Values(code, employer_division=division, note=rng.choice(notes))
        if code == "801":
            schools = list(cat.GRADUATE_SCHOOLS)
            own = [s for s in schools if s[0] == self.profile.name]
            if not own:
                schools.append((self.profile.name, self.profile.home, 6))
            name, division, _w = weighted(
                rng, [(s, s[2] * (3 if s[0] == self.profile.name else 1)) for s in schools]
            )
            level = "博士研究生" if person.programme.level == DegreeLevel.MASTER else "硕士研究生"
            return Values(code, name, employer_division=division, note=f"攻读{level}")
        if code == "85":
            general = kind in cat.ABROAD_GENERAL_KINDS
            options = [
                ((n, country), w * (3 if (k == "general") == general else 1))
                for n, w, k, country in cat.ABROAD
            ]
            name, country = weighted(rng, options)
            return Values(
                code,
                name,
                note="出国（境）留学" if rng.random() < 0.92 else "出国（境）工作",
                employer_country=country,
            )
        raise ValueError(f"no values for destination code {code}")

    def _employer(
        self, sector: str, person: Person, rng: random.Random
    ) -> tuple[str, str, str, str]:
        """(name, employer nature, division, credit-code kind) of an employer in `sector`."""
        kind = person.programme.outcome
        home = self.profile.home[:2]
        if sector == "troupe":
            wanted = cat.TROUPE_KINDS.get(kind, ("venue",))
            options = [t for t in cat.TROUPES if set(t[3]) & set(wanted)] or list(cat.TROUPES)
            name, nature, division, _k = weighted(
                rng, [(t, _place_weight(t[2], home, person.origin)) for t in options]
            )
            return name, nature, division, "12" if nature == "29" else "91"
        if sector == "university":
            name, division = weighted(
                rng, [(u, _place_weight(u[1], home, person.origin)) for u in cat.UNIVERSITIES]
            )
            return name, "21", division, "12"
        if sector == "school":
            division = person.origin if rng.random() < 0.55 else self._home_county(rng)
            school_kind = weighted(rng, cat.SCHOOL_KINDS)
            name = f"{_short_name(division)}{rng.choice(cat.SCHOOL_WORDS)}{school_kind}"
            return name, "22", division, "12"
        if sector == "training":
            division = person.origin if rng.random() < 0.45 else self._home_county(rng)
            brand = rng.choice(cat.BRANDS)
            if rng.random() < 0.5:
                return f"{places.short_place(division)}{brand}艺术培训学校", "39", division, "52"
            return f"{places.short_place(division)}{brand}琴行有限公司", "39", division, "91"
        # company
        named = [c for c in cat.NAMED_COMPANIES if kind in c[3]]
        if named and rng.random() < 0.25:
            name, nature, division, _k = rng.choice(named)
            return name, nature, division, "91"
        businesses = [b for b in cat.COMPANY_KINDS if not b[2] or kind in b[2]]
        business, nature, _kinds = rng.choice(businesses)
        division = self._home_county(rng) if rng.random() < 0.65 else self._city_county(rng, person)
        return (
            f"{places.short_place(division)}{rng.choice(cat.BRANDS)}{business}",
            nature,
            division,
            "91",
        )

    def _home_county(self, rng: random.Random) -> str:
        """A district or county of the institution's city."""
        city = self.profile.home[:4]
        options = [c.code for c in places.counties(city[:2], born=9999) if c.code.startswith(city)]
        return rng.choice(options) if options else self.profile.home

    def _city_county(self, rng: random.Random, person: Person) -> str:
        big = ("110105", "440304", "440106", "330106", "320102", "510107", "420106", "310104")
        return person.origin if rng.random() < 0.4 else rng.choice(big)

    def _grassroots_county(self, person: Person, rng: random.Random) -> str:
        if person.origin[:2] in GRASSROOTS_PROVINCES and not person.origin.startswith(
            self.profile.home[:4]
        ):
            return person.origin
        province = rng.choice(("52", "53", "62", "45", "51", "43", "42", "41", "36", "34"))
        return rng.choice(places.counties(province, born=9999)).code

    def _assign_mentors(self, people: list[Person]) -> None:
        """The demo teacher mentors the first ten graduates of their department."""
        department = self.profile.mentor_department
        if self.mentor_id is None or not department:
            return
        for person in [p for p in people if p.department.name == department][:10]:
            person.mentor_id = self.mentor_id

    # --- scenarios (demo logins) ----------------------------------------------------------------
    def _apply_scenarios(self, year: int, people: list[Person]) -> list[Person]:
        chosen: list[Person] = []
        for scenario in self.scenarios:
            if scenario.year != year:
                continue
            person = [p for p in people if p.department.name == scenario.department][scenario.nth]
            rng = _stream(self.seed, self.profile.code, year, "scenario", scenario.kind)
            person.password = self.password_hash
            person.steps = self._scenario_steps(scenario, person, rng)
            chosen.append(person)
            self.logins.append(
                DemoLogin(
                    str(Role.GRADUATE.label),
                    self.profile.name,
                    person.student_no,
                    "",
                    scenario.look_at,
                )
            )
        return chosen

    def _scenario_steps(self, scenario: Scenario, person: Person, rng: random.Random) -> list[Step]:
        home = self.profile.home
        day = scenario.day
        staff = self.department_staff[person.department.name].pk
        if scenario.kind == "none":
            values = Values("76", employer_division=home, note="钢琴陪练与线上教学")
        elif scenario.kind == "returned":
            name = f"{places.short_place(home)}琴心艺术培训学校"
            values = Values(
                "12", name, credit_code(name, kind="52", division=home), "39", home, note=""
            )
        elif scenario.kind == "approved":
            name, nature, division, _kinds = cat.TROUPES[0]
            self.agreement_serial += 1
            values = Values(
                "10",
                name,
                credit_code(name, kind="12", division=division),
                nature,
                division,
                f"{day.year}{self.profile.code}{self.agreement_serial:05d}",
                day - dt.timedelta(days=6),
            )
        else:  # pending
            name, nature, division, _kinds = next(t for t in cat.TROUPES if t[0] == "汉江歌舞剧院")
            values = Values(
                "11",
                name,
                credit_code(name, kind="91", division=division),
                nature,
                division,
                signed_on=day - dt.timedelta(days=4),
            )
        person.final = values.code
        at = dt.datetime.combine(day, dt.time(20, 15), self.tz)
        steps = [Step(at, ChangeAction.SUBMIT, GRADUATE, values, ReviewStatus.SUBMITTED)]
        if scenario.kind == "none":
            return steps
        checked = self._office_time(at + dt.timedelta(hours=14), rng)
        if scenario.kind == "returned":
            reason = "录用证明未加盖单位公章，请补充后重新提交。"
            again = self._graduate_time(max(self.today, day) + dt.timedelta(days=3), rng)
            fixed = replace(values, note="已补充加盖公章的录用证明")
            return [
                *steps,
                Step(checked, ChangeAction.RETURN, staff, reason=reason),
                Step(again, ChangeAction.SUBMIT, GRADUATE, fixed, ReviewStatus.SUBMITTED),
            ]
        approve_at = self._batch_after(person, checked)
        return [
            *steps,
            Step(checked, ChangeAction.REVIEW, staff),
            Step(approve_at, ChangeAction.APPROVE, self._approver(approve_at)),
        ]

    # --- writing ------------------------------------------------------------------------------------
    def _write_people(
        self,
        cohort: Cohort,
        batch: list[Person],
        key_kinds: dict[str, int],
        roster_at: dt.datetime,
        accounts_at: dt.datetime,
    ) -> tuple[list[int], list[int | None]]:
        """Accounts (as graduate_accounts_provision opens them), graduates, key groups."""
        inst_id = self.institution.pk
        code = self.profile.code
        mentor_at = _mentor_assigned_at(accounts_at)
        key_names = self.key_names
        users: list[int | None] = [None] * len(batch)
        if self.with_accounts:
            users = list(self.ids.take(User, len(batch)))
            unusable = make_password(None)
            rows = Rows(User, with_pk=True)
            members = Rows(Membership)
            for person, uid in zip(batch, users, strict=True):
                rows.add(
                    id=uid,
                    username=f"{code}:{person.student_no}",
                    email=person.email.lower(),
                    display_name=person.name,
                    password=person.password or unusable,
                    date_joined=accounts_at,
                    invited_at=accounts_at + dt.timedelta(minutes=3),
                )
                members.add(user_id=uid, role=Role.GRADUATE.value, created_at=accounts_at)
            rows.flush()
            members.flush(institution_id=inst_id)
        graduate_ids = self.ids.take(Graduate, len(batch))
        graduates = Rows(Graduate, with_pk=True)
        key_groups = Rows(GraduateKeyGroup)
        for person, gid, uid in zip(batch, graduate_ids, users, strict=True):
            graduates.add(
                id=gid,
                cohort_id=cohort.pk,
                student_no=person.student_no,
                name=person.name,
                gender="F" if person.female else "M",
                id_number=person.id_number,
                ethnicity=person.ethnicity,
                political_status=person.political_status,
                degree_level=person.programme.level,
                department_id=person.department_id,
                major_id=person.major_id,
                specialization=person.specialization,
                origin_division=person.origin,
                origin_province=person.origin[:2] + "0000",
                origin_type=person.origin_type,
                phone=person.phone,
                email=person.email,
                mentor_id=person.mentor_id,
                user_id=uid,
                created_at=roster_at,
                # graduate_mentor_assign touches the row when it names the mentor.
                updated_at=mentor_at if person.mentor_id else roster_at,
            )
            profile = keygroups.profile_suggestions(
                ethnicity=person.ethnicity, origin=person.origin, cohort_year=cohort.year
            )
            # Suggested on import; the mentor (or the centre) confirmed them within days, except
            # one graduate in twenty, whose suggestions still wait (a counsellor's to-do).
            waiting = zlib.crc32(person.student_no.encode()) % 20 == 0
            decided_at = mentor_at + dt.timedelta(days=3, hours=2)
            for kind in person.key_groups:
                if kind not in key_kinds:
                    continue
                key_groups.add(
                    graduate_id=gid,
                    kind_digest=kind_digest(kind),
                    source="profile" if kind in profile else "roster",
                    basis=profile.get(kind) or f"生源名单“困难生类别”：{key_names[kind]}",
                    status="suggested" if waiting else "confirmed",
                    note="",
                    suggested_at=roster_at,
                    decided_at=None if waiting else decided_at,
                    decided_by_id=None if waiting else person.mentor_id,
                    valid_from=None if waiting else decided_at,
                    valid_to=None,
                )
        graduates.flush(institution_id=inst_id)
        # On the roster from the day it was imported (as graduates.services.roster_sync).
        roster = Rows(RosterPeriod)
        for person, gid in zip(batch, graduate_ids, strict=True):
            roster.add(
                graduate_id=gid,
                cohort_id=cohort.pk,
                department_id=person.department_id,
                major_id=person.major_id,
                degree_level=person.programme.level,
                gender="F" if person.female else "M",
                valid_from=roster_at,
                valid_to=None,
            )
        roster.flush(institution_id=inst_id)
        key_groups.flush(institution_id=inst_id)
        self.counts["graduates"] += len(batch)
        return graduate_ids, users

    def _write_destinations(
        self,
        cohort: Cohort,
        batch: list[Person],
        graduate_ids: list[int],
        users: list[int | None],
        ref: Codes,
        approvals: dict[tuple[int, dt.datetime], list[tuple[int, int, str, str]]],
        audit: Rows,
    ) -> None:
        active = []
        for person, gid, uid in zip(batch, graduate_ids, users, strict=True):
            steps = [s for s in person.steps if s.at < self.cutoff]
            if steps:
                active.append((person, gid, uid, steps))
        destinations = Rows(Destination, with_pk=True)
        changes = Rows(DestinationChange)
        periods = Rows(DestinationPeriod)
        evidence = Rows(Evidence)
        inst_id = self.institution.pk
        for (person, gid, uid, steps), pk in zip(
            active, self.ids.take(Destination, len(active)), strict=True
        ):
            replay = Replay(
                pk,
                cohort.pk,
                gid,
                person.student_no,
                uid,
                ref,
                changes,
                periods,
                audit,
                institution_id=inst_id,
                evidence=evidence,
            )
            destinations.add(**replay.run([_with_evidence(s, ref) for s in steps]))
            for actor, at, version, code in replay.approvals:
                approvals[(actor, at)].append((pk, version, person.student_no, code))
        destinations.flush(institution_id=inst_id)
        self.counts["evidence"] += evidence.flush(institution_id=inst_id)
        self.counts["changes"] += changes.flush(institution_id=inst_id)
        self.counts["periods"] += periods.flush(institution_id=inst_id)
        self.counts["destinations"] += len(active)

    def _approval_audit(
        self,
        audit: Rows,
        approvals: dict[tuple[int, dt.datetime], list[tuple[int, int, str, str]]],
    ) -> None:
        approval_rows(audit, approvals)


EMPLOYMENT = frozenset({"10", "11", "12"})


@functools.cache
def _county_weights(province: str, born: int) -> tuple[list[str], list[int]]:
    """County codes of a province a person born in `born` can carry, with cumulative weights:
    the capital's districts and counties are drawn three times as often."""
    candidates = places.counties(province, born=born)
    if not candidates:
        return [], []
    capital = candidates[0].code[:4]
    weights = [3 if c.code.startswith(capital) else 1 for c in candidates]
    return [c.code for c in candidates], list(itertools.accumulate(weights))


def _mentor_assigned_at(accounts_at: dt.datetime) -> dt.datetime:
    return accounts_at + dt.timedelta(days=2, hours=1)


@functools.cache
def _next_batch_day(after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while not _is_batch_day(day):
        day += dt.timedelta(days=1)
    return day


def _is_batch_day(day: dt.date) -> bool:
    """The career centre approves in batches just before each reporting date (the 10th, 20th
    and 30th in the season, twice a month after it); a batch due on a weekend moves to Friday."""
    if day.weekday() >= 5:
        return False
    nominal = (9, 19, 28) if 2 <= day.month <= 8 else (15, 28)
    if day.day in nominal:
        return True
    return day.weekday() == 4 and any((day + dt.timedelta(days=n)).day in nominal for n in (1, 2))


def _place_weight(division: str, home: str, origin: str) -> float:
    province = division[:2]
    if province == home:
        return 6.0
    if province == origin[:2]:
        return 3.0
    if province in NEAR.get(home, ()):
        return 2.0
    return 1.0


def _short_name(division: str) -> str:
    """How a place appears at the head of an organisation's name: 徐汇区, 苏州市, 布拖县."""
    name = places.name_of(division)
    if division[:2] in ("11", "12", "31", "50") or name.endswith(("县", "旗")):
        return name
    return places.city_of(division)


# --- entry points -------------------------------------------------------------------------------
DEMO_SCENARIOS: dict[str, tuple[Scenario, ...]] = {
    cat.DFCM.code: (
        Scenario(2020, "钢琴系", 0, "none", dt.date(2020, 8, 6),
                 "尚未登记毕业去向：登录后自己填报（导师顾文清可代为登记）"),
        Scenario(2020, "钢琴系", 1, "returned", dt.date(2020, 7, 6),
                 "去向被院系退回（录用证明未盖章）：按退回原因修改后重新提交"),
        Scenario(2020, "管弦系", 0, "approved", dt.date(2020, 4, 20),
                 "已审批的就业协议（东方交响乐团）及完整的审核记录"),
    ),
    cat.JCCM.code: (
        Scenario(2020, "声乐系", 0, "pending", dt.date(2020, 7, 13),
                 "已填报、院系已审核、等待就业指导中心审批的去向"),
    ),
}  # fmt: skip
DEPARTMENT_LOGINS: dict[str, tuple[tuple[str, str], ...]] = {
    cat.DFCM.code: (
        ("钢琴系", "只看钢琴系：毕业生名单、待院系审核的去向、本系落实率"),
        ("作曲系", "同时负责作曲系和指挥系（去年签约率全校前两名）"),
        ("研究生部", "硕士、博士毕业生的去向与审核"),
    ),
    cat.JCCM.code: (("声乐系", "只看江城音乐学院声乐系"),),
}
DEMO_LOAD_ACTION = "demo.load"


class DemoError(Exception):
    """The demo cannot be loaded or removed as asked (the message says why)."""


def _hash_password() -> str:
    return make_password(DEMO_PASSWORD)


def demo_state() -> dict[str, Any] | None:
    """What `load_demo` recorded when it loaded the demo (seed, today, logins), or None."""
    event = (
        AuditEvent.objects.filter(institution__code=cat.DFCM.code, action=DEMO_LOAD_ACTION)
        .order_by("-at", "-pk")
        .first()
    )
    return event.data if event is not None else None


def _demo_institutions() -> list[Institution]:
    """The demo's institutions present in the database; refuses to touch a real one."""
    found = []
    for profile in cat.DEMO_PROFILES:
        institution = Institution.objects.filter(code=profile.code).first()
        if institution is None:
            continue
        if institution.name != profile.name:
            raise DemoError(
                f"学校代码 {profile.code} 已被“{institution.name}”使用，它不是演示数据，"
                "演示不会覆盖或删除它。"
            )
        found.append(institution)
    return found


def demo_present() -> bool:
    return bool(_demo_institutions())


# The institutions of `qihang demo --scale N G`: codes 91001…, names 规模测试学校01….
SCALE_FIRST_CODE = 91001
SCALE_NAME = "规模测试学校"


def _is_scale(institution: Institution) -> bool:
    return (
        institution.code.isdigit()
        and int(institution.code) >= SCALE_FIRST_CODE
        and institution.name.startswith(SCALE_NAME)
    )


def check_only_demo() -> None:
    """Raise DemoError, naming the first one, unless every institution is the demo's or a
    `--scale` one and every account belongs to them (their staff, graduates and the demo
    employers' people) or is the demo's platform administrator: before `qihang demo --reset`
    rebuilds the database, nothing else may be in it."""
    from qihang.demo import employers_demo

    demo = {profile.code: profile for profile in cat.DEMO_PROFILES}
    ids, domains = [], [employers_demo.EMPLOYER_DOMAIN]
    _demo_institutions()  # a demo code taken by a real school: refused with its own message
    for institution in Institution.objects.order_by("code"):
        if institution.code in demo:
            domains.append(demo[institution.code].domain)
        elif _is_scale(institution):
            domains.append(scale_profile(institution.code, institution.name).domain)
        else:
            raise DemoError(
                f"学校“{institution.name}”（代码 {institution.code}）不是演示数据："
                "重建数据库会删除它，演示不会这样做。"
            )
        ids.append(institution.pk)
    ours = Q(email__iexact=cat.PLATFORM_ADMIN[0]) | Q(
        pk__in=Graduate.objects.filter(institution_id__in=ids, user__isnull=False).values("user_id")
    )
    for domain in domains:
        ours |= Q(email__iendswith=f"@{domain}") | Q(email__iendswith=f".{domain}")
    foreign = User.objects.exclude(ours).order_by("pk").first()
    if foreign is not None:
        raise DemoError(
            f"账号“{foreign.username}”不是演示账号：重建数据库会删除它，演示不会这样做。"
        )


@transaction.atomic
def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    today: dt.date = DEFAULT_TODAY,
    log: Callable[[str], None] | None = None,
) -> list[DemoLogin]:
    """Create the two demo conservatories, their staff, graduates and seasons, in one
    transaction. Raises DemoError if a demo institution is already there (reset first)."""
    if _demo_institutions():
        raise DemoError("演示数据已经存在。")
    password_hash = _hash_password()
    logins: list[DemoLogin] = []
    for profile in cat.DEMO_PROFILES:
        builder = InstitutionBuilder(
            profile,
            seed=seed,
            today=today,
            password_hash=password_hash,
            scenarios=DEMO_SCENARIOS.get(profile.code, ()),
            log=log,
        )
        builder.build(cat.DEMO_COHORTS[profile.code])
        for department, look_at in DEPARTMENT_LOGINS.get(profile.code, ()):
            builder.department_login(department, look_at)
        logins += _ordered(builder.logins)
    # The demo is used long after 2020: keep the 2020 cohort's registration open, so the demo
    # graduates can still report and correct their destinations (2019's stays closed).
    CohortPolicy.objects.filter(
        cohort__institution__code__in=[p.code for p in cat.DEMO_PROFILES], cohort__year=2020
    ).update(registration_deadline=None)
    logins += channels.populate(seed=seed, today=today, log=log)
    email, name = cat.PLATFORM_ADMIN
    User.objects.filter(email__iexact=email).delete()
    User.objects.create(
        username=email,
        email=email,
        display_name=name,
        is_platform_admin=True,
        password=password_hash,
        date_joined=dt.datetime(2018, 9, 3, 9, 0, tzinfo=_tz()),
    )
    logins.append(
        DemoLogin("平台管理员", "（全平台）", email, "", "切换学校查看两所学校的数据、新建学校")
    )
    # Staff who must confirm a TOTP code get a demo authenticator (`qihang demo_otp EMAIL`).
    mfa_demo.bind_demo_devices(
        list(
            Institution.objects.filter(code__in=[p.code for p in cat.DEMO_PROFILES]).values_list(
                "pk", flat=True
            )
        )
    )
    for login in logins:
        login.password = DEMO_PASSWORD
    audit_record(
        institution_id=Institution.objects.get(code=cat.DFCM.code).pk,
        actor_id=None,
        action=DEMO_LOAD_ACTION,
        summary=f"加载演示数据（种子 {seed}，演示日期 {today.isoformat()}）",
        data={
            "seed": seed,
            "today": today.isoformat(),
            # Printed again when the demo is asked for twice (the password is the demo's one).
            "logins": [{**login.__dict__, "password": ""} for login in logins],
        },
    )
    return logins


_ROLE_ORDER = {
    str(Role.CAREER_CENTRE.label): 0,
    str(Role.DEPARTMENT_STAFF.label): 1,
    str(Role.TEACHER.label): 2,
    str(Role.LEADERSHIP.label): 3,
    str(Role.PSYCH_COUNSELLOR.label): 4,
    str(Role.GRADUATE.label): 5,
}


def _ordered(logins: list[DemoLogin]) -> list[DemoLogin]:
    return sorted(logins, key=lambda login: _ROLE_ORDER.get(login.role, 9))


def scale_profile(code: str, name: str) -> cat.InstitutionProfile:
    """A conservatory shaped like the demo's (its departments and mixes), of any size."""
    return replace(
        cat.DFCM,
        code=code,
        name=name,
        short_name="",
        domain=f"i{code}.example",
        staff=(
            cat.StaffSpec("centre", "就业指导中心", Role.CAREER_CENTRE, "就业指导中心", ""),
            cat.StaffSpec("leader", "分管校领导", Role.LEADERSHIP, "分管校领导", ""),
        ),
        student_no_style="wide",
        mentor_department="",
    )


def generate_institution(
    code: str,
    name: str,
    *,
    graduates_per_cohort: int,
    cohorts: Sequence[int] = (2019, 2020),
    seed: int = DEFAULT_SEED,
    today: dt.date = DEFAULT_TODAY,
    with_destinations: bool = True,
    with_accounts: bool = True,
    log: Callable[[str], None] | None = None,
) -> Institution:
    """One institution with `graduates_per_cohort` graduates in each of `cohorts`, for
        benchmarks: written BATCH graduates at a time with COPY/executemany (no per-row queries)
        in one transaction. Staff: centre@i<code>.example, leader@…, and an officer per department
        (<slug>@…), with the demo password. It goes only with the whole database
    (`qihang demo --scale … --reset` rebuilds it; docs/audit.md)."""
    with transaction.atomic():
        builder = InstitutionBuilder(
            scale_profile(code, name),
            seed=seed,
            today=today,
            password_hash=_hash_password(),
            with_destinations=with_destinations,
            with_accounts=with_accounts,
            log=log,
        )
        return builder.build(dict.fromkeys(cohorts, graduates_per_cohort))
