"""Relationship records, channel credit, alumni and contact conflicts."""

import pytest
from django.core.exceptions import ValidationError

from qihang.employers.models import Alumnus, Channel, Contact, Interaction
from qihang.employers.selectors import contact_conflicts
from qihang.employers.services import alumnus_save, contact_save
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import cohort_get_or_create
from tests.employers.conftest import standing
from tests.factories import make_employer, make_graduate


@pytest.mark.django_db
def test_channels_are_reference_data_with_a_version():
    names = list(Channel.objects.values_list("name", flat=True))
    for name in (
        "招聘平台",
        "院系领导",
        "专业教师",
        "辅导员",
        "校友",
        "校友企业",
        "合作单位",
        "城市招聘网络",
        "国家平台",
        "主动来访",
    ):
        assert name in names
    assert set(Channel.objects.values_list("version", flat=True)) == {"2026"}


@pytest.mark.django_db
def test_a_teacher_records_leads_and_changes_only_their_own(school, orchestra, client_for):
    employer, _user = orchestra
    teacher = client_for(school.teacher)
    response = teacher.post(
        f"/employers/{employer.pk}/contacts/new/", {"name": "吴团长", "phone": "021-1234"}
    )
    assert response.status_code == 302
    contact = Contact.objects.get(name="吴团长")
    assert (contact.institution_id, contact.created_by_id) == (
        school.institution.pk,
        school.teacher.pk,
    )
    teacher.post(
        f"/employers/{employer.pk}/interactions/new/",
        {
            "kind": "visit",
            "happened_on": "2020-05-06",
            "notes": "走访乐团",
            "next_step": "六月面试",
        },
    )
    visit = Interaction.objects.get()
    assert (visit.staff_id, visit.next_step) == (school.teacher.pk, "六月面试")
    # The centre's contact is not the teacher's to change; the leader only reads.
    theirs = contact_save(
        actor=build_actor(school.centre, school.institution.pk),
        contact=Contact(institution=school.institution, employer=employer, name="中心的联系人"),
    )
    assert teacher.get(f"/employers/contacts/{theirs.pk}/").status_code == 403
    assert teacher.get(f"/employers/contacts/{contact.pk}/").status_code == 200
    leader = client_for(school.leader)
    assert leader.get(f"/employers/{employer.pk}/").status_code == 200
    assert leader.post(f"/employers/{employer.pk}/contacts/new/", {"name": "x"}).status_code == 403
    page = leader.get(f"/employers/{employer.pk}/").content.decode()
    assert "吴团长" in page and "走访乐团" in page
    teacher.post(f"/employers/contacts/{contact.pk}/delete/")
    assert not Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_channel_credit(school, other_school, orchestra, client_for):
    employer, _user = orchestra
    channel = Channel.objects.get(code="teacher")
    client_for(school.centre).post(
        f"/employers/{employer.pk}/credit/",
        {
            "channel": channel.pk,
            "credited_to": school.teacher.pk,
            "credited_department": school.departments[0].pk,
        },
    )
    row = standing(employer, school)
    assert (row.channel_id, row.credited_to_id, row.credited_department_id) == (
        channel.pk,
        school.teacher.pk,
        school.departments[0].pk,
    )
    # Another institution's person is not creditable here.
    client_for(school.centre).post(
        f"/employers/{employer.pk}/credit/", {"credited_to": other_school.centre.pk}
    )
    assert standing(employer, school).credited_to_id == school.teacher.pk


@pytest.fixture
def alumni_cohort(school):
    old = cohort_get_or_create(institution=school.institution, year=2016)
    graduates = [
        make_graduate(
            institution=school.institution,
            cohort=old,
            major=school.majors[i % 2],
            student_no=f"a2016{i:03d}",
            name=name,
        )
        for i, name in enumerate(["钱多多", "孙小提", "周大鼓"])
    ]
    return graduates


