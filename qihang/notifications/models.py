"""The outbox: one Notification per recipient and message, one Delivery per channel.

Rows are personal: a person reads their own (selectors filter by recipient), so like API
tokens they declare no `scope`. `institution` says which institution sent the message (null
only for a platform administrator's own set-password mail, who may belong to none).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.notifications.kinds import Channel, Kind, Mode


class Notification(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    mode = models.CharField(_("发送方式"), max_length=10, choices=Mode.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    link = models.CharField(_("链接"), max_length=500, blank=True, default="")
    # The address the e-mail goes to, chosen when the message was written (a graduate without
    # an account e-mail gets the roster's); empty: no e-mail.
    email_to = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(_("时间"), db_default=models.functions.Now())
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # The inbox (unread first, newest first) and the navigation's unread count.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.subject


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class Delivery(models.Model):
    """One channel's attempt to carry a notification. A task claims a row (pending/failed →
    sending) with one conditional UPDATE before sending, so a retried or doubled task never
    sends twice; a row left in "sending" by a crash is not sent again automatically."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    digest = models.BooleanField(default=False)  # waits for the day's digest e-mail
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["channel", "status"],
                condition=models.Q(digest=True, status="pending"),
                name="delivery_digest_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class Preference(models.Model):
    """A person's choice for one kind; without a row the kind's default applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.mode}"
