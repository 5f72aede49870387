"""Who may do what: a graduate only for themselves, department staff only for their
departments (others' records are 404), leadership reads and changes nothing (403)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qihang.destinations import services
from qihang.destinations.models import Destination, ReviewStatus, Source
from tests.destinations.conftest import actor, employment

pytestmark = pytest.mark.django_db


def submitted(school, index=0, code="76"):
    graduate = school.graduates[index]
    data = {"code": code, "employer_country": "IT" if code == "85" else ""}
    return services.destination_record(
        actor=actor(school.centre, school), graduate=graduate, data=data
    )


def test_graduate_cannot_submit_for_another_graduate(school):
    with pytest.raises(PermissionDenied):
        services.destination_submit(
            actor=actor(school.graduate_user, school),
            graduate=school.graduates[1],
            data=employment(),
        )
    assert not Destination.objects.exists()


def test_graduate_cannot_record_or_review(school):
    me = actor(school.graduate_user, school)
    with pytest.raises(PermissionDenied):
        services.destination_record(actor=me, graduate=school.graduates[0], data=employment())
    destination = services.destination_submit(
        actor=me, graduate=school.graduates[0], data=employment()
    )
    with pytest.raises(PermissionDenied):
        services.destination_review(actor=me, destination=destination)
    with pytest.raises(PermissionDenied):
        services.destination_return(actor=me, destination=destination, reason="不对")


def test_department_staff_review_only_their_departments(school, client_for):
    voice_graduate_record = services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=school.graduates[0],
        data=employment(),
    )
    assert voice_graduate_record.graduate.department == school.departments[0]
    other = submitted(school, index=2)  # 声乐歌剧系, not the staff member's department
    # Through the pages: another department's record does not exist for them.
    client = client_for(school.dept_staff)
    # Approving is not a department's permission at all (403 before the record is looked up).
    for name, expected in (("review", 404), ("approve", 403), ("return", 404)):
        response = client.post(reverse(f"destinations:{name}", args=[other.pk]), {"reason": "x"})
        assert response.status_code == expected, name
    assert client.post(reverse("destinations:review", args=[other.pk])).status_code == 404
    assert client.get(reverse("destinations:detail", args=[other.pk])).status_code == 404
    # Through the service: refused too.
    with pytest.raises(PermissionDenied):
        services.destination_review(actor=actor(school.dept_staff, school), destination=other)
    other.refresh_from_db()
    assert other.status == ReviewStatus.DEPARTMENT_REVIEWED  # recorded by the centre


def test_department_staff_cannot_approve(school, client_for):
    destination = submitted(school)
    response = client_for(school.dept_staff).post(
        reverse("destinations:approve", args=[destination.pk])
    )
    assert response.status_code == 403


def test_leadership_cannot_approve_review_or_record(school, client_for):
    destination = submitted(school)
    client = client_for(school.leader)
    assert client.post(reverse("destinations:approve", args=[destination.pk])).status_code == 403
    assert client.post(reverse("destinations:review", args=[destination.pk])).status_code == 403
    assert (
        client.post(reverse("destinations:bulk_approve"), {"items": [destination.pk]}).status_code
        == 403
    )
    assert (
        client.get(reverse("destinations:record", args=[destination.graduate_id])).status_code
        == 403
    )
    # Reading is allowed.
    assert client.get(reverse("destinations:detail", args=[destination.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        services.destination_approve(actor=actor(school.leader, school), destination=destination)


def test_teacher_records_for_their_mentee_as_submitted(school):
    mentee = school.graduates[0]
    assert mentee.mentor == school.teacher
    destination = services.destination_record(
        actor=actor(school.teacher, school), graduate=mentee, data={"code": "70"}
    )
    assert destination.status == ReviewStatus.SUBMITTED
    assert destination.source == Source.COUNSELLOR
    # Not a mentee: out of the teacher's scope.
    with pytest.raises(PermissionDenied):
        services.destination_record(
            actor=actor(school.teacher, school), graduate=school.graduates[1], data={"code": "70"}
        )


def test_department_staff_record_is_department_reviewed(school):
    destination = services.destination_record(
        actor=actor(school.dept_staff, school), graduate=school.graduates[1], data={"code": "70"}
    )
    assert destination.status == ReviewStatus.DEPARTMENT_REVIEWED
    assert destination.reviewed_by == school.dept_staff


def test_outsider_sees_nothing(school, other_school, client_for):
    destination = submitted(other_school)
    client = client_for(school.centre)
    for name in ("detail", "row"):
        assert client.get(reverse(f"destinations:{name}", args=[destination.pk])).status_code == 404
    assert client.post(reverse("destinations:approve", args=[destination.pk])).status_code == 404
    response = client.post(reverse("destinations:bulk_approve"), {"items": [f"{destination.pk}:1"]})
    assert response.status_code == 404
    destination.refresh_from_db()
    assert destination.status != ReviewStatus.APPROVED
    with pytest.raises(PermissionDenied):
        services.destination_approve(actor=actor(school.centre, school), destination=destination)
    with pytest.raises(PermissionDenied):
        services.destination_record(
            actor=actor(school.centre, school),
            graduate=other_school.graduates[0],
            data={"code": "70"},
        )


def test_mine_shows_only_my_record_and_refuses_other_roles(school, client_for):
    submitted(school, index=1, code="85")
    response = client_for(school.graduate_user).get(reverse("destinations:mine"))
    assert response.status_code == 200
    assert response.context["destination"] is None  # graduates[1]'s record is not mine
    assert client_for(school.teacher).get(reverse("destinations:mine")).status_code == 403
