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
