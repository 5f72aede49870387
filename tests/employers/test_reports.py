"""The channel report (exact numbers, its definition) and the list pages' query counts."""

import pytest
from django.utils import timezone

from qihang.destinations.models import Destination, DestinationCode
from qihang.employers.models import Channel, EmployerStanding
from qihang.employers.selectors import channel_report
from qihang.institutions.scoping import build_actor
from tests.factories import make_employer, make_graduate, make_job


def destination(school, graduate, employer, code="10", status="approved"):
    code_row = DestinationCode.objects.get(code_set__version="2020", code=code)
    now = timezone.now()
    return Destination.objects.create(
        institution=school.institution,
        cohort=school.cohort,
        graduate=graduate,
        code=code_row,
        employer_name=employer.name,
        employer_credit_code=employer.credit_code,
        source="self",
        status=status,
        submitted_at=now,
        approved_at=now if status == "approved" else None,
        official_code=code_row if status == "approved" else None,
    )


@pytest.fixture
def season(school, other_school):
    teacher_channel = Channel.objects.get(code="teacher")
    platform = Channel.objects.get(code="platform")
    piano = school.departments[0]
    led = make_employer("沪上交响乐团", serial=801, institution=school.institution)
    EmployerStanding.objects.filter(employer=led).update(
        channel=teacher_channel, credited_to=school.teacher, credited_department=piano
    )
    listed = make_employer("某招聘平台单位", serial=802, institution=school.institution)
    EmployerStanding.objects.filter(employer=listed).update(channel=platform)
    alumni = make_employer("校友琴行", serial=803, institution=school.institution)
    alumni.is_alumni_enterprise = True
    alumni.save(update_fields=["is_alumni_enterprise"])
    for _ in range(2):
        make_job(
            led,
            school.institution,
            channel=teacher_channel,
            credited_to=school.teacher,
            credited_department=piano,
        )
    make_job(listed, school.institution, channel=platform, status="draft")
    make_job(alumni, school.institution)
    make_job(led, other_school.institution, channel=teacher_channel)  # not ours
    extra = [
        make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[0],
            student_no=f"a2020{n:03d}",
        )
        for n in range(10, 13)
    ]
    graduates = school.graduates + extra
    destination(school, graduates[0], led)
    destination(school, graduates[1], led, code="11")
    destination(school, graduates[2], led, status="submitted")  # not approved
    destination(school, graduates[3], led, code="80")  # further study, not a hire
    destination(school, graduates[4], alumni, code="12")
    return school


@pytest.mark.django_db
def test_jobs_and_hires_by_channel_person_and_department(season):
    report = channel_report(actor=build_actor(season.centre, season.institution.pk))
    by_channel = {r.label: (r.jobs, r.hires) for r in report.by_channel if r.jobs or r.hires}
    assert by_channel == {"招聘平台": (1, 0), "专业教师": (2, 2), "校友企业": (1, 1)}
    assert {r.label: (r.jobs, r.hires) for r in report.by_person} == {
        str(season.teacher): (2, 2),
        "—": (2, 1),
    }
    assert {r.label: (r.jobs, r.hires) for r in report.by_department} == {
        "钢琴系": (2, 2),
        "—": (2, 1),
    }
    assert (report.jobs, report.hires) == (4, 3)


@pytest.mark.django_db
def test_the_report_page_states_its_definitions(season, client_for, django_assert_num_queries):
    client = client_for(season.centre)
    # session, user, memberships, their departments; channels, jobs grouped, standings,
    # destinations grouped; institution name (header).
    # + the unread notifications count (navigation).
    with django_assert_num_queries(11):  # + the session's OTP device (accounts.mfa)
        page = client.get("/employers/channels/").content.decode()
    assert "录用人数" in page and "就业类代码" in page and "目前为0" in page
    assert client_for(season.teacher).get("/employers/channels/").status_code == 403
    assert client_for(season.leader).get("/employers/channels/").status_code == 200


@pytest.mark.django_db
def test_employer_list_filters_and_searches_in_constant_queries(
    school, client_for, django_assert_num_queries
):
    make_employer("沪上交响乐团", serial=811, institution=school.institution)
    make_employer("苏城评弹团", serial=812, institution=school.institution, status="pending")
    client = client_for(school.centre)
    # session, user, memberships, their departments; page count, page rows (with this
    # school's status), counts by status; institution name (header).
    # + the unread notifications count (navigation).
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        page = client.get("/employers/").content.decode()
    assert "沪上交响乐团" in page and "苏城评弹团" in page
    for serial in range(813, 820):
        make_employer(f"乐团{serial}", serial=serial, institution=school.institution)
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        client.get("/employers/")
    pending = client.get("/employers/", {"status": "pending"}).content.decode()
    assert "苏城评弹团" in pending and "沪上交响乐团" not in pending
    from tests.factories import make_credit_code

    found = client.get("/employers/", {"q": make_credit_code(811).lower()}).content.decode()
    assert "沪上交响乐团" in found and "苏城评弹团" not in found
    assert "苏城评弹团" in client.get("/employers/", {"q": "评弹"}).content.decode()
    assert client_for(school.graduate_user).get("/employers/").status_code == 403
