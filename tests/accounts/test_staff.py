import pytest
from django.core import mail

from qihang.accounts.models import User
from qihang.audit.models import AuditEvent
from qihang.institutions.models import Membership
from qihang.institutions.roles import Role
from tests.factories import make_user

LIST = "/accounts/staff/"
NEW = "/accounts/staff/new/"


def membership_of(school, user, role) -> Membership:
    return Membership.objects.get(institution=school.institution, user=user, role=role)


@pytest.mark.django_db
def test_staff_list_groups_people_and_hides_graduates(school, other_school, client_for):
    response = client_for(school.centre).get(LIST)
    assert response.status_code == 200
    people = [p.user for p in response.context["page"].object_list]
    assert set(people) == {school.centre, school.dept_staff, school.teacher, school.leader}
    html = response.content.decode()
    assert "钢琴系" in html  # the department staff's department
    assert str(other_school.centre) not in html
    # Filter by role.
    teachers = client_for(school.centre).get(LIST, {"role": Role.TEACHER})
    assert [p.user for p in teachers.context["page"].object_list] == [school.teacher]


@pytest.mark.django_db
def test_only_the_career_centre_manages_staff(school, client_for):
    for user in (school.dept_staff, school.leader, school.teacher, school.graduate_user):
        assert client_for(user).get(LIST).status_code == 403
        assert client_for(user).get(NEW).status_code == 403


