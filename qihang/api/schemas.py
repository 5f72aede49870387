"""What the API takes and returns. Sensitive values are always the masked form here.

Parameters whose values are an enumeration in the code are enumerations in the schema too,
built from the code's own table (qihang.reports.stats), so the two cannot drift apart.
"""

import datetime
import re
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Schema, Status
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from qihang.reports import stats

# How /stats may group its rows and which destination periods it counts.
Grouping = Literal[tuple(stats.GROUPINGS)]  # type: ignore[valid-type]
Kind = Literal[stats.KINDS]  # type: ignore[valid-type]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REPORT_DAYS = stats.REPORT_DAYS
# What the schema tells clients: the form and the years of REPORT_DAYS (tests check the two agree).
REPORT_DAY_PATTERN = r"^(?:19[5-9]\d|20\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"


def _report_day(value: Any) -> datetime.date:
    """Accept only a real date written YYYY-MM-DD, within REPORT_DAYS: pydantic alone would
    also read a number as a Unix time (as_of=0 was 1970-01-01) and accept other spellings."""
    day = None
    if isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            pass  # 2020-02-30: the right form, no such day
    if day is None:
        raise PydanticCustomError(
            "iso_date", gettext("日期须为 YYYY-MM-DD 格式（ISO 8601）的有效日期，例如 2020-07-15。")
        )
    first, last = REPORT_DAYS
    if not first <= day <= last:
        message = gettext("日期须在 %(first)s 至 %(last)s 之间。") % {
            "first": first.isoformat(),
            "last": last.isoformat(),
        }
        raise PydanticCustomError("date_range", message)
    return day


ReportDay = Annotated[
    datetime.date,
    BeforeValidator(_report_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": REPORT_DAY_PATTERN}),
]


class ErrorOut(Schema):
    """401, 403 and 404: what went wrong, in words."""

    detail: str


class ValidationErrorItem(Schema):
    """One refused parameter, as pydantic reports it."""

    model_config = ConfigDict(extra="allow")  # pydantic adds "input" and "ctx" where it can

    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    """422: the parameters that were refused and why."""

    detail: list[ValidationErrorItem]


class NamedRef(Schema):
    id: int
    name: str


class DestinationSummary(Schema):
    id: int
    code: str
    name: str
    status: str
    status_label: str
    employer_name: str
    updated_at: datetime.datetime
    # A change made after the cohort's closing date, waiting for the career centre's sign-off
    # (status "signoff"); the last approved version stays official until then.
    awaiting_sign_off: bool = False


class GraduateOut(Schema):
    id: int
    cohort: int
    student_no: str
    name: str
    gender: str
    gender_label: str
    department: NamedRef
    major: NamedRef
    degree_level: str
    degree_level_label: str
    id_number_masked: str
    phone_masked: str
    destination: DestinationSummary | None


class GraduateDetailOut(GraduateOut):
    specialization: str
    origin_division: str
    key_groups: list[str]
    mentor: str | None
    account_status: str


class GraduatePage(Schema):
    cohort: int
    count: int
    page: int
    pages: int
    page_size: int
    results: list[GraduateOut]


class InstitutionRef(Schema):
    code: str
    name: str


class StatsRow(Schema):
    """One row of figures (qihang.reports.stats.figures); rates are fractions to 4 places."""

    model_config = ConfigDict(extra="allow")  # figures the reports add later pass through

    key: str
    label: str
    total: int
    known: int
    placed: int
    signed: int
    placement_rate: float
    signing_rate: float
    knowledge_rate: float
    by_code: dict[str, int]


class StatsOut(Schema):
    """qihang.reports.selectors.cohort_stats, as the dashboard and `qihang stats` show it."""

    model_config = ConfigDict(extra="allow")

    institution: InstitutionRef
    cohort: int
    by: Grouping
    as_of: Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]  # local time
    kind: Kind
    definitions: dict[str, Any]
    rows: list[StatsRow]
    total: StatsRow


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject: str
    body: str  # the inbox text: a set-password link is never in it
    link: str  # a path in the app, or ""
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    pages: int
    page_size: int
    results: list[NotificationOut]


class RefusedOut(Schema):
    """400: a service (or the page's form) refused the request: the messages joined, and per
    field ("__all__" for one not about a field)."""

    detail: str
    errors: dict[str, list[str]]


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as field -> messages ("__all__" for one not about a field),
    the `errors` of a 400 answer."""
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def refused(errors: ValidationError | dict[str, list[str]]) -> Status:
    """The 400 answer for a service's ValidationError (or a form's errors, field -> messages)."""
    if isinstance(errors, ValidationError):
        errors = field_errors(errors)
    detail = "；".join(m for ms in errors.values() for m in ms)
    return Status(400, {"detail": detail, "errors": errors})
