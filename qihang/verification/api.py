"""Verification in the API (/api/v1/verification/…), for staff tokens: the rounds, a round's
samples with their calls (department staff: their departments' samples), and recording a call's
result (the career centre). The same selectors, services and scoping as the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids
from qihang.verification import selectors, services
from qihang.verification.models import VerificationSample

router = Router(tags=["就业核查"])
READ = {401: ErrorOut, 403: ErrorOut}
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class RoundOut(Schema):
    id: int
    name: str
    cohort_year: int
    as_of: dt.date
    seed: str  # text: a 62-bit seed does not survive JSON numbers in every client
    default_percent: str
    department_percents: dict[str, str]
    population: int
    sampled: int
    results: dict[str, int]


class CallOut(Schema):
    result: str
    notes: str
    caller: str
    called_at: dt.datetime


class SampleOut(Schema):
    id: int
    student_no: str
    name: str
    department: str
    code: str
    employer_name: str
    result: str
    returned_for_correction: bool
    calls: list[CallOut]


class ResultIn(Schema):
    result: str = Field(..., description="confirmed / unreachable / false")
    notes: str = Field("", max_length=500)


def _sample(s: VerificationSample) -> dict[str, Any]:
    return {
        "id": s.pk,
        "student_no": s.graduate.student_no,
        "name": s.graduate.name,
        "department": s.department.name,
        "code": s.code,
        "employer_name": s.employer_name,
        "result": s.result,
        "returned_for_correction": s.returned_at is not None,
        "calls": [
            {
                "result": c.result,
                "notes": c.notes,
                "caller": (c.caller.display_name or c.caller.username) if c.caller else "",
                "called_at": c.called_at,
            }
            for c in s.calls.all()
        ],
    }


@router.get("/verification/rounds", response={200: list[RoundOut], **READ}, summary="核查批次")
@api_requires(Perm.VERIFICATION_VIEW)
@takes_ids()
def round_list(request: HttpRequest) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [
        {
            "id": r.pk,
            "name": r.name,
            "cohort_year": r.cohort.year,
            "as_of": r.as_of,
            "seed": str(r.seed),
            "default_percent": str(r.default_percent),
            "department_percents": r.department_percents,
            "population": r.population,
            "sampled": r.sampled,
            "results": r.counts,
        }
        for r in selectors.rounds(actor)
    ]


@router.get(
    "/verification/rounds/{round_id}/samples",
    response={200: list[SampleOut], 404: ErrorOut, 422: ValidationErrorOut, **READ},
    summary="批次的核查对象与核查记录",
)
@api_requires(Perm.VERIFICATION_VIEW)
@takes_ids()
def round_samples(request: HttpRequest, round_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    round_ = selectors.round_for(actor, round_id)
    return [_sample(s) for s in selectors.samples_of(actor, round_)]


@router.post(
    "/verification/samples/{sample_id}/result",
    response={200: SampleOut, **WRITE},
    summary="记录一次核查结果（不属实时须填写记录，去向记录退回更正）",
)
@api_requires(Perm.VERIFICATION_MANAGE)
@takes_ids()
def sample_result(request: HttpRequest, sample_id: int, payload: ResultIn) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    sample = selectors.sample_for(actor, sample_id)
    try:
        services.call_record(actor=actor, sample=sample, result=payload.result, notes=payload.notes)
    except ValidationError as exc:
        return Status(
            422,
            {"detail": [{"type": "refused", "loc": ["body", "result"], "msg": m}
                        for m in exc.messages]},
        )  # fmt: skip
    return _sample(selectors.samples_of(actor, sample.round).get(pk=sample.pk))
