from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.lib.dates import IsoDateField
from qihang.lib.forms import StyledForm
from qihang.reporting import corrections
from qihang.reporting.models import RunScope

FORMAT_CHOICES = [("xlsx", "xlsx"), ("csv", "csv")]


class ExportForm(StyledForm):
    extent = forms.ChoiceField(label=_("范围"), choices=RunScope.choices, initial=RunScope.CHANGED)
    fmt = forms.ChoiceField(label=_("文件格式"), choices=FORMAT_CHOICES, initial="xlsx")


class ReasonedExportForm(ExportForm):
    reason = forms.CharField(label=_("事由"), max_length=300)


class ReturnedImportForm(StyledForm):
    file = forms.FileField(label=_("主管部门退回名单（xlsx 或 csv）"))


class WindowForm(StyledForm):
    closes_on = IsoDateField(label=_("截止日期"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class RefuseForm(StyledForm):
    reason = forms.CharField(label=_("理由"), max_length=300)


class ConfirmForm(StyledForm):
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class CorrectionForm(StyledForm):
    what = forms.ChoiceField(label=_("更正项目"), choices=corrections.choices)
    value = forms.CharField(label=_("更正为"), max_length=200, required=False)
    major = forms.IntegerField(label=_("专业"), required=False)
    reason = forms.CharField(
        label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def target_field(self) -> tuple[str, str]:
        target, field = self.cleaned_data["what"].split(":", 1)
        return target, field

    def requested(self) -> str:
        _target, field = self.target_field()
        if field == "major":
            return str(self.cleaned_data.get("major") or "")
        return self.cleaned_data.get("value") or ""