@pytest.mark.django_db
def test_create_staff_sends_an_invitation(school, client_for, committed):
    with committed():
        response = client_for(school.centre).post(
            NEW,
            {
                "display_name": "周老师",
                "email": "Zhou@Example.edu.cn",
                "roles": [Role.DEPARTMENT_STAFF, Role.TEACHER],
                "departments": [school.departments[1].pk],
                "title": "辅导员",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="zhou@example.edu.cn")
    assert user.display_name == "周老师" and not user.has_usable_password()
    dept = membership_of(school, user, Role.DEPARTMENT_STAFF)
    assert list(dept.departments.all()) == [school.departments[1]]
    assert dept.title == "辅导员"
    assert membership_of(school, user, Role.TEACHER).departments.count() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhou@example.edu.cn"]
    assert "/accounts/invitation/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="staff.create", target_id=str(user.pk)).exists()
    assert user.invited_at is not None


@pytest.mark.django_db
def test_create_staff_validates(school, client_for):
    client = client_for(school.centre)
    no_department = client.post(
        NEW, {"display_name": "吴", "email": "wu@example.edu.cn", "roles": [Role.DEPARTMENT_STAFF]}
    )
    assert no_department.status_code == 200
    assert "至少要负责一个院系" in no_department.content.decode()
    graduate_role = client.post(
        NEW, {"display_name": "吴", "email": "wu@example.edu.cn", "roles": [Role.GRADUATE]}
    )
    assert graduate_role.status_code == 200
    school.teacher.email = "t@example.edu.cn"
    school.teacher.save()
    duplicate = client.post(
        NEW, {"display_name": "x", "email": "T@example.edu.cn", "roles": [Role.LEADERSHIP]}
    )
    assert "T@example.edu.cn 已在本校人员名单中（含已邀请）" in duplicate.content.decode().replace(
        "t@example.edu.cn", "T@example.edu.cn"
    )
    assert not User.objects.filter(email="wu@example.edu.cn").exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_edit_roles_and_departments(school, client_for):
    client = client_for(school.centre)
    membership = membership_of(school, school.dept_staff, Role.DEPARTMENT_STAFF)
    url = f"/accounts/staff/{membership.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["roles"] == [Role.DEPARTMENT_STAFF]
    response = client.post(
        url,
        {
            "display_name": "钢琴系 刘老师",
            "roles": [Role.DEPARTMENT_STAFF, Role.LEADERSHIP],
            "departments": [d.pk for d in school.departments],
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert set(membership.departments.all()) == set(school.departments)
    assert membership_of(school, school.dept_staff, Role.LEADERSHIP).is_active
    # Dropping a role deactivates it.
    client.post(url, {"display_name": "刘老师", "roles": [Role.LEADERSHIP]})
    assert not membership_of(school, school.dept_staff, Role.DEPARTMENT_STAFF).is_active
    assert User.objects.get(pk=school.dept_staff.pk).display_name == "刘老师"


@pytest.mark.django_db
def test_nobody_removes_their_own_career_centre_role_or_deactivates_themselves(school, client_for):
    client = client_for(school.centre)
    membership = membership_of(school, school.centre, Role.CAREER_CENTRE)
    response = client.post(
        f"/accounts/staff/{membership.pk}/", {"display_name": "x", "roles": [Role.TEACHER]}
    )
    assert response.status_code == 200
    assert "不能取消自己的就业指导中心角色" in response.content.decode()
    client.post(f"/accounts/staff/{membership.pk}/deactivate/")
    assert membership_of(school, school.centre, Role.CAREER_CENTRE).is_active


@pytest.mark.django_db
def test_deactivate_ends_every_staff_role_and_sign_in(school, client_for):
    from django.test import Client

    membership_grant_extra = Membership.objects.create(
        institution=school.institution, user=school.teacher, role=Role.LEADERSHIP
    )
    membership = membership_of(school, school.teacher, Role.TEACHER)
    response = client_for(school.centre).post(f"/accounts/staff/{membership.pk}/deactivate/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=school.teacher, is_active=True).exists()
    membership_grant_extra.refresh_from_db()
    assert not membership_grant_extra.is_active
    # Their session is useless and they cannot sign in again.
    assert client_for(school.teacher).get("/graduates/").status_code == 403
    login = Client().post(
        "/accounts/login/", {"username": school.teacher.username, "password": "Qihang-test-2020"}
    )
    assert login.status_code == 200
    # Deactivated people show up only when asked for.
    listed = client_for(school.centre).get(LIST).context["page"].object_list
    assert school.teacher not in [p.user for p in listed]
    listed = client_for(school.centre).get(LIST, {"inactive": "1"}).context["page"].object_list
    assert school.teacher in [p.user for p in listed]


@pytest.mark.django_db
def test_resend_staff_invitation(school, client_for, committed):
    user = make_user("new-staff", email="new@example.edu.cn")
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(
        institution=school.institution, user=user, role=Role.TEACHER
    )
    with committed():
        response = client_for(school.centre).post(f"/accounts/staff/{membership.pk}/invite/")
    assert response.status_code == 302
    assert mail.outbox[0].to == ["new@example.edu.cn"]


@pytest.mark.django_db
def test_staff_of_another_institution_are_404(school, other_school, client_for):
    theirs = membership_of(other_school, other_school.teacher, Role.TEACHER)
    client = client_for(school.centre)
    assert client.get(f"/accounts/staff/{theirs.pk}/").status_code == 404
    assert client.post(f"/accounts/staff/{theirs.pk}/deactivate/").status_code == 404
    assert client.post(f"/accounts/staff/{theirs.pk}/invite/").status_code == 404
    # A graduate membership is not a staff record either.
    graduate = membership_of(school, school.graduate_user, Role.GRADUATE)
    assert client.get(f"/accounts/staff/{graduate.pk}/").status_code == 404
    assert Membership.objects.get(pk=theirs.pk).is_active


@pytest.mark.django_db
def test_a_deactivated_person_is_reenabled_by_saving_their_roles(school, client_for):
    client = client_for(school.centre)
    membership = membership_of(school, school.leader, Role.LEADERSHIP)
    client.post(f"/accounts/staff/{membership.pk}/deactivate/")
    assert not membership_of(school, school.leader, Role.LEADERSHIP).is_active
    page = client.get(f"/accounts/staff/{membership.pk}/")
    assert "保存并重新启用" in page.content.decode()
    client.post(
        f"/accounts/staff/{membership.pk}/", {"display_name": "校领导", "roles": [Role.LEADERSHIP]}
    )
    assert membership_of(school, school.leader, Role.LEADERSHIP).is_active
