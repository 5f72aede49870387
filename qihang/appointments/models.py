"""Appointments with advisers: career consultation, résumé review, mock audition or interview,
entrepreneurship guidance (AppointmentType, reference data loaded from
data/appointment_types.json).

Psychological support is NOT booked here: it belongs to the wellbeing service, whose
confidentiality rules differ; no appointment type of this app may stand in for it.

Who advises is the career centre's decision (an Adviser row); advisers publish Slots (one-off,
or a weekly pattern expanded into slots, in the institution's time zone from AppointmentPolicy);
a graduate of the same institution books a slot (Appointment) and may cancel until the
institution's cut-off.

No double booking, guaranteed by the database on PostgreSQL and SQLite alike:

- two graduates in one slot: a partial unique index on Appointment(slot) over the rows that are
  not cancelled (`appointment_one_live_booking_per_slot`). Both databases enforce it, also
  between concurrent transactions: the second insert waits for the first and then fails.
- an adviser's overlapping slots: on PostgreSQL an exclusion constraint
  `EXCLUDE USING gist (adviser_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (NOT
  withdrawn)` (btree_gist); SQLite has no exclusion constraints, so there two triggers
  (before insert, before update) abort a write whose range meets a live slot of the same
  adviser. SQLite serialises writers, so the trigger's check cannot race. Both are installed by
  migration 0002 (`slot_no_overlap`), and `ends_at > starts_at` is a check constraint.
  Datetimes are aware and stored in UTC on both, so the trigger's text comparison orders them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import ALL, NONE, Scope

OVERLAP_CONSTRAINT = "slot_no_overlap"


class AppointmentType(models.Model):
    """Reference data (versioned): what one may book an adviser for."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    minutes = models.PositiveSmallIntegerField(_("默认时长（分钟）"), default=30)
    sort_order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("咨询类型")
        verbose_name_plural = _("咨询类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class AppointmentPolicy(TenantModel):
    """The institution's rules: its time zone and how late a graduate may cancel."""

    time_zone = models.CharField(_("时区"), max_length=60, default=settings.TIME_ZONE)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("最晚取消（开始前小时数）"), default=24
    )

    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("预约规则")
        verbose_name_plural = _("预约规则")
        constraints = [
            models.UniqueConstraint(fields=["institution"], name="appointment_policy_one")
        ]


class Adviser(TenantModel):
    """A person the centre lets advise: career-centre staff, a counsellor or a teacher.

    With a department, the adviser serves that department's graduates (and sees only their
    appointments); without, the whole institution's."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "institutions.Department",
        verbose_name=_("服务院系"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    title = models.CharField(_("称谓"), max_length=60, blank=True, default="")
    types = models.ManyToManyField(AppointmentType, verbose_name=_("咨询类型"), related_name="+")
    is_active = models.BooleanField(_("在岗"), default=True)

    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("咨询师")
        verbose_name_plural = _("咨询师")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="adviser_one_per_user")
        ]

    def __str__(self) -> str:
        name = self.user.display_name or self.user.username
        return f"{name}（{self.title}）" if self.title else name


class Slot(TenantModel):
    """A bookable time of one adviser for one type. Withdrawn slots stay for the record."""

    adviser = models.ForeignKey(Adviser, on_delete=models.RESTRICT, related_name="slots")
    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    location = models.CharField(_("地点或链接"), max_length=200, blank=True, default="")
    withdrawn = models.BooleanField(_("已撤回"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("可预约时段")
        verbose_name_plural = _("可预约时段")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["institution", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
            # slot_no_overlap: installed by migration 0002 (see the module docstring).
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.starts_at:%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已到场")
    NO_SHOW = "no_show", _("未到场")


class Appointment(TenantModel):
    slot = models.ForeignKey(Slot, on_delete=models.RESTRICT, related_name="appointments")
    graduate = models.ForeignKey(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="appointments"
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    topic = models.CharField(_("想咨询的问题"), max_length=300, blank=True, default="")
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    # Department staff: their departments' graduates; a teacher: the appointments they advise;
    # a graduate: their own. Advisers' notes are a model of their own (AdviserNote).
    scope = Scope(
        department="graduate__department", mentor="slot__adviser__user", own="graduate__user"
    )

    class Meta:
        verbose_name = _("咨询预约")
        verbose_name_plural = _("咨询预约")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=~models.Q(status="cancelled"),
                name="appointment_one_live_booking_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.graduate.name}"


class AdviserNote(TenantModel):
    """An adviser's notes on an appointment: advisers only (never the graduate, nor
    counsellors of other departments); a read of sensitive notes is logged (SensitiveRead)."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="note")
    text = models.TextField(_("咨询记录"))
    sensitive = models.BooleanField(_("含敏感信息"), default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Graduates see none; the adviser rule on top is appointments.selectors.notes_readable.
    scope = Scope(
        department="appointment__graduate__department",
        mentor="appointment__slot__adviser__user",
        own=NONE,
    )

    class Meta:
        verbose_name = _("咨询师记录")
        verbose_name_plural = _("咨询师记录")
