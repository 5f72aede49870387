"""Everything the system holds about a graduate, for their own download ("下载我的数据").

A registry of sections: each app's data is one provider, a function of the graduate that
returns one `Section` (a title, column headers and rows) in a fixed number of queries —
whatever the amount of data, the download's query count is the same. A new app that holds
data about graduates adds its provider to `SECTIONS`. The JSON file lists the sections; the
Excel file has one sheet per section, every text cell neutralised (no formulas).

Sealed attributes are opened here (`reveal_unlogged`): the caller,
`services.my_data_download`, logs the read of the graduate's own record in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from qihang.agreements.models import Agreement
from qihang.applications.models import Application
from qihang.appointments.models import Appointment
from qihang.destinations.models import Destination, DestinationChange
from qihang.events.models import Registration
from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind
from qihang.institutions.scoping import Actor
from qihang.lib.sensitive import SensitiveValue
from qihang.lib.tabular import neutralize_formula
from qihang.notifications.models import Notification
from qihang.privacy.selectors import consent_states
from qihang.resumes.models import Resume
from qihang.resumes.sections import SECTIONS as RESUME_SECTIONS
from qihang.wellbeing.models import CheckIn
from qihang.wellbeing.selectors import answers_of

type Value = str | int | float | None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Value]]


@dataclass(frozen=True)
class Subject:
    """Whose data: the acting graduate and their roster record (fetched through scoping)."""

    actor: Actor
    graduate: Graduate


type Provider = Callable[[Subject], Section]


# --- Values -------------------------------------------------------------------------------------
def plain(value: Any) -> Value:
    """A stored value as text a person reads the same in JSON and in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, SensitiveValue):
        return value.reveal_unlogged()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, models.Model):
        return person(value) if hasattr(value, "display_name") else str(value)
    return str(value)


def person(user: Any) -> str:
    """A person's name, never their username."""
    return (getattr(user, "display_name", "") or "—") if user is not None else ""


