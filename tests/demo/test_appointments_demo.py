import pytest
from django.db.models import Count

from qihang.appointments.models import AdviserNote, Appointment, AppointmentStatus, Slot

pytestmark = pytest.mark.django_db


def test_the_demo_has_advisers_slots_bookings_and_notes(demo, client_for):
    for code in ("90001", "90002"):
        slots = Slot.objects.filter(institution__code=code)
        assert slots.values("adviser").distinct().count() >= 3
        statuses = dict(
            Appointment.objects.filter(institution__code=code)
            .values_list("status")
            .annotate(n=Count("id"))
        )
        assert {AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED} <= set(statuses)
        assert statuses.get(AppointmentStatus.NO_SHOW)
    assert AdviserNote.objects.filter(sensitive=True).exists()
    assert AdviserNote.objects.filter(sensitive=False).exists()
    # Every note is on an attended appointment, and every booking is by a graduate of the school.
    assert not AdviserNote.objects.exclude(appointment__status=AppointmentStatus.ATTENDED).exists()
    assert not Appointment.objects.exclude(graduate__institution=models_institution()).exists()


def models_institution():
    from django.db.models import F

    return F("institution")


def test_the_demo_has_the_three_founders_projects(demo):
    from qihang.ventures.models import Project
    from qihang.ventures.selectors import matches

    names = set(Project.objects.filter(institution__code="90001").values_list("name", flat=True))
    assert names == {"小音符音乐教育工作室", "声浪阿卡贝拉厂牌", "回声录音棚"}
    for project in Project.objects.all():
        assert project.members.count() >= 2
        assert matches(project)
