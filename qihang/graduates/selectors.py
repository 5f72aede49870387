"""Reads for the roster pages and the API: every query goes through institutions.scoping."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from qihang.graduates.models import Graduate, GraduateKeyGroup, KeyGroupKind
from qihang.institutions.models import Cohort, DegreeLevel, Department, Major
from qihang.institutions.roles import Perm
from qihang.institutions.scoping import Actor, get_scoped_or_404, scoped

# Destination review states a list can be filtered by; "none" = nothing reported yet.
STATUS_NONE = "none"


@dataclass(frozen=True)
class GraduateFilters:
    department: int | None = None
    major: int | None = None
    degree_level: str = ""
    status: str = ""
    code: str = ""
    key_group: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, params: Any) -> GraduateFilters:
        """Parse a QueryDict leniently: a value that is not understood filters nothing."""

        def as_int(name: str) -> int | None:
            try:
                return int(params.get(name, ""))
            except (TypeError, ValueError):
                return None

        degree = params.get("degree_level", "")
        return cls(
            department=as_int("department"),
            major=as_int("major"),
            degree_level=degree if degree in DegreeLevel.values else "",
            status=params.get("status", "")[:20],
            code=params.get("code", "").strip()[:4],
            key_group=as_int("key_group"),
            q=params.get("q", "").strip()[:60],
        )

    @property
    def active(self) -> bool:
        return any(
            (
                self.department,
                self.major,
                self.degree_level,
                self.status,
                self.code,
                self.key_group,
                self.q,
            )
        )


def cohorts(actor: Actor) -> list[Cohort]:
    return list(scoped(Cohort, actor).order_by("-year"))


def cohort_for(actor: Actor, year: int | str | None, available: list[Cohort]) -> Cohort | None:
    """The cohort asked for (by 届别) among `available`, else the latest one."""
    for cohort in available:
        if str(cohort.year) == str(year):
            return cohort
    return available[0] if available else None


def graduate_list(*, actor: Actor, cohort: Cohort, filters: GraduateFilters) -> QuerySet[Graduate]:
    """The actor's visible graduates of a cohort, with what the list shows joined in.

    One query per page whatever its length (plus the paginator's count).
    """
    from qihang.destinations.models import ReviewStatus

    qs = (
        scoped(Graduate, actor)
        .filter(cohort=cohort)
        .select_related("department", "major", "destination__code", "user", "mentor")
        .order_by("student_no")
    )
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.major:
        qs = qs.filter(major_id=filters.major)
    if filters.degree_level:
        qs = qs.filter(degree_level=filters.degree_level)
    if filters.status == STATUS_NONE:
        qs = qs.filter(destination__isnull=True)
    elif filters.status in ReviewStatus.values:
        qs = qs.filter(destination__status=filters.status)
    if filters.code:
        # Sub-codes (502 三支一扶) are reported under their parent (50).
        qs = qs.filter(
            Q(destination__code__code=filters.code)
            | Q(destination__code__parent__code=filters.code)
        )
    if filters.key_group and actor.has(Perm.KEYGROUP_VIEW):
        kind = KeyGroupKind.objects.filter(pk=filters.key_group).first()
        now = timezone.now()
        qs = qs.filter(
            pk__in=GraduateKeyGroup.objects.filter(
                kind_digest=kind.digest if kind else "",
                valid_from__lte=now,
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
            .values("graduate_id")
        )
    if filters.q:
        qs = qs.filter(Q(student_no__startswith=filters.q) | Q(name__contains=filters.q))
    return qs


def current_destination(graduate: Graduate) -> Any:
    """The graduate's destination record or None (the reverse one-to-one raises when absent)."""
    return getattr(graduate, "destination", None)


def graduate_detail(*, actor: Actor, graduate_id: int) -> Graduate:
    return get_scoped_or_404(
        Graduate.objects.select_related(
            "cohort", "department", "major", "mentor", "user", "destination__code"
        ),
        actor,
        pk=graduate_id,
    )


@dataclass
class KeyGroupRow:
    membership: GraduateKeyGroup
    kind: KeyGroupKind | None  # None: a kind no longer in the reference data


def key_groups_of(*, actor: Actor, graduate: Graduate) -> list[KeyGroupRow]:
    """The graduate's key-group memberships, open ones first (suggested, then confirmed), in
    the kinds' order; [] without Perm.KEYGROUP_VIEW. Two queries. The caller logs the read."""
    if not actor.has(Perm.KEYGROUP_VIEW):
        return []
    kinds = {kind.digest: kind for kind in KeyGroupKind.objects.all()}
    rows = [
        KeyGroupRow(m, kinds.get(m.kind_digest))
        for m in scoped(GraduateKeyGroup, actor)
        .filter(graduate=graduate)
        .select_related("decided_by")
    ]
    rank = {"suggested": 0, "confirmed": 1, "dismissed": 2, "ended": 3}
    rows.sort(
        key=lambda r: (
            rank.get(r.membership.status, 9),
            r.kind.sort_order if r.kind else 999,
            -r.membership.pk,
        )
    )
    return rows


def graduates_by_ids(*, actor: Actor, ids: list[int]) -> QuerySet[Graduate]:
    return scoped(Graduate, actor).filter(pk__in=ids)


@dataclass
class FilterOptions:
    departments: list[Department]
    majors: list[Major]
    key_groups: list[KeyGroupKind]
    codes: list[Any]  # DestinationCode rows of the cohort's code set, top level only


def filter_options(actor: Actor, cohort: Cohort) -> FilterOptions:
    """The choices the list's filters offer, limited to what the actor may see. Four queries."""
    return FilterOptions(
        departments=list(scoped(Department, actor)),
        majors=list(scoped(Major, actor).select_related("department")),
        key_groups=list(KeyGroupKind.objects.all()) if actor.has(Perm.KEYGROUP_VIEW) else [],
        codes=destination_codes(cohort),
    )


def destination_codes(cohort: Cohort) -> list[Any]:
    """Top-level destination codes of the set the cohort uses (without creating its policy)."""
    from qihang.destinations.models import CodeSet, CohortPolicy, DestinationCode

    code_set_id = (
        CohortPolicy.objects.filter(cohort=cohort).values_list("code_set_id", flat=True).first()
    )
    codes = DestinationCode.objects.filter(parent__isnull=True)
    if code_set_id is not None:
        return list(codes.filter(code_set_id=code_set_id).order_by("sort_order"))
    latest = (
        CodeSet.objects.filter(effective_from__lte=datetime.date(cohort.year, 12, 31))
        .order_by("-effective_from")
        .values("pk")[:1]
    )
    return list(codes.filter(code_set__in=latest).order_by("sort_order"))
