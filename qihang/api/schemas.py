"""What the API returns. Sensitive values are always the masked form here."""

import datetime
from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: Any


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
