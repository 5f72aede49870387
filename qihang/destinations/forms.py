"""Forms parse what people type; the rules themselves live in destinations.rules and are
applied by the services, whose errors the views put back on these forms' fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qihang.destinations.evidence import ACCEPTED_EXTENSIONS, EvidenceUpload
from qihang.destinations.models import Destination, EvidenceKind
from qihang.destinations.rules import EMPLOYER_FIELDS, UPLOAD_KINDS, Reference
from qihang.lib.dates import IsoDateField
from qihang.regions import countries


class BootstrapForm(forms.Form):
    """Bootstrap classes on the widgets; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-errors"


class DestinationForm(BootstrapForm):
    """Report or record a destination, with an optional evidence file."""

    code = forms.ChoiceField(label=_("毕业去向"))
    employer_name = forms.CharField(label=_("单位名称"), max_length=200, required=False)
    employer_credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("18位，见单位营业执照或登记证书。"),
    )
    employer_nature = forms.ChoiceField(label=_("单位性质"), required=False)
    employer_division = forms.CharField(
        label=_("单位所在地"),
        max_length=12,
        required=False,
        help_text=_("6位行政区划代码，如 310104（上海市徐汇区）。"),
    )
    employer_country = forms.ChoiceField(
        label=_("国家/地区"),
        required=False,
        help_text=_("出国、出境必填；境内单位可不选，按单位所在地记为中国。"),
    )
    agreement_no = forms.CharField(label=_("协议书编号"), max_length=40, required=False)
    signed_on = IsoDateField(label=_("签约日期"), required=False)
    note = forms.CharField(
        label=_("备注"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed_not_internship = forms.BooleanField(
        label=_("本人确认：该单位已正式录用，不是实习、见习岗位（实习、见习证明不能作为就业证明）"),
        required=False,
    )
    evidence_kind = forms.ChoiceField(label=_("材料类型"), required=False)
    evidence_file = forms.FileField(
        label=_("证明材料"),
        required=False,
        help_text=_("PDF、JPG或PNG，不超过%(mb)s MB。"),
    )
    reason = forms.CharField(
        label=_("修改原因"),
        max_length=300,
        required=False,
        help_text=_("修改已有或已审批的记录时必填。"),
    )

    def __init__(self, *args: Any, ref: Reference, max_mb: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ref = ref
        self.fields["code"].choices = [("", _("请选择")), *ref.code_choices()]
        self.fields["employer_nature"].choices = [("", _("请选择")), *ref.nature_choices()]
        self.fields["employer_country"].choices = [("", _("请选择")), *countries.country_choices()]
        # The script disables 单位所在地 for a country that has no divisions.
        self.fields["employer_country"].widget.attrs["data-division-countries"] = " ".join(
            countries.DIVISION_COUNTRIES
        )
        self.fields["evidence_kind"].choices = [("", _("请选择"))] + [
            (k.value, k.label) for k in EvidenceKind if k in UPLOAD_KINDS
        ]
        self.fields["evidence_file"].help_text = self.fields["evidence_file"].help_text % {
            "mb": max_mb
        }
        self.fields["evidence_file"].widget.attrs["accept"] = ",".join(
            sorted(ACCEPTED_EXTENSIONS) + ["application/pdf", "image/jpeg", "image/png"]
        )
        for name in EMPLOYER_FIELDS:
            self.fields[name].widget.attrs["data-employer-field"] = name
        self.fields["code"].widget.attrs["data-destination-code"] = "1"

    @classmethod
    def initial_from(cls, destination: Destination | None) -> dict[str, Any]:
        if destination is None:
            return {}
        return {
            "code": destination.code.code,
            "employer_name": destination.employer_name,
            "employer_credit_code": destination.employer_credit_code,
            "employer_nature": destination.employer_nature.code
            if destination.employer_nature_id
            else "",
            "employer_division": destination.employer_division,
            "employer_country": str(destination.employer_country),
            "agreement_no": destination.agreement_no,
            "signed_on": destination.signed_on,
            "note": destination.note,
            "confirmed_not_internship": destination.confirmed_not_internship,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = self.ref.codes.get(data.get("code") or "")
        if code is not None and not code.carries_employer:
            # The fields are hidden for 70–72; values left in them from before are not meant.
            for name in EMPLOYER_FIELDS:
                data[name] = None if name == "signed_on" else ""
        upload, kind = data.get("evidence_file"), data.get("evidence_kind")
        if upload and not kind:
            self.add_error("evidence_kind", _("请选择材料类型。"))
        return data

    def destination_data(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data.get(k)
            for k in (
                "code",
                "employer_name",
                "employer_credit_code",
                "employer_nature",
                "employer_division",
                "employer_country",
                "agreement_no",
                "signed_on",
                "note",
                "confirmed_not_internship",
            )
        }

    def uploads(self) -> list[EvidenceUpload]:
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return []
        return [EvidenceUpload(self.cleaned_data["evidence_kind"], upload)]

    def discarded_file_name(self) -> str:
        """The file chosen for a submit that failed: browsers never refill a file input, so
        the page asks for it again by name (everything else typed is kept by the bound form)."""
        if not self.is_bound or not self.errors:
            return ""
        upload = self.files.get(self.add_prefix("evidence_file"))
        return getattr(upload, "name", "") or ""

    def apply_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (others on the form)."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                target = name if name in self.fields else None
                if name == "evidence":
                    target = "evidence_file"
                self.add_error(target, errors)
        else:
            self.add_error(None, exc.messages)
        self.mark_invalid()


class EvidenceForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("材料类型"))
    file = forms.FileField(label=_("文件"))
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown on the same page as the destination form, which has a "reason" field too:
        # ids of their own keep labels pointing at the right input.
        kwargs.setdefault("auto_id", "id_evidence_%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.value, k.label) for k in EvidenceKind if k in UPLOAD_KINDS
        ]
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(ACCEPTED_EXTENSIONS))


# What reviewers write most often when they return a record: one choice fills the reason, which
# stays editable (the choice alone is enough without JavaScript).
RETURN_REASONS = (
    _("证明材料不清晰或不完整，请重新上传"),
    _("单位名称与证明材料不一致，请核对"),
    _("统一社会信用代码有误，请按营业执照填写"),
    _("签约日期或协议书编号与协议书不一致"),
    _("毕业去向类别选择有误，请按实际情况选择"),
    _("实习、见习证明不能作为就业证明，请提供录用证明或协议"),
    _("单位所在地有误，请填写单位实际所在地"),
    _("国家/地区有误，请按单位或学校实际所在国家/地区选择"),
)


class ReturnForm(BootstrapForm):
    preset = forms.ChoiceField(label=_("常见原因"), required=False)
    reason = forms.CharField(label=_("退回原因"), max_length=300, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", _("选择常见原因，可再修改…"))] + [
            (str(reason), reason) for reason in RETURN_REASONS
        ]
        self.fields["preset"].widget.attrs["data-return-preset"] = "1"
        self.fields["preset"].widget.attrs["data-target"] = self["reason"].auto_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reason = (data.get("reason") or "").strip() or data.get("preset") or ""
        if len(reason) < 2:
            self.add_error("reason", _("请填写退回原因，说明需要更正什么。"))
        data["reason"] = reason
        return data


class PolicyForm(BootstrapForm):
    signing_codes = forms.MultipleChoiceField(
        label=_("计入签约率的毕业去向代码"), widget=forms.CheckboxSelectMultiple
    )
    registration_deadline = IsoDateField(
        label=_("去向登记截止日期"),
        required=False,
        help_text=_(
            "截止后毕业生不能再修改自己的去向；院系和辅导员仍可修改（须填写原因），"
            "其修改须经就业指导中心签批后生效；中心自己的修改须填写原因。"
        ),
    )

    def __init__(self, *args: Any, codes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signing_codes"].choices = [(c.code, f"{c.code} {c.name}") for c in codes]


class SignOffForm(BootstrapForm):
    """The career centre's sign-off of a change made after the closing date."""

    reason = forms.CharField(label=_("签批理由"), max_length=300)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 2:
            raise ValidationError(_("请填写签批理由。"))
        return reason


class EvidencePolicyForm(BootstrapForm):
    """Per top-level code, the evidence it requires here (blank: the national default), and
    the retention period. A rule is written as kinds joined by "+" (all needed), alternatives
    split by "；" (any one), or "无" (none): 营业执照；网店或店铺地址及截图+经营收入记录."""

    retention_years = forms.IntegerField(
        label=_("证明材料保存年限（毕业后，年）"),
        min_value=3,
        max_value=30,
        help_text=_("至少3年；期满后由定时任务删除文件并记入审计日志。"),
    )

    def __init__(
        self,
        *args: Any,
        codes: list[Any],
        national: dict[str, list[list[str]]],
        current: Any,
        **kwargs: Any,
    ) -> None:
        from qihang.destinations.evidence_rules import format_rule

        self.codes = codes
        self.national = national
        kwargs.setdefault("initial", {})
        kwargs["initial"]["retention_years"] = current.retention_years
        for code in codes:
            if code.code in current.required:
                kwargs["initial"][f"rule_{code.code}"] = format_rule(current.required[code.code])
        super().__init__(*args, **kwargs)
        for code in codes:
            field = forms.CharField(
                label=f"{code.code} {code.name}", required=False, max_length=300
            )
            field.widget.attrs["placeholder"] = format_rule(national.get(code.code, []))
            field.widget.attrs["class"] = "form-control"
            self.fields[f"rule_{code.code}"] = field

    def rows(self) -> list[tuple[Any, Any, str]]:
        from qihang.destinations.evidence_rules import format_rule

        return [
            (code, self[f"rule_{code.code}"], format_rule(self.national.get(code.code, [])))
            for code in self.codes
        ]

    def clean(self) -> dict[str, Any]:
        from qihang.destinations.evidence_rules import parse_rule

        data = super().clean()
        self._overrides: dict[str, list[list[str]]] = {}
        for code in self.codes:
            name = f"rule_{code.code}"
            text = (data.get(name) or "").strip()
            if not text:
                continue
            try:
                self._overrides[code.code] = parse_rule(text)
            except ValidationError as exc:
                self.add_error(name, exc)
        return data

    def overrides(self) -> dict[str, list[list[str]]]:
        return self._overrides
