from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.accounts.models import User
from qihang.ventures import selectors
from qihang.ventures.models import Field, Stage


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    field = forms.ChoiceField(label=_("领域"), choices=Field.choices)
    stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)
    summary = forms.CharField(
        label=_("项目简介"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    needs = forms.CharField(
        label=_("需求"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    funding_sought = forms.IntegerField(label=_("拟融资（元）"), min_value=0, initial=0)
    funding_obtained = forms.IntegerField(label=_("已获资金（元）"), min_value=0, initial=0)
    districts = forms.MultipleChoiceField(
        label=_("意向区域"), required=False, widget=forms.CheckboxSelectMultiple
    )
    members = forms.CharField(
        label=_("团队成员学号（本校毕业生，空格或逗号分隔）"), required=False, max_length=400
    )
    mentor = forms.ModelChoiceField(
        label=_("创业导师"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(d, f"{city}·{d}") for city, d in selectors.districts()]
        if staff is not None:
            self.fields["mentor"].queryset = staff

    def student_nos(self) -> list[str]:
        return [n for n in re.split(r"[\s,，、]+", self.cleaned_data.get("members") or "") if n]

    def project_data(self) -> dict[str, Any]:
        keys = ("name", "field", "stage", "summary", "needs", "funding_sought", "funding_obtained")
        return {
            **{k: self.cleaned_data[k] for k in keys},
            "districts": self.cleaned_data["districts"],
        }


class ParkForm(forms.Form):
    name = forms.CharField(label=_("园区名称"), max_length=100)
    city = forms.CharField(label=_("城市"), max_length=20)
    district = forms.CharField(label=_("区"), max_length=30)
    focus = forms.MultipleChoiceField(
        label=_("重点领域"), choices=Field.choices, widget=forms.CheckboxSelectMultiple
    )
    stages = forms.MultipleChoiceField(
        label=_("扶持阶段"), choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    support = forms.CharField(label=_("扶持政策"), widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    is_active = forms.BooleanField(label=_("在目录中显示"), required=False)
