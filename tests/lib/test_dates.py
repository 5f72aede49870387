"""Every date input of every form carries an ISO value, whatever the language.

Chromium drops a `<input type="date">` value that is not YYYY-MM-DD; Django's DateInput writes
the locale's first input format (zh-hans: 2020/04/14), so a bound date arrived empty."""

import datetime as dt
import importlib
import pkgutil

from django import forms
from django.utils import translation

import qihang
from qihang.lib.dates import IsoDateField, IsoDateInput


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for module in pkgutil.walk_packages(qihang.__path__, "qihang."):
        if not module.name.endswith(".forms"):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.name
            ):
                found.append(value)
    return found


def test_iso_date_input_renders_iso_in_chinese():
    with translation.override("zh-hans"):
        html = IsoDateInput().render("d", dt.date(2020, 4, 14))
    assert 'type="date"' in html
    assert 'value="2020-04-14"' in html


def test_iso_date_field_reads_iso_and_slashes():
    field = IsoDateField()
    with translation.override("zh-hans"):
        assert field.clean("2020-04-14") == dt.date(2020, 4, 14)
        assert field.clean("2020/04/14") == dt.date(2020, 4, 14)


def test_every_date_field_of_every_form_renders_iso_in_chinese():
    date_fields = [
        (form, name, field)
        for form in _form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    ]
    assert {(form.__name__, name) for form, name, _f in date_fields} >= {
        ("DestinationForm", "signed_on"),
        ("PolicyForm", "registration_deadline"),
        ("StatsFilterForm", "as_of"),
    }
    with translation.override("zh-hans"):
        for form, name, field in date_fields:
            html = field.widget.render(name, dt.date(2020, 4, 14))
            assert 'value="2020-04-14"' in html, (form.__name__, name, html)
            assert 'type="date"' in html, (form.__name__, name, html)
