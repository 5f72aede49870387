"""Application pages for graduates, employers and staff: the journey, query counts, methods."""

import pytest
from django.urls import reverse

from qihang.applications import services
from qihang.applications.models import Application
from tests.factories import make_job

pytestmark = pytest.mark.django_db


def test_a_graduate_applies_and_the_employer_answers_through_the_pages(
    school, orchestra, job, client_for
):
    graduate = client_for(school.graduate_user)
    page = graduate.get(reverse("jobs:browse_detail", args=[job.pk])).content.decode()
    assert reverse("applications:apply", args=[job.pk]) in page
    response = graduate.post(reverse("applications:apply", args=[job.pk]), {"note": "主修大提琴"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    assert "大提琴演奏员" in graduate.get(reverse("applications:mine")).content.decode()

    employer = client_for(orchestra.admin)
    body = employer.get(reverse("employer_applications:detail", args=[application.pk]))
    assert "主修大提琴" in body.content.decode()
    action = reverse("employer_applications:action", args=[application.pk])
    assert employer.post(action, {"action": "viewed"}).status_code == 204
    employer.post(
        action,
        {"action": "invite", "kind": "audition", "at": "2027-03-01T14:00", "place": "排练厅"},
    )
    application.refresh_from_db()
    assert application.status == "interview" and application.interview_place == "排练厅"
    employer.post(action, {"action": "offer", "offer_note": "7月报到"})
    graduate.post(reverse("applications:action", args=[application.pk]), {"action": "accept"})
    application.refresh_from_db()
    assert application.status == "hired"
    page = graduate.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "登记毕业去向" in page and "7月报到" in page
    # The destination form starts from the employer of the hire; the graduate picks the code.
    from qihang.destinations.policy import policy_for

    policy = policy_for(school.cohort)  # the test cohort's registration kept open
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    form = graduate.get(
        reverse("destinations:mine"),
        {
            "employer_name": orchestra.name,
            "employer_credit_code": orchestra.credit_code,
            "code": "xx",
        },
    ).content.decode()
    assert f'value="{orchestra.name}"' in form and f'value="{orchestra.credit_code}"' in form
    founder = graduate.get(
        reverse("destinations:mine"), {"code": "75", "employer_name": "声乐工作室"}
    )
    assert 'value="声乐工作室"' in founder.content.decode()
    assert 'value="75" selected' in founder.content.decode()
    from qihang.destinations.models import Destination

    assert not Destination.objects.exists()  # a starting point, nothing written


def test_bad_answers_say_what_is_missing(school, job, orchestra, graduate, client_for):
    application = services.application_submit(actor=graduate, job=job)
    employer = client_for(orchestra.admin)
    action = reverse("employer_applications:action", args=[application.pk])
    response = employer.post(action, {"action": "decline", "reason": ""}, follow=True)
    assert "请填写理由" in response.content.decode()
    response = employer.post(action, {"action": "invite", "at": "2027-03-01T14:00"}, follow=True)
    assert "请填写地点或线上链接" in response.content.decode()
    assert Application.objects.get().status == "submitted"


def test_actions_take_post_only(school, job, graduate, client_for, orchestra):
    application = services.application_submit(actor=graduate, job=job)
    assert (
        client_for(school.graduate_user)
        .get(reverse("applications:action", args=[application.pk]))
        .status_code
        == 405
    )
    assert (
        client_for(orchestra.admin)
        .get(reverse("employer_applications:action", args=[application.pk]))
        .status_code
        == 405
    )


def test_an_internship_hire_says_it_is_no_destination(
    school, orchestra, graduate, employer, client_for
):
    internship = make_job(orchestra, school.institution, title="乐团实习生", kind="internship")
    application = services.application_submit(actor=graduate, job=internship)
    for action in ("view", "offer"):
        services.application_act(actor=employer, application=application, action=action)
    services.application_act(actor=graduate, application=application, action="accept")
    page = (
        client_for(school.graduate_user)
        .get(reverse("applications:detail", args=[application.pk]))
        .content.decode()
    )
    assert "实习录用不计入毕业去向" in page and "登记毕业去向" not in page


@pytest.fixture
def many(school, orchestra, graduate):
    for i in range(6):
        services.application_submit(
            actor=graduate, job=make_job(orchestra, school.institution, title=f"演奏员{i}")
        )


def test_list_query_counts(school, orchestra, many, client_for, django_assert_num_queries):
    # Employer: session, user, memberships (none), employer member, the page's count, the counts
    # by status, the unread count (navigation), the page's rows with job and graduate.
    employer = client_for(orchestra.admin)
    employer.get(reverse("employer_applications:list"))
    with django_assert_num_queries(8):
        assert employer.get(reverse("employer_applications:list")).status_code == 200
    # Staff: session, user, memberships (+ departments), the count, the counts by status, the
    # institution (switcher), the unread count, the rows.
    centre = client_for(school.centre)
    centre.get(reverse("applications:staff_list"))
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        body = centre.get(reverse("applications:staff_list")).content.decode()
    assert body.count("演奏员") == 6
    # Response times: session, user, memberships (+ departments), the policy, one row per
    # application (employer name, status, times), the institution, the unread count.
    with django_assert_num_queries(9):  # + the session's OTP device (accounts.mfa)
        assert centre.get(reverse("applications:employers")).status_code == 200
    # Graduate: session, user, memberships (+ departments), the rows, the institution, unread.
    graduate = client_for(school.graduate_user)
    graduate.get(reverse("applications:mine"))
    with django_assert_num_queries(7):
        assert graduate.get(reverse("applications:mine")).content.decode().count("演奏员") == 6


def test_the_reminder_setting_is_the_centres(school, client_for):
    centre = client_for(school.centre)
    response = centre.post(reverse("applications:policy"), {"remind_after_days": "0"})
    assert response.status_code == 200 and "1" in response.content.decode()
    response = centre.post(reverse("applications:policy"), {"remind_after_days": "10"})
    assert response.status_code == 302
    assert client_for(school.dept_staff).get(reverse("applications:policy")).status_code == 403
