"""Documents objects for tests, through the services."""

from __future__ import annotations

from qihang.documents.models import IssuedDocument
from qihang.documents.public import public_fields
from qihang.documents.rendering import renderer
from qihang.documents.services import document_issue
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from tests.factories import School


def issue_sample(school: School, graduate: Graduate, number: str = "TEST-0001") -> IssuedDocument:
    """A generic recommendation-kind document issued by the school's centre."""
    return document_issue(
        actor=build_actor(school.centre, school.institution.pk),
        kind="recommendation",
        graduate=graduate,
        number=number,
        public=public_fields(graduate, employer="上海东方交响乐团"),
        render=renderer(
            "documents/print/generic.html",
            {
                "title": "毕业生就业推荐表",
                "lines": [f"兹推荐{graduate.name}同学", "特此证明"],
                "number": number,
            },
        ),
    )


def walk_documents(school: School) -> None:
    school.fixtures["document"] = issue_sample(
        school, school.graduates[0], f"WALK-{school.institution.code}-1"
    )
    school.fixtures["other_department_document"] = issue_sample(
        school, school.graduates[2], f"WALK-{school.institution.code}-2"
    )
