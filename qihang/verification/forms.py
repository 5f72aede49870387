from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.lib.dates import IsoDateField
from qihang.lib.forms import StyledForm, style
from qihang.verification.models import RECORDED_RESULTS, FlagStatus


class DrawForm(forms.Form):
    cohort = forms.TypedChoiceField(label=_("届别"), coerce=int)
    name = forms.CharField(label=_("批次名称"), max_length=100)
    as_of = IsoDateField(label=_("抽样截止日"))
    default_percent = forms.DecimalField(
        label=_("抽样比例（%）"), min_value=Decimal("0.01"), max_value=Decimal(100),
        decimal_places=2, initial=Decimal(5),
    )  # fmt: skip
    seed = forms.IntegerField(
        label=_("随机种子（选填，复现已有批次时填写）"), required=False, min_value=0
    )

    def __init__(self, *args: Any, cohorts: list, departments: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(c.pk, str(c)) for c in cohorts]
        self.departments = departments
        for d in departments:
            self.fields[f"percent_{d.pk}"] = forms.DecimalField(
                label=d.name, required=False, min_value=Decimal("0.01"),
                max_value=Decimal(100), decimal_places=2,
            )  # fmt: skip

        style(self)

    def department_fields(self) -> list:
        return [self[f"percent_{d.pk}"] for d in self.departments]

    def department_percents(self) -> dict[int, Decimal]:
        return {
            d.pk: self.cleaned_data[f"percent_{d.pk}"]
            for d in self.departments
            if self.cleaned_data.get(f"percent_{d.pk}") is not None
        }


class CallForm(StyledForm):
    result = forms.ChoiceField(
        label=_("核查结果"), choices=[(r.value, r.label) for r in RECORDED_RESULTS]
    )
    notes = forms.CharField(label=_("记录"), max_length=500, required=False)


class DecideForm(StyledForm):
    rule = forms.CharField(max_length=40, widget=forms.HiddenInput)
    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("处理"), choices=FlagStatus.choices)
    note = forms.CharField(label=_("说明"), max_length=500)


class EnrolmentForm(StyledForm):
    file = forms.FileField(label=_("社保参保名单（xlsx 或 csv）"))
