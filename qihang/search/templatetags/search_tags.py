"""Highlighted snippets of search results."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qihang.search.tokens import synonyms

register = template.Library()

SNIPPET = 90  # characters of a description shown around the first match


def _words(terms: list[str]) -> list[str]:
    """The terms and every alias of them (钢琴教师 also marks 钢琴老师), longest first."""
    aliases = synonyms()
    words = set(terms)
    words |= {alias for alias, canonical in aliases.items() if canonical in words}
    return sorted((w for w in words if w), key=len, reverse=True)


def _mark(text: str, words: list[str]) -> SafeString:
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


@register.simple_tag
def highlight(text: str, terms: list[str]) -> SafeString:
    return _mark(text or "", _words(terms))


@register.simple_tag
def snippet(text: str, terms: list[str]) -> SafeString:
    """About SNIPPET characters of `text` around its first match, marked."""
    text = " ".join((text or "").split())
    words = _words(terms)
    start = 0
    positions = [text.lower().find(w.lower()) for w in words]
    positions = [p for p in positions if p >= 0]
    if positions:
        start = max(0, min(positions) - SNIPPET // 3)
    piece = text[start : start + SNIPPET]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET < len(text) else ""
    return mark_safe(prefix + _mark(piece, words) + suffix)  # noqa: S308 - _mark escapes
