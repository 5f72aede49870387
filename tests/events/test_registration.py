"""Registration: eligibility, capacity, the waiting list and its automatic promotion (the
promoted graduate told), and check-in by code."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from qihang.events import services
from qihang.events.models import Event, RegistrationStatus
from qihang.institutions.services import cohort_get_or_create
from qihang.notifications.kinds import Kind
from qihang.notifications.models import Notification
from tests.events.conftest import actor_for, event_data

pytestmark = pytest.mark.django_db

S, W, C = RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED


@pytest.fixture
def small(centre, hall):
    return services.event_create(actor=centre, data=event_data(capacity=2), room=hall)


def register(graduate, event):
    return services.registration_create(actor=actor_for(graduate), event=event, graduate=graduate)


def test_seats_then_waiting_list_in_order(small, school, make_graduates):
    graduates = make_graduates(school, 4)
    statuses = [register(g, small).status for g in graduates]
    assert statuses == [S, S, W, W]
    small.refresh_from_db()
    assert small.seats_taken == 2


def test_a_cancelled_seat_goes_to_the_first_waiting_who_is_told(small, school, make_graduates):
    graduates = make_graduates(school, 4)
    regs = [register(g, small) for g in graduates]
    promoted = services.registration_cancel(actor=actor_for(graduates[0]), registration=regs[0])
    assert promoted.pk == regs[2].pk
    regs[2].refresh_from_db()
    regs[3].refresh_from_db()
    assert (regs[2].status, regs[3].status) == (S, W) and regs[2].promoted_at
    small.refresh_from_db()
    assert small.seats_taken == 2
    told = Notification.objects.get(recipient=graduates[2].user)
    assert told.kind == Kind.EVENT_PROMOTED and regs[2].code in told.body
    assert not Notification.objects.filter(recipient=graduates[3].user).exists()


def test_a_cancelled_seat_with_nobody_waiting_is_free_again(small, school, make_graduates):
    graduates = make_graduates(school, 2)
    regs = [register(g, small) for g in graduates]
    assert services.registration_cancel(actor=actor_for(graduates[1]), registration=regs[1]) is None
    small.refresh_from_db()
    assert small.seats_taken == 1
    # Registering again is a new registration with a new code.
    again = register(graduates[1], small)
    assert again.status == S and again.pk != regs[1].pk


def test_a_waiting_place_cancelled_frees_no_seat(small, school, make_graduates):
    graduates = make_graduates(school, 3)
    regs = [register(g, small) for g in graduates]
    assert services.registration_cancel(actor=actor_for(graduates[2]), registration=regs[2]) is None
    small.refresh_from_db()
    assert small.seats_taken == 2


def test_twice_is_refused(small, school):
    graduate = school.graduates[0]
    register(graduate, small)
    with pytest.raises(ValidationError, match="已报名"):
        register(graduate, small)
    small.refresh_from_db()
    assert small.seats_taken == 1


def test_the_database_refuses_more_seats_than_capacity(small):
    Event.objects.filter(pk=small.pk).update(seats_taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=small.pk).update(seats_taken=F("seats_taken") + 1)


def test_eligibility_by_cohort_degree_and_department(centre, hall, school, make_graduates):
    voice_only = services.event_create(
        actor=centre,
        data=event_data(cohort_year=2020, degree_levels=["bachelor"]),
        room=hall,
        departments=[school.departments[1]],
    )
    piano, voice = school.graduates[0], make_graduates(school, 1, major=school.majors[1])[0]
    with pytest.raises(ValidationError, match="部分院系"):
        register(piano, voice_only)
    assert register(voice, voice_only).status == S
    later = cohort_get_or_create(institution=school.institution, year=2021)
    other_cohort = make_graduates(school, 1, major=school.majors[1], prefix="c", cohort=later)[0]
    with pytest.raises(ValidationError, match="2020届"):
        register(other_cohort, voice_only)
    masters = services.event_create(
        actor=centre,
        data=event_data(
            degree_levels=["master"],
            starts_at=event_data()["ends_at"],
            ends_at=event_data()["ends_at"].replace(hour=18),
        ),
        room=hall,
    )
    with pytest.raises(ValidationError, match="硕士"):
        register(voice, masters)


def test_one_registers_only_oneself(small, school):
    with pytest.raises(PermissionDenied):
        services.registration_create(
            actor=actor_for(school.graduates[0]), event=small, graduate=school.graduates[1]
        )


def test_a_partners_graduates_register_for_a_joint_event(centre, session, paired, other_school):
    from qihang.institutions.scoping import scoped

    partner_graduate = other_school.graduates[0]
    actor = actor_for(partner_graduate)
    assert not scoped(Event, actor).filter(pk=session.pk).exists()
    services.event_share(actor=centre, event=session, partner_id=other_school.institution.pk)
    event = scoped(Event, actor).get(pk=session.pk)
    registration = services.registration_create(actor=actor, event=event, graduate=partner_graduate)
    assert registration.status == S and registration.institution_id == other_school.institution.pk
    # The holding school checks the partner's graduate in at its door.
    checked = services.registration_check_in(actor=centre, event=session, code=registration.code)
    assert checked.checked_in_at is not None


def test_check_in_by_code(small, centre, school, make_graduates):
    graduates = make_graduates(school, 3)
    regs = [register(g, small) for g in graduates]
    done = services.registration_check_in(
        actor=centre, event=small, code=f" {regs[0].code.lower()} "
    )
    assert done.checked_in_at is not None
    with pytest.raises(ValidationError, match="已于"):
        services.registration_check_in(actor=centre, event=small, code=regs[0].code)
    with pytest.raises(ValidationError, match="候补"):
        services.registration_check_in(actor=centre, event=small, code=regs[2].code)
    with pytest.raises(ValidationError, match="不是本场"):
        services.registration_check_in(actor=centre, event=small, code="ZZZZZZ")
    with pytest.raises(ValidationError, match="已签到"):
        services.registration_cancel(actor=actor_for(graduates[0]), registration=regs[0])


def test_the_funnel_counts_registered_attended_and_no_shows(small, centre, school, make_graduates):
    from django.utils import timezone

    from qihang.events import selectors

    graduates = make_graduates(school, 3)
    regs = [register(g, small) for g in graduates]
    services.registration_check_in(actor=centre, event=small, code=regs[0].code)
    event = selectors.staff_events(actor=centre).get(pk=small.pk)
    before = selectors.funnel_of(event)
    assert (before.registered, before.attended, before.no_show) == (2, 1, 0)
    after = selectors.funnel_of(event, now=small.ends_at + timezone.timedelta(minutes=1))
    assert after.no_show == 1 and after.applied is None and after.hired is None
    (row,) = [r for r in selectors.funnel_by_employer(actor=centre)] or [None]
    assert row is None  # the centre's own session has no employer


def test_the_write_path_is_short(small, school, make_graduates, django_assert_num_queries):
    """Registration is one transaction of few statements (the fair's load test depends on it)."""
    graduates = make_graduates(school, 3)
    actors = [actor_for(g) for g in graduates]  # built by the request's middleware
    for g in graduates:
        g.cohort  # noqa: B018 (selected with the graduate by the view)

    def go(i):
        return services.registration_create(actor=actors[i], event=small, graduate=graduates[i])

    # the event's departments (eligibility), savepoint, the seat UPDATE, the INSERT, the audit
    # chain head (lock, advance), the audit row, release.
    with django_assert_num_queries(8):
        assert go(0).status == S
    go(1)
    # Full: the UPDATE finds no seat, the event row is locked and the UPDATE tried once more.
    with django_assert_num_queries(10):
        assert go(2).status == W
