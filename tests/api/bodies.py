"""The bodies the API walks send to operations that take one.

An operation with a JSON body answers 422 to a request without it before it looks at the
caller or the object, so the walks (tests/api/test_api_walk.py, tests/api/test_openapi.py)
send each such operation a valid body from this table; test_every_body_operation_has_a_body
fails when a new one has none.

Each entry, keyed by (method, path without /api/v1), gives
- `body(school)`: a body the operation accepts;
- `path(school)`: path values for the "as it should be" request where the walk's usual objects
  would be refused (e.g. a job the walk graduate has not applied to yet), or {};
- `refused(school)`: a body the operation refuses with `refused_status` (sent after the good
  one, to `refused_path(school)` or the good one's path; it may rely on the good one, as a
  second application to the same job does).
"""

from collections.abc import Callable
from typing import Any, NamedTuple


class Body(NamedTuple):
    body: Callable[[Any], dict[str, Any]]
    path: Callable[[Any], dict[str, Any]] = lambda school: {}
    refused: Callable[[Any], dict[str, Any]] | None = None
    refused_status: int = 400
    refused_path: Callable[[Any], dict[str, Any]] | None = None


def _open_posting(school) -> dict[str, Any]:
    """A published job of the school nobody applied to (made once per school)."""
    if "open_posting" not in school.fixtures:
        from tests.factories import make_job

        school.fixtures["open_posting"] = make_job(
            school.fixtures["employer"], school.institution, title="走查岗位（未投递）"
        )
    return {"posting_id": school.fixtures["open_posting"].pk}


def _fresh_course(school) -> dict[str, Any]:
    """A published course the walk graduate has not rated yet (made once per school)."""
    if "fresh_course" not in school.fixtures:
        from tests.guidance.helpers import make_course

        school.fixtures["fresh_course"] = make_course(school, title="走查课程（未评价）")
    return {"course_id": school.fixtures["fresh_course"].pk}


def _fresh_lecture(key: str):
    """A lecture of a published course the walk graduate has not attended (one per key)."""

    def make(school) -> dict[str, Any]:
        if key not in school.fixtures:
            from tests.guidance.helpers import add_lecture

            _fresh_course(school)
            school.fixtures[key] = add_lecture(school, school.fixtures["fresh_course"])
        return {"lecture_id": school.fixtures[key].pk}

    return make


def _agreement(key: str, *, accepted: bool):
    """Another offer of the walk employer to graduates[0] (accepted by them when `accepted`),
    made once per school and key: the walk's own stays as it is for the other walks."""

    def make(school) -> dict[str, Any]:
        if key not in school.fixtures:
            from qihang.agreements import services
            from qihang.institutions.scoping import build_actor
            from tests.agreements.helpers import TERMS, employer_actor

            agreement = services.agreement_offer(
                actor=employer_actor(school.fixtures["employer_user"]),
                application=school.fixtures["application"],
                data=TERMS,
            )
            if accepted:
                services.agreement_act(
                    actor=build_actor(school.graduate_user, school.institution.pk),
                    agreement=agreement,
                    action="accept",
                )
            school.fixtures[key] = agreement
        return {"agreement_id": school.fixtures[key].pk}

    return make


def _recommendation(status: str, key: str):
    """A recommendation form of its own in `status` for a write walk (documents, issue 9)."""

    def make(school) -> dict[str, Any]:
        from tests.documents.helpers import fresh_recommendation

        return {"recommendation_id": fresh_recommendation(school, status, key).pk}

    return make


def _editable_own_recommendation(school) -> dict[str, Any]:
    """The walk graduate's form, returned by the centre if it is under review, so they may
    submit it again (no path parameter: the form is the caller's own)."""
    from qihang.documents import services
    from qihang.documents.models import Recommendation
    from qihang.institutions.scoping import build_actor

    own = Recommendation.objects.filter(graduate=school.graduates[0]).first()
    if own is not None and own.status in ("submitted", "assessed"):
        services.recommendation_return(
            actor=build_actor(school.centre, school.institution.pk),
            recommendation=own,
            reason="走查退回",
        )
    return {}


def _correction(field: str, value: str, key: str):
    """A pending correction request of its own for a decision walk (reporting, issue 9)."""

    def make(school) -> dict[str, Any]:
        from tests.reporting.helpers import fresh_correction

        return {"correction_id": fresh_correction(school, field, value, key).pk}

    return make


def _settled(school) -> dict[str, Any]:
    """No pending correction request of the walk graduate: they may confirm their data."""
    from tests.reporting.helpers import settle_corrections

    settle_corrections(school)
    return {}


