"""The outbox: written in the causing transaction, delivered after commit, exactly once."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from qihang.notifications.channels import FileBackend
from qihang.notifications.delivery import deliver_notifications, digests_send
from qihang.notifications.kinds import Channel, Kind, Mode
from qihang.notifications.models import Delivery, DeliveryStatus, Notification, Preference
from qihang.notifications.services import notify, preferences_update

pytestmark = pytest.mark.django_db


def send(school, user=None, kind=Kind.DESTINATION_RETURNED, **extra):
    return notify(
        recipients=[user or school.graduate_user],
        kind=kind,
        subject=extra.pop("subject", "去向被退回"),
        body=extra.pop("body", "请更正：{link}"),
        link="/destinations/mine/",
        institution_id=school.institution.pk,
        **extra,
    )


def statuses(notification):
    return dict(notification.deliveries.values_list("channel", "status"))


def test_the_row_is_written_now_and_the_mail_leaves_after_commit(school, committed):
    with committed() as callbacks:
        (notification,) = send(school)
        # Written in the caller's transaction, nothing sent yet.
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school.graduate_user.email]
    assert message.subject == "去向被退回"
    assert message.body == "请更正：http://127.0.0.1:8000/destinations/mine/"
    assert statuses(notification) == {
        "email": DeliveryStatus.SENT,
        "sms": DeliveryStatus.SENT,
        "wechat": DeliveryStatus.SENT,
    }
    assert notification.deliveries.get(channel="email").sent_at is not None


def test_a_rolled_back_change_leaves_no_row_and_sends_nothing(school, committed):
    with committed() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send(school)
            raise RuntimeError("the change fails")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_delivery_goes_through_the_task(school, committed):
    with mock.patch("qihang.notifications.services.deliver") as task, committed():
        (notification,) = send(school)
    task.enqueue.assert_called_once_with([notification.pk])


def test_a_retried_task_never_sends_twice(school, committed):
    with committed():
        (notification,) = send(school)
    assert len(mail.outbox) == 1
    assert deliver_notifications([notification.pk]) == 0
    assert len(mail.outbox) == 1
    assert notification.deliveries.get(channel="email").attempts == 1


def test_a_failed_send_is_kept_and_retried(school, committed):
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=OSError("server down"),
        ),
        committed(),
    ):
        (notification,) = send(school)
    email = notification.deliveries.get(channel="email")
    assert (email.status, email.attempts, email.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "server down",
    )
    assert mail.outbox == []
    assert deliver_notifications([notification.pk]) == 1  # the e-mail only: the rest went
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 2)


def test_sms_and_wechat_write_json_lines_to_the_file_outbox(school, committed, message_outbox):
    with committed():
        (notification,) = send(school)
    sms = [json.loads(line) for line in (message_outbox / "sms.jsonl").read_text().splitlines()]
    wechat = [
        json.loads(line) for line in (message_outbox / "wechat.jsonl").read_text().splitlines()
    ]
    assert [(m["to"], m["notification"], m["subject"]) for m in sms] == [
        ("13812345678", notification.pk, "去向被退回")
    ]
    assert sms[0]["body"] == "请更正：http://127.0.0.1:8000/destinations/mine/"
    assert [(m["channel"], m["to"]) for m in wechat] == [
        ("wechat", f"user:{school.graduate_user.pk}")
    ]


def test_a_channel_that_is_off_is_skipped(school, settings, committed, message_outbox):
    settings.QIHANG_SMS_BACKEND = ""
    with committed():
        (notification,) = send(school)
    assert statuses(notification)["sms"] == DeliveryStatus.SKIPPED
    assert not (message_outbox / "sms.jsonl").exists()


def test_no_phone_means_no_sms(school, committed, message_outbox):
    with committed():
        (notification,) = send(school, user=school.centre)  # staff: no roster phone
    sms = notification.deliveries.get(channel=Channel.SMS)
    assert (sms.status, sms.last_error) == (DeliveryStatus.SKIPPED, "no address")


def test_the_phone_is_never_logged(school, committed, caplog):
    with (
        mock.patch.object(FileBackend, "send", side_effect=OSError("disk full")),
        committed(),
    ):
        send(school)
    assert "disk full" in caplog.text
    assert "13812345678" not in caplog.text


# --- Preferences -----------------------------------------------------------------------------
def test_off_keeps_the_row_read_and_sends_nothing(school, committed):
    preferences_update(user=school.graduate_user, modes={Kind.DESTINATION_RETURNED: Mode.OFF})
    with committed() as callbacks:
        (notification,) = send(school)
    assert callbacks == []
    assert notification.read_at is not None
    assert set(statuses(notification).values()) == {DeliveryStatus.SKIPPED}
    assert mail.outbox == []


def test_digest_waits_for_the_days_e_mail(school, committed):
    preferences_update(user=school.graduate_user, modes={Kind.DESTINATION_RETURNED: Mode.DIGEST})
    with committed() as callbacks:
        (notification,) = send(school)
    assert callbacks == []
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert (email.status, email.digest) == (DeliveryStatus.PENDING, True)
    # SMS and WeChat are for what cannot wait: a digest is an e-mail.
    assert statuses(notification)["sms"] == DeliveryStatus.SKIPPED


def test_account_links_cannot_be_turned_off(school, committed):
    preferences_update(user=school.centre, modes={Kind.SET_PASSWORD: Mode.OFF})
    with committed():
        (notification,) = send(school, user=school.centre, kind=Kind.SET_PASSWORD)
    assert notification.mode == Mode.INSTANT
    assert len(mail.outbox) == 1


def test_choosing_the_default_removes_the_row(school):
    user = school.graduate_user
    preferences_update(user=user, modes={Kind.SHARE_RECEIVED: Mode.INSTANT})
    preferences_update(user=user, modes={Kind.SHARE_RECEIVED: Mode.DIGEST})  # its default
    assert not Preference.objects.filter(user=user).exists()


# --- Digests -----------------------------------------------------------------------------------
def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def test_one_digest_per_person_for_the_day_and_only_once(school, committed):
    day = dt.date(2020, 6, 1)
    for user in (school.graduate_user, school.centre):
        preferences_update(user=user, modes={Kind.JOB_PUBLISHED: Mode.DIGEST})
    rows = []
    for user, subject, hour in (
        (school.graduate_user, "岗位甲", 9),
        (school.graduate_user, "岗位乙", 23),
        (school.centre, "岗位丙", 12),
        (school.graduate_user, "次日岗位", 24),  # the next day: not in this digest
    ):
        (n,) = send(school, user=user, kind=Kind.JOB_PUBLISHED, subject=subject, body="详情")
        Notification.objects.filter(pk=n.pk).update(
            created_at=at(day, hour) if hour < 24 else at(day + dt.timedelta(days=1), 8)
        )
        rows.append(n)
    assert digests_send(day=day) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [school.graduate_user.email, school.centre.email]
    )
    mine = next(m for m in mail.outbox if m.to == [school.graduate_user.email])
    assert mine.subject == "【启航】2020-06-01 通知汇总（2 条）"
    assert mine.body.index("岗位甲") < mine.body.index("岗位乙")
    assert "次日岗位" not in mine.body
    assert "http://127.0.0.1:8000/destinations/mine/" in mine.body
    # Running it again for the same day sends nothing.
    assert digests_send(day=day) == 0
    assert len(mail.outbox) == 2
    assert rows[3].deliveries.get(channel="email").status == DeliveryStatus.PENDING


def test_send_digests_command(school, capsys):
    preferences_update(user=school.centre, modes={Kind.JOB_PUBLISHED: Mode.DIGEST})
    (n,) = send(school, user=school.centre, kind=Kind.JOB_PUBLISHED, subject="岗位", body="x")
    Notification.objects.filter(pk=n.pk).update(created_at=at(dt.date(2020, 6, 2), 10))
    call_command("send_digests", "--date", "2020-06-02")
    assert "2020-06-02：已发送1封通知汇总邮件。" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_send_digests_task(school):
    from qihang.notifications.tasks import send_digests

    preferences_update(user=school.centre, modes={Kind.JOB_PUBLISHED: Mode.DIGEST})
    (n,) = send(school, user=school.centre, kind=Kind.JOB_PUBLISHED, subject="岗位", body="x")
    Notification.objects.filter(pk=n.pk).update(created_at=at(dt.date(2020, 6, 3), 10))
    result = send_digests.enqueue("2020-06-03")
    assert result.return_value == 1


def test_write_uses_constant_queries(school, django_assert_num_queries):
    users = [school.centre, school.dept_staff, school.teacher, school.leader]
    # preferences, insert notifications, insert deliveries (inside the test's transaction the
    # service opens no savepoint of its own)
    with django_assert_num_queries(3):
        notify(
            recipients=users,
            kind=Kind.JOB_HELD,
            subject="s",
            body="b",
            institution_id=school.institution.pk,
        )
    assert Delivery.objects.count() == 8  # e-mail and WeChat each


def test_recipients_by_id_each_once(school):
    rows = notify(
        recipients=[school.centre.pk, school.centre, None, 999_999],
        kind=Kind.JOB_HELD,
        subject="s",
        body="b",
        institution_id=school.institution.pk,
    )
    assert [n.recipient_id for n in rows] == [school.centre.pk]
    assert rows[0].email_to == school.centre.email


def test_nothing_is_sent_to_an_inactive_account(school, committed):
    school.centre.is_active = False
    school.centre.save(update_fields=["is_active"])
    with committed() as callbacks:
        (notification,) = send(school, user=school.centre, kind=Kind.JOB_HELD)
    assert callbacks == []
    assert set(statuses(notification).values()) == {DeliveryStatus.SKIPPED}
