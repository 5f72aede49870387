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
    from qihang.documents.models import Recommendation

    school.fixtures["recommendation"] = submit_recommendation(school)
    # graduates[2] has no account: their application is written directly.
    school.fixtures["other_department_recommendation"] = Recommendation.objects.create(
        institution=school.institution,
        graduate=school.graduates[2],
        status="submitted",
        self_assessment="声乐",
        intentions="合唱团",
    )


def submit_recommendation(school: School):
    from qihang.documents.services import recommendation_submit

    return recommendation_submit(
        actor=build_actor(school.graduate_user, school.institution.pk),
        graduate=school.graduates[0],
        self_assessment="热爱钢琴教学，曾在少年宫担任助教两年。",
        intentions="中小学音乐教师",
        honours="校级钢琴比赛一等奖",
    )


def fresh_recommendation(school: School, status: str, key: str):
    """A recommendation form of a new graduate of the first department in `status` (submitted,
    assessed or approved), made once per school and key: the API's write walks act on one of
    their own, whatever the walk's usual form has been through."""
    from qihang.documents import services
    from qihang.documents.models import Recommendation
    from tests.factories import make_graduate

    if key not in school.fixtures:
        graduate = make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[0],
            student_no=f"{school.institution.code}{key[:12]}",
            name="孙丽",
            male=False,
        )
        recommendation = Recommendation.objects.create(
            institution=school.institution,
            graduate=graduate,
            status="submitted",
            self_assessment="热爱舞台，乐于合作。",
            intentions="乐团演奏员",
        )
        centre = build_actor(school.centre, school.institution.pk)
        if status in ("assessed", "approved"):
            services.recommendation_assess(
                actor=centre,
                recommendation=recommendation,
                comments="专业扎实",
                level="recommended",
            )
        if status == "approved":
            recommendation = services.recommendation_approve(
                actor=centre, recommendation=recommendation
            )
        school.fixtures[key] = recommendation
    return school.fixtures[key]