def _pending_own_correction(school) -> dict[str, Any]:
    """A pending correction request of the walk graduate: confirming is refused until it is
    handled."""
    from qihang.institutions.scoping import build_actor
    from qihang.reporting import services

    services.correction_request_create(
        actor=build_actor(school.graduate_user, school.institution.pk),
        graduate=school.graduates[0],
        target="roster",
        field="political_status",
        value="中共党员",
        reason="走查申请",
    )
    return {}


def _window_closed(school) -> dict[str, Any]:
    """The walk cohort's open check window closed, so the walk may open one (which leaves one
    open again for the graduate's operations, whatever order they are walked in)."""
    from qihang.reporting import services
    from qihang.reporting.models import CheckWindow
    from tests.reporting.helpers import centre

    for window in CheckWindow.objects.filter(
        institution=school.institution, closed_at__isnull=True
    ).filter(cohort__year=2020):
        services.check_window_close(actor=centre(school), window=window)
    return {}


def _window_to_close(school) -> dict[str, Any]:
    """An open check window of the school's 2019 cohort (the walk's 2020 one stays open), made
    once: the walk closes it (a second close is refused)."""
    if "window_to_close" not in school.fixtures:
        import datetime as dt

        from django.utils import timezone

        from qihang.institutions.services import cohort_get_or_create
        from qihang.reporting import services
        from tests.reporting.helpers import centre

        school.fixtures["window_to_close"] = services.check_window_open(
            actor=centre(school),
            cohort=cohort_get_or_create(institution=school.institution, year=2019),
            closes_on=timezone.localdate() + dt.timedelta(days=3),
        )
    return {"window_id": school.fixtures["window_to_close"].pk}


