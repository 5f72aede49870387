from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.applications.models import InterviewKind


class ApplyForm(forms.Form):
    note = forms.CharField(
        label=_("求职信（选填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("简要介绍你的专业方向、演出或教学经历，以及为什么适合这个岗位。"),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("留言"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InviteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("考核方式"),
        choices=InterviewKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    at = forms.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    link = forms.URLField(label=_("线上链接"), required=False, assume_scheme="https")
    note = forms.CharField(label=_("说明（选填）"), required=False, max_length=500)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("place") and not data.get("link"):
            raise forms.ValidationError(_("请填写地点或线上链接。"))
        return data


class OfferForm(forms.Form):
    offer_note = forms.CharField(
        label=_("录用说明（岗位、报到时间、待遇等）"), required=False, max_length=500
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("未录用原因"), min_length=2, max_length=300)


class PolicyForm(forms.Form):
    remind_after_days = forms.IntegerField(
        label=_("申请等待几天未答复时提醒单位"), min_value=1, max_value=60
    )
