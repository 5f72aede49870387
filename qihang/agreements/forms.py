from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.agreements.models import AgreementStatus
from qihang.employers.selectors import employer_natures
from qihang.lib.forms import StyledForm


class TermsForm(StyledForm):
    """The terms an employer offers (the service checks them again: agreements.services)."""

    position = forms.CharField(label=_("岗位"), max_length=100)
    employer_nature = forms.ChoiceField(label=_("单位性质"))
    work_division = forms.CharField(
        label=_("工作地点（行政区划代码）"),
        max_length=20,
        help_text=_("6位行政区划代码，如310104（上海市徐汇区）。"),
    )
    monthly_salary = forms.IntegerField(
        label=_("月薪（元，选填）"), required=False, min_value=1, max_value=1_000_000
    )
    term = forms.CharField(label=_("服务期/合同期限（选填）"), required=False, max_length=60)
    terms = forms.CharField(
        label=_("其他约定（选填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer_nature"].choices = [
            (n.code, f"{n.code} {n.name}") for n in employer_natures()
        ]


class OfferForm(TermsForm):
    application = forms.ChoiceField(label=_("毕业生（来自本单位收到的申请）"))
    field_order = ["application"]

    def __init__(self, *args, applications=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            (
                str(a.pk),
                f"{a.graduate.name} · {a.graduate.institution.name} · {a.job.title}"
                f"（{a.get_status_display()}）",
            )
            for a in applications
        ]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), max_length=300)


class PolicyForm(StyledForm):
    max_cancellations = forms.IntegerField(
        label=_("每名毕业生可解约次数"),
        required=False,
        min_value=0,
        max_value=10,
        help_text=_("留空表示不限次数。"),
    )


class FilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部"))] + list(AgreementStatus.choices),
    )
    q = forms.CharField(label=_("学号、姓名、单位或编号"), required=False, max_length=60)
