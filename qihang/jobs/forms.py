"""Forms of the job pages: the posting (staff and employer variants), a return reason, a
share, and a guard rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.employers.models import Channel, Employer
from qihang.institutions.models import DegreeLevel, Institution
from qihang.jobs.guards import compile_rule
from qihang.jobs.models import GuardRule, Job, SpecialtyTag
from qihang.jobs.services import GUARD_FIELDS, JOB_FIELDS
from qihang.lib.places import resolve_division_detailed


class JobForm(forms.ModelForm):
    degree_levels = forms.MultipleChoiceField(
        label=_("学历要求"),
        choices=DegreeLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限。"),
    )
    division = forms.CharField(
        label=_("工作地点"),
        max_length=40,
        required=False,
        help_text=_("行政区划代码（如 310104）或地名（如 上海市徐汇区、苏州）。"),
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("专长标签"),
        queryset=SpecialtyTag.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Job
        fields = [*JOB_FIELDS, "specialties"]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name == "degree_levels":
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_division(self) -> str:
        value = (self.cleaned_data.get("division") or "").strip()
        if not value:
            return ""
        found = resolve_division_detailed(value)
        if found.code is None:
            raise forms.ValidationError(
                _("工作地点「%(text)s」无法识别：%(reason)s")
                % {"text": value, "reason": found.reason}
            )
        return found.code

    def job_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in JOB_FIELDS}


class StaffJobForm(JobForm):
    """Staff posting on an employer's behalf: which employer, and which channel brought it."""

    employer = forms.ModelChoiceField(label=_("用人单位"), queryset=Employer.objects.none())
    channel = forms.ModelChoiceField(
        label=_("来源渠道"), queryset=Channel.objects.filter(is_active=True), required=False
    )

    field_order = ["employer", "channel"]

    def __init__(self, *args: Any, employers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        self.fields["employer"].widget.attrs["class"] = "form-select"
        self.fields["channel"].widget.attrs["class"] = "form-select"


class PortalJobForm(JobForm):
    """An employer's own posting: to which school (one it has asked for a standing at)."""

    institution = forms.ModelChoiceField(label=_("发布到学校"), queryset=Institution.objects.none())

    field_order = ["institution"]

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].widget.attrs["class"] = "form-select"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GuardRuleForm(forms.ModelForm):
    class Meta:
        model = GuardRule
        fields = list(GUARD_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name == "is_active":
                field.widget.attrs["class"] = "form-check-input"
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("match") and data.get("pattern"):
            compile_rule(data["match"], data["pattern"])
        return data
