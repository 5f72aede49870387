"""Forms of the event pages: the employer's request, the centre's own event, a room, a
booth, a decision's reason and a check-in code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qihang.events.models import Event, EventKind, Room
from qihang.events.services import EDIT_FIELDS, EVENT_FIELDS, ROOM_FIELDS
from qihang.institutions.models import DegreeLevel, Department, Institution
from qihang.lib.forms import style
from qihang.ventures.models import Park


def _style(form: forms.BaseForm) -> None:
    # Checkboxes keep the look the event forms give them in their templates.
    style(
        form,
        skip=tuple(n for n, f in form.fields.items() if isinstance(f.widget, forms.CheckboxInput)),
    )


class _When(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", attrs={"step": 1800})


class EventForm(forms.ModelForm):
    """The fields an event has, whoever makes it (EVENT_FIELDS plus its room)."""

    class Meta:
        model = Event
        fields = [f for f in EVENT_FIELDS if f not in ("cohort_year", "degree_levels")] + ["room"]
        widgets = {
            "starts_at": _When(),
            "ends_at": _When(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, rooms: QuerySet[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].required = False
        self.fields["room"].help_text = _("线上宣讲会不需要场地。")
        self.fields["room"].label_from_instance = lambda r: f"{r.name}（{r.seats} 座）"
        self.fields["online_link"].help_text = _("线上宣讲会的直播或会议链接。")
        _style(self)

    def event_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in EVENT_FIELDS if f in self.cleaned_data}


class RequestForm(EventForm):
    """An employer's request: at one institution where it is verified; no fairs."""

    institution = forms.ModelChoiceField(label=_("学校"), queryset=Institution.objects.none())

    field_order = ["institution", "kind"]

    def __init__(
        self, *args: Any, rooms: QuerySet[Room], institutions: QuerySet[Institution], **kwargs: Any
    ) -> None:
        super().__init__(*args, rooms=rooms, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].widget.attrs["class"] = "form-select"
        self.fields["kind"].choices = [
            (k, label)
            for k, label in EventKind.choices
            if k not in (EventKind.JOB_FAIR, EventKind.FOUNDERS)
        ]
        self.fields["room"].label_from_instance = lambda r: (
            f"{r.institution.short_name or r.institution.name} · {r.name}（{r.seats} 座）"
        )


class StaffEventForm(EventForm):
    cohort_year = forms.IntegerField(
        label=_("面向届别"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("留空表示不限。"),
    )
    degree_levels = forms.MultipleChoiceField(
        label=_("面向学历"),
        choices=DegreeLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限。"),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("面向院系"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限；只限制本校毕业生。"),
    )
    employer = forms.ModelChoiceField(
        label=_("用人单位"), queryset=None, required=False, help_text=_("双选会可不填。")
    )
    park = forms.ModelChoiceField(
        label=_("文创园区"),
        queryset=Park.objects.none(),
        required=False,
        help_text=_("仅创业活动：在园区举办时可不选场地。"),
    )

    field_order = ["kind", "title", "description", "room", "park"]

    def __init__(
        self,
        *args: Any,
        rooms: QuerySet[Room],
        departments: QuerySet[Department],
        employers: QuerySet,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, rooms=rooms, **kwargs)
        self.fields["departments"].queryset = departments
        self.fields["employer"].queryset = employers
        self.fields["employer"].widget.attrs["class"] = "form-select"
        self.fields["park"].queryset = Park.objects.filter(is_active=True)
        self.fields["park"].label_from_instance = lambda p: f"{p.city}·{p.district} · {p.name}"
        self.fields["park"].widget.attrs["class"] = "form-select"
        self.fields["cohort_year"].widget.attrs["class"] = "form-control"


class EventEditForm(forms.Form):
    """The centre's edit of an event (EDIT_FIELDS and the departments): kind, room, park and
    employer stay. Capacity below the seats already taken is refused here, with the number
    (events.services.event_update refuses it again under the event's lock)."""

    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(
        label=_("介绍"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_When())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_When())
    capacity = forms.IntegerField(label=_("名额"), min_value=1)
    online_link = forms.URLField(label=_("线上链接"), required=False, max_length=200)
    cohort_year = StaffEventForm.base_fields["cohort_year"]
    degree_levels = StaffEventForm.base_fields["degree_levels"]
    departments = StaffEventForm.base_fields["departments"]

    def __init__(
        self, *args: Any, event: Event, departments: QuerySet[Department], **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {f: getattr(event, f) for f in EDIT_FIELDS}
            | {"departments": [d.pk for d in event.departments.all()]},
        )
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["departments"].queryset = departments
        _style(self)

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity < self.event.seats_taken:
            raise forms.ValidationError(
                _("名额不能少于已报名人数（%(seats)s）。"), params={"seats": self.event.seats_taken}
            )
        return capacity

    def event_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in EDIT_FIELDS}
        data["description"] = data["description"] or ""
        data["online_link"] = data["online_link"] or ""
        return data


class CancelOnBehalfForm(forms.Form):
    reason = forms.CharField(label=_("理由"), min_length=2, max_length=300)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = list(ROOM_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("签到码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-uppercase",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
            }
        ),
    )
