from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qihang.accounts.models import User
from qihang.accounts.services import STAFF_ROLES
from qihang.institutions.models import Department, Institution, Membership, MembershipInvitation
from qihang.institutions.roles import Role
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.forms import StyledForm


class BootstrapMixin:
    """Give widgets Bootstrap's classes, so templates render fields with one include
    ("accounts/_field.html") and no per-field markup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class InstitutionCodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Institution) -> str:
        return f"{obj.name}（{obj.code}）"


class LoginForm(BootstrapMixin, forms.Form):
    institution = InstitutionCodeField(
        label=_("学校"),
        queryset=Institution.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("（一般不需要选择）"),
        help_text=_("只有当您的学号在多所学校都存在时才需要选择。"),
    )
    # Named "username" because django-axes counts failures per this form field.
    username = forms.CharField(
        label=_("学号或邮箱"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("学号/邮箱或密码不正确。如果您的学号在多所学校都存在，请同时选择学校。"),
        "inactive": _("该账号已停用或尚未分配到任何学校，请联系学校就业指导中心。"),
    }

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if not username or not password:
            return cleaned
        institution = cleaned.get("institution")
        user = authenticate(
            self.request,
            username=username,
            password=password,
            institution=institution.code if institution else "",
        )
        if user is None:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        # Someone whose only open business is an invitation may sign in to answer it; an
        # employer's account signs in to its portal (or to wait for its administrator).
        if (
            not user.is_platform_admin
            and not Membership.objects.filter(user=user)
            .filter(Q(is_active=True) | Q(invitation=MembershipInvitation.PENDING))
            .exists()
            and not user.employer_memberships.filter(
                Q(is_active=True) | Q(join_request="pending")
            ).exists()
        ):
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        self.user_cache = user
        return cleaned


class PasswordResetRequestForm(BootstrapMixin, forms.Form):
    institution = InstitutionCodeField(
        label=_("学校"),
        queryset=Institution.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("（一般不需要选择）"),
    )
    username = forms.CharField(label=_("学号或邮箱"), max_length=150)


class StaffForm(BootstrapMixin, forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=100)
    email = forms.EmailField(
        label=_("电子邮箱"), help_text=_("邀请链接发到这个地址，之后也用它登录。")
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=[(r.value, r.label) for r in STAFF_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("负责院系"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("仅“院系就业工作人员”需要选择，他们只能看到这些院系的毕业生。"),
    )
    title = forms.CharField(label=_("职务"), max_length=60, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = scoped(Department, actor)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        if Role.DEPARTMENT_STAFF in roles and not cleaned.get("departments"):
            self.add_error("departments", _("院系就业工作人员至少要负责一个院系。"))
        if Role.DEPARTMENT_STAFF not in roles:
            cleaned["departments"] = []
        return cleaned


class StaffEditForm(StaffForm):
    """The same fields without the e-mail: it is how the person signs in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["email"]


class ApiTokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=60,
        help_text=_("写明用途，例如“就业统计报表脚本”，便于日后识别和吊销。"),
    )


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(BootstrapMixin, auth_forms.SetPasswordForm):
    pass


class TotpCodeForm(StyledForm):
    """A six-digit code from an authenticator app (spaces between digits are allowed)."""

    code = forms.CharField(
        label=_("动态验证码"),
        max_length=12,
        help_text=_(
            "打开手机上的验证器（如 Microsoft Authenticator、Google 身份验证器），输入“启航”的 6 位数字。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("请输入 6 位数字。"))
        return code


class TotpRebindForm(TotpCodeForm):
    """Binding a new authenticator: a code of the current one, then one of the new one."""

    current_code = forms.CharField(
        label=_("当前验证器的验证码"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    field_order = ["current_code", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("新验证器显示的验证码")
        self.fields["code"].help_text = ""
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["current_code"].widget.attrs["autofocus"] = True

    def clean_current_code(self) -> str:
        code = "".join(self.cleaned_data["current_code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("请输入 6 位数字。"))
        return code
