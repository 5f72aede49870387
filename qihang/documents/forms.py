from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.documents.models import DOSSIER_FIELDS, Dossier, Recommendation, RecommendationLevel
from qihang.lib.dates import IsoDateInput


class RecommendationApplyForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["intentions", "self_assessment", "honours"]
        widgets = {
            "self_assessment": forms.Textarea(attrs={"rows": 6}),
            "honours": forms.Textarea(attrs={"rows": 4}),
        }


class AssessForm(forms.Form):
    department_comments = forms.CharField(
        label=_("院系评议"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    level = forms.ChoiceField(label=_("推荐意见"), choices=RecommendationLevel.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class DossierForm(forms.ModelForm):
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)

    class Meta:
        model = Dossier
        fields = list(DOSSIER_FIELDS)
        widgets = {"report_card_issued_on": IsoDateInput()}
