from __future__ import annotations

from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from qihang.resumes.models import Resume
from qihang.resumes.sections import Section
from qihang.resumes.services import PROFILE_FIELDS


def row_form(section: Section, data=None) -> forms.ModelForm:
    """The add-a-row form of a section, from its field list."""
    form_class = modelform_factory(
        section.model,
        fields=section.fields,
        widgets={"date": forms.DateInput(attrs={"type": "date"})},
    )
    form = form_class(data, prefix=section.key)
    if section.key == "media":
        form.fields["url"].required = True
        form.fields["url"].help_text = _(
            "https 链接：哔哩哔哩、优酷、QQ音乐、网易云音乐、YouTube、Vimeo、SoundCloud 等"
        )
    return form


ProfileForm = modelform_factory(
    Resume, fields=PROFILE_FIELDS, widgets={"summary": forms.Textarea(attrs={"rows": 4})}
)


class PdfForm(forms.Form):
    pdf = forms.FileField(label=_("PDF简历"))


class MediaUploadForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    file = forms.FileField(label=_("录音或录像文件"), help_text=_("MP3、M4A、MP4、WAV、OGG或WebM"))