@pytest.mark.django_db
def test_alumni_come_from_earlier_cohorts_only(school, alumni_cohort, orchestra, client_for):
    employer, _user = orchestra
    actor = build_actor(school.centre, school.institution.pk)
    with pytest.raises(ValidationError):
        alumnus_save(
            actor=actor,
            alumnus=Alumnus(institution=school.institution, graduate=school.graduates[0]),
        )
    client = client_for(school.centre)
    found = client.get("/employers/alumni/new/", {"q": "孙小提"}).content.decode()
    assert "孙小提" in found
    assert (
        "没有找到未登记的往届毕业生"
        in client.get("/employers/alumni/new/", {"q": "李明"}).content.decode()
    )
    response = client.post(
        "/employers/alumni/new/",
        {
            "graduate": alumni_cohort[1].pk,
            "employer": employer.pk,
            "organisation": "",
            "position": "首席",
            "city": "310104",
            "leads_employer": "on",
            "willing_to_mentor": "on",
            "contact_consent": "on",
        },
    )
    assert response.status_code == 302
    alumnus = Alumnus.objects.get(graduate=alumni_cohort[1])
    assert (alumnus.employer_id, alumnus.position, alumnus.willing_to_mentor) == (
        employer.pk,
        "首席",
        True,
    )
    employer.refresh_from_db()
    assert employer.is_alumni_enterprise  # flagged through its alumnus
    listed = client.get("/employers/alumni/", {"mentor": "1"}).content.decode()
    assert "孙小提" in listed and "校友企业" in listed
    assert "孙小提" not in client.get("/employers/alumni/", {"recruit": "1"}).content.decode()


@pytest.mark.django_db
def test_department_staff_see_their_departments_alumni(school, alumni_cohort, client_for):
    actor = build_actor(school.centre, school.institution.pk)
    for graduate in alumni_cohort:
        alumnus_save(
            actor=actor, alumnus=Alumnus(institution=school.institution, graduate=graduate)
        )
    page = client_for(school.dept_staff).get("/employers/alumni/").content.decode()
    assert "钱多多" in page and "周大鼓" in page  # 钢琴系
    assert "孙小提" not in page  # 声乐歌剧系
    other = Alumnus.objects.get(graduate=alumni_cohort[1])
    assert client_for(school.dept_staff).get(f"/employers/alumni/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_alumni_list_queries_are_constant(
    school, alumni_cohort, client_for, django_assert_num_queries
):
    actor = build_actor(school.centre, school.institution.pk)
    alumnus_save(
        actor=actor, alumnus=Alumnus(institution=school.institution, graduate=alumni_cohort[0])
    )
    client = client_for(school.centre)
    # session, user, memberships, their departments, page count, page rows (graduate, cohort,
    # department, employer joined), institution name (header).
    # + the unread notifications count (navigation).
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        client.get("/employers/alumni/")
    for graduate in alumni_cohort[1:]:
        alumnus_save(
            actor=actor, alumnus=Alumnus(institution=school.institution, graduate=graduate)
        )
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        client.get("/employers/alumni/")


@pytest.mark.django_db
def test_contact_conflicts_compare_normalised_phones_and_addresses(school, orchestra):
    employer, _user = orchestra
    twin = make_employer("沪上交响乐团培训中心", serial=601)
    twin.contact_phone = "+86 139-1234-5678"
    twin.save(update_fields=["contact_phone"])
    mail_twin = make_employer("某文化公司", serial=602)
    mail_twin.contact_email = "HR@Orchestra.example"
    mail_twin.save(update_fields=["contact_email"])
    unrelated = make_employer("无关单位", serial=603)
    unrelated.contact_phone = "13900000000"
    unrelated.save(update_fields=["contact_phone"])
    assert contact_conflicts(employer) == [mail_twin, twin]  # by name
    assert contact_conflicts(unrelated) == []


@pytest.mark.django_db
def test_reviewers_see_the_conflict_on_the_detail_page(school, orchestra, client_for):
    employer, _user = orchestra
    twin = make_employer("影子乐团", serial=604)
    twin.contact_email = "hr@orchestra.example"
    twin.save(update_fields=["contact_email"])
    page = client_for(school.centre).get(f"/employers/{employer.pk}/").content.decode()
    assert "联系方式重复" in page and "影子乐团" in page
