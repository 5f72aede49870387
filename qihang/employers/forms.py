from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from qihang.accounts.forms import BootstrapMixin
from qihang.employers import selectors
from qihang.employers.models import Alumnus, Contact, Employer, Interaction
from qihang.employers.reference import INDUSTRIES
from qihang.employers.selectors import normalise_phone
from qihang.institutions.models import Department, Institution
from qihang.lib.dates import IsoDateField
from qihang.lib.validators import FieldError, credit_code, division_code


def _nature_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(n.code, f"{n.code} {n.name}") for n in selectors.employer_natures()]


INDUSTRY_CHOICES = [("", "—")] + [(code, f"{code} {name}") for code, name in INDUSTRIES]


class ProfileFields(BootstrapMixin, forms.Form):
    """The organisation's profile: registration and the portal's edit form."""

    name = forms.CharField(label=_("单位名称"), max_length=200)
    nature_code = forms.ChoiceField(label=_("单位性质"), choices=[])
    industry_code = forms.ChoiceField(label=_("行业"), choices=INDUSTRY_CHOICES, required=False)
    division = forms.CharField(
        label=_("所在地"),
        max_length=20,
        help_text=_("6位行政区划代码，如310104，或完整名称，如上海市徐汇区。"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=60)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)
    contact_email = forms.EmailField(label=_("联系邮箱"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nature_code"].choices = _nature_choices()

    def clean_division(self) -> str:
        try:
            return division_code(self.cleaned_data["division"])
        except FieldError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_contact_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["contact_phone"])
        if not 7 <= len(phone) <= 15:
            raise forms.ValidationError(_("请填写有效的电话号码。"))
        return phone


class RegistrationForm(ProfileFields):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    licence = forms.FileField(
        label=_("营业执照或法人证书"),
        required=False,
        help_text=_("PDF、JPG或PNG，不超过10 MB。"),
    )
    institution = forms.ModelChoiceField(
        label=_("首先申请的学校"), queryset=Institution.objects.order_by("code")
    )
    account_name = forms.CharField(label=_("您的姓名"), max_length=100)
    title = forms.CharField(label=_("您的职务"), max_length=60, required=False)
    account_email = forms.EmailField(label=_("登录邮箱"), help_text=_("之后用这个邮箱登录。"))
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = [
        "name",
        "credit_code",
        "nature_code",
        "industry_code",
        "division",
        "address",
        "contact_name",
        "contact_phone",
        "contact_email",
        "licence",
        "institution",
        "account_name",
        "title",
        "account_email",
        "password",
        "password2",
    ]

    def clean_credit_code(self) -> str:
        try:
            return credit_code(self.cleaned_data["credit_code"])
        except FieldError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ProfileForm(ProfileFields):
    website = forms.URLField(label=_("网站"), required=False)
    description = forms.CharField(
        label=_("单位简介"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    licence = forms.FileField(
        label=_("更换营业执照"),
        required=False,
        help_text=_("更换后，已认证的学校将重新审核。"),
    )

    @classmethod
    def for_employer(cls, employer: Employer, data: Any = None, files: Any = None) -> ProfileForm:
        initial = {f: getattr(employer, f) for f in cls.base_fields if hasattr(employer, f)}
        return cls(data, files, initial=initial)


class InviteForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    email = forms.EmailField(label=_("电子邮箱"))
    title = forms.CharField(label=_("职务"), max_length=60, required=False)


class DecisionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=300, required=False)


class CreditForm(BootstrapMixin, forms.Form):
    channel = forms.ModelChoiceField(label=_("渠道"), queryset=None, required=False)
    credited_to = forms.ModelChoiceField(label=_("引荐人"), queryset=None, required=False)
    credited_department = forms.ModelChoiceField(label=_("所属院系"), queryset=None, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        from qihang.employers.models import Channel
        from qihang.institutions.scoping import scoped

        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(is_active=True)
        self.fields["credited_to"].queryset = selectors.staff_choices(actor)
        self.fields["credited_to"].label_from_instance = lambda u: u.display_name or u.username
        self.fields["credited_department"].queryset = scoped(Department, actor).filter(
            institution_id=actor.institution_id
        )


class ContactForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "note"]


class InteractionForm(BootstrapMixin, forms.ModelForm):
    happened_on = IsoDateField(label=_("日期"))

    class Meta:
        model = Interaction
        fields = ["kind", "happened_on", "notes", "next_step"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class AlumnusForm(BootstrapMixin, forms.ModelForm):
    employer = forms.ModelChoiceField(label=_("现工作单位"), queryset=None, required=False)

    class Meta:
        model = Alumnus
        fields = [
            "employer",
            "organisation",
            "position",
            "city",
            "leads_employer",
            "willing_to_mentor",
            "willing_to_recruit",
            "contact_consent",
            "note",
        ]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        from qihang.institutions.scoping import scoped

        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = scoped(Employer, actor).order_by("name")
        self.fields["city"].help_text = _("6位行政区划代码，如320500。")

    def clean_city(self) -> str:
        value = self.cleaned_data.get("city") or ""
        if not value:
            return ""
        try:
            return division_code(value)
        except FieldError as exc:
            raise forms.ValidationError(exc.message) from None
