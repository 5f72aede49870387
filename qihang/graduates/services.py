"""Writes for graduates. Bulk roster writes live in graduates.importing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.crypto import blind_index

if TYPE_CHECKING:
    from qihang.accounts.models import User


def id_number_digest(id_number: str) -> str:
    """The keyed hash under which a graduate's ID number is unique and looked up."""
    return blind_index(id_number.upper(), "graduate.id_number")


@transaction.atomic
def graduate_mentor_assign(
    *, actor: Actor, graduate_ids: Sequence[int], mentor: User | None
) -> int:
    """Name `mentor` (a teacher of the institution) as mentor of the graduates, or clear it.

    Graduates the actor may not see are ignored (department staff: their departments only).
    Returns how many graduates changed.
    """
    from qihang.accounts.selectors import teachers
    from qihang.audit.services import audit_record
    from qihang.graduates.models import Graduate

    actor.require(Perm.MENTOR_ASSIGN)
    if mentor is not None and mentor.pk not in {t.pk for t in teachers(actor)}:
        raise ValidationError({"mentor": _("只能指定本校在岗的导师/辅导员。")})
    targets = scoped(Graduate, actor).filter(pk__in=list(graduate_ids))
    if mentor is None:
        targets = targets.filter(mentor__isnull=False)
    else:
        targets = targets.exclude(mentor=mentor)
    changed = list(targets.values_list("pk", flat=True))
    if not changed:
        return 0
    Graduate.objects.filter(pk__in=changed).update(mentor=mentor, updated_at=timezone.now())
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="graduate.mentor_assign" if mentor else "graduate.mentor_clear",
        target=mentor,
        summary=_("为 %(n)s 名毕业生%(what)s")
        % {
            "n": len(changed),
            "what": _("指定导师 %(m)s") % {"m": mentor} if mentor else _("取消导师"),
        },
        data={"graduates": changed[:1000], "mentor": mentor.pk if mentor else None},
    )
    return len(changed)
