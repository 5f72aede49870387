"""Forms of the guidance pages: a course, a lecture with its recording, a material, the
attendance code, a teacher's attendance entry, and feedback."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qihang.guidance.models import Course, Lecture
from qihang.guidance.services import COURSE_FIELDS, LECTURE_FIELDS


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [*COURSE_FIELDS, "department", "teacher"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(
        self, *args: Any, departments: QuerySet, teachers: QuerySet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].help_text = _("不选则面向全校。")
        self.fields["teacher"].queryset = teachers
        self.fields["teacher_name"].help_text = _("校外嘉宾填写姓名和单位；本校教师可从下方选择。")
        self.fields["cohort_year"].help_text = _("不填则面向所有届别。")
        _style(self)

    def course_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in COURSE_FIELDS}


class _When(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class LectureForm(forms.ModelForm):
    video_link = forms.URLField(
        label=_("视频链接"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("哔哩哔哩、优酷、腾讯视频等平台的 https 链接。"),
    )
    video = forms.FileField(
        label=_("上传录像"), required=False, help_text=_("MP4或WebM，链接和上传二选一。")
    )

    class Meta:
        model = Lecture
        fields = list(LECTURE_FIELDS)
        widgets = {"held_at": _When()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["attendance_code"].help_text = _("上课时公布，毕业生输入后登记听课。")
        _style(self)

    def lecture_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f) for f in LECTURE_FIELDS}


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    file = forms.FileField(label=_("PDF文件"), required=False)
    url = forms.URLField(label=_("或链接"), required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class AttendCodeForm(forms.Form):
    code = forms.CharField(
        label=_("签到码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control text-uppercase",
                "autocomplete": "off",
                "autocapitalize": "characters",
            }
        ),
    )


class MarkForm(forms.Form):
    student_no = forms.CharField(label=_("学号"), max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


RATINGS = [(n, "★" * n) for n in range(5, 0, -1)]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见和建议"), required=False, max_length=1000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
