"""Date inputs that browsers accept in every language.

A browser's `<input type="date">` takes only ISO values (`2020-04-14`); anything else is
dropped silently and the field shows empty. Django's DateInput writes its value in the active
locale's first DATE_INPUT_FORMATS entry, which for zh-hans is `2020/04/14`, so a form bound to
an existing date arrived empty in Chinese. Every date field of every form uses these.
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """`<input type="date">` whose value is always written as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class IsoDateField(forms.DateField):
    """A DateField rendered with IsoDateInput that also reads ISO first, whatever the locale."""

    widget = IsoDateInput
    input_formats = [ISO_DATE, "%Y/%m/%d", "%Y.%m.%d"]
