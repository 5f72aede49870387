from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.lib.forms import StyledForm, style
from qihang.wellbeing.models import Support

SCALE = [(n, str(n)) for n in range(1, 6)]


class CheckInForm(forms.Form):
    stress = forms.TypedChoiceField(
        label=_("最近一周的压力（1 很轻松 — 5 压力很大）"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
    )
    sleep = forms.TypedChoiceField(
        label=_("最近一周的睡眠（1 很差 — 5 很好）"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
    )
    support = forms.ChoiceField(
        label=_("希望得到的支持"), choices=Support.choices, initial=Support.NONE
    )
    note = forms.CharField(
        label=_("想说的话（可不填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.BooleanField(label=_("请心理老师联系我"), required=False)
    anonymous = forms.BooleanField(
        label=_("匿名提交（只计入人数，老师无法联系你）"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self, skip=("stress", "sleep"))

    def clean(self):
        data = super().clean()
        if data.get("contact") and data.get("anonymous"):
            self.add_error("anonymous", _("请求联系时不能匿名：老师需要知道联系谁。"))
        return data


class NoteForm(StyledForm):
    text = forms.CharField(
        label=_("记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PolicyForm(StyledForm):
    stress_at_least = forms.TypedChoiceField(label=_("压力达到（含）"), choices=SCALE, coerce=int)
    sleep_at_most = forms.TypedChoiceField(label=_("睡眠不高于（含）"), choices=SCALE, coerce=int)
