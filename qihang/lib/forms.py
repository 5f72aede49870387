"""Forms in the platform's look: `style(form)` gives each widget Bootstrap's class for its kind
(form-select, form-check-input, form-control), keeping a class a form set itself; `StyledForm`
does it on construction."""

from __future__ import annotations

from typing import Any

from django import forms


def style(form: forms.BaseForm, *, skip: tuple[str, ...] = ()) -> None:
    for name, field in form.fields.items():
        if name in skip or isinstance(field.widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        field.widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
