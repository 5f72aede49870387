"""Info sessions and job fairs (宣讲会, 双选会): the institution's rooms, events held in them or
online, employers' booths at a fair, room bookings, and graduates' registrations.

A founders' event (创业活动: a roadshow, a park visit, an incubator open day) may name one of the
cultural-creative parks of qihang.ventures and be held there, with no room of the institution.
The dependency points one way: events → ventures.Park (platform-wide reference data, below
the events); ventures' models, selectors and services never import events. The ventures pages
read the founders' events through events.selectors.founders_events, never these models.

Two invariants are the database's, not the code's:
- a room is never double-booked (RoomBooking: one row per room and fixed slot, unique);
- a event's seats are never more than its capacity (Event: a CHECK `seats_taken <= capacity`,
  and registration takes a seat with a conditional UPDATE of that counter).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.employers.models import Employer
from qihang.graduates.models import Graduate
from qihang.institutions.models import Department, TenantModel
from qihang.institutions.scoping import ALL, NONE, Scope

# Rooms are booked in fixed slots of this length; events start and end on slot boundaries.
SLOT_MINUTES = 30


class EventKind(models.TextChoices):
    INFO_SESSION = "info_session", _("宣讲会")
    JOB_FAIR = "job_fair", _("双选会")
    ONLINE = "online", _("线上宣讲会")
    FOUNDERS = "founders", _("创业活动")


class EventStatus(models.TextChoices):
    REQUESTED = "requested", _("待审核")
    APPROVED = "approved", _("已通过")
    DECLINED = "declined", _("未通过")
    CANCELLED = "cancelled", _("已取消")


class Room(TenantModel):
    """One of the institution's venues (演奏厅, 报告厅 …): data the career centre edits."""

    name = models.CharField(_("场地名称"), max_length=60)
    location = models.CharField(_("位置"), max_length=120, blank=True, default="")
    seats = models.PositiveIntegerField(_("座位数"))
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("可预约"), default=True)

    # Staff of the institution read the rooms; graduates and employers only through an event.
    scope = Scope(department=ALL, mentor=ALL, own=NONE)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="room_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Event(TenantModel):
    """An info session, a job fair or an online session held by one institution.

    An employer's info session is requested by the employer (status requested) and approved
    or declined by the career centre (events.workflow); a fair is the centre's own, with
    employers' booths. Shared with the paired institution (institutions.Share), its graduates
    may register too (a joint event).

    Eligibility: `cohort_year` (None: any), `degree_levels` (empty: any) and `departments`
    (empty: any; departments are the holding institution's, so they narrow only its own
    graduates — a partner's graduates are eligible by cohort and degree).
    """

    kind = models.CharField(_("类型"), max_length=14, choices=EventKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("介绍"), blank=True, default="")
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("用人单位"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EventStatus.choices, default=EventStatus.REQUESTED
    )
    # RESTRICT: a room with events is not deleted on its own, but goes with its institution.
    room = models.ForeignKey(
        Room,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="events",
        verbose_name=_("场地"),
    )
    # A founders' event only: the park it is held at or about (ventures' reference data).
    park = models.ForeignKey(
        "ventures.Park",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("文创园区"),
    )
    online_link = models.URLField(_("线上链接"), blank=True, default="")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    # Seats taken by registrations (a counter: registration takes one with a conditional
    # UPDATE, and the CHECK below makes overbooking impossible whatever the code does).
    seats_taken = models.PositiveIntegerField(_("已报名"), default=0)
    cohort_year = models.PositiveSmallIntegerField(_("面向届别"), null=True, blank=True)
    degree_levels = models.JSONField(_("面向学历"), default=list, blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("面向院系")
    )
    decline_reason = models.CharField(_("未通过理由"), max_length=300, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    # Everyone at the institution (and at a partner it is shared with) may see an event; which
    # states and which events each person sees is the selectors' business.
    scope = Scope(department=ALL, mentor=ALL, own=ALL, employer="employer", shared=True)

    class Meta:
        verbose_name = _("宣讲会/双选会")
        verbose_name_plural = _("宣讲会/双选会")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")),
                name="event_seats_within_capacity",
                violation_error_message=_("名额不能少于已报名人数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("结束时间须晚于开始时间。"),
            ),
            # An online session has a link and no room; a founders' event is held in a room or
            # at its park; the others have a room.
            models.CheckConstraint(
                condition=(models.Q(kind="online") & models.Q(room__isnull=True))
                | (
                    models.Q(kind="founders")
                    & (models.Q(room__isnull=False) | models.Q(park__isnull=False))
                )
                | (~models.Q(kind__in=["online", "founders"]) & models.Q(room__isnull=False)),
                name="event_room_unless_online",
                violation_error_message=_(
                    "线上宣讲会不选场地；创业活动须选择场地或园区；其他活动须选择场地。"
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(park__isnull=True) | models.Q(kind="founders"),
                name="event_park_only_founders",
                violation_error_message=_("只有创业活动可以关联文创园区。"),
            ),
        ]
        indexes = [models.Index(fields=["institution", "status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return self.kind == EventKind.ONLINE

    @property
    def is_founders(self) -> bool:
        return self.kind == EventKind.FOUNDERS

    @property
    def place(self) -> str:
        """Where it is held, in words: the room, the park, or online."""
        if self.is_online:
            return str(_("线上"))
        if self.room_id:
            return self.room.name
        return self.park.name if self.park_id else ""

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def degree_labels(self) -> str:
        from qihang.institutions.models import DegreeLevel

        labels = dict(DegreeLevel.choices)
        return "、".join(str(labels.get(d, d)) for d in self.degree_levels or [])


class RoomBooking(TenantModel):
    """One room taken for one fixed slot (SLOT_MINUTES) by one approved event.

    Why fixed slots with a unique constraint, not an ExclusionConstraint on time ranges: the
    unique index on (room, slot_start) is the same plain B-tree constraint on PostgreSQL and
    SQLite, so the guarantee and its test hold on both databases the project runs on. An
    ExclusionConstraint (btree_gist over tstzrange) exists only on PostgreSQL; SQLite would
    need hand-written triggers, a second mechanism to keep in step. The price is that events
    start and end on slot boundaries, which is how the centre books its halls anyway.

    Rows are written when the centre approves an event (events.services) and deleted when it is
    cancelled; a request holds no room.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="bookings")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="bookings")
    slot_start = models.DateTimeField()

    scope = Scope(department=ALL, mentor=ALL)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "slot_start"], name="room_booking_one_event_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id} @ {self.slot_start:%Y-%m-%d %H:%M}"


def slots_of(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.datetime]:
    """The fixed slots an event from `starts_at` to `ends_at` occupies."""
    step = dt.timedelta(minutes=SLOT_MINUTES)
    slots = []
    current = starts_at
    while current < ends_at:
        slots.append(current)
        current += step
    return slots


class Booth(TenantModel):
    """An employer's booth at a job fair (展位), placed by the career centre."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booths")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="booths")
    label = models.CharField(_("展位号"), max_length=20, blank=True, default="")

    scope = Scope(department=ALL, mentor=ALL, own=ALL, employer="employer")

    class Meta:
        verbose_name = _("展位")
        verbose_name_plural = _("展位")
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "employer"], name="booth_one_per_employer"),
        ]

    def __str__(self) -> str:
        return self.label or str(self.employer_id)


class RegistrationStatus(models.TextChoices):
    SEATED = "seated", _("已报名")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")


LIVE_STATUSES = (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED)


class Registration(TenantModel):
    """A graduate's place at an event: a seat, or a place on its waiting list (in order of
    `created_at`, then id), with a short check-in code (and its QR code on the ticket).

    `institution` is the graduate's own; the holding institution of a shared event reads it
    too (`tenant` below), so its staff check the partner's graduates in at the door.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RegistrationStatus.choices)
    code = models.CharField(_("签到码"), max_length=8)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope(
        department="graduate__department",
        mentor="graduate__mentor",
        own="graduate__user",
        tenant=("institution", "event__institution"),
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        constraints = [
            # One live registration per graduate and event (cancelled ones stay as history).
            models.UniqueConstraint(
                fields=["event", "graduate"],
                condition=models.Q(status__in=["seated", "waitlisted"]),
                name="registration_one_live_per_graduate",
            ),
            models.UniqueConstraint(fields=["event", "code"], name="registration_unique_code"),
            # Only a seat is checked in.
            models.CheckConstraint(
                condition=models.Q(checked_in_at__isnull=True) | models.Q(status="seated"),
                name="registration_checked_in_only_seated",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.graduate_id} · {self.code}"
