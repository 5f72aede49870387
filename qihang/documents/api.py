"""Documents in the API (staff tokens; graduates use the pages): issued documents of the
graduates one sees, the recommendation forms to assess or approve, and a graduate's 档案/户口.
The same selectors and scoping as the pages (qihang.documents); writes stay on the pages for
now, which call the same services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from qihang.api.auth import api_requires
from qihang.api.schemas import ErrorOut, ValidationErrorOut
from qihang.documents import dossier_display, selectors
from qihang.documents.models import DOSSIER_FIELDS
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, takes_ids

router = Router(tags=["就业文件"])
READ = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    graduate: str
    student_no: str
    status: str
    issued_at: dt.datetime
    sha256: str
    reissue_of: int | None


class RecommendationOut(Schema):
    id: int
    graduate: str
    student_no: str
    department: str
    status: str
    intentions: str
    level: str
    number: str
    document_id: int | None


class DossierOut(Schema):
    student_no: str
    version: int | None
    fields: dict[str, str]  # DOSSIER_FIELDS → value as shown (labels for choices)


@router.get(
    "/documents", response={200: list[DocumentOut], **READ}, summary="签发的文件（按权限范围）"
)
@api_requires(Perm.DOCUMENT_VIEW)
@takes_ids()
def documents(request: HttpRequest, kind: str = Query("", max_length=20)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    qs = selectors.documents_for(actor)
    if kind:
        qs = qs.filter(kind=kind)
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "number": d.number,
            "graduate": d.graduate.name,
            "student_no": d.graduate.student_no,
            "status": d.status,
            "issued_at": d.issued_at,
            "sha256": d.sha256,
            "reissue_of": d.reissue_of_id,
        }
        for d in qs[:500]
    ]


@router.get(
    "/recommendation-forms",
    response={200: list[RecommendationOut], **READ},
    summary="毕业生就业推荐表（可按状态筛选）",
)
@api_requires(Perm.RECOMMENDATION_ASSESS)
@takes_ids()
def recommendations(request: HttpRequest, status: str = Query("", max_length=12)) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return [
        {
            "id": r.pk,
            "graduate": r.graduate.name,
            "student_no": r.graduate.student_no,
            "department": r.graduate.department.name,
            "status": r.status,
            "intentions": r.intentions,
            "level": r.level,
            "number": r.number,
            "document_id": r.document_id,
        }
        for r in selectors.recommendations_for(actor, status=status)[:500]
    ]


@router.get(
    "/graduates/{graduate_id}/dossier",
    response={200: DossierOut, 404: ErrorOut, **READ},
    summary="毕业生的档案与户口去向",
)
@api_requires(Perm.DOSSIER_VIEW)
@takes_ids()
def dossier(request: HttpRequest, graduate_id: int) -> Any:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    graduate = selectors.graduate_for(actor, graduate_id)
    found = selectors.dossier_of(graduate)
    return {
        "student_no": graduate.student_no,
        "version": found.version if found else None,
        "fields": {
            n: dossier_display.shown(n, getattr(found, n)) if found else "" for n in DOSSIER_FIELDS
        },
    }
