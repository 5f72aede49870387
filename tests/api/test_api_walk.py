"""Walk every operation of the API as nobody, as a forger, as an outsider and as lower roles.

Operations are found through the ninja API's routers, so a new route is covered without editing
this file. Each must declare its permission with `qihang.api.auth.api_requires(...)` and the
object ids it reads from the query string with `scoping.takes_ids(...)`; its path parameters are
filled from the route walk's OBJECT_PARAMETERS, and each declared id is tried as another
institution's object (404, like a path parameter) and another department's.
"""

import inspect
import json
import re
import typing
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client

from qihang.api.api import api
from qihang.institutions.roles import EMPLOYER_ROLE_PERMISSIONS, ROLE_PERMISSIONS, Role
from tests.api.bodies import BODIES, body_of
from tests.institutions.test_route_walk import (
    OBJECT_PARAMETERS,
    allowed_methods,
    department_path,
    has_institution,
    rows_of,
    value_of,
)

PREFIX = "/api/v1"
PARAMETER = re.compile(r"{(?:\w+:)?(\w+)}|<(?:\w+:)?(\w+)>")


def routers(router: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    yield prefix, router
    for entry in getattr(router, "_routers", []):
        child_prefix, child = entry[0], entry[1]
        yield from routers(child, prefix + child_prefix)


EMPLOYER_PERMISSIONS = frozenset().union(*EMPLOYER_ROLE_PERMISSIONS.values())


def institution_operations() -> list[tuple[str, str, Any]]:
    """The operations for institution tokens: employer operations (an employer account's
    session, issue 7) refuse every institution token with 403 and are walked as employers in
    tests/jobs/test_api.py."""
    return [
        (p, m, f)
        for p, m, f in operations()
        if getattr(f, "required_permission", None) not in EMPLOYER_PERMISSIONS
    ]


def operations() -> list[tuple[str, str, Any]]:
    """(path, method, view function) for every operation of the API."""
    found = []
    for prefix, router in [
        (p, r) for entry in api._routers for p, r in routers(entry[1], entry[0])
    ]:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    found.append(((prefix + path).replace("//", "/"), method, op.view_func))
    assert found, "the API has no operations?"
    return sorted(set(found), key=lambda t: (t[0], t[1]))


def build(path: str, school) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in OBJECT_PARAMETERS:
            raise AssertionError(f"{path}: add parameter {name!r} to OBJECT_PARAMETERS")
        return str(OBJECT_PARAMETERS[name](school))

    return PREFIX + PARAMETER.sub(fill, path)


def has_object_parameter(path: str) -> bool:
    return bool(PARAMETER.search(path))


def call(
    method: str,
    url: str,
    auth: str | None,
    query: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
):
    """One request; `body` (tests/api/bodies.py) as JSON for operations that take one."""
    headers = {"Authorization": auth} if auth else {}
    if query:
        url = f"{url}?{urlencode(query)}"
    if body is None:
        return Client().generic(method, url, headers=headers)
    return Client().generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def world(school, other_school, walk_fixtures):
    walk_fixtures(school)
    walk_fixtures(other_school)
    return school, other_school


def test_every_operation_declares_its_permission():
    undeclared = [
        f"{m} {p}" for p, m, f in operations() if getattr(f, "required_permission", None) is None
    ]
    assert not undeclared, f"API operations without api_requires(...): {undeclared}"


@pytest.mark.django_db
def test_no_or_wrong_token_is_401(world, token_for):
    mine, _theirs = world
    good = token_for(mine.centre, mine)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for path, method, _view in operations():
        url = build(path, mine)
        for auth in (None, forged, "Bearer qh_00000000_nothing"):
            response = call(method, url, auth, body=body_of(method, path, mine))
            assert response.status_code == 401, (
                f"{method} {url} with {auth!r}: {response.status_code}"
            )
            assert "detail" in response.json()


@pytest.mark.django_db
def test_objects_of_another_institution_are_404(world, token_for):
    mine, theirs = world
    auth = token_for(mine.centre, mine)  # the strongest role, in the wrong institution
    # events app, appointments: a graduate's own operations are walked with the graduate's token.
    centre_auth, graduate_auth = auth, token_for(mine.graduate_user, mine)
    checked = 0
    for path, method, _view in institution_operations():
        if not has_object_parameter(path):
            continue
        # events app
        auth = (
            centre_auth
            if _view.required_permission in ROLE_PERMISSIONS[Role.CAREER_CENTRE]
            else graduate_auth
        )
        url = build(path, theirs)
        response = call(method, url, auth, body=body_of(method, path, theirs))
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        checked += 1
    assert checked, "no API route with an object parameter was walked"


@pytest.mark.django_db
def test_lower_roles_get_403(world, token_for):
    mine, _theirs = world
    personas = {
        Role.GRADUATE: mine.graduate_user,
        Role.TEACHER: mine.teacher,
        Role.LEADERSHIP: mine.leader,
        Role.DEPARTMENT_STAFF: mine.dept_staff,
    }
    tokens = {role: token_for(user, mine) for role, user in personas.items()}
    checked = 0
    for path, method, view in institution_operations():
        permission = view.required_permission
        for role in personas:
            if permission in ROLE_PERMISSIONS[role]:
                continue
            response = call(
                method, build(path, mine), tokens[role], body=body_of(method, path, mine)
            )
            assert response.status_code == 403, f"{method} {path} as {role}: {response.status_code}"
            checked += 1
    assert checked > 0


def test_every_operation_declares_the_ids_it_reads():
    undeclared = [f"{m} {p}" for p, m, f in operations() if getattr(f, "object_ids", None) is None]
    assert undeclared == [], f"API operations without scoping.takes_ids(...): {undeclared}"


def test_the_api_has_no_operation_limited_by_method_decorators():
    # ninja routes by method itself; a Django method decorator inside would be dead code.
    assert [p for p, _m, f in operations() if allowed_methods(f) is not None] == []


@pytest.mark.django_db
def test_query_ids_of_another_institution_are_404(world, token_for):
    mine, theirs = world
    auth = token_for(mine.centre, mine)
    marks = [g.student_no for g in theirs.graduates]
    checked = 0
    for path, method, view in operations():
        for name, decl in view.object_ids.items():
            for obj in rows_of(decl, theirs, unlike=mine):
                response = call(
                    method,
                    build(path, mine),
                    auth,
                    {name: value_of(decl, obj)},
                    body=body_of(method, path, mine),
                )
                where = f"{method} {path}?{name}={value_of(decl, obj)}"
                assert response.status_code == 404, f"{where}: {response.status_code}"
                assert [m for m in marks if m in response.content.decode()] == [], where
                checked += 1
    assert checked > 2


@pytest.mark.django_db
def test_query_ids_of_another_department_show_nothing_of_it(world, token_for):
    mine, _theirs = world
    auth = token_for(mine.dept_staff, mine)  # 钢琴系 only
    other = mine.departments[1]
    marks = [g.student_no for g in mine.graduates if g.department_id == other.pk]
    checked = 0
    for path, method, view in operations():
        for name, decl in view.object_ids.items():
            model = apps.get_model(decl.model)
            path_to_department = department_path(model) if has_institution(model) else None
            if path_to_department is None:
                continue
            for obj in model._default_manager.filter(
                institution=mine.institution, **{path_to_department: other.pk}
            ):
                response = call(
                    method,
                    build(path, mine),
                    auth,
                    {name: value_of(decl, obj)},
                    body=body_of(method, path, mine),
                )
                where = f"{method} {path}?{name}={value_of(decl, obj)}"
                assert response.status_code == 404, f"{where}: {response.status_code}"
                assert [m for m in marks if m in response.content.decode()] == [], where
                checked += 1
    assert checked > 0


def test_every_operation_with_a_body_has_a_body_to_walk_with():
    """An operation that reads a JSON body (a ninja Schema parameter) needs an entry in
    tests/api/bodies.py, or the walks would only ever see its 422."""
    from ninja import Schema

    missing, stale = [], set(BODIES)
    for path, method, view in institution_operations():
        # Resolved type hints: a module with `from __future__ import annotations` has strings.
        hints = typing.get_type_hints(inspect.unwrap(view))
        # A body parameter may be optional (`X | None`): look inside the union too.
        kinds = [
            t
            for k, hint in hints.items()
            if k != "return"
            for t in (typing.get_args(hint) or (hint,))
        ]
        takes_body = any(isinstance(t, type) and issubclass(t, Schema) for t in kinds)
        stale.discard((method, path))
        if takes_body and (method, path) not in BODIES:
            missing.append(f"{method} {path}")
    assert missing == [], f"add a body to tests/api/bodies.py for: {missing}"
    assert stale == set(), f"entries of tests/api/bodies.py for no operation: {stale}"


@pytest.mark.django_db
def test_a_method_an_operation_does_not_take_is_405(world, token_for):
    """Every path answers 405 to a method none of its operations takes (healthchecks' habit),
    whoever asks."""
    mine, _theirs = world
    auth = token_for(mine.centre, mine)
    methods_of: dict[str, set[str]] = {}
    for path, method, _view in operations():
        methods_of.setdefault(path, set()).add(method)
    for path, methods in methods_of.items():
        other = next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in methods)
        response = call(other, build(path, mine), auth)
        assert response.status_code == 405, f"{other} {path}: {response.status_code}"
