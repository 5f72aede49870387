"""Anomaly flags: one selector per rule, each with its definition and thresholds.

A rule reads the institution's data through scoping and returns Findings: what looks wrong, a
stable key (so the centre's decision, a FlagDecision, stays attached to it), and the records
behind it with links. Nothing here writes. Thresholds are `Thresholds` fields; an institution's
deployment may override them with settings.QIHANG_ANOMALY_THRESHOLDS (a dict of field names to
values). docs/verification.md states every rule in words.

Every rule answers in a constant number of queries whatever the number of records (the page's
query-count test holds them to it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

from qihang.agreements.models import Agreement, AgreementStatus
from qihang.destinations.models import (
    ChangeAction,
    CohortPolicy,
    Destination,
    Evidence,
    EvidenceKind,
)
from qihang.employers.models import Contact, Employer, EmployerStanding, StandingStatus
from qihang.graduates.models import Graduate
from qihang.institutions.models import Cohort, Department
from qihang.institutions.scoping import Actor, scoped
from qihang.reports.selectors import placed_as_of
from qihang.verification.models import EnrolmentEntry, EnrolmentList

RECORD_LIMIT = 200  # records listed per finding (the count says how many there are)


@dataclass(frozen=True)
class Thresholds:
    # shared_contact: one phone or e-mail behind at least this many different employers.
    contact_employers: int = 2
    # approval_burst: the window before each reporting date, and how far above the usual
    # daily rate (and by at least how many approvals) the window's daily rate must be.
    burst_window_days: int = 7
    burst_factor: float = 2.5
    burst_min_approvals: int = 20
    # Reporting dates (month-day in the graduation year) besides the cohort's deadline.
    reporting_days: tuple[str, ...] = ("06-30", "08-31", "12-31")
    # flexible_share: a department's share of codes 12 and 76 among its placed graduates.
    flexible_codes: tuple[str, ...] = ("12", "76")
    flexible_factor: float = 1.5
    flexible_min_points: float = 0.10
    flexible_min_graduates: int = 5
    # employer_concentration: at least this many graduates with one employer registered on
    # the platform less than `new_employer_days` before their first approval (or not at all).
    concentration_min_graduates: int = 5
    new_employer_days: int = 365
    # insurance_missing: the codes whose graduates must appear on the enrolment list.
    insured_codes: tuple[str, ...] = ("11", "12")


def thresholds() -> Thresholds:
    overrides = getattr(settings, "QIHANG_ANOMALY_THRESHOLDS", None) or {}
    names = {f.name for f in fields(Thresholds)}
    unknown = set(overrides) - names
    if unknown:
        raise ValueError(f"QIHANG_ANOMALY_THRESHOLDS: unknown {sorted(unknown)}")
    return replace(Thresholds(), **overrides)


class Record(NamedTuple):
    label: str
    url: str
    detail: str = ""


@dataclass
class Finding:
    rule: str
    key: str
    summary: str
    records: list[Record] = field(default_factory=list)
    count: int = 0  # records behind it (may exceed the records listed)


@dataclass(frozen=True)
class Rule:
    name: str
    title: Any
    definition: Any
    check: Callable[[Actor, Cohort, Thresholds], list[Finding]]


def _graduate_record(g: Graduate, detail: str = "") -> Record:
    return Record(f"{g.name}（{g.student_no}）", reverse("graduates:detail", args=[g.pk]), detail)


def _destination_record(d: Destination, detail: str = "") -> Record:
    g = d.graduate
    return Record(
        f"{g.name}（{g.student_no}）", reverse("destinations:detail", args=[d.pk]), detail
    )


def _official(actor: Actor, cohort: Cohort):  # noqa: ANN202
    """The cohort's records with an approved (official) version, with their graduates."""
    return (
        scoped(Destination, actor)
        .filter(cohort=cohort, official_code__isnull=False)
        .select_related("graduate")
        .order_by("graduate__student_no")
    )


def _employer_key(value: str) -> str:
    return "".join(value.split()).lower()


