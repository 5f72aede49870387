"""Verification objects for tests: placed graduates (through the destination services), a
drawn round, and the route walk's fixtures."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from qihang.destinations import services as destinations
from qihang.destinations.evidence import EvidenceUpload
from qihang.destinations.models import Destination
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.verification import services
from qihang.verification.models import VerificationRound, VerificationSample
from tests.conftest import TINY_PNG
from tests.destinations.conftest import employment
from tests.factories import School, make_graduate

EVIDENCE = {"10": "contract", "11": "contract", "12": "offer", "27": "offer", "76": "statement",
            "80": "admission", "85": "admission"}  # fmt: skip


def centre(school: School):  # noqa: ANN201
    return build_actor(school.centre, school.institution.pk)


def place(school: School, graduate: Graduate, code: str = "10", **values) -> Destination:
    """Record and approve a destination for `graduate` (the centre records, then approves)."""
    if code in {"10", "11", "12", "27"}:
        data = employment(code=code)
        if code != "10":
            data["agreement_no"] = ""
        if code in {"12", "27"}:
            data["employer_credit_code"] = ""
        data.update(values)
    else:
        data = {"code": code, **values}
    actor = centre(school)
    reason = "核查测试" if hasattr(graduate, "destination") else ""
    # The evidence the code needs (destinations' evidence rules), a file of its own per record
    # so that "evidence reused" stays quiet unless a test means it.
    kind = EVIDENCE.get(code, "other")
    scan = ContentFile(TINY_PNG + f"#{graduate.pk}:{graduate.student_no}".encode(), name="证明.png")
    destination = destinations.destination_record(
        actor=actor,
        graduate=graduate,
        data=data,
        reason=reason,
        evidence_files=[EvidenceUpload(kind, scan)],
    )
    return destinations.destination_approve(actor=actor, destination=destination)


def more_graduates(school: School, n: int, *, department: int = 0, start: int = 100):
    return [
        make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[department],
            student_no=f"{school.institution.code}{department}{start + i:04d}",
            name=f"学生{start + i}",
        )
        for i in range(n)
    ]


def draw(school: School, *, percent="100", seed=7, **extra) -> VerificationRound:
    return services.round_draw(
        actor=centre(school),
        cohort=school.cohort,
        name=extra.pop("name", "第一批核查"),
        as_of=extra.pop("as_of", timezone.localdate()),
        default_percent=percent,
        seed=seed,
        **extra,
    )


def walk_verification(school: School) -> None:
    """A round with samples of graduates[0] (piano) and graduates[2] (voice), written directly
    so that the walk's other fixtures (graduates[0]'s pending record) stay as they are. Route
    walk: round_id, sample_id (graduates[0]'s; graduates[2]'s for the other department)."""
    round_ = VerificationRound.objects.create(
        institution=school.institution,
        cohort=school.cohort,
        name="走查核查批次",
        as_of=school.cohort.year and dt.date(school.cohort.year, 6, 30),
        seed=1,
        default_percent="10",
        population=2,
        drawn_by=school.centre,
        drawn_at=timezone.now(),
    )
    samples = [
        VerificationSample.objects.create(
            institution=school.institution,
            round=round_,
            graduate=g,
            department=g.department,
            code="10",
            destination=Destination.objects.filter(graduate=g).first(),
        )
        for g in (school.graduates[0], school.graduates[2])
    ]
    school.fixtures["verification_round"] = round_
    school.fixtures["verification_sample"] = samples[0]
    school.fixtures["other_department_verification_sample"] = samples[1]
