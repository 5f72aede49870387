"""What a POST view tells the user after it called a service.

A service refuses with a ValidationError whose messages say what and why; a page that acts on a
button shows them as one error message (forms add a refusal to the form instead).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def refusal(exc: ValidationError) -> str:
    """A service's refusal as one line (its messages joined)."""
    return "；".join(str(message) for message in exc.messages)


def as_int(value: Any) -> int:
    """A posted id, or 0 (matches nothing) when it is not a number."""
    value = str(value or "")
    return int(value) if value.isdigit() else 0
