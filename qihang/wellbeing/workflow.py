"""The referral workflow: received → contacted → in support → closed (reopened when the graduate
asks again). Only psychological counsellors act; what they note is sealed in ReferralNote, so
the audit rows carry no reasons (`private_reasons`)."""

from django.utils.translation import gettext_lazy as _

from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow
from qihang.wellbeing.models import ReferralStatus as S

REFERRAL = Workflow(
    "referral",
    field="status",
    private_reasons=True,
    actions=[
        Action(
            "contact",
            _("已联系"),
            {S.RECEIVED},
            S.CONTACTED,
            Perm.WELLBEING_CASES,
            audit="wellbeing.referral_contact",
            style="primary",
        ),
        Action(
            "support",
            _("进入跟进支持"),
            {S.RECEIVED, S.CONTACTED},
            S.IN_SUPPORT,
            Perm.WELLBEING_CASES,
            audit="wellbeing.referral_support",
            style="outline-primary",
        ),
        Action(
            "close",
            _("结案"),
            {S.RECEIVED, S.CONTACTED, S.IN_SUPPORT},
            S.CLOSED,
            Perm.WELLBEING_CASES,
            audit="wellbeing.referral_close",
            needs_reason=True,
            style="outline-secondary",
        ),
        Action(
            "reopen",
            _("重新打开"),
            {S.CLOSED},
            S.IN_SUPPORT,
            Perm.WELLBEING_CASES,
            audit="wellbeing.referral_reopen",
            needs_reason=True,
        ),
    ],
)
