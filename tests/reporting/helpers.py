"""Reporting objects for tests, through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qihang.destinations.models import Destination
from qihang.destinations.policy import policy_for
from qihang.destinations.services import destination_approve, destination_record
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.reporting import services
from qihang.reporting.models import CorrectionRequest, ReportRun
from tests.factories import School, make_credit_code

EMPLOYER = {
    "code": "11",
    "employer_name": "上海交响乐团",
    "employer_nature": "29",
    "employer_division": "310104",
    "signed_on": "2020-05-06",
    "confirmed_not_internship": True,
}


def open_registration(school: School) -> None:
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])


def approve(
    school: School, graduate: Graduate, data: dict | None = None, *, reason: str = ""
) -> Destination:
    """Record `data` for the graduate as the centre and approve it."""
    centre = build_actor(school.centre, school.institution.pk)
    values = {**EMPLOYER, "employer_credit_code": make_credit_code(graduate.pk), **(data or {})}
    has = Destination.objects.filter(graduate=graduate).exists()
    destination = destination_record(
        actor=centre, graduate=graduate, data=values, reason=reason or ("更正" if has else "")
    )
    return destination_approve(actor=centre, destination=destination)


def centre(school: School):
    return build_actor(school.centre, school.institution.pk)


def report(school: School, *, extent: str = "all", fmt: str = "xlsx") -> ReportRun:
    return services.report_run_create(
        actor=centre(school), cohort=school.cohort, extent=extent, fmt=fmt, reason="月度上报"
    )


def open_window(school: School):
    return services.check_window_open(
        actor=centre(school),
        cohort=school.cohort,
        closes_on=timezone.localdate() + dt.timedelta(days=14),
    )


def walk_reporting(school: School) -> None:
    """A report run (of graduates[1], whose record it approves: the walk's other records stay
    as they are), and a correction request of graduates[0] (the first department) and one of
    graduates[2] (the second)."""
    approve(school, school.graduates[1])
    school.fixtures["report_run"] = report(school)
    school.fixtures["check_window"] = open_window(school)
    for key, graduate, user in (
        ("correction", school.graduates[0], school.graduate_user),
        ("other_department_correction", school.graduates[2], None),
    ):
        if user is not None:
            request = services.correction_request_create(
                actor=build_actor(user, school.institution.pk),
                graduate=graduate,
                target="roster",
                field="name",
                value="李明明",
                reason="姓名录入有误",
            )
        else:
            request = CorrectionRequest.objects.create(
                institution=school.institution,
                graduate=graduate,
                target="roster",
                field="name",
                current_value=graduate.name,
                requested_value="赵强强",
                reason="走查",
                created_at=timezone.now(),
            )
        school.fixtures[key] = request


def fresh_correction(school: School, field: str, value: str, key: str) -> CorrectionRequest:
    """A pending correction request of graduates[1] (first department, no account: written
    directly, as the walk's second one), made once per school and key."""
    if key not in school.fixtures:
        graduate = school.graduates[1]
        school.fixtures[key] = CorrectionRequest.objects.create(
            institution=school.institution,
            graduate=graduate,
            target="roster",
            field=field,
            current_value=getattr(graduate, field),
            requested_value=value,
            reason="走查更正",
            created_at=timezone.now(),
        )
    return school.fixtures[key]


def settle_corrections(school: School) -> None:
    """Refuse graduates[0]'s pending correction requests (through the service), so they may
    confirm their data."""
    for request in CorrectionRequest.objects.filter(graduate=school.graduates[0], status="pending"):
        services.correction_refuse(actor=centre(school), request=request, reason="走查处理")
