"""Audit kinds are enumerated (qihang.audit.kinds.AuditAction): every kind the code writes is
a member, audit_record refuses any other, and the log page names each kind by its label.

The code is read, not run: every call whose name says "audit" (audit_record, audit_for_holders,
the apps' own helpers, the demo's bulk rows) and every workflow Action's `audit`. A kind built
with an f-string is listed in DYNAMIC with the values it can take, so whoever adds one decides.
"""

import ast
import re
from pathlib import Path

import pytest

from qihang.audit.kinds import AuditAction
from qihang.audit.models import AuditEvent
from qihang.audit.services import audit_record
from qihang.destinations.models import ChangeAction
from tests.audit import rawsql

ROOT = Path(__file__).resolve().parents[2] / "qihang"
KIND = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
DESTINATION_KINDS = [f"destination.{c}" for c in ChangeAction.values]
# f-string kinds -> every value they can take (the destination history's actions).
DYNAMIC: dict[str, list[str]] = {
    "f'destination.{action}'": DESTINATION_KINDS,
    "f'destination.{who.action}'": DESTINATION_KINDS,
    "f'destination.{step.action}'": DESTINATION_KINDS,
}


def _callee(node: ast.Call) -> str:
    return ast.unparse(node.func)


def _values(node: ast.expr, where: str) -> list[str]:
    """The kinds an expression names: a literal, AuditAction.X, either branch of `a if c else
    b`, an f-string from DYNAMIC. Names and attributes pass a kind on (their callers are read)."""
    if isinstance(node, ast.IfExp):
        return _values(node.body, where) + _values(node.orelse, where)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "AuditAction":
        assert node.attr in AuditAction.names, f"{where}: AuditAction has no {node.attr}"
        return [AuditAction[node.attr].value]
    if isinstance(node, ast.JoinedStr):
        source = ast.unparse(node)
        assert source in DYNAMIC, f"{where}: list the kinds {source} can take in DYNAMIC"
        return DYNAMIC[source]
    return []


def _kind_like(node: ast.expr) -> bool:
    """A positional argument that names a kind (not a summary)."""
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        return isinstance(head, ast.Constant) and bool(re.match(r"^[a-z_]+\.", str(head.value)))
    if isinstance(node, ast.Constant):
        return bool(KIND.match(str(node.value)))
    return isinstance(node, ast.Attribute) and ast.unparse(node.value) == "AuditAction"


def kinds_in_code() -> dict[str, list[str]]:
    """kind -> where it is written (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            callee = _callee(node)
            exprs: list[ast.expr] = []
            if callee.split(".")[-1] == "Action":
                exprs += [k.value for k in node.keywords if k.arg == "audit"]
            elif "audit" in callee.lower():
                exprs += [k.value for k in node.keywords if k.arg == "action"]
                # Helpers that take the kind positionally (_api_token_audit, the demo's _audit).
                exprs += [a for a in node.args if _kind_like(a)]
            for expr in exprs:
                for value in _values(expr, where):
                    found.setdefault(value, []).append(where)
    return found


def test_every_kind_the_code_writes_is_enumerated():
    found = kinds_in_code()
    # The scan sees the kinds (a sample from each app that writes them).
    for expected in (
        "employer.register",
        "job.submit",
        "api_token.create",
        "destination.approve",
        "share.create",
        "membership.invited_elsewhere",
        "employer.member_decline",
    ):
        assert expected in found, expected
    unknown = {kind: where for kind, where in found.items() if kind not in AuditAction.values}
    assert unknown == {}, "add these to qihang/audit/kinds.py"


def test_every_kind_has_a_label_and_a_unique_value():
    assert len(set(AuditAction.values)) == len(AuditAction.values)
    for kind in AuditAction:
        assert KIND.match(kind.value), kind
        assert str(kind.label) and str(kind.label) != kind.value


@pytest.mark.django_db
def test_audit_record_refuses_an_unknown_kind(school):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(institution_id=school.institution.pk, actor_id=None, action="job.craete")
    assert AuditEvent.objects.count() == before
    row = audit_record(
        institution_id=school.institution.pk, actor_id=None, action=AuditAction.JOB_CREATE
    )
    assert row.action == "job.create"


@pytest.mark.django_db
def test_the_log_names_kinds_by_their_labels(school, client_for):
    audit_record(
        institution_id=school.institution.pk,
        actor_id=school.centre.pk,
        action=AuditAction.EMPLOYER_CONTACT_DELETE,
    )
    # A kind from before it was enumerated (the log is never rewritten) shows as it is.
    rawsql.append_chained(school.institution.pk, action="legacy.kind")
    response = client_for(school.centre).get("/audit/")
    html = response.content.decode()
    assert str(AuditAction.EMPLOYER_CONTACT_DELETE.label) in html
    assert "legacy.kind" in html
    assert (
        "employer.contact.delete",
        AuditAction.EMPLOYER_CONTACT_DELETE.label,
    ) in response.context["actions"]
