"""The API's issue 8 lists read a fixed number of queries, however many rows they list: each is
measured, rows are added, and it is measured again (a token's last use is written once a
minute, so each client warms up first)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qihang.applications import services as application_services
from qihang.institutions.scoping import build_actor
from tests.api.conftest import token_for  # noqa: F401  (the API tests' token fixture)
from tests.appointments.helpers import book, make_adviser, make_slot, soon
from tests.factories import make_employer, make_job
from tests.ventures.helpers import MUSIC_SCHOOL, make_project

pytestmark = pytest.mark.django_db


def _queries(url: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url, headers=headers).status_code == 200, url
    return len(captured.captured_queries)


def _fixed(url: str, headers: dict[str, str], add_rows) -> int:
    _queries(url, headers)  # warm-up
    before = _queries(url, headers)
    add_rows()
    assert _queries(url, headers) == before, url
    return before


def test_staff_applications_and_employers_answers(school, token_for):  # noqa: F811
    auth = {"Authorization": token_for(school.centre, school)}
    graduate = build_actor(school.graduate_user, school.institution.pk)
    employers = [
        make_employer(f"乐团{i}", serial=400 + i, institution=school.institution) for i in range(3)
    ]
    jobs = [make_job(e, school.institution, title=f"演奏员{i}") for i, e in enumerate(employers)]
    application_services.application_submit(actor=graduate, job=jobs[0])
    waiting = list(jobs[1:])

    def more() -> None:  # one more application each time
        application_services.application_submit(actor=graduate, job=waiting.pop())

    # token, membership (+ departments), the page's count, the page of applications.
    assert _fixed("/api/v1/staff/applications", auth, more) == 5
    # token, membership (+ departments), the reminder policy, the applications' figures.
    assert _fixed("/api/v1/staff/applications/employers", auth, more) == 5


def test_staff_projects_and_the_parks(school, token_for, client_for):  # noqa: F811
    auth = {"Authorization": token_for(school.centre, school)}
    make_project(school)

    def more() -> None:
        for i in range(3):
            make_project(school, data={**MUSIC_SCHOOL, "name": f"项目{i}"})

    # token, membership (+ departments), the projects with lead and mentor, their members.
    assert _fixed("/api/v1/staff/ventures/projects", auth, more) == 5


def test_an_advisers_calendar(school, token_for):  # noqa: F811
    auth = {"Authorization": token_for(school.centre, school)}
    adviser = make_adviser(school)
    book(school, make_slot(school, adviser, starts_at=soon(2, 9)))

    def more() -> None:
        for hour in (10, 11, 14):
            make_slot(school, adviser, starts_at=soon(2, hour))

    # token, membership (+ departments), the adviser, the time zone, the slots (with type and
    # adviser), their bookings.
    assert _fixed("/api/v1/adviser/slots", auth, more) == 7


def test_a_graduates_guidance_courses_and_lectures(school, client_for):
    from tests.guidance.helpers import add_lecture, make_course

    client = client_for(school.graduate_user)
    course = make_course(school, title="课程0")
    add_lecture(school, course, title="第一讲")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        return len(captured.captured_queries)

    courses, lectures = "/api/v1/guidance/courses", f"/api/v1/guidance/courses/{course.pk}/lectures"
    before = (count(courses), count(lectures))
    for i in range(1, 4):
        add_lecture(school, make_course(school, title=f"课程{i}"), title="第一讲")
        add_lecture(school, course, title=f"第{i + 1}讲")
    assert (count(courses), count(lectures)) == before
