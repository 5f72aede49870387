from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.lib.forms import StyledForm
from qihang.privacy.export import FORMATS
from qihang.privacy.models import Purpose


class GrantForm(StyledForm):
    """Agree to a purpose under the version of its text the page showed."""

    purpose = forms.ChoiceField(choices=Purpose.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class WithdrawForm(StyledForm):
    purpose = forms.ChoiceField(choices=Purpose.choices, widget=forms.HiddenInput)


class DownloadForm(StyledForm):
    format = forms.ChoiceField(
        label=_("格式"), choices=[(f, f) for f in FORMATS], widget=forms.HiddenInput
    )
