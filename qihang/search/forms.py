"""Search, preference and push forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.accounts.forms import BootstrapMixin
from qihang.institutions.models import DegreeLevel
from qihang.jobs.models import JobKind, SpecialtyTag
from qihang.lib.dates import IsoDateField
from qihang.regions.selectors import regions
from qihang.search.selectors import JobFilters


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


class JobSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("岗位类型"), required=False, choices=[])
    division = forms.RegexField(
        label=_("工作地点代码"),
        regex=r"^\d{6}$",
        required=False,
        max_length=6,
        help_text=_("行政区划代码，如 310000（上海市）、320500（苏州市）"),
    )
    degree = forms.ChoiceField(label=_("学历"), required=False, choices=[])
    specialty = forms.ChoiceField(label=_("专长"), required=False, choices=[])
    region = forms.ChoiceField(label=_("区域"), required=False, choices=[])
    salary_min = forms.IntegerField(label=_("期望月薪不低于"), min_value=0, required=False)
    open_on = IsoDateField(label=_("截止日期不早于"), required=False)

    def __init__(self, *args: Any, specialties: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank(_("全部类型"), JobKind.choices)
        self.fields["degree"].choices = _blank(_("不限学历"), DegreeLevel.choices)
        self.fields["specialty"].choices = _blank(_("全部专长"), specialties or [])
        self.fields["region"].choices = _blank(_("全部区域"), [(r.code, r.name) for r in regions()])
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> JobFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return JobFilters(
            kind=data.get("kind") or "",
            division=data.get("division") or "",
            degree=data.get("degree") or "",
            specialty=data.get("specialty") or "",
            region=data.get("region") or "",
            salary_min=data.get("salary_min"),
            open_on=data.get("open_on"),
        )

    def query(self) -> str:
        return (self.cleaned_data.get("q") or "") if self.is_bound and self.is_valid() else ""


def specialty_choices() -> list[tuple[str, str]]:
    return list(SpecialtyTag.objects.filter(is_active=True).values_list("code", "name"))


class CodesField(forms.CharField):
    """Codes separated by spaces or commas (310000 320500)."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [c for c in text.replace("，", " ").replace(",", " ").split() if c]

    def prepare_value(self, value: Any) -> Any:
        return " ".join(value) if isinstance(value, list) else value


class JobPreferenceForm(BootstrapMixin, forms.Form):
    divisions = CodesField(
        label=_("希望的工作地点"),
        required=False,
        max_length=200,
        help_text=_("行政区划代码，多个用空格分隔，如 310000 320500"),
    )
    regions = CodesField(
        label=_("希望的区域"),
        required=False,
        max_length=200,
        help_text=_("战略区域代码，如 yangtze_delta（长三角）"),
    )

    def clean_regions(self) -> list[str]:
        known = {r.code for r in regions()}
        bad = [c for c in self.cleaned_data["regions"] if c not in known]
        if bad:
            raise forms.ValidationError(_("没有这个区域：%(codes)s") % {"codes": "、".join(bad)})
        return self.cleaned_data["regions"]

    kinds = forms.MultipleChoiceField(
        label=_("岗位类型"),
        required=False,
        choices=JobKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    salary_min = forms.IntegerField(label=_("期望月薪（元）"), min_value=0, required=False)
    keywords = forms.CharField(
        label=_("关键词"),
        max_length=200,
        required=False,
        help_text=_("如 大提琴 乐团 上海；推荐会参考这些词"),
    )

    def clean_divisions(self) -> list[str]:
        codes = self.cleaned_data["divisions"]
        bad = [c for c in codes if not (len(c) == 6 and c.isdigit())]
        if bad:
            raise forms.ValidationError(
                _("行政区划代码应为6位数字：%(codes)s") % {"codes": "、".join(bad)}
            )
        return codes


class JobPushForm(BootstrapMixin, forms.Form):
    graduate = forms.TypedChoiceField(label=_("推荐给"), coerce=int, choices=[])
    note = forms.CharField(label=_("推荐理由"), max_length=200, required=False)

    def __init__(self, *args: Any, graduates: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["graduate"].choices = [("", _("请选择毕业生")), *graduates]
