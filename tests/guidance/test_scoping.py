"""Who sees which course: another institution's course is a 404 everywhere; the paired
institution's graduates see a course only once it is published and shared (and no longer once
the share is revoked), attend it and rate it; its staff read it but never edit it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qihang.guidance import selectors, services
from qihang.guidance.models import Attendance, Feedback
from qihang.institutions.models import Share
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import share_revoke
from tests.guidance.helpers import CODE, add_lecture, make_course

pytestmark = pytest.mark.django_db


def test_another_institutions_course_is_a_404(school, other_school, client_for):
    course = make_course(other_school, title="江城就业指导课")
    lecture = add_lecture(other_school, course)
    staff, graduate = client_for(school.centre), client_for(school.graduate_user)
    for url in (
        reverse("guidance:detail", args=[course.pk]),
        reverse("guidance:edit", args=[course.pk]),
        reverse("guidance:attendance", args=[course.pk, lecture.pk]),
        reverse("guidance:video", args=[course.pk, lecture.pk]),
    ):
        assert staff.get(url).status_code == 404, url
    for url in (
        reverse("guidance:publish", args=[course.pk]),
        reverse("guidance:share", args=[course.pk]),
        reverse("guidance:lecture_add", args=[course.pk]),
    ):
        assert staff.post(url).status_code == 404, url
    assert graduate.get(reverse("guidance:course", args=[course.pk])).status_code == 404
    response = graduate.post(reverse("guidance:attend", args=[lecture.pk]), {"code": CODE})
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    assert "江城就业指导课" not in graduate.get(reverse("guidance:catalogue")).content.decode()


def test_a_partner_sees_only_published_shared_courses(school, other_school, paired, client_for):
    holder = build_actor(school.centre, school.institution.pk)
    shared = make_course(school, title="乐团招考面试准备")
    make_course(school, title="本校专享课")  # published, not shared
    draft = make_course(school, title="草稿课", publish=False)
    with pytest.raises(ValidationError):  # a draft is not shared
        services.course_share(actor=holder, course=draft, partner_id=other_school.institution.pk)
    services.course_share(actor=holder, course=shared, partner_id=other_school.institution.pk)
    assert Share.objects.get().kind == "guidance.course"

    partner = build_actor(other_school.graduate_user, other_school.institution.pk)
    graduate = other_school.graduates[0]
    titles = [c.title for c in selectors.catalogue_page(actor=partner, graduate=graduate)]
    assert titles == ["乐团招考面试准备"]
    page = client_for(other_school.graduate_user).get(reverse("guidance:catalogue"))
    assert (
        "乐团招考面试准备" in page.content.decode() and "东方音乐学院共享" in page.content.decode()
    )
    # Their staff read it, and cannot edit, publish or share it on.
    staff = client_for(other_school.centre)
    assert staff.get(reverse("guidance:detail", args=[shared.pk])).status_code == 200
    assert staff.get(reverse("guidance:edit", args=[shared.pk])).status_code == 404
    assert staff.post(reverse("guidance:lecture_add", args=[shared.pk])).status_code == 404
    assert staff.get(reverse("guidance:detail", args=[draft.pk])).status_code == 404


def test_a_partners_graduate_attends_and_rates_a_shared_course(
    school, other_school, paired, client_for
):
    holder = build_actor(school.centre, school.institution.pk)
    course = make_course(school, title="乐团招考面试准备")
    lecture = add_lecture(school, course)
    services.course_share(actor=holder, course=course, partner_id=other_school.institution.pk)
    client = client_for(other_school.graduate_user)
    assert client.get(reverse("guidance:course", args=[course.pk])).status_code == 200
    client.post(reverse("guidance:attend", args=[lecture.pk]), {"code": CODE})
    client.post(reverse("guidance:feedback", args=[course.pk]), {"rating": "5", "comment": "好"})
    attendance = Attendance.objects.get()
    assert attendance.institution_id == other_school.institution.pk
    assert Feedback.objects.get().institution_id == other_school.institution.pk
    # The holder's staff see the partner's graduate in the attendance list.
    page = client_for(school.centre).get(
        reverse("guidance:attendance", args=[course.pk, lecture.pk])
    )
    assert other_school.graduates[0].student_no in page.content.decode()
    # Revoked: gone from the partner's catalogue at once.
    share_revoke(actor=holder, share=Share.objects.get())
    assert client.get(reverse("guidance:course", args=[course.pk])).status_code == 404


def test_a_department_course_is_for_that_departments_graduates(school, client_for):
    staff = build_actor(school.dept_staff, school.institution.pk)
    voice_only = services.course_save(
        actor=build_actor(school.centre, school.institution.pk),
        course=None,
        data={"kind": "course", "title": "声乐系专场"},
        department=school.departments[1],
    )
    services.course_publish(
        actor=build_actor(school.centre, school.institution.pk), course=voice_only
    )
    # graduates[0] is of 钢琴系.
    assert (
        client_for(school.graduate_user)
        .get(reverse("guidance:course", args=[voice_only.pk]))
        .status_code
        == 404
    )
    assert not services.may_manage(staff, voice_only)
    # Department staff of 钢琴系 read it but get 403 on its edit page.
    client = client_for(school.dept_staff)
    assert client.get(reverse("guidance:detail", args=[voice_only.pk])).status_code == 200
    assert client.get(reverse("guidance:edit", args=[voice_only.pk])).status_code == 403


def test_a_course_for_another_cohort_is_not_in_the_catalogue(school, graduate):
    make_course(school, title="2030届专场", cohort_year=2030)
    make_course(school, title="2020届专场", cohort_year=2020)
    titles = [
        c.title for c in selectors.catalogue_page(actor=graduate, graduate=school.graduates[0])
    ]
    assert titles == ["2020届专场"]
