"""The bodies the API walks send to operations that take one.

An operation with a JSON body answers 422 to a request without it before it looks at the
caller or the object, so the walks (tests/api/test_api_walk.py, tests/api/test_openapi.py)
send each such operation a valid body from this table; test_every_body_operation_has_a_body
fails when a new one has none.

Each entry, keyed by (method, path without /api/v1), gives
- `body(school)`: a body the operation accepts;
- `path(school)`: path values for the "as it should be" request where the walk's usual objects
  would be refused (e.g. a job the walk graduate has not applied to yet), or {};
- `refused(school)`: a body the operation refuses with 400 (sent after the good one; it may
  rely on it, as a second application to the same job does).
"""

from collections.abc import Callable
from typing import Any, NamedTuple


class Body(NamedTuple):
    body: Callable[[Any], dict[str, Any]]
    path: Callable[[Any], dict[str, Any]] = lambda school: {}
    refused: Callable[[Any], dict[str, Any]] | None = None


def _open_posting(school) -> dict[str, Any]:
    """A published job of the school nobody applied to (made once per school)."""
    if "open_posting" not in school.fixtures:
        from tests.factories import make_job

        school.fixtures["open_posting"] = make_job(
            school.fixtures["employer"], school.institution, title="走查岗位（未投递）"
        )
    return {"posting_id": school.fixtures["open_posting"].pk}


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
}


def body_of(method: str, path: str, school) -> dict[str, Any] | None:
    entry = BODIES.get((method, path.removeprefix("/api/v1")))
    return entry.body(school) if entry else None
