"""Recommendations: reasons in words, order, pushes first, bounded queries, the page and API."""

import datetime as dt

import pytest

from qihang.institutions.scoping import build_actor
from qihang.search.models import JobPreference
from qihang.search.selectors import degree_requirement, recommendations
from qihang.search.services import job_push

pytestmark = pytest.mark.django_db

TODAY = dt.date(2020, 7, 15)


@pytest.fixture
def graduate(school):
    g = school.graduates[0]  # 音乐表演, bachelor; mentored by school.teacher
    g.specialization = "大提琴"
    g.save(update_fields=["specialization"])
    return g


@pytest.fixture
def me(school, graduate):
    return build_actor(school.graduate_user, school.institution.pk)


def test_reasons_in_words_and_order(post, me, graduate, school):
    cello = post("大提琴演奏员", majors="音乐表演", degree_levels=["bachelor", "master", "doctor"])
    post("小号演奏员", majors="音乐表演")
    post("声乐教师", degree_levels=["master"])  # not open to a bachelor
    items = recommendations(me, today=TODAY)
    assert [r.job.title for r in items] == ["大提琴演奏员", "小号演奏员"]
    assert items[0].job == cello
    assert items[0].reasons == [
        "与你的专业方向一致：大提琴",
        "专业要求包含你的专业：音乐表演",
        "学历要求：本科及以上，符合",
    ]


def test_preferences_add_place_kind_and_keywords(post, me, graduate, school):
    post("乐团演奏员", division="320508", kind="full_time", salary_min=6000, salary_max=9000)
    post("乐团实习", division="110101", kind="internship")
    JobPreference.objects.create(
        institution=school.institution,
        graduate=graduate,
        divisions=["320500"],
        kinds=["full_time"],
        salary_min=8000,
        keywords="乐团",
    )
    items = recommendations(me, today=TODAY)
    assert items[0].job.title == "乐团演奏员"
    assert "工作地点在你希望的江苏省苏州市" in items[0].reasons
    assert "岗位类型符合你的意向：全职" in items[0].reasons
    assert "薪资可达你期望的 8000 元" in items[0].reasons
    assert "与你的求职关键词相关：乐团" in items[0].reasons


def test_closed_jobs_are_not_recommended(post, me, graduate):
    post("大提琴演奏员", deadline=dt.date(2020, 7, 1))
    assert recommendations(me, today=TODAY) == []


def test_a_mentor_push_comes_first(post, me, graduate, school):
    post("大提琴演奏员", majors="音乐表演")
    pushed = post("钢琴伴奏")
    teacher = build_actor(school.teacher, school.institution.pk)
    job_push(actor=teacher, job=pushed, graduate=graduate, note="适合你的伴奏经历")
    items = recommendations(me, today=TODAY)
    assert items[0].job == pushed
    assert items[0].reasons[0].startswith("导师推荐：适合你的伴奏经历")
    # The graduate is told through the outbox.
    from qihang.notifications.models import Notification

    told = Notification.objects.get(recipient=school.graduate_user, kind="job_pushed")
    assert told.subject == "导师向你推荐了岗位：钢琴伴奏"


def test_pushes_only_to_graduates_one_sees(post, school, graduate):
    from django.core.exceptions import PermissionDenied

    job = post("大提琴演奏员")
    graduate_actor = build_actor(school.graduate_user, school.institution.pk)
    with pytest.raises(PermissionDenied):
        job_push(actor=graduate_actor, job=job, graduate=graduate)


def test_query_count_is_bounded(post, me, graduate, school, django_assert_num_queries):
    for i in range(30):
        post(f"大提琴演奏员{i}", majors="音乐表演")
    JobPreference.objects.create(
        institution=school.institution, graduate=graduate, divisions=["310000"], keywords="乐团"
    )
    recommendations(me, today=TODAY)  # warm: the regions reference data, read once a process
    # graduate, preference, pushes, full-text candidates + their specialties, newest in the
    # wished places + their specialties
    with django_assert_num_queries(7):
        items = recommendations(me, today=TODAY)
    assert len(items) == 20


def test_page_and_api(post, school, graduate, client_for):
    post("大提琴演奏员", majors="音乐表演")
    client = client_for(school.graduate_user)
    page = client.get("/recommendations/").content.decode()
    assert "与你的专业方向一致：大提琴" in page
    data = client.get("/api/v1/recommendations").json()
    assert data["items"][0]["job"]["title"] == "大提琴演奏员"
    assert data["items"][0]["reasons"][0] == "与你的专业方向一致：大提琴"
    assert data["items"][0]["pushed"] is False


def test_preferences_page_saves(school, graduate, client_for):
    client = client_for(school.graduate_user)
    assert client.get("/recommendations/preferences/").status_code == 200
    response = client.post(
        "/recommendations/preferences/",
        {"divisions": "310000 320500", "kinds": ["full_time"], "keywords": "乐团 首席"},
    )
    assert response.status_code == 302
    preference = JobPreference.objects.get(graduate=graduate)
    assert preference.divisions == ["310000", "320500"]
    assert preference.kinds == ["full_time"]
    bad = client.post("/recommendations/preferences/", {"divisions": "上海"})
    assert "行政区划代码应为6位数字" in bad.content.decode()


def test_staff_have_no_recommendations_page(school, client_for):
    assert client_for(school.centre).get("/recommendations/").status_code == 403


def test_degree_requirement_words():
    assert degree_requirement(["bachelor", "master", "doctor"]) == "本科及以上"
    assert degree_requirement(["master"]) == "硕士研究生"
    assert degree_requirement([]) == "不限"


def test_a_wished_region_is_a_reason(post, me, graduate, school):
    post("乐团演奏员", division="330106")
    post("乐团演奏员（北京）", division="110101")
    JobPreference.objects.create(
        institution=school.institution, graduate=graduate, regions=["yangtze_delta"]
    )
    items = recommendations(me, today=TODAY)
    assert [r.job.title for r in items] == ["乐团演奏员"]
    assert items[0].reasons == ["工作地点在你希望的长三角地区"]
