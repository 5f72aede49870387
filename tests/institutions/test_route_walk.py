"""Walk every URL pattern as an outsider and as a lower role.

New routes are covered without editing this file: each route is found through the resolver, its
object parameters are filled from OBJECT_PARAMETERS, and it must declare what it needs with
`requires(...)` or `public`. A route whose parameter is not listed here fails the test, so the
person adding it decides how it is scoped.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from qihang.institutions.roles import ROLE_PERMISSIONS, Role
from tests.factories import School

# URL parameter -> how to find an object of a school that the parameter names.
OBJECT_PARAMETERS: dict[str, Callable[[School], Any]] = {
    "graduate_id": lambda s: s.graduates[0].pk,
    "destination_id": lambda s: s.fixtures["destination"].pk,
    "evidence_id": lambda s: s.fixtures["evidence"].pk,
    "job_id": lambda s: s.fixtures["import_job"].pk,
    "department_id": lambda s: s.departments[0].pk,
    "membership_id": lambda s: s.fixtures["membership"].pk,
    # Both test schools have cohort 2020; walk_fixtures gives each a year of its own.
    "cohort_year": lambda s: s.fixtures.get("cohort_year", s.cohort.year),
}

# Parameters that are not objects of a tenant (formats, tokens): a fixed, valid value.
PLAIN_PARAMETERS: dict[str, str] = {
    "uidb64": "MQ",
    "token": "set-password",
    "fmt": "xlsx",
    "path": "x",
}

API_PREFIX = "api/"


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, pattern)
        else:
            yield pattern, entry


def routes() -> list[tuple[str, URLPattern]]:
    return [(p, e) for p, e in walk(get_resolver()) if not p.startswith(API_PREFIX)]


def build(pattern: str, school: School) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name in OBJECT_PARAMETERS:
            return str(OBJECT_PARAMETERS[name](school))
        if name in PLAIN_PARAMETERS:
            return PLAIN_PARAMETERS[name]
        raise AssertionError(f"{pattern}: add parameter {name!r} to OBJECT_PARAMETERS")

    return "/" + PARAMETER.sub(fill, pattern)


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def has_object_parameter(pattern: str) -> bool:
    return any(m.group(2) in OBJECT_PARAMETERS for m in PARAMETER.finditer(pattern))


def view_of(entry: URLPattern) -> Any:
    return entry.callback


def request(client, url: str) -> int:
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response.status_code


@pytest.fixture
def world(school, other_school, walk_fixtures):
    walk_fixtures(school)
    walk_fixtures(other_school)
    return school, other_school


def test_every_route_declares_access():
    undeclared = [
        p
        for p, e in routes()
        if not hasattr(view_of(e), "required_permission")
        and not getattr(view_of(e), "is_public", False)
    ]
    assert not undeclared, f"views without requires(...) or public: {undeclared}"


@pytest.mark.django_db
def test_outsider_gets_404_for_objects_of_another_institution(world, client_for):
    mine, theirs = world
    client = client_for(mine.centre)  # the strongest role, in the wrong institution
    checked = []
    for pattern, _entry in routes():
        if not has_object_parameter(pattern):
            continue
        url = build(pattern, theirs)
        status = request(client, url)
        assert status == 404, f"{url} ({pattern}) answered {status} to another institution"
        checked.append(url)
    assert checked, "no route with an object parameter was walked"


@pytest.mark.django_db
def test_lower_roles_get_403(world, client_for):
    mine, _theirs = world
    personas = {
        Role.GRADUATE: mine.graduate_user,
        Role.TEACHER: mine.teacher,
        Role.LEADERSHIP: mine.leader,
        Role.DEPARTMENT_STAFF: mine.dept_staff,
    }
    checked = 0
    for pattern, entry in routes():
        permission = getattr(view_of(entry), "required_permission", None)
        if permission is None:
            continue
        for role, user in personas.items():
            if permission in ROLE_PERMISSIONS[role]:
                continue
            url = build(pattern, mine)
            status = request(client_for(user), url)
            assert status == 403, f"{url} as {role} answered {status}, expected 403"
            checked += 1
    assert checked > 0
