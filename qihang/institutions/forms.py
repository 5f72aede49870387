from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.accounts.forms import BootstrapMixin


class InstitutionForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("学校代码"),
        max_length=10,
        help_text=_("国家标准学校代码，一般为5位数字，例如 10278。"),
    )
    name = forms.CharField(label=_("学校名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
