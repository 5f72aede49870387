from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.documents.models import DOSSIER_FIELDS, Dossier, Recommendation, RecommendationLevel
from qihang.lib.dates import IsoDateInput
from qihang.lib.forms import StyledForm, style


class RecommendationApplyForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["intentions", "self_assessment", "honours"]
        widgets = {
            "self_assessment": forms.Textarea(attrs={"rows": 6}),
            "honours": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class AssessForm(StyledForm):
    department_comments = forms.CharField(
        label=_("院系评议"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    level = forms.ChoiceField(label=_("推荐意见"), choices=RecommendationLevel.choices)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("理由"), max_length=200)


class DossierForm(forms.ModelForm):
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)

    class Meta:
        model = Dossier
        fields = list(DOSSIER_FIELDS)
        widgets = {"report_card_issued_on": IsoDateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
