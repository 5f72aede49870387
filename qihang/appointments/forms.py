from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.appointments.models import AppointmentType
from qihang.lib.dates import IsoDateField

WEEKDAYS = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]


class _TypeField(forms.ModelChoiceField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            queryset=AppointmentType.objects.filter(is_active=True),
            to_field_name="code",
            label=_("咨询类型"),
            **kwargs,
        )


class SlotForm(forms.Form):
    """One slot, at a local date and time of the institution's zone."""

    type = _TypeField()
    day = IsoDateField(label=_("日期"))
    start = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=10, max_value=240, initial=30)
    location = forms.CharField(label=_("地点或链接"), max_length=200, required=False)


class WeeklyForm(forms.Form):
    type = _TypeField()
    weekday = forms.TypedChoiceField(label=_("星期"), choices=WEEKDAYS, coerce=int)
    start = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=10, max_value=240, initial=30)
    count = forms.IntegerField(label=_("连续时段数"), min_value=1, max_value=8, initial=2)
    first_day = IsoDateField(label=_("起始日期"), initial=dt.date.today)
    weeks = forms.IntegerField(label=_("持续周数"), min_value=1, max_value=26, initial=4)
    location = forms.CharField(label=_("地点或链接"), max_length=200, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("咨询记录"), widget=forms.Textarea(attrs={"rows": 4}))
    sensitive = forms.BooleanField(label=_("含敏感信息（查看将被记录）"), required=False)


class PolicyForm(forms.Form):
    time_zone = forms.CharField(label=_("时区"), max_length=60)
    cancel_cutoff_hours = forms.IntegerField(
        label=_("最晚取消（开始前小时数）"), min_value=0, max_value=336
    )


class AdviserForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("称谓"), max_length=60, required=False)
    department = forms.IntegerField(required=False, widget=forms.HiddenInput)
    types = forms.ModelMultipleChoiceField(
        queryset=AppointmentType.objects.filter(is_active=True),
        to_field_name="code",
        label=_("咨询类型"),
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("在岗"), required=False, initial=True)
