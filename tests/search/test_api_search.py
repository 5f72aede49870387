"""GET /api/v1/jobs: shape, relevance order, filters, scoping, query count."""

import pytest

from qihang.jobs.models import JobStatus
from qihang.search.services import jobs_index
from tests.factories import make_employer, make_job

pytestmark = pytest.mark.django_db


def test_shape_and_order(post, school, token_for):
    post("乐团演奏员", description="大提琴声部", source="city", external_id="X-1")
    post("大提琴首席", flags=[{"ground": "age", "phrase": "35岁以下", "reason": "年龄限制"}])
    client_auth = {"Authorization": token_for(school.centre, school)}
    from django.test import Client

    data = Client().get("/api/v1/jobs", {"q": "大提琴"}, headers=client_auth).json()
    assert data["count"] == 2
    first, second = data["items"]
    assert first["title"] == "大提琴首席"  # a title match outranks a description match
    assert first["flags"][0]["ground"] == "age"
    assert second["source"] == "city" and second["external_id"] == "X-1"
    assert set(first) >= {
        "id",
        "external_id",
        "source",
        "title",
        "employer",
        "kind",
        "location",
        "flags",
    }
    assert first["employer"]["name"] == "东方交响乐团"
    assert first["location"] == {"division": "310104", "name": "上海市徐汇区", "text": ""}


def test_filters_and_scoping(post, school, other_school, client_for):
    post("大提琴演奏员", kind="internship")
    post("大提琴首席")
    post("待审大提琴", status=JobStatus.PENDING)
    theirs = make_job(
        make_employer("江城歌剧院", serial=404, institution=other_school.institution),
        other_school.institution,
        title="江城大提琴",
    )
    jobs_index([theirs.pk])
    client = client_for(school.graduate_user)  # the session works as well as a token
    data = client.get("/api/v1/jobs", {"q": "大提琴"}).json()
    assert sorted(i["title"] for i in data["items"]) == ["大提琴演奏员", "大提琴首席"]
    data = client.get("/api/v1/jobs", {"q": "大提琴", "kind": "internship"}).json()
    assert [i["title"] for i in data["items"]] == ["大提琴演奏员"]
    assert client.get("/api/v1/jobs", {"kind": "nonsense"}).status_code == 422


def test_query_count(post, school, token_for, django_assert_num_queries):
    from django.test import Client

    for i in range(10):
        post(f"大提琴演奏员{i}")
    auth = {"Authorization": token_for(school.centre, school)}
    # token (+ last-used update on first use), memberships (+ departments), the page's index
    # rows (scope, filters, match, rank, order and the count on the index alone), their jobs
    # with employers
    Client().get("/api/v1/jobs", {"q": "大提琴"}, headers=auth)
    with django_assert_num_queries(5):
        response = Client().get("/api/v1/jobs", {"q": "大提琴"}, headers=auth)
    assert response.json()["count"] == 10


def test_employers_are_refused(post, school, walk_fixtures, token_for):
    from django.test import Client

    walk_fixtures(school)
    auth = {"Authorization": token_for(school.fixtures["employer_user"], school)}
    assert Client().get("/api/v1/jobs", headers=auth).status_code == 403


def test_wrong_method_is_405(school, token_for):
    from django.test import Client

    auth = {"Authorization": token_for(school.centre, school)}
    assert Client().post("/api/v1/jobs", headers=auth).status_code == 405
