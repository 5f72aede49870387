"""The search page (full and htmx fragment), its query count, and the push page."""

import pytest

from qihang.audit.models import AuditEvent
from qihang.jobs.models import JobStatus
from qihang.search.models import JobPush

pytestmark = pytest.mark.django_db


def test_search_page_finds_and_highlights(post, school, client_for):
    post("大提琴演奏员", description="乐团招聘大提琴声部演奏员一名")
    post("小提琴演奏员")
    response = client_for(school.graduate_user).get("/search/jobs/", {"q": "大提琴"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<mark>大提琴</mark>演奏员" in body
    assert "小提琴演奏员" not in body
    assert "共 1 个岗位" in body


def test_htmx_gets_the_results_fragment_only(post, school, client_for):
    post("钢琴教师")
    response = client_for(school.centre).get(
        "/search/jobs/", {"q": "钢琴老师"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<mark>钢琴教师</mark>" in body
    assert "<nav" not in body.split("共 1 个岗位")[0]  # no page chrome before the count
    assert "<html" not in body


def test_search_page_query_count(post, school, client_for, django_assert_num_queries):
    for i in range(15):
        post(f"大提琴演奏员{i}")
    client = client_for(school.graduate_user)
    client.get("/search/jobs/", {"q": "大提琴"})  # warm: the session's first write
    # session, user, memberships (+ departments prefetch), specialty choices (reference data),
    # the institution (navigation switcher), unread notifications (navigation), one page of index
    # rows (the search and its count run on the index alone), their jobs with employers
    with django_assert_num_queries(9):
        response = client.get("/search/jobs/", {"q": "大提琴"})
    assert response.status_code == 200
    assert response.content.decode().count("list-group-item") == 15


def test_pending_jobs_are_shown_to_staff_only(post, school, client_for):
    post("待审大提琴岗位", status=JobStatus.PENDING)
    # (the title is marked: 待审<mark>大提琴</mark>岗位)
    assert "待审<mark>" in client_for(school.centre).get("/search/jobs/?q=大提琴").content.decode()
    body = client_for(school.graduate_user).get("/search/jobs/?q=大提琴").content.decode()
    assert "待审" not in body


def test_teacher_pushes_to_own_mentee_only(post, school, client_for):
    job = post("大提琴首席")
    mentee = school.graduates[0]  # the teacher mentors graduates[0] only
    other = school.graduates[1]
    client = client_for(school.teacher)
    assert client.get(f"/search/jobs/{job.pk}/push/").status_code == 200
    assert client.post(f"/search/jobs/{job.pk}/push/", {"graduate": other.pk}).status_code == 404
    response = client.post(
        f"/search/jobs/{job.pk}/push/", {"graduate": mentee.pk, "note": "你的方向正合适"}
    )
    assert response.status_code == 302
    push = JobPush.objects.get()
    assert (push.graduate, push.pushed_by, push.note) == (mentee, school.teacher, "你的方向正合适")
    assert AuditEvent.objects.filter(action="job.push", institution=school.institution).count() == 1
    # Twice is refused in words.
    again = client.post(f"/search/jobs/{job.pk}/push/", {"graduate": mentee.pk})
    assert "已向该毕业生推荐过这个岗位" in again.content.decode()


def test_push_refused_to_graduates_and_leaders(post, school, client_for):
    job = post("大提琴首席")
    for user in (school.graduate_user, school.leader):
        response = client_for(user).post(
            f"/search/jobs/{job.pk}/push/", {"graduate": school.graduates[0].pk}
        )
        assert response.status_code == 403


def test_push_of_another_institutions_job_is_404(post, school, other_school, client_for):
    from qihang.search.services import jobs_index
    from tests.factories import make_employer, make_job

    theirs = make_job(
        make_employer("江城歌剧院", serial=303, institution=other_school.institution),
        other_school.institution,
    )
    jobs_index([theirs.pk])
    response = client_for(school.teacher).get(f"/search/jobs/{theirs.pk}/push/")
    assert response.status_code == 404


def test_search_page_wrong_method_is_not_a_write(school, client_for):
    # The page is a GET form; a POST reads the same (nothing to write), the route walk checks
    # that GET never writes.
    assert client_for(school.centre).post("/search/jobs/").status_code == 200