# --- the rules ------------------------------------------------------------------------------
def shared_contact(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """The same phone number or e-mail address behind different employers: on the employers'
    own contact details and on the contacts the school keeps (employers.Contact)."""
    behind: dict[str, dict[int, str]] = defaultdict(dict)
    employers = scoped(Employer, actor).distinct().order_by()
    for pk, name, phone, email in employers.values_list(
        "pk", "name", "contact_phone", "contact_email"
    ):
        for value in (phone, email):
            if value.strip():
                behind[_employer_key(value)][pk] = name
    for pk, name, phone, email in (
        scoped(Contact, actor)
        .order_by()
        .values_list("employer_id", "employer__name", "phone", "email")
    ):
        for value in (phone, email):
            if value.strip():
                behind[_employer_key(value)][pk] = name
    findings = []
    for value, holders in sorted(behind.items()):
        if len(holders) < t.contact_employers:
            continue
        findings.append(
            Finding(
                "shared_contact",
                f"contact:{value}",
                _("联系方式 %(value)s 同时登记在 %(n)s 家单位")
                % {"value": value, "n": len(holders)},
                [
                    Record(name, reverse("employers:detail", args=[pk]))
                    for pk, name in sorted(holders.items(), key=lambda kv: kv[1])
                ],
                len(holders),
            )
        )
    return findings


def credit_codes(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """Credit codes on approved records that are invalid (python-stdnum's check of the
    统一社会信用代码) or unregistered (valid, but no employer verified at this school has it)."""
    verified = set(
        scoped(EmployerStanding, actor)
        .filter(status=StandingStatus.VERIFIED)
        .values_list("employer__credit_code", flat=True)
    )
    by_code: dict[str, list[Destination]] = defaultdict(list)
    for d in _official(actor, cohort):
        code = (d.official_values.get("employer_credit_code") or "").strip().upper()
        if code:
            by_code[code].append(d)
    findings = []
    unregistered: list[Record] = []
    for code, records in sorted(by_code.items()):
        employer = records[0].official_values.get("employer_name", "")
        if not uscc.is_valid(code):
            findings.append(
                Finding(
                    "credit_code",
                    f"invalid:{code}",
                    _("统一社会信用代码 %(code)s 无效（校验不通过）：%(n)s 条记录")
                    % {"code": code, "n": len(records)},
                    [_destination_record(d, employer) for d in records[:RECORD_LIMIT]],
                    len(records),
                )
            )
        elif code not in verified:
            unregistered += [_destination_record(d, f"{code} {employer}") for d in records]
    if unregistered:
        # One finding for all of them: most schools' graduates go to employers that never
        # registered on the platform; the list is what the centre works through.
        codes = len({r.detail.split(" ", 1)[0] for r in unregistered})
        findings.append(
            Finding(
                "credit_code",
                f"unregistered:{cohort.year}",
                _("%(n)s 条已审批记录的单位（%(codes)s 个统一社会信用代码）不是本校已认证单位")
                % {"n": len(unregistered), "codes": codes},
                unregistered[:RECORD_LIMIT],
                len(unregistered),
            )
        )
    return findings


def _reporting_dates(cohort: Cohort, t: Thresholds) -> list[dt.date]:
    dates = set()
    for month_day in t.reporting_days:
        month, day = (int(x) for x in month_day.split("-"))
        dates.add(dt.date(cohort.year, month, day))
    deadline = (
        CohortPolicy.objects.filter(cohort=cohort)
        .values_list("registration_deadline", flat=True)
        .first()
    )
    if deadline:
        dates.add(deadline)
    return sorted(dates)


def approval_burst(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """Many approvals in the days just before a reporting date: the window's approvals per day
    against the usual daily rate (approvals outside every window ÷ days outside them, over the
    days from the first to the last approval of the cohort in its graduation year)."""
    from qihang.destinations.models import DestinationChange

    tz = timezone.get_default_timezone()
    season = (
        dt.datetime(cohort.year, 1, 1, tzinfo=tz),
        dt.datetime(cohort.year + 1, 1, 1, tzinfo=tz),
    )
    approvals = (
        scoped(DestinationChange, actor)
        .filter(destination__cohort=cohort, action__in=[ChangeAction.APPROVE, ChangeAction.IMPORT])
        .filter(at__gte=season[0], at__lt=season[1])
        .order_by()
    )
    per_day = dict(
        approvals.annotate(day=TruncDate("at", tzinfo=tz)).values("day").annotate(n=Count("id"))
        .values_list("day", "n")
    )  # fmt: skip
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    windows = []
    for date in _reporting_dates(cohort, t):
        start = date - dt.timedelta(days=t.burst_window_days - 1)
        windows.append((date, start))
    in_window = {
        start + dt.timedelta(days=i) for _date, start in windows for i in range(t.burst_window_days)
    }
    usual_days = [
        first + dt.timedelta(days=i)
        for i in range((last - first).days + 1)
        if first + dt.timedelta(days=i) not in in_window
    ]
    usual = sum(per_day.get(d, 0) for d in usual_days) / max(len(usual_days), 1)
    findings = []
    for date, start in windows:
        days = [start + dt.timedelta(days=i) for i in range(t.burst_window_days)]
        n = sum(per_day.get(d, 0) for d in days)
        rate = n / t.burst_window_days
        if n < t.burst_min_approvals or rate < t.burst_factor * max(usual, 1 / 30):
            continue
        low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
        high = dt.datetime.combine(date + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        changes = list(
            approvals.filter(at__gte=low, at__lt=high)
            .select_related("destination__graduate")
            .order_by("at", "pk")[:RECORD_LIMIT]
        )
        findings.append(
            Finding(
                "approval_burst",
                f"burst:{cohort.year}:{date.isoformat()}",
                _(
                    "报送日 %(date)s 前 %(days)s 天审批 %(n)s 条（日均 %(rate).1f 条，平时日均 %(usual).1f 条）"
                )
                % {
                    "date": date.isoformat(),
                    "days": t.burst_window_days,
                    "n": n,
                    "rate": rate,
                    "usual": usual,
                },
                [
                    _destination_record(
                        c.destination, timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M")
                    )
                    for c in changes
                ],
                n,
            )  # fmt: skip
        )
    return findings


def flexible_share(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """Codes 12 and 76 far above the institution's norm in one department: the department's
    share of them among its placed graduates (as of now) is at least `flexible_factor` times
    the institution's and `flexible_min_points` above it, with at least
    `flexible_min_graduates` such graduates."""
    placed = placed_as_of(actor=actor, cohort=cohort, as_of=None)
    if not placed:
        return []
    codes = set(t.flexible_codes)
    total = len(placed)
    flexible_total = sum(1 for p in placed if p.code in codes)
    norm = flexible_total / total
    by_department: dict[int, list] = defaultdict(list)
    for p in placed:
        by_department[p.department_id].append(p)
    flagged = {}
    for department_id, rows in by_department.items():
        flexible = [p for p in rows if p.code in codes]
        share = len(flexible) / len(rows)
        if (
            len(flexible) >= t.flexible_min_graduates
            and share >= norm * t.flexible_factor
            and share - norm >= t.flexible_min_points
        ):
            flagged[department_id] = (flexible, share)
    if not flagged:
        return []
    names = dict(Department.objects.filter(pk__in=flagged).values_list("pk", "name"))
    ids = [p.graduate_id for flexible, _share in flagged.values() for p in flexible]
    records = {
        d.graduate_id: d
        for d in scoped(Destination, actor).filter(graduate_id__in=ids).select_related("graduate")
    }
    findings = []
    for department_id, (flexible, share) in sorted(flagged.items()):
        findings.append(
            Finding(
                "flexible_share",
                f"flexible:{cohort.year}:{department_id}",
                _("%(department)s：代码 %(codes)s 占落实人数 %(share).0f%%，全校为 %(norm).0f%%")
                % {
                    "department": names.get(department_id, ""),
                    "codes": "、".join(t.flexible_codes),
                    "share": share * 100,
                    "norm": norm * 100,
                },
                [
                    _destination_record(records[p.graduate_id], p.code)
                    for p in flexible[:RECORD_LIMIT]
                    if p.graduate_id in records
                ],
                len(flexible),
            )  # fmt: skip
        )
    return findings


def evidence_reuse(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """The same file (sha256) as evidence of different graduates. Import files are shared by
    design (one file stands behind every row it wrote) and are left out."""
    evidence = (
        scoped(Evidence, actor)
        .filter(destination__cohort=cohort)
        .exclude(kind=EvidenceKind.IMPORT_FILE)
        .exclude(sha256="")
    )
    reused = list(
        evidence.order_by().values("sha256").annotate(n=Count("graduate_id", distinct=True))
        .filter(n__gte=2).values_list("sha256", flat=True)
    )  # fmt: skip
    if not reused:
        return []
    rows: dict[str, list[Evidence]] = defaultdict(list)
    for e in (
        evidence.filter(sha256__in=reused)
        .select_related("destination__graduate")
        .order_by("sha256", "graduate_id", "pk")
    ):
        rows[e.sha256].append(e)
    findings = []
    for sha, items in sorted(rows.items()):
        graduates = {e.graduate_id for e in items}
        findings.append(
            Finding(
                "evidence_reuse",
                f"sha256:{sha}",
                _("同一文件（SHA-256 %(sha)s…）是 %(n)s 名毕业生的证明材料")
                % {"sha": sha[:12], "n": len(graduates)},
                [
                    _destination_record(e.destination, f"{e.get_kind_display()} {e.original_name}")
                    for e in items[:RECORD_LIMIT]
                ],
                len(graduates),
            )
        )
    return findings


def employer_concentration(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """Many graduates placed with one small or newly registered employer: at least
    `concentration_min_graduates` approved records name one credit code whose employer was
    registered on the platform less than `new_employer_days` before the first of those
    approvals (not after it), or is not registered at all. (The platform records no employer size; "small"
    is read as "new or unknown here".)"""
    by_code: dict[str, list[Destination]] = defaultdict(list)
    for d in _official(actor, cohort):
        code = (d.official_values.get("employer_credit_code") or "").strip().upper()
        if code:
            by_code[code].append(d)
    crowded = {c: ds for c, ds in by_code.items() if len(ds) >= t.concentration_min_graduates}
    if not crowded:
        return []
    registered = dict(
        Employer.objects.filter(credit_code__in=crowded).values_list("credit_code", "created_at")
    )
    findings = []
    for code, records in sorted(crowded.items()):
        first = min(d.approved_at for d in records if d.approved_at) if any(
            d.approved_at for d in records) else timezone.now()  # fmt: skip
        created = registered.get(code)
        # Registered after the first approval: its age is unknown to the rule, not flagged.
        if created is not None and not (0 <= (first - created).days < t.new_employer_days):
            continue
        name = records[0].official_values.get("employer_name", "")
        since = (
            _("在平台登记于 %(day)s") % {"day": timezone.localtime(created).date().isoformat()}
            if created
            else _("未在平台登记")
        )
        findings.append(
            Finding(
                "employer_concentration",
                f"employer:{cohort.year}:{code}",
                _("%(n)s 名毕业生落实到 %(name)s（%(code)s），该单位%(since)s")
                % {"n": len(records), "name": name, "code": code, "since": since},
                [_destination_record(d) for d in records[:RECORD_LIMIT]],
                len(records),
            )
        )
    return findings


def insurance_missing(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """Graduates placed (as of now) under codes 11 or 12 who are not on the cohort's latest
    imported social-insurance enrolment list (matched by ID number). Silent without a list."""
    enrolment = scoped(EnrolmentList, actor).filter(cohort=cohort).first()
    if enrolment is None:
        return []
    codes = set(t.insured_codes)
    ids = [
        p.graduate_id
        for p in placed_as_of(actor=actor, cohort=cohort, as_of=None)
        if p.code in codes
    ]
    on_list = EnrolmentEntry.objects.filter(enrolment=enrolment).values("id_number_digest")
    missing = list(
        scoped(Graduate, actor).filter(pk__in=ids).exclude(id_number_digest__in=on_list)
        .select_related("destination").order_by("student_no")
    )  # fmt: skip
    if not missing:
        return []
    imported = timezone.localtime(enrolment.imported_at).date().isoformat()
    return [
        Finding(
            "insurance_missing",
            f"insurance:{enrolment.pk}",
            _("%(n)s 名代码 %(codes)s 的毕业生不在 %(day)s 导入的社保参保名单（%(file)s）中")
            % {
                "n": len(missing),
                "codes": "、".join(t.insured_codes),
                "day": imported,
                "file": enrolment.filename or enrolment.source,
            },
            [_graduate_record(g) for g in missing[:RECORD_LIMIT]],
            len(missing),
        )  # fmt: skip
    ]


def closing_date(cohort: Cohort) -> dt.date:
    """The cohort's closing date: its registration deadline, or 31 August of its year."""
    deadline = (
        CohortPolicy.objects.filter(cohort=cohort)
        .values_list("registration_deadline", flat=True)
        .first()
    )
    return deadline or dt.date(cohort.year, 8, 31)


def late_agreement(actor: Actor, cohort: Cohort, t: Thresholds) -> list[Finding]:
    """Agreements dated after the closing date: online agreements (qihang.agreements) signed
    after the end of the cohort's closing day, and approved records whose signing date
    (Destination.signed_on, as approved: paper agreements) lies after it. A graduate listed
    for the first is not listed again for the second."""
    closing = closing_date(cohort)
    end = dt.datetime.combine(
        closing + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )
    records: list[Record] = []
    seen: set[int] = set()
    for a in (
        scoped(Agreement, actor)
        .filter(cohort=cohort, status=AgreementStatus.SIGNED, signed_at__gte=end)
        .select_related("graduate")
        .order_by("signed_at", "pk")
    ):
        seen.add(a.graduate_id)
        records.append(
            Record(
                f"{a.graduate.name}（{a.graduate.student_no}）",
                reverse("agreements:staff_detail", args=[a.pk]),
                f"{a.number} {timezone.localtime(a.signed_at).date().isoformat()}",
            )
        )
    for d in _official(actor, cohort).exclude(official_values__signed_on=""):
        signed = d.official_values.get("signed_on") or ""
        if signed > closing.isoformat() and d.graduate_id not in seen:
            records.append(_destination_record(d, signed))
    if not records:
        return []
    return [
        Finding(
            "late_agreement",
            f"late:{cohort.year}",
            _("%(n)s 条已审批记录的签约日期晚于截止日期 %(day)s")
            % {"n": len(records), "day": closing.isoformat()},
            records[:RECORD_LIMIT],
            len(records),
        )
    ]


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("shared_contact", gettext_lazy("多家单位共用联系方式"),
             gettext_lazy("同一电话或邮箱登记在两家及以上不同单位（单位信息与学校记录的联系人）。"),
             shared_contact),
        Rule("credit_code", gettext_lazy("统一社会信用代码无效或未登记"),
             gettext_lazy("已审批记录中的统一社会信用代码校验不通过，或不属于本校任何已认证单位。"),
             credit_codes),
        Rule("approval_burst", gettext_lazy("报送日前集中审批"),
             gettext_lazy("报送日（登记截止日及配置的报送日）前若干天内的日均审批数远高于平时日均。"),
             approval_burst),
        Rule("flexible_share", gettext_lazy("院系 12、76 代码占比异常"),
             gettext_lazy("某院系代码 12、76 在落实人数中的占比远高于全校水平。"),
             flexible_share),
        Rule("evidence_reuse", gettext_lazy("证明材料重复使用"),
             gettext_lazy("同一文件（SHA-256 相同）作为不同毕业生的证明材料；导入文件除外。"),
             evidence_reuse),
        Rule("employer_concentration", gettext_lazy("大量毕业生集中于新登记单位"),
             gettext_lazy("多名毕业生落实到同一家新近登记或未在平台登记的单位。"),
             employer_concentration),
        Rule("insurance_missing", gettext_lazy("未见于社保参保名单"),
             gettext_lazy("代码 11、12 的毕业生不在最近导入的社保参保名单中。"),
             insurance_missing),
        Rule("late_agreement", gettext_lazy("签约日期晚于截止日期"),
             gettext_lazy("已审批记录的签约日期晚于本届去向登记截止日期（未设置时为 8 月 31 日）。"),
             late_agreement),
    )
}  # fmt: skip
