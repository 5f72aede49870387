from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.accounts.forms import BootstrapMixin

# Sensitive fields a person may unmask on the detail page, with how the button names them.
REVEALABLE_FIELDS: dict[str, Any] = {
    "id_number": _("身份证号"),
    "ethnicity": _("民族"),
    "phone": _("手机号码"),
}


class RevealForm(BootstrapMixin, forms.Form):
    field = forms.ChoiceField(choices=list(REVEALABLE_FIELDS.items()), widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("查看事由"),
        min_length=2,
        max_length=300,
        help_text=_("例如：核对三方协议信息。查看记录（人、时间、事由）会被保存并可审计。"),
        error_messages={
            "required": _("请填写查看事由。"),
            "min_length": _("请写明具体的查看事由。"),
        },
    )


class MentorAssignForm(forms.Form):
    """Bulk or single: the graduates come as repeated `graduates` values."""

    graduates = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    mentor = forms.TypedChoiceField(
        label=_("导师/辅导员"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
    )

    def __init__(self, *args: Any, teachers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", _("（取消导师）"))] + [
            (t.pk, str(t)) for t in teachers
        ]
        # Any integer is accepted here; the service narrows ids to what the actor may see.
        self.fields["graduates"].valid_value = lambda value: str(value).isdigit()  # type: ignore[method-assign]
        self.fields["graduates"].error_messages["required"] = _("请先勾选毕业生。")


class ExportForm(forms.Form):
    """What an export from the list writes: which records, in which layout and format."""

    what = forms.ChoiceField(
        label=_("内容"),
        choices=[("roster", _("生源信息")), ("destinations", _("毕业去向"))],
        initial="roster",
        required=False,
    )
    layout = forms.ChoiceField(
        label=_("格式"),
        choices=[
            ("school", _("本校格式（名称）")),
            ("national", _("国家就业系统格式（标准代码）")),
        ],
        initial="school",
        required=False,
    )
    format = forms.ChoiceField(
        label=_("文件类型"),
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)")],
        initial="xlsx",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # An empty or missing choice means the default, so a bare link exports.
        for name in ("what", "layout", "format"):
            if name in self.fields:
                data[name] = data.get(name) or self.fields[name].initial
        return data


class UnmaskedExportForm(BootstrapMixin, ExportForm):
    """An unmasked roster export: the layout and format, and why it is needed."""

    what = None  # type: ignore[assignment]  # only the roster carries masked values
    reason = forms.CharField(
        label=_("导出事由"),
        min_length=2,
        max_length=300,
        help_text=_(
            "例如：向省就业系统报送生源信息。导出的每名毕业生都会记入敏感信息查看记录（人、时间、事由）。"
        ),
        error_messages={
            "required": _("请填写导出事由。"),
            "min_length": _("请写明具体的导出事由。"),
        },
    )


class RosterStatusForm(BootstrapMixin, forms.Form):
    """Leaving the cohort (or coming back): graduates.services.graduate_roster_status_set."""

    status = forms.ChoiceField(label=_("在册状态"), choices=())
    reason = forms.CharField(
        label=_("状态原因"),
        max_length=200,
        required=False,
        help_text=_("离册时必填，例如：本人申请退学、学分未修满。"),
    )
    on = forms.DateField(
        label=_("状态日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        # ISO values: what a browser's date input reads in every language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from qihang.graduates.models import RosterStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = RosterStatus.choices
