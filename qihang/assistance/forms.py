from django import forms
from django.utils.translation import gettext_lazy as _

from qihang.assistance.models import (
    ContactMode,
    Programme,
    ProgrammeStatus,
    SubsidyStatus,
)
from qihang.lib.dates import IsoDateField
from qihang.lib.forms import StyledForm


class FileForm(StyledForm):
    situation = forms.CharField(
        label=_("家庭与个人情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.CharField(
        label=_("就业需求与困难"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_on = IsoDateField(label=_("本人同意帮扶日期"), required=False)
    goals = forms.CharField(
        label=_("帮扶目标"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measures = forms.CharField(
        label=_("帮扶措施"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mentor = forms.TypedChoiceField(
        label=_("帮扶责任人"), required=False, coerce=int, empty_value=None
    )
    leader = forms.TypedChoiceField(
        label=_("结对领导（一帮一）"), required=False, coerce=int, empty_value=None
    )
    plan_due_on = IsoDateField(label=_("计划完成时限"), required=False)
    follow_up_days = forms.IntegerField(
        label=_("跟进周期（天）"), min_value=1, max_value=90, initial=14
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(u.pk, str(u)) for u in staff]
        self.fields["mentor"].choices = choices
        self.fields["leader"].choices = choices


class StepForm(StyledForm):
    text = forms.CharField(label=_("措施"), max_length=500)
    due_on = IsoDateField(label=_("时限"))


class FollowUpForm(StyledForm):
    on = IsoDateField(label=_("日期"))
    mode = forms.ChoiceField(label=_("方式"), choices=ContactMode.choices)
    discussed = forms.CharField(
        label=_("沟通内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=_("下一步"), required=False, max_length=500)
    next_on = IsoDateField(label=_("下次跟进日期"), required=False)


class ProgrammeForm(StyledForm):
    programme = forms.ChoiceField(label=_("项目"), choices=Programme.choices)
    status = forms.ChoiceField(label=_("状态"), choices=ProgrammeStatus.choices)
    applied_on = IsoDateField(label=_("报名日期"), required=False)
    outcome_on = IsoDateField(label=_("结果日期"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class SubsidyForm(StyledForm):
    status = forms.ChoiceField(label=_("状态"), choices=SubsidyStatus.choices)
    applied_on = IsoDateField(label=_("申请日期"), required=False)
    decided_on = IsoDateField(label=_("审核日期"), required=False)
    amount = forms.DecimalField(
        label=_("金额（元）"), required=False, max_digits=8, decimal_places=2
    )
    paid_on = IsoDateField(label=_("发放日期"), required=False)
    bank_account = forms.CharField(label=_("银行卡号（加密保存）"), required=False, max_length=30)
