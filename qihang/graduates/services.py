"""Writes for graduates. Bulk roster writes live in graduates.importing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qihang.imports import bulkwrite
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, scoped
from qihang.lib.sensitive import index_of

if TYPE_CHECKING:
    from qihang.accounts.models import User
    from qihang.graduates.models import Graduate, GraduateKeyGroup


def id_number_digest(id_number: str) -> str:
    """The keyed hash under which a graduate's ID number is unique and looked up (what
    Graduate.id_number_digest computes for itself on save)."""
    from qihang.graduates.models import Graduate

    return index_of(Graduate, "id_number_digest", id_number)


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


_ROSTER_PERIOD_FIELDS = (
    "institution",
    "graduate",
    "cohort",
    "department",
    "major",
    "degree_level",
    "gender",
    "valid_from",
)


def roster_sync(
    *,
    institution_id: int,
    at: dt.datetime | None = None,
    cohort_ids: Iterable[int] | None = None,
    graduate_ids: Iterable[int] | None = None,
) -> tuple[int, int]:
    """Bring the graduates' roster periods in line with the graduates, as of `at` (now).

    The one writer of RosterPeriod: every write that adds graduates or changes a graduate's
    cohort, department, major, gender or roster status calls it in its transaction. Open
    periods that no longer match are closed at `at`; graduates who count (在册) and have no
    open period get one from `at`. Nothing is ever dated before `at`, so figures of earlier
    days stay as they were. Four statements whatever the number of graduates (more only to
    close over 5,000 at once); returns (closed, opened).
    """
    from qihang.graduates.models import Graduate, RosterPeriod, RosterStatus

    at = at or timezone.now()
    cohorts = list(cohort_ids) if cohort_ids is not None else None
    graduates = list(graduate_ids) if graduate_ids is not None else None
    stale = RosterPeriod.objects.filter(institution_id=institution_id, valid_to__isnull=True)
    if cohorts is not None:  # a transfer leaves an open period in the old cohort
        stale = stale.filter(Q(cohort_id__in=cohorts) | Q(graduate__cohort_id__in=cohorts))
    if graduates is not None:
        stale = stale.filter(graduate_id__in=graduates)
    # Ids first, then plain writes: an UPDATE or INSERT … SELECT whose subquery reads the table
    # it writes was planned, on a fresh database without statistics, as a scan of that table
    # per graduate — quadratic (100,000 graduates took ten minutes). Three simple reads and
    # two bulk writes stay linear whatever the planner knows.
    stale_ids = list(
        stale.filter(
            ~Q(graduate__roster_status=RosterStatus.ACTIVE)
            | ~Q(cohort_id=F("graduate__cohort_id"))
            | ~Q(department_id=F("graduate__department_id"))
            | ~Q(major_id=F("graduate__major_id"))
            | ~Q(gender=F("graduate__gender"))
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(stale_ids), 5000):
        RosterPeriod.objects.filter(pk__in=stale_ids[start : start + 5000]).update(valid_to=at)
    closed = len(stale_ids)

    counted = Graduate.objects.filter(
        institution_id=institution_id, roster_status=RosterStatus.ACTIVE
    )
    still_open = RosterPeriod.objects.filter(institution_id=institution_id, valid_to__isnull=True)
    if cohorts is not None:
        counted = counted.filter(cohort_id__in=cohorts)
        still_open = still_open.filter(graduate__cohort_id__in=cohorts)
    if graduates is not None:
        counted = counted.filter(pk__in=graduates)
        still_open = still_open.filter(graduate_id__in=graduates)
    have = set(still_open.values_list("graduate_id", flat=True).order_by())
    at_db = RosterPeriod._meta.get_field("valid_from").get_db_prep_save(at, connection)
    rows = [
        (institution_id, pk, cohort_id, department_id, major_id, level, gender, at_db)
        for pk, cohort_id, department_id, major_id, level, gender in counted.order_by()
        .values_list("pk", "cohort_id", "department_id", "major_id", "degree_level", "gender")
        .iterator(chunk_size=10000)
        if pk not in have
    ]
    bulkwrite.insert_rows(RosterPeriod, _ROSTER_PERIOD_FIELDS, rows)
    opened = len(rows)
    return closed, opened


@transaction.atomic
def graduate_roster_status_set(
    *,
    actor: Actor,
    graduate: Graduate,
    status: str,
    reason: str,
    on: dt.date | None,
) -> bool:
    """Record that a graduate left the cohort (延期毕业, 结业, 退学, another cohort) or is back.

    The graduate stops (or starts again) counting in the cohort's figures from now: `on` is
    the day it happened, kept with the reason, but figures of days already past never move,
    so it may not lie in the future and does not back-date anything. Returns False when the
    status is already the one asked for.
    """
    from qihang.audit.services import audit_record
    from qihang.graduates.models import Graduate, RosterStatus

    actor.require(Perm.ROSTER_IMPORT)
    graduate = scoped(Graduate, actor).select_for_update().get(pk=graduate.pk)
    if status not in RosterStatus.values:
        raise ValidationError({"status": _("未知的在册状态。")})
    reason = reason.strip()
    today = timezone.localdate()
    if status != RosterStatus.ACTIVE:
        if not reason:
            raise ValidationError({"reason": _("请填写离册原因。")})
        if on is None:
            raise ValidationError({"on": _("请填写状态日期。")})
    if on is not None and on > today:
        raise ValidationError(
            {"on": _("状态日期不能晚于今天：请在当天再记录，已过去的统计数字不会因此改变。")}
        )
    if graduate.roster_status == status and status == RosterStatus.ACTIVE:
        return False
    before = {
        "roster_status": graduate.roster_status,
        "reason": graduate.roster_status_reason,
        "on": graduate.roster_status_date.isoformat() if graduate.roster_status_date else None,
    }
    now = timezone.now()
    graduate.roster_status = status
    graduate.roster_status_reason = reason if status != RosterStatus.ACTIVE else ""
    graduate.roster_status_date = on if status != RosterStatus.ACTIVE else None
    graduate.updated_at = now
    graduate.full_clean(exclude=["id_number", "phone", "mentor", "user"])
    graduate.save(
        update_fields=["roster_status", "roster_status_reason", "roster_status_date", "updated_at"]
    )
    roster_sync(institution_id=graduate.institution_id, at=now, graduate_ids=[graduate.pk])
    audit_record(
        institution_id=actor.institution_id,
        actor_id=actor.user_id,
        action="graduate.roster_status",
        target=graduate,
        summary=_("%(graduate)s：%(status)s")
        % {"graduate": graduate, "status": RosterStatus(status).label},
        data={
            "before": before,
            "after": {
                "roster_status": status,
                "reason": reason,
                "on": on.isoformat() if on else None,
            },
        },
    )
    return True


# Roster fields a correction (生源信息核对, qihang/reporting) may change, with their labels.
CORRECTABLE_FIELDS = (
    "name",
    "gender",
    "id_number",
    "ethnicity",
    "political_status",
    "major",
    "origin_division",
    "origin_type",
)


@transaction.atomic
def graduate_roster_correct(
    *, actor: Actor, graduate: Graduate, changes: dict[str, object], reason: str
) -> dict[str, dict[str, object]]:
    """Correct a graduate's roster data on a confirmed correction request (生源信息核对).

    `changes` maps CORRECTABLE_FIELDS to clean values (a Major for "major": its department
    and degree level follow). The audit row keeps the values before and after (the ID number
    masked) and the reason: it is the roster record's history. A change of major or gender
    moves the graduate's roster period (roster_sync). Returns {"before": …, "after": …}.
    """
    from qihang.audit.services import audit_record
    from qihang.graduates.models import Graduate
    from qihang.lib.sensitive import SensitiveValue

    actor.require(Perm.REPORTING_CORRECT)
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    reason = " ".join((reason or "").split())
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写更正原因。")})
    graduate = scoped(Graduate, actor).select_for_update(of=("self",)).get(pk=graduate.pk)

    def shown(name: str) -> object:
        value = getattr(graduate, name)
        if isinstance(value, SensitiveValue):  # the audit keeps masks, never plaintext
            return value.masked
        if name == "major":
            return graduate.major.name if graduate.major_id else ""
        return getattr(graduate, name)

    before = {name: shown(name) for name in changes}
    update = ["updated_at"]
    for name, value in changes.items():
        if name == "major":
            graduate.major = value
            graduate.department_id = value.department_id
            graduate.degree_level = value.degree_level
            update += ["major", "department", "degree_level"]
        elif name in ("id_number", "ethnicity"):  # their digests follow on save
            text = str(value).upper() if name == "id_number" else str(value)
            setattr(graduate, name, Graduate._meta.get_field(name).to_python(text))
            update += [name, f"{name}_digest"]
        elif name == "origin_division":
            graduate.origin_division = str(value)
            graduate.origin_province = f"{value[:2]}0000" if value else ""
            update += ["origin_division", "origin_province"]
        else:
            setattr(graduate, name, value)
            update.append(name)
    graduate.updated_at = timezone.now()
    graduate.full_clean(
        exclude=["id_number", "ethnicity", "phone", "mentor", "user"], validate_unique=False
    )
    if "id_number" in changes and (
        Graduate.objects.filter(
            institution_id=graduate.institution_id,
            cohort_id=graduate.cohort_id,
            id_number_digest=id_number_digest(graduate.id_number.reveal_unlogged()),
        )
        .exclude(pk=graduate.pk)
        .exists()
    ):
        raise ValidationError({"id_number": _("该身份证号已属于本届另一名毕业生。")})
    graduate.save(update_fields=list(dict.fromkeys(update)))
    if {"major", "gender"} & set(changes):
        roster_sync(
            institution_id=graduate.institution_id,
            at=graduate.updated_at,
            graduate_ids=[graduate.pk],
        )
    after = {name: shown(name) for name in changes}
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="graduate.roster_correct",
        target=graduate,
        summary=_("更正%(graduate)s的生源信息：%(fields)s")
        % {"graduate": graduate, "fields": "、".join(changes)},
        data={"before": before, "after": after, "reason": reason},
    )
    return {"before": before, "after": after}


# --- key groups (重点群体): suggestions confirmed or dismissed by a person ------------------------
@transaction.atomic
def key_group_decide(
    *, actor: Actor, membership_id: int, decision: str, note: str = ""
) -> GraduateKeyGroup:
    """Take a key-group action (graduates.workflow.KEY_GROUP: confirm, dismiss, end).

    Confirming dates the membership from now (figures of earlier days do not move); ending
    closes it now. Dismissing and ending need a reason, which is sealed in the membership's
    note; the audit entry names the decision, never the kind nor the reason.
    """
    from qihang.graduates.models import GraduateKeyGroup
    from qihang.graduates.workflow import KEY_GROUP

    membership = (
        scoped(GraduateKeyGroup, actor)
        .select_for_update(of=("self",))
        .select_related("graduate")
        .get(pk=membership_id)
    )
    note = " ".join((note or "").split())[:300]
    now = timezone.now()
    changes: dict[str, object] = {"decided_at": now, "decided_by_id": actor.user_id}
    if decision == "confirm":
        changes["valid_from"] = now
    elif decision == "end":
        changes["valid_to"] = now
    if note:
        changes["note"] = membership._meta.get_field("note").to_python(note)
    KEY_GROUP.apply(
        membership,
        actor,
        decision,
        institution_id=membership.institution_id,
        reason=note,
        changes=changes,
        summary=_("%(graduate)s：重点群体记录%(action)s")
        % {"graduate": membership.graduate, "action": KEY_GROUP.action(decision).label},
        data={"membership": membership.pk},
    )
    return membership


@transaction.atomic
def key_group_add(
    *, actor: Actor, graduate: Graduate, kind_code: str, note: str = ""
) -> GraduateKeyGroup:
    """A key group staff know of that nothing suggested: confirmed at once, by them."""
    from qihang.audit.services import audit_record
    from qihang.graduates.models import (
        GraduateKeyGroup,
        KeyGroupKind,
        KeyGroupSource,
        KeyGroupStatus,
    )

    actor.require(Perm.KEYGROUP_DECIDE)
    graduate = scoped(type(graduate), actor).get(pk=graduate.pk)
    kind = KeyGroupKind.objects.filter(code=kind_code).first()
    if kind is None:
        raise ValidationError({"kind": _("没有这个重点群体类别。")})
    note = " ".join((note or "").split())[:300]
    if len(note) < 2:
        raise ValidationError({"note": _("请说明依据（如核实的材料）。")})
    open_one = GraduateKeyGroup.objects.filter(
        graduate=graduate,
        kind_digest=kind.digest,
        status__in=[KeyGroupStatus.SUGGESTED, KeyGroupStatus.CONFIRMED],
    ).first()
    if open_one is not None:
        raise ValidationError({"kind": _("该毕业生已有这一类别的记录，请在原记录上确认。")})
    now = timezone.now()
    membership = GraduateKeyGroup.objects.create(
        institution_id=graduate.institution_id,
        graduate=graduate,
        kind_digest=kind.digest,
        source=KeyGroupSource.STAFF,
        basis=_("工作人员登记"),
        note=note,
        status=KeyGroupStatus.CONFIRMED,
        suggested_at=now,
        decided_at=now,
        decided_by_id=actor.user_id,
        valid_from=now,
    )
    audit_record(
        institution_id=graduate.institution_id,
        actor_id=actor.user_id,
        action="graduate.key_group_add",
        target=graduate,
        summary=_("%(graduate)s：登记重点群体") % {"graduate": graduate},
        data={"membership": membership.pk},
    )
    return membership
