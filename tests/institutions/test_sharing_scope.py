"""Scoping of employer actors and of objects one institution shares with a paired one."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qihang.audit.models import AuditEvent
from qihang.employers.models import Employer, EmployerStanding
from qihang.institutions.models import Pairing, Share
from qihang.institutions.scoping import build_actor, scoped
from qihang.institutions.services import share_create, share_revoke
from qihang.jobs.models import Job
from tests.factories import make_employer, make_job, make_user


@pytest.fixture
def paired(school, other_school):
    first, second = sorted([school.institution, other_school.institution], key=lambda i: i.pk)
    Pairing.objects.create(first=first, second=second, starts_on=dt.date(2020, 4, 1))
    return school, other_school


@pytest.fixture
def orchestra(school):
    user = make_user("orchestra-admin")
    employer = make_employer("上海交响乐团", serial=1, institution=school.institution, user=user)
    return employer, user


def centre_actor(s):
    return build_actor(s.centre, s.institution.pk)


@pytest.mark.django_db
def test_an_employer_actor_sees_its_own_rows_at_every_institution(school, other_school, orchestra):
    employer, user = orchestra
    own_here = make_job(employer, school.institution)
    own_there = make_job(employer, other_school.institution)
    rival = make_employer("别家乐团", serial=2, institution=school.institution)
    make_job(rival, school.institution)
    actor = build_actor(user, None)
    assert actor.is_employer and actor.employer_id == employer.pk
    assert actor.institution_id is None
    assert set(scoped(Job, actor)) == {own_here, own_there}
    assert list(scoped(Employer, actor)) == [employer]
    assert set(scoped(EmployerStanding, actor)) == set(employer.standings.all())
    # Models that declare no employer rule show an employer nothing.
    from qihang.graduates.models import Graduate

    assert not scoped(Graduate, actor).exists()


@pytest.mark.django_db
def test_an_institution_holds_employers_with_a_standing_there(school, other_school, orchestra):
    employer, _user = orchestra
    assert list(scoped(Employer, centre_actor(school))) == [employer]
    assert not scoped(Employer, centre_actor(other_school)).exists()
    # A standing at both does not show the employer twice.
    EmployerStanding.objects.create(institution=other_school.institution, employer=employer)
    EmployerStanding.objects.create(
        institution=school.institution, employer=make_employer("x", serial=3)
    )
    assert scoped(Employer, centre_actor(school)).count() == 2


@pytest.mark.django_db
def test_sharing_shows_the_object_to_the_partner_until_revoked(paired, orchestra):
    school, other = paired
    employer, _user = orchestra
    job = make_job(employer, school.institution)
    theirs = centre_actor(other)
    assert not scoped(Job, theirs).filter(pk=job.pk).exists()

    share = share_create(actor=centre_actor(school), obj=job, partner_id=other.institution.pk)
    assert scoped(Job, theirs).filter(pk=job.pk).exists()
    # Their graduates too: the partner's row rules apply as if the row were its own.
    assert scoped(Job, build_actor(other.graduate_user, other.institution.pk)).filter(pk=job.pk)
    # Both sides see the share and have an audit row of it.
    assert list(scoped(Share, theirs)) == [share]
    assert list(scoped(Share, centre_actor(school))) == [share]
    for s in paired:
        assert AuditEvent.objects.filter(institution=s.institution, action="share.create").exists()
    # Sharing again is the same share.
    assert (
        share_create(actor=centre_actor(school), obj=job, partner_id=other.institution.pk) == share
    )

    with pytest.raises(PermissionDenied):  # only the sharing side revokes
        share_revoke(actor=theirs, share=share)
    share_revoke(actor=centre_actor(school), share=share)
    assert not scoped(Job, theirs).filter(pk=job.pk).exists()
    assert Share.objects.filter(pk=share.pk, revoked_at__isnull=False).exists()


@pytest.mark.django_db
def test_only_paired_institutions_and_managers_share(school, other_school, orchestra):
    employer, _user = orchestra
    job = make_job(employer, school.institution)
    with pytest.raises(ValidationError):  # not paired
        share_create(actor=centre_actor(school), obj=job, partner_id=other_school.institution.pk)
    with pytest.raises(PermissionDenied):
        share_create(
            actor=build_actor(school.dept_staff, school.institution.pk),
            obj=job,
            partner_id=other_school.institution.pk,
        )


@pytest.mark.django_db
def test_a_shared_employer_is_held_by_the_partner(paired, orchestra):
    school, other = paired
    employer, _user = orchestra
    share_create(actor=centre_actor(school), obj=employer, partner_id=other.institution.pk)
    assert list(scoped(Employer, centre_actor(other))) == [employer]


@pytest.mark.django_db
def test_a_partner_reads_a_shared_job_but_does_not_hold_it(paired, orchestra):
    from qihang.institutions.scoping import owned

    school, other = paired
    employer, _user = orchestra
    job = make_job(employer, school.institution)
    share_create(actor=centre_actor(school), obj=job, partner_id=other.institution.pk)
    theirs = centre_actor(other)
    assert scoped(Job, theirs).filter(pk=job.pk).exists()
    assert not owned(Job, theirs).filter(pk=job.pk).exists()
    assert owned(Job, centre_actor(school)).filter(pk=job.pk).exists()
    with pytest.raises(PermissionDenied):  # not theirs to share on
        share_create(actor=theirs, obj=job, partner_id=school.institution.pk)