def field_value(obj: models.Model, name: str) -> Value:
    field = obj._meta.get_field(name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    return plain(getattr(obj, name))


# Labels for fields declared without one (Django would call them by their name).
UNLABELLED = {
    "code": gettext_lazy("去向代码"),
    "employer_nature": gettext_lazy("单位性质"),
    "cohort": gettext_lazy("届别"),
    "department": gettext_lazy("院系"),
    "major": gettext_lazy("专业"),
    "status": gettext_lazy("状态"),
    "source": gettext_lazy("来源"),
    "basis": gettext_lazy("依据"),
    "note": gettext_lazy("备注"),
    "suggested_at": gettext_lazy("提出时间"),
    "decided_at": gettext_lazy("决定时间"),
    "before": gettext_lazy("变更前"),
    "after": gettext_lazy("变更后"),
    "created_at": gettext_lazy("创建时间"),
    "updated_at": gettext_lazy("最近修改时间"),
    "cancelled_at": gettext_lazy("取消时间"),
}


def label_of(model: type[models.Model], name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    if label == name.replace("_", " ") and name in UNLABELLED:
        return str(UNLABELLED[name])
    return label


def table(
    key: str,
    title: str,
    model: type[models.Model],
    names: Sequence[str],
    objects: Iterable[models.Model],
    extra: Sequence[tuple[str, Callable[[Any], Any]]] = (),
) -> Section:
    """A section of `objects` with `names` (headers: the fields' own labels) and `extra`
    computed columns."""
    headers = [label_of(model, n) for n in names]
    headers += [label for label, _get in extra]
    rows = [
        [field_value(obj, n) for n in names] + [plain(get(obj)) for _label, get in extra]
        for obj in objects
    ]
    return Section(key, title, headers, rows)


# --- The sections -------------------------------------------------------------------------------
ROSTER_FIELDS = (
    "student_no",
    "name",
    "gender",
    "id_number",
    "ethnicity",
    "political_status",
    "degree_level",
    "cohort",
    "department",
    "major",
    "specialization",
    "origin_division",
    "phone",
    "email",
    "mentor",
    "roster_status",
    "roster_status_reason",
    "roster_status_date",
    "created_at",
    "updated_at",
)


def roster(subject: Subject) -> Section:
    """The roster record (生源信息), in the clear, as (item, value) rows. No query: the
    graduate was fetched with its relations."""
    g = subject.graduate
    rows: list[list[Value]] = []
    for name in ROSTER_FIELDS:
        rows.append([label_of(Graduate, name), field_value(g, name)])
    return Section("roster", _("生源信息"), [_("项目"), _("内容")], rows)


def destination(subject: Subject) -> Section:
    """The current destination record. One query."""
    rows = Destination.objects.filter(graduate=subject.graduate).select_related(
        "code", "employer_nature"
    )
    names = (
        "code",
        "employer_name",
        "employer_credit_code",
        "employer_nature",
        "employer_division",
        "employer_country",
        "agreement_no",
        "signed_on",
        "source",
        "status",
        "return_reason",
        "note",
        "version",
        "submitted_at",
        "reviewed_at",
        "approved_at",
    )
    return table("destination", _("毕业去向"), Destination, names, rows)


def destination_history(subject: Subject) -> Section:
    """Every change of the destination record, oldest first. One query."""
    rows = (
        DestinationChange.objects.filter(graduate=subject.graduate)
        .select_related("actor")
        .order_by("at", "pk")
    )
    return table(
        "destination_history",
        _("毕业去向变更记录"),
        DestinationChange,
        ("action", "version", "reason", "before", "after"),
        rows,
        [(_("操作人"), lambda c: person(c.actor)), (_("时间"), lambda c: c.at)],
    )


def key_groups(subject: Subject) -> Section:
    """Key-group memberships by name: memberships name their kind by digest
    (`KeyGroupKind.digest`), mapped back as `graduates.selectors.key_groups_of` does. Two
    queries."""
    kinds = {kind.digest: kind.name for kind in KeyGroupKind.objects.all()}
    rows = GraduateKeyGroup.objects.filter(graduate=subject.graduate).order_by("suggested_at", "pk")
    return table(
        "key_groups",
        _("重点群体"),
        GraduateKeyGroup,
        ("status", "source", "basis", "note", "suggested_at", "decided_at"),
        rows,
        [
            (_("类别"), lambda m: kinds.get(m.kind_digest, _("（已停用的类别）"))),
            (_("起始"), lambda m: m.valid_from),
            (_("结束"), lambda m: m.valid_to),
        ],
    )


def applications(subject: Subject) -> Section:
    """Applications to jobs. One query."""
    rows = (
        Application.objects.filter(graduate=subject.graduate)
        .select_related("job", "employer")
        .order_by("submitted_at", "pk")
    )
    return table(
        "applications",
        _("求职申请"),
        Application,
        (
            "status",
            "note",
            "interview_kind",
            "interview_at",
            "interview_place",
            "offer_note",
            "decline_reason",
            "submitted_at",
            "answered_at",
        ),
        rows,
        [(_("岗位"), lambda a: a.job.title), (_("单位"), lambda a: a.employer.name)],
    )


def resume(subject: Subject) -> Section:
    """The résumé and portfolio as (part, content) rows: one query for the résumé, one per
    section of rows."""
    found = Resume.objects.filter(graduate=subject.graduate).first()
    rows: list[list[Value]] = []
    if found is not None:
        for name in ("headline", "summary", "pdf_name", "discoverable", "updated_at"):
            rows.append([label_of(Resume, name), field_value(found, name)])
    for section in RESUME_SECTIONS:
        objects = (
            section.model._default_manager.filter(resume=found).order_by("pk") if found else []
        )
        for row in objects:
            content = "；".join(f"{label}：{plain(value)}" for label, value in section.values(row))
            rows.append([str(section.title), content])
    return Section("resume", _("简历与作品集"), [_("栏目"), _("内容")], rows)


def agreements(subject: Subject) -> Section:
    """Tripartite agreements. One query."""
    rows = (
        Agreement.objects.filter(graduate=subject.graduate)
        .select_related("employer")
        .order_by("offered_at", "pk")
    )
    return table(
        "agreements",
        _("三方协议"),
        Agreement,
        (
            "number",
            "status",
            "position",
            "employer_nature",
            "work_division",
            "monthly_salary",
            "term",
            "terms",
            "version",
            "reason",
            "offered_at",
            "answered_at",
            "reviewed_at",
            "signed_at",
            "cancelled_at",
        ),
        rows,
        [(_("单位"), lambda a: a.employer.name)],
    )


def registrations(subject: Subject) -> Section:
    """Registrations for info sessions and fairs. One query."""
    rows = (
        Registration.objects.filter(graduate=subject.graduate)
        .select_related("event")
        .order_by("created_at", "pk")
    )
    return table(
        "registrations",
        _("活动报名"),
        Registration,
        ("status", "code", "created_at", "promoted_at", "cancelled_at", "checked_in_at"),
        rows,
        [(_("活动"), lambda r: r.event.title)],
    )


def appointments(subject: Subject) -> Section:
    """Booked consultations (advisers' private notes are theirs, not part of this). One
    query."""
    rows = (
        Appointment.objects.filter(graduate=subject.graduate)
        .select_related("slot__type", "slot__adviser__user")
        .order_by("booked_at", "pk")
    )
    return table(
        "appointments",
        _("咨询预约"),
        Appointment,
        ("status", "topic", "cancelled_at"),
        rows,
        [
            (_("类型"), lambda a: str(a.slot.type)),
            (_("咨询老师"), lambda a: person(a.slot.adviser.user)),
            (_("开始"), lambda a: a.slot.starts_at),
            (_("地点或链接"), lambda a: a.slot.location),
            (_("预约时间"), lambda a: a.booked_at),
        ],
    )


def checkins(subject: Subject) -> Section:
    """The graduate's own check-ins (anonymous ones are linked to nobody, so not here). One
    query."""
    rows = CheckIn.objects.filter(graduate=subject.graduate).order_by("submitted_at", "pk")
    answers = {c.pk: answers_of(c) for c in rows}
    return Section(
        "checkins",
        _("心理自评"),
        [_("时间"), _("压力"), _("睡眠"), _("希望获得的帮助"), _("想说的话")],
        [
            [
                plain(c.submitted_at),
                plain(answers[c.pk].get("stress")),
                plain(answers[c.pk].get("sleep")),
                plain(answers[c.pk].get("support_label")),
                plain(answers[c.pk].get("note")),
            ]
            for c in rows
        ],
    )


def consents(subject: Subject) -> Section:
    """Every grant and withdrawal, per purpose. Four queries (selectors.consent_states)."""
    rows: list[list[Value]] = []
    for state in consent_states(subject.graduate):
        for entry in state.history:
            rows.append(
                [
                    str(state.purpose.label),
                    _("授权") if entry.granted else _("撤回"),
                    plain(entry.version),
                    plain(entry.at),
                ]
            )
    return Section(
        "consents", _("授权记录"), [_("用途"), _("操作"), _("说明版本"), _("时间")], rows
    )


def notifications(subject: Subject) -> Section:
    """Messages sent to the graduate's account. One query (none without an account)."""
    user_id = subject.graduate.user_id
    rows = (
        Notification.objects.filter(recipient_id=user_id).order_by("created_at", "pk")
        if user_id is not None
        else Notification.objects.none()
    )
    return table(
        "notifications",
        _("通知"),
        Notification,
        ("created_at", "kind", "mode", "subject", "body", "link", "read_at"),
        rows,
    )


SECTIONS: tuple[Provider, ...] = (
    roster,
    destination,
    destination_history,
    key_groups,
    applications,
    resume,
    agreements,
    registrations,
    appointments,
    checkins,
    consents,
    notifications,
)


def collect(*, actor: Actor, graduate: Graduate) -> list[Section]:
    subject = Subject(actor, graduate)
    return [provider(subject) for provider in SECTIONS]


# --- Files --------------------------------------------------------------------------------------
FORMATS = ("json", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_json(sections: Sequence[Section]) -> bytes:
    document = {
        "generated_at": plain(timezone.now()),
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "columns": s.headers,
                "rows": [dict(zip(s.headers, row, strict=True)) for row in s.rows],
            }
            for s in sections
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def to_xlsx(sections: Sequence[Section]) -> bytes:
    """One sheet per section; text a spreadsheet would run as a formula is neutralised."""
    workbook = Workbook(write_only=True)
    for s in sections:
        sheet = workbook.create_sheet(title=s.title[:31])
        sheet.append(s.headers)
        for row in s.rows:
            sheet.append([neutralize_formula(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render(sections: Sequence[Section], *, fmt: str, stem: str) -> tuple[str, bytes, str]:
    if fmt == "xlsx":
        return f"{stem}.xlsx", to_xlsx(sections), XLSX
    return f"{stem}.json", to_json(sections), "application/json"
