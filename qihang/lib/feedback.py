"""What a POST view tells the user after it called a service.

A service refuses with a ValidationError whose messages say what and why; a page that acts on a
button shows them as one error message (`refusal`), a form puts them on its fields
(`refuse_on_form`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def refusal(exc: ValidationError) -> str:
    """A service's refusal as one line (its messages joined)."""
    return "；".join(str(message) for message in exc.messages)


def refuse_on_form(form: Any, exc: ValidationError) -> None:
    """A service's refusal on the form: each field's errors on that field, the rest (and
    errors of fields the form does not have) above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def as_int(value: Any) -> int:
    """A posted id, or 0 (matches nothing) when it is not a number."""
    value = str(value or "")
    return int(value) if value.isdigit() else 0
