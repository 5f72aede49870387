import pytest
from django.db.models import Count

from qihang.destinations.models import Destination, ReviewStatus
from qihang.notifications.kinds import Kind
from qihang.notifications.models import Notification


@pytest.mark.django_db
def test_the_demo_inboxes_have_something(demo):
    returned = Destination.objects.filter(
        status=ReviewStatus.RETURNED, graduate__user__isnull=False
    ).values_list("graduate__user_id", flat=True)
    told = set(
        Notification.objects.filter(kind=Kind.DESTINATION_RETURNED).values_list(
            "recipient_id", flat=True
        )
    )
    assert set(returned) <= told and told
    assert Notification.objects.filter(kind=Kind.DESTINATION_APPROVED).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    # Career-centre staff have messages of their own, in both schools.
    by_school = dict(
        Notification.objects.filter(kind=Kind.SHARE_RECEIVED)
        .values_list("institution__code")
        .annotate(n=Count("id"))
    )
    assert set(by_school) == {"90001", "90002"}
    # History, not work: nothing waits to be sent.
    assert not Notification.objects.filter(deliveries__status="pending").exists()