def _in_days(days: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _returned_file(student_no: str) -> dict[str, Any]:
    import base64

    data = f"XH,退回原因\n{student_no},走查退回\n".encode()
    return {"filename": "退回.csv", "content": base64.b64encode(data).decode()}


BODIES: dict[tuple[str, str], Body] = {
    # applications: a graduate applies (twice to the same job is refused) …
    ("POST", "/jobs/{posting_id}/applications"): Body(
        body=lambda school: {"note": "走查投递"},
        path=_open_posting,
        refused=lambda school: {"note": "再投一次"},
    ),
    # … and acts on their application (an empty message is refused).
    ("POST", "/applications/{application_id}/actions"): Body(
        body=lambda school: {"action": "message", "text": "走查留言"},
        refused=lambda school: {"action": "message", "text": " "},
    ),
    # agreements (issue 9): a graduate declines an offer (declining it again is refused) …
    ("POST", "/agreements/{agreement_id}/actions"): Body(
        body=lambda school: {"action": "decline", "reason": "走查拒绝"},
        path=_agreement("declined_agreement", accepted=False),
        refused=lambda school: {"action": "decline", "reason": "再拒绝一次"},
    ),
    # … and the school reviews an accepted one (a rejection without a reason is refused).
    ("POST", "/staff/agreements/{agreement_id}/actions"): Body(
        body=lambda school: {"action": "review"},
        path=_agreement("accepted_agreement", accepted=True),
        refused=lambda school: {"action": "reject", "reason": ""},
    ),
    # resumes: a graduate changes their résumé's headline (every field may be left out).
    ("PATCH", "/resume"): Body(body=lambda school: {"headline": "大提琴演奏"}),
    # guidance: a graduate attends with the lecture's code (a wrong one is refused, 422 like
    # the events API's refusals) …
    ("POST", "/guidance/lectures/{lecture_id}/attend"): Body(
        body=lambda school: {"code": _code()},
        path=_fresh_lecture("fresh_lecture"),
        refused=lambda school: {"code": "WRONG1"},
        refused_status=422,
        refused_path=_fresh_lecture("fresh_lecture_refused"),
    ),
    # … and rates a course once (a second rating is refused).
    ("POST", "/guidance/courses/{course_id}/feedback"): Body(
        body=lambda school: {"rating": 4, "comment": "走查评价"},
        path=_fresh_course,
        refused=lambda school: {"rating": 5},
        refused_status=422,
    ),
    # verification: the centre confirms a sample (a second result on a final one is refused).
    ("POST", "/verification/samples/{sample_id}/result"): Body(
        body=lambda school: {"result": "confirmed", "notes": "走查核实"},
        refused=lambda school: {"result": "false", "notes": "走查改口"},
        refused_status=422,
    ),
    # documents (issue 9): staff set a dossier (a change without a reason is refused) …
    ("PUT", "/graduates/{graduate_id}/dossier"): Body(
        body=lambda school: {"file_destination": "home", "hukou_destination": "home"},
        refused=lambda school: {"file_destination": "employer", "receiver_name": "走查乐团"},
    ),
    # … a graduate submits their form (again while it is under review is refused) …
    ("POST", "/recommendation-forms"): Body(
        body=lambda school: {"intentions": "乐团演奏员", "self_assessment": "刻苦练琴。"},
        path=_editable_own_recommendation,
        refused=lambda school: {"intentions": "改", "self_assessment": "改了"},
    ),
    # … the department assesses (without comments or a level is refused), returns (without a
    # reason is refused); the centre approves (a second time is refused; no body) and re-issues
    # (without a reason is refused), each on a form of its own in the state it starts from.
    ("POST", "/recommendation-forms/{recommendation_id}/assess"): Body(
        body=lambda school: {"department_comments": "专业扎实，表现优秀。", "level": "strongly"},
        path=_recommendation("submitted", "walk_assess"),
        refused=lambda school: {"department_comments": "", "level": "best"},
    ),
    ("POST", "/recommendation-forms/{recommendation_id}/return"): Body(
        body=lambda school: {"reason": "请补充实践经历"},
        path=_recommendation("submitted", "walk_return"),
        refused=lambda school: {"reason": ""},
    ),
    ("POST", "/recommendation-forms/{recommendation_id}/approve"): Body(
        body=lambda school: {},
        path=_recommendation("assessed", "walk_approve"),
        refused=lambda school: {},
    ),
    ("POST", "/recommendation-forms/{recommendation_id}/reissue"): Body(
        body=lambda school: {"reason": "原件遗失"},
        path=_recommendation("approved", "walk_reissue"),
        refused=lambda school: {"reason": ""},
    ),
    # reporting (issue 9): the centre reports everything (then "changed" has nothing left) …
    ("POST", "/reporting/runs"): Body(
        body=lambda school: {"extent": "all", "fmt": "xlsx", "reason": "走查上报"},
        refused=lambda school: {"extent": "changed", "fmt": "xlsx", "reason": "走查再报"},
    ),
    # … the department confirms a correction (a second time is refused) or refuses one
    # (without a reason is refused), each a request of its own …
    ("POST", "/reporting/corrections/{correction_id}/confirm"): Body(
        body=lambda school: {"note": "核对户籍材料"},
        path=_correction("ethnicity", "回族", "walk_confirm"),
        refused=lambda school: {},
    ),
    ("POST", "/reporting/corrections/{correction_id}/refuse"): Body(
        body=lambda school: {"reason": "与户籍材料不符"},
        path=_correction("political_status", "中共党员", "walk_refuse"),
        refused=lambda school: {"reason": ""},
    ),
    # … the centre imports the authority's returned list (one of the walk's reported records;
    # a number on no roster refuses the file whole) …
    ("POST", "/reporting/returned"): Body(
        body=lambda school: _returned_file(school.graduates[1].student_no),
        refused=lambda school: _returned_file("nobody"),
    ),
    # … opens a check window (one is open already: refused) and closes one (a second time:
    # refused) …
    ("POST", "/reporting/windows"): Body(
        body=lambda school: {"closes_on": _in_days(7)},
        path=_window_closed,
        refused=lambda school: {"closes_on": _in_days(7)},
    ),
    ("POST", "/reporting/windows/{window_id}/close"): Body(
        body=lambda school: {},
        path=_window_to_close,
        refused=lambda school: {},
    ),
    # … a graduate confirms their data (no body; refused while a request of theirs is
    # pending) and asks for a correction (the same field again, still pending, is refused).
    ("POST", "/reporting/mine/confirm"): Body(
        body=lambda school: {},
        path=_settled,
        refused=lambda school: {},
        refused_path=_pending_own_correction,
    ),
    ("POST", "/reporting/mine/corrections"): Body(
        body=lambda school: {
            "target": "roster",
            "field": "ethnicity",
            "value": "回族",
            "reason": "走查更正",
        },
        refused=lambda school: {
            "target": "roster",
            "field": "ethnicity",
            "value": "满族",
            "reason": "再次更正",
        },
    ),
}


def _code() -> str:
    from tests.guidance.helpers import CODE

    return CODE


def body_of(method: str, path: str, school) -> dict[str, Any] | None:
    entry = BODIES.get((method, path.removeprefix("/api/v1")))
    return entry.body(school) if entry else None
