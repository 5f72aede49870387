"""The key-group membership workflow (graduates.GraduateKeyGroup), as one table.

A suggestion is confirmed (it counts from now) or dismissed (with a reason); a confirmed one
may be ended (with a reason; it stops counting from now). Reasons may name the very hardship
they are about, so the audit row records only that one was given (`private_reasons`); the text
is sealed in the membership's `note`.
"""

from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import KeyGroupStatus as S
from qihang.institutions.roles import Perm
from qihang.lib.workflow import Action, Workflow

KEY_GROUP = Workflow(
    "key_group",
    field="status",
    private_reasons=True,
    actions=[
        Action(
            "confirm",
            _("确认"),
            {S.SUGGESTED},
            S.CONFIRMED,
            Perm.KEYGROUP_DECIDE,
            audit="graduate.key_group_confirm",
            style="success",
        ),
        Action(
            "dismiss",
            _("不属于"),
            {S.SUGGESTED},
            S.DISMISSED,
            Perm.KEYGROUP_DECIDE,
            audit="graduate.key_group_dismiss",
            needs_reason=True,
        ),
        Action(
            "end",
            _("撤销"),
            {S.CONFIRMED},
            S.ENDED,
            Perm.KEYGROUP_DECIDE,
            audit="graduate.key_group_end",
            needs_reason=True,
            style="outline-danger",
        ),
    ],
)
