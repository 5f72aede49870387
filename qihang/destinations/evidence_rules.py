"""Which evidence a destination record needs before it can be approved.

The rule for a code is a list of alternatives; each alternative is a list of EvidenceKind values
that must all be on the record: [["offer"], ["salary"]] reads "a hiring proof, or salary
records"; [["licence"], ["shop", "income"]] "a business licence, or the shop's address with
screenshots and income records"; [] needs nothing. The national defaults ship with the code set
(`required_evidence` in destinations/data/codeset_*.json); the career centre overrides them per
code for its institution (EvidencePolicy.required, the evidence settings page). A sub-code (801)
without a rule of its own follows its parent (80).

What counts as present: the record's files that have not been purged, of any version (a file
uploaded for an earlier version still stands behind the record; the reviewer sees its version).
An import's file (EvidenceKind.IMPORT_FILE) counts as any required evidence for the version the
import wrote: the career centre imports from files it holds and vouches for (the import is an
approval, "import" in destinations.workflow, and the file is stored as every written row's
evidence). A later version (a correction by the graduate or staff) needs evidence of its own. Internship
proof never counts for an employment code (rules.check_evidence_kind refuses the upload).

`missing_evidence()` is the guard of the approve and sign-off actions; the forms show
`describe()` for every code so the person reporting knows what to upload.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qihang.destinations.models import (
    CodeSet,
    DestinationCode,
    Evidence,
    EvidenceKind,
    EvidencePolicy,
)
from qihang.destinations.reference import read_code_set

Rule = list[list[str]]
# Kinds a rule may name (the import's own kind satisfies any rule; internship proof never does).
RULE_KINDS = tuple(
    k for k in EvidenceKind if k not in (EvidenceKind.IMPORT_FILE, EvidenceKind.INTERNSHIP)
)
NOTHING = "无"


@functools.cache
def national_rules(version: str) -> dict[str, Rule]:
    data = read_code_set(version).get("required_evidence", {})
    return {code: rule for code, rule in data.items() if not code.startswith("_")}


def _version_of(code_set_id: int) -> str:
    return CodeSet.objects.values_list("version", flat=True).get(pk=code_set_id)


def policy_of(institution_id: int) -> EvidencePolicy:
    """The institution's evidence settings (unsaved defaults when never changed)."""
    found = EvidencePolicy.objects.filter(institution_id=institution_id).first()
    return found if found is not None else EvidencePolicy(institution_id=institution_id)


def rules_for(institution_id: int, code_set: CodeSet | int) -> dict[str, Rule]:
    """The national rules of the code set with the institution's overrides (one query, two
    given the code set's id)."""
    version = code_set.version if isinstance(code_set, CodeSet) else _version_of(code_set)
    return {**national_rules(version), **policy_of(institution_id).required}


def rule_of(code: DestinationCode, rules: Mapping[str, Rule]) -> Rule:
    if code.code in rules:
        return rules[code.code]
    if code.parent_id and code.parent.code in rules:
        return rules[code.parent.code]
    return []


def kind_label(kind: str) -> str:
    try:
        return str(EvidenceKind(kind).label)
    except ValueError:
        return kind


def describe(rule: Rule) -> str:
    """A rule as people read it: "就业协议书 或 劳动合同"; "" when nothing is required."""
    return _(" 或 ").join("+".join(kind_label(k) for k in alternative) for alternative in rule)


def satisfied(rule: Rule, kinds: Iterable[str]) -> bool:
    present = set(kinds)
    if not rule or EvidenceKind.IMPORT_FILE in present:
        return True
    return any(set(alternative) <= present for alternative in rule)


def counts(kind: str, file_version: int, record_version: int) -> bool:
    """Whether a file stands behind the record's current version (an import's file only
    behind the version the import wrote)."""
    return kind != EvidenceKind.IMPORT_FILE or file_version == record_version


def kinds_of(files: Iterable[Any], record_version: int) -> set[str]:
    """The kinds of loaded Evidence rows that count for the record."""
    return {
        e.kind for e in files if e.purged_at is None and counts(e.kind, e.version, record_version)
    }


def kinds_present(destination_ids: Sequence[int]) -> dict[int, set[str]]:
    """The kinds of the unpurged files of each record that count (one query for any number)."""
    found: dict[int, set[str]] = defaultdict(set)
    for pk, kind, version, current in Evidence.objects.filter(
        destination_id__in=list(destination_ids), purged_at__isnull=True
    ).values_list("destination_id", "kind", "version", "destination__version"):
        if counts(kind, version, current):
            found[pk].add(kind)
    return found


def missing_evidence(
    destination: Any,
    *,
    kinds: set[str] | None = None,
    rules: Mapping[str, Rule] | None = None,
) -> list[str]:
    """Why `destination` cannot be approved for want of evidence (empty: it can)."""
    code = destination.code
    if rules is None:
        rules = rules_for(destination.institution_id, code.code_set_id)
    rule = rule_of(code, rules)
    if not rule:
        return []
    if kinds is None:
        kinds = kinds_present([destination.pk]).get(destination.pk, set())
    if satisfied(rule, kinds):
        return []
    return [
        _("%(student)s：毕业去向“%(code)s”须有证明材料：%(needed)s，请补充后再审批。")
        % {
            "student": destination.graduate.student_no,
            "code": f"{code.code} {code.name}",
            "needed": describe(rule),
        }
    ]


def code_hints(codes: Iterable[DestinationCode], rules: Mapping[str, Rule]) -> dict[str, str]:
    """What each code needs, for the forms ("" when nothing)."""
    return {c.code: describe(rule_of(c, rules)) for c in codes}


# --- The settings page's text form of a rule ------------------------------------------------------
def format_rule(rule: Rule) -> str:
    """A rule as the settings page edits it: alternatives split by "；", kinds joined by "+"
    (labels), "无" for nothing required."""
    if not rule:
        return NOTHING
    return "；".join("+".join(kind_label(k) for k in alternative) for alternative in rule)


def parse_rule(text: str) -> Rule:
    """The inverse of format_rule; kinds by label or value. Raises ValidationError naming the
    part it does not know."""
    text = " ".join((text or "").split())
    if text in (NOTHING, "none"):
        return []
    by_name = {str(EvidenceKind(k).label): k for k in RULE_KINDS} | {str(k): k for k in RULE_KINDS}
    rule: Rule = []
    for part in text.replace(";", "；").split("；"):
        names = [n.strip() for n in part.replace("＋", "+").split("+") if n.strip()]
        if not names:
            continue
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValidationError(
                _("“%(names)s”不是材料类型，可选：%(allowed)s")
                % {
                    "names": "、".join(unknown),
                    "allowed": "、".join(str(EvidenceKind(k).label) for k in RULE_KINDS),
                }
            )
        rule.append(list(dict.fromkeys(str(by_name[n]) for n in names)))
    if not rule:
        raise ValidationError(_("请填写所需材料，或填写“无”表示不需要证明材料。"))
    return rule
