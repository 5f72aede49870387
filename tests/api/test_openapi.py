"""The OpenAPI document describes what the server does.

For every operation in the document, probe the server the ways a client can go wrong — no
token, too low a role, another institution's object, each parameter with a value it refuses —
and the right way; every status the server gives must be a documented response of that
operation, its body must match the documented schema, and every documented response must be
one the server was seen to give. Operations and parameters come from the document itself, so
a new operation or parameter is probed without editing this file.
"""

import json
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pytest
from django.test import Client

from qihang.institutions.roles import (
    EMPLOYER_ROLE_PERMISSIONS,
    ROLE_PERMISSIONS,
    EmployerRole,
    Role,
)
from tests.api.bodies import BODIES, Body
from tests.api.test_api_walk import institution_operations
from tests.api.test_api_walk import operations as api_operations
from tests.institutions.test_route_walk import OBJECT_PARAMETERS

SCHEMA_URL = "/api/v1/openapi.json"


def document(school, client_for) -> dict[str, Any]:
    response = client_for(school.centre).get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (path, method.upper(), operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
    ]
    assert found, "the document has no operations?"
    return found


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


def mismatches(doc: dict[str, Any], schema: dict[str, Any], value: Any, at: str = "$") -> list[str]:
    """Where `value` does not match the JSON schema (the subset ninja and pydantic emit)."""
    schema = resolve(doc, schema)
    if "anyOf" in schema:
        if any(not mismatches(doc, option, value, at) for option in schema["anyOf"]):
            return []
        return [f"{at}: {value!r} matches none of {schema['anyOf']}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} not in {schema['enum']}"]
    kind = schema.get("type")
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }
    if kind is None:
        return []
    if not isinstance(value, types[kind]) or (kind in ("integer", "number") and value is True):
        return [f"{at}: {value!r} is not {kind}"]
    problems = []
    if kind == "object":
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{at}: {name!r} missing")
        for name, item in value.items():
            if name in properties:
                problems += mismatches(doc, properties[name], item, f"{at}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += mismatches(doc, schema["additionalProperties"], item, f"{at}.{name}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            problems += mismatches(doc, schema["items"], item, f"{at}[{i}]")
    return problems


def refused_values(schema: dict[str, Any]) -> list[str]:
    """Values the parameter's schema says the server must refuse."""
    options = schema.get("anyOf", [schema])
    values = []
    for option in options:
        if option.get("type") == "integer":
            values.append("not-a-number")
            if "minimum" in option:
                values.append(str(option["minimum"] - 1))
        # An enum, inline or as a component (a TextChoices: the API's parameters refer to no
        # other component), or a pattern "no-such-value" does not match.
        if option.get("enum") or "$ref" in option or "pattern" in option:
            values.append("no-such-value")
        if "maxLength" in option:
            values.append("长" * (option["maxLength"] + 1))
        if option.get("format") == "date":
            values += ["0", "2020/07/15", "2020-02-30", "9999-12-31"]
    return values


def object_of(name: str, school) -> Any | None:
    """The value naming an object of `school` for a parameter (department -> department_id)."""
    for key in (name, f"{name}_id", f"{name}_year"):
        if key in OBJECT_PARAMETERS:
            return OBJECT_PARAMETERS[key](school)
    return None


def fill(path: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


class Probe(NamedTuple):
    why: str
    auth: str | None
    expected: int
    path_values: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any] | None = None


def probes(
    operation: dict[str, Any],
    school,
    other_school,
    centre: str,
    low: tuple[str, str],
    walk: Body | None = None,
):
    """The requests an operation is tried with, and the status each must give: `centre` is a
    token holding the operation's permission, `low` (who, token) one that does not; `walk`
    the operation's entry in tests/api/bodies.py when it takes a JSON body."""
    parameters = operation.get("parameters", [])
    in_path = [p["name"] for p in parameters if p["in"] == "path"]
    mine = {name: object_of(name, school) for name in in_path}
    body = walk.body(school) if walk else None
    # A body's operation answers 201 when it creates something.
    created = 201 if "201" in operation["responses"] else 200
    good_path = {**mine, **(walk.path(school) if walk else {})}
    yield Probe("as it should be", centre, created, good_path, {}, body)
    if walk and walk.refused:
        refused_path = {**mine, **walk.refused_path(school)} if walk.refused_path else good_path
        yield Probe(
            "with a refused body",
            centre,
            walk.refused_status,
            refused_path,
            {},
            walk.refused(school),
        )
    yield Probe("without a token", None, 401, mine, {}, body)
    yield Probe(f"as {low[0]}", low[1], 403, mine, {}, body)
    # Another institution's object, in the path or as a query parameter.
    if in_path:
        theirs = {name: object_of(name, other_school) for name in in_path}
        their_body = walk.body(other_school) if walk else None
        yield Probe("with another institution's object", centre, 404, theirs, {}, their_body)
    for parameter in parameters:
        name = parameter["name"]
        value = object_of(name, other_school)
        if parameter["in"] == "query" and value is not None:
            yield Probe(f"{name}={value} (theirs)", centre, 404, mine, {name: value}, body)
    # Each parameter with each value its schema refuses.
    for parameter in parameters:
        name, where = parameter["name"], parameter["in"]
        for value in refused_values(parameter["schema"]):
            why = f"{where} {name}={value!r}"
            if where == "path":
                yield Probe(why, centre, 422, {**mine, name: value}, {}, body)
            else:
                yield Probe(why, centre, 422, mine, {name: value}, body)
    if walk and operation.get("requestBody", {}).get("required"):  # a body it cannot do without
        yield Probe("with no body", centre, 422, mine, {}, None)


@pytest.mark.django_db
def test_every_operation_documents_the_responses_the_server_gives(
    school, other_school, walk_fixtures, token_for, client_for
):
    walk_fixtures(school)
    walk_fixtures(other_school)
    doc = document(school, client_for)
    declared = {(p, m): view for p, m, view in api_operations()}
    # Who holds an operation's permission and who does not: most operations are the staff's
    # (a graduate is refused), a few the graduates' (then the staff or an employer is).
    personas = {
        "the career centre": token_for(school.centre, school),
        "a graduate": token_for(school.graduate_user, school),
        "an employer": token_for(school.fixtures["employer_user"], school),
    }
    holders = {
        "the career centre": ROLE_PERMISSIONS[Role.CAREER_CENTRE],
        "a graduate": ROLE_PERMISSIONS[Role.GRADUATE],
        "an employer": EMPLOYER_ROLE_PERMISSIONS[EmployerRole.ADMIN],
    }
    problems: list[str] = []
    institution_ops = {(p, m) for p, m, _view in institution_operations()}
    for path, method, operation in operations(doc):
        assert operation.get("security"), f"{method} {path}: no security in the document"
        view = declared.get((path.removeprefix("/api/v1"), method))
        assert view is not None, f"{method} {path}"
        permission = view.required_permission
        if (path.removeprefix("/api/v1"), method) not in institution_ops:
            continue  # employer accounts' postings: walked in tests/jobs/test_api.py
        good = next(personas[who] for who, perms in holders.items() if permission in perms)
        low = next(
            (who, personas[who]) for who, perms in holders.items() if permission not in perms
        )
        seen: dict[str, list[Any]] = {}
        walk = BODIES.get((method, path.removeprefix("/api/v1")))
        for probe in probes(operation, school, other_school, good, low, walk):
            headers = {"Authorization": probe.auth} if probe.auth else {}
            url = fill(path, probe.path_values)
            extra: dict[str, Any] = {}
            if probe.body is not None:
                extra = {"data": json.dumps(probe.body), "content_type": "application/json"}
            response = Client().generic(
                method, url, headers=headers, QUERY_STRING=urlencode(probe.query), **extra
            )
            status = str(response.status_code)
            if response.status_code != probe.expected:
                problems.append(f"{method} {url} {probe.why}: {status}, not {probe.expected}")
            seen.setdefault(status, []).append(response.json())

        documented = operation["responses"]
        for status, bodies in seen.items():
            if status not in documented:
                problems.append(f"{method} {path}: gives {status}, not in the document")
                continue
            schema = documented[status]["content"]["application/json"]["schema"]
            for body in bodies:
                problems += [
                    f"{method} {path} {status}: {p}" for p in mismatches(doc, schema, body)
                ]
        for status in set(documented) - set(seen):
            problems.append(f"{method} {path}: documents {status}, never seen")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_validation_errors_are_documented_for_every_operation(school, client_for):
    """422 was missing from the document although every operation with parameters gives it."""
    doc = document(school, client_for)
    for path, method, operation in operations(doc):
        if not operation.get("parameters"):
            continue
        response = operation["responses"].get("422")
        assert response, f"{method} {path}: no 422 in the document"
        schema = resolve(doc, response["content"]["application/json"]["schema"])
        item = resolve(doc, schema["properties"]["detail"]["items"])
        assert {"type", "loc", "msg"} <= set(item["required"]), item
