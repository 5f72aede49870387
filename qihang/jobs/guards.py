"""Guards: what a posting must not say, checked against the GuardRule reference data.

`check_job(job)` returns findings (each with the matched text, the ground, the reason and its
legal basis); services store them on `Job.flags`, and a flagged job is held: it cannot be
approved until an edit clears them (the flags are recomputed on every edit). Voice parts
(男高音, 女中音 …) are musical requirements, not gender restrictions: the rules' patterns are
written to stop before them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qihang.employers.selectors import contact_conflicts
from qihang.jobs.models import GuardGround, GuardMatch, GuardRule, Job

# The posting's fields a guard reads (what an applicant sees).
CHECKED_FIELDS = ("title", "description", "majors", "contact", "location_text")
CONTEXT_CHARS = 8  # characters either side of a match shown to the reviewer


@dataclass(frozen=True)
class Finding:
    ground: str
    ground_label: str
    phrase: str  # the text that matched
    context: str  # the match with a few characters around it
    field: str
    reason: str
    basis: str
    rule: int | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII) and lower case, as the rules expect."""
    return unicodedata.normalize("NFKC", text or "").lower()


def compile_rule(match: str, pattern: str) -> re.Pattern[str]:
    """The compiled form of a rule; ValidationError for a pattern that does not compile."""
    if match == GuardMatch.PHRASE:
        return re.compile(re.escape(normalize(pattern)))
    try:
        return re.compile(normalize(pattern), re.IGNORECASE)
    except re.error as exc:
        raise ValidationError({"pattern": _("正则表达式有误：%(error)s") % {"error": exc}}) from exc


@lru_cache(maxsize=1)
def _compiled(stamp: tuple[int, str]) -> list[tuple[GuardRule, re.Pattern[str]]]:
    rules = GuardRule.objects.filter(is_active=True).order_by("ground", "id")
    return [(rule, compile_rule(rule.match, rule.pattern)) for rule in rules]


def active_rules() -> list[tuple[GuardRule, re.Pattern[str]]]:
    """Active rules, compiled once per change of the rule table (count and last update)."""
    rules = GuardRule.objects.filter(is_active=True)
    latest = rules.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return _compiled((rules.count(), str(latest)))


def check_text(values: dict[str, str]) -> list[Finding]:
    """Findings for a posting's texts (field name → text), one per rule and field."""
    labels = dict(GuardGround.choices)
    findings: list[Finding] = []
    rules = active_rules()
    for field in CHECKED_FIELDS:
        original = values.get(field, "") or ""
        text = normalize(original)
        if not text:
            continue
        # Show the posting's own characters where normalising kept every position.
        shown = original if len(original) == len(text) else text
        for rule, regex in rules:
            found = regex.search(text)
            if found is None:
                continue
            start, end = found.span()
            findings.append(
                Finding(
                    ground=rule.ground,
                    ground_label=str(labels.get(rule.ground, rule.ground)),
                    phrase=shown[start:end],
                    context=shown[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS],
                    field=field,
                    reason=rule.reason,
                    basis=rule.legal_basis,
                    rule=rule.pk,
                )
            )
    return findings


def check_job(job: Job) -> list[dict[str, object]]:
    """Every finding on `job` (as stored in Job.flags): its texts, and its employer's contact
    shared with another credit code."""
    findings = [f.as_dict() for f in check_text({f: getattr(job, f) for f in CHECKED_FIELDS})]
    others = contact_conflicts(job.employer)
    if others:
        names = "、".join(f"{e.name}（{e.credit_code}）" for e in others)
        findings.append(
            Finding(
                ground=GuardGround.CONTACT,
                ground_label=str(GuardGround.CONTACT.label),
                phrase=job.employer.contact_phone or job.employer.contact_email,
                context=names,
                field="employer",
                reason=_("同一联系电话或邮箱出现在不同统一社会信用代码的单位：%(names)s")
                % {"names": names},
                basis=_("防范虚假招聘：请核实单位身份后再发布。"),
                rule=None,
            ).as_dict()
        )
    return findings
