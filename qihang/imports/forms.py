"""The upload form of the import pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihang.imports.models import ImportKind
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv")
KIND_PERMISSIONS = {
    ImportKind.ROSTER: Perm.ROSTER_IMPORT,
    ImportKind.DESTINATIONS: Perm.DESTINATION_IMPORT,
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), widget=forms.RadioSelect)
    cohort_year = forms.IntegerField(
        label=_("届别"),
        min_value=1990,
        max_value=2100,
        help_text=_("文件中的“届别”列须与此一致。"),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel（.xlsx）或 CSV（UTF-8 或 GB18030 编码）；第1行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
    )
    create_missing = forms.BooleanField(
        label=_("自动创建院系和专业"),
        required=False,
        help_text=_("仅用于生源信息：文件中出现、系统里还没有的院系和专业将被创建。"),
    )
    dry_run = forms.BooleanField(
        label=_("只校验，不写入"),
        required=False,
        help_text=_("检查文件中的所有错误，但不保存任何数据。"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("cohort_year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        choices = [(k.value, k.label) for k in ImportKind if actor.has(KIND_PERMISSIONS[k])]
        self.fields["kind"].choices = choices
        if choices:
            self.fields["kind"].initial = choices[0][0]
        self.max_bytes = settings.QIHANG_MAX_IMPORT_BYTES
        self.fields["file"].help_text = _(
            "Excel（.xlsx）或 CSV（UTF-8 或 GB18030 编码）；第1行为表头；不超过 %(size)s。"
        ) % {"size": filesizeformat(self.max_bytes)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("不支持“%(suffix)s”文件，请上传 .xlsx 或 .csv 文件。")
                % {"suffix": suffix or _("无扩展名")}
            )
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("文件大小 %(size)s 超过上限 %(limit)s。")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(self.max_bytes)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        return upload
