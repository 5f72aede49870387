import pytest

from qihang.audit.models import AuditEvent, SensitiveRead
from qihang.destinations.models import ReviewStatus
from qihang.graduates.models import Graduate, KeyGroupKind
from qihang.institutions.roles import Role
from qihang.institutions.services import membership_grant
from tests.factories import confirm_key_group, make_user
from tests.graduates.test_views_list import make_destination


def detail_url(graduate) -> str:
    return f"/graduates/{graduate.pk}/"


def reveal_url(graduate) -> str:
    return f"/graduates/{graduate.pk}/reveal/"


def plaintext_id(graduate) -> str:
    return Graduate.objects.get(pk=graduate.pk).id_number.reveal_unlogged()


@pytest.mark.django_db
def test_detail_shows_the_profile_masked(school, client_for):
    graduate = school.graduates[0]
    kind = KeyGroupKind.objects.order_by("sort_order").first()
    confirm_key_group(graduate, kind)
    response = client_for(school.centre).get(detail_url(graduate))
    assert response.status_code == 200
    html = response.content.decode()
    assert graduate.name in html and graduate.student_no in html
    assert plaintext_id(graduate) not in html
    assert "138****5678" in html and "13812345678" not in html
    assert kind.name in html
    assert str(school.teacher) in html  # mentor
    assert "查看完整身份证号" in html
    assert "尚未填报毕业去向" in html
    assert "已激活" in html  # account status shown: graduates[0] has set a password


@pytest.mark.django_db
def test_detail_links_the_destination(school, client_for):
    destination = make_destination(school.graduates[0], "80", ReviewStatus.SUBMITTED)
    html = client_for(school.centre).get(detail_url(school.graduates[0])).content.decode()
    assert "80 升学" in html
    assert "待院系审核" in html
    assert f"/destinations/{destination.pk}/" in html


@pytest.mark.django_db
def test_detail_is_scoped(school, other_school, client_for):
    theirs = other_school.graduates[0]
    assert client_for(school.centre).get(detail_url(theirs)).status_code == 404
    # A teacher sees their mentee only; department staff their departments only.
    assert client_for(school.teacher).get(detail_url(school.graduates[1])).status_code == 404
    assert client_for(school.teacher).get(detail_url(school.graduates[0])).status_code == 200
    assert client_for(school.dept_staff).get(detail_url(school.graduates[2])).status_code == 404
    assert client_for(school.graduate_user).get(detail_url(school.graduates[0])).status_code == 403


@pytest.mark.django_db
def test_reveal_button_only_with_the_permission(school, client_for):
    for user in (school.leader, school.dept_staff, school.teacher):
        html = client_for(user).get(detail_url(school.graduates[0])).content.decode()
        assert "查看完整身份证号" not in html


@pytest.mark.django_db
def test_reveal_needs_a_reason_and_is_recorded(school, client_for):
    graduate = school.graduates[1]
    client = client_for(school.centre)
    headers = {"HX-Request": "true"}
    missing = client.post(
        reveal_url(graduate), {"field": "id_number", "reason": ""}, headers=headers
    )
    assert missing.status_code == 200
    assert "请填写查看事由" in missing.content.decode()
    assert plaintext_id(graduate) not in missing.content.decode()
    assert not SensitiveRead.objects.exists()

    response = client.post(
        reveal_url(graduate), {"field": "id_number", "reason": "核对三方协议"}, headers=headers
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert plaintext_id(graduate) in html
    assert "<html" not in html  # an htmx fragment, not a page
    assert 'id="reveal-id_number"' in html
    read = SensitiveRead.objects.get()
    assert (read.actor_id, read.target_id, read.field, read.reason) == (
        school.centre.pk,
        str(graduate.pk),
        "id_number",
        "核对三方协议",
    )
    assert read.institution_id == school.institution.pk


@pytest.mark.django_db
def test_reveal_phone_without_htmx_renders_a_page(school, client_for):
    response = client_for(school.centre).post(
        reveal_url(school.graduates[0]), {"field": "phone", "reason": "联系毕业生本人"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "13812345678" in html and "<html" in html
    assert SensitiveRead.objects.get().field == "phone"


@pytest.mark.django_db
def test_reveal_is_refused_without_permission_or_scope(school, other_school, client_for):
    data = {"field": "id_number", "reason": "看看"}
    for user in (school.leader, school.dept_staff, school.teacher, school.graduate_user):
        assert client_for(user).post(reveal_url(school.graduates[0]), data).status_code == 403
    assert (
        client_for(school.centre).post(reveal_url(other_school.graduates[0]), data).status_code
        == 404
    )
    assert client_for(school.centre).get(reveal_url(school.graduates[0])).status_code == 405
    assert not SensitiveRead.objects.exists()


@pytest.mark.django_db
def test_mentor_assignment_bulk_and_single(school, client_for):
    second_teacher = make_user("a-teacher2")
    membership_grant(institution=school.institution, user=second_teacher, role=Role.TEACHER)
    client = client_for(school.centre)
    ids = [g.pk for g in school.graduates]
    response = client.post(
        "/graduates/mentor/",
        {"graduates": ids, "mentor": second_teacher.pk, "next": "/graduates/?q=a"},
    )
    assert response.status_code == 302 and response["Location"] == "/graduates/?q=a"
    assert set(Graduate.objects.filter(pk__in=ids).values_list("mentor_id", flat=True)) == {
        second_teacher.pk
    }
    event = AuditEvent.objects.get(action="graduate.mentor_assign")
    assert sorted(event.data["graduates"]) == sorted(ids)
    # Clear one graduate's mentor from the detail page.
    client.post("/graduates/mentor/", {"graduates": [ids[0]], "mentor": ""})
    assert Graduate.objects.get(pk=ids[0]).mentor_id is None


@pytest.mark.django_db
def test_department_staff_assign_mentors_within_their_departments_only(school, client_for):
    client = client_for(school.dept_staff)
    ids = [g.pk for g in school.graduates]  # the third is in another department
    client.post("/graduates/mentor/", {"graduates": ids, "mentor": school.teacher.pk})
    mentors = dict(Graduate.objects.filter(pk__in=ids).values_list("pk", "mentor_id"))
    assert mentors[ids[0]] == mentors[ids[1]] == school.teacher.pk
    assert mentors[ids[2]] is None


@pytest.mark.django_db
def test_only_teachers_of_the_institution_can_be_mentors(school, other_school, client_for):
    client = client_for(school.centre)
    graduate = school.graduates[1]
    for not_a_teacher in (other_school.teacher, school.leader):
        client.post("/graduates/mentor/", {"graduates": [graduate.pk], "mentor": not_a_teacher.pk})
        assert Graduate.objects.get(pk=graduate.pk).mentor_id is None
    assert (
        client_for(school.leader)
        .post("/graduates/mentor/", {"graduates": [graduate.pk], "mentor": school.teacher.pk})
        .status_code
        == 403
    )
    assert (
        client_for(school.teacher)
        .post("/graduates/mentor/", {"graduates": [graduate.pk], "mentor": school.teacher.pk})
        .status_code
        == 403
    )
