import datetime
import re

import pytest
from django.test import Client

from qihang.accounts.models import ApiToken
from qihang.api.schemas import REPORT_DAYS
from qihang.institutions.models import Membership
from tests.graduates.test_views_list import make_destination

API = "/api/v1"


def get(path: str, auth: str | None = None, **params):
    headers = {"Authorization": auth} if auth else {}
    return Client().get(f"{API}{path}", params, headers=headers)


@pytest.mark.django_db
def test_graduates_list_is_masked_paged_and_scoped(school, other_school, token_for):
    make_destination(school.graduates[0], "10")
    auth = token_for(school.centre, school)
    response = get("/graduates", auth)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["cohort"], data["count"], data["page"], data["page_size"]) == (2020, 3, 1, 50)
    first = data["results"][0]
    assert first["student_no"] == school.graduates[0].student_no
    assert first["department"]["name"] == "钢琴系"
    assert "*" in first["id_number_masked"] and first["phone_masked"] == "138****5678"
    assert first["destination"]["code"] == "10"
    assert "id_number" not in first and "phone" not in first
    body = response.content.decode()
    assert "13812345678" not in body
    # Department staff see their department only; another school's department is a 404.
    dept = get("/graduates", token_for(school.dept_staff, school)).json()
    assert dept["count"] == 2
    piano = school.departments[0].pk
    assert get("/graduates", auth, department=piano).json()["count"] == 2
    assert get("/graduates", auth, department=other_school.departments[0].pk).status_code == 404
    assert get("/graduates", auth, cohort=1999).status_code == 404
    assert get("/graduates", auth, page=9).status_code == 404


@pytest.mark.django_db
def test_graduate_detail(school, other_school, token_for):
    auth = token_for(school.teacher, school)
    mine = get(f"/graduates/{school.graduates[0].pk}", auth)
    assert mine.status_code == 200
    data = mine.json()
    assert data["mentor"] == str(school.teacher)
    assert data["account_status"] == "active"
    assert data["destination"] is None
    # Not their mentee / not their school: both look missing.
    assert get(f"/graduates/{school.graduates[1].pk}", auth).status_code == 404
    assert get(f"/graduates/{other_school.graduates[0].pk}", auth).status_code == 404


@pytest.mark.django_db
def test_stats_answer_for_the_tokens_actor_with_the_asked_grouping_day_and_kind(
    school, other_school, token_for
):
    make_destination(school.graduates[0], "10")
    auth = token_for(school.leader, school)
    response = get("/stats", auth, cohort=2020, by="major", as_of="2020-07-01", kind="reported")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["institution"] == {"code": "90001", "name": "东方音乐学院"}
    assert (data["cohort"], data["by"], data["kind"]) == (2020, "major", "reported")
    # The end of that day in the institution's time zone.
    assert data["as_of"] == "2020-07-01T23:59:59.999999+08:00"
    assert data["total"]["total"] == 3  # the other school's graduates are not counted
    assert get("/stats", token_for(school.teacher, school)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "as_of", ["0", "1593532800", "20200701", "2020/07/01", "2020-7-1", "2020-02-30", "today"]
)
def test_stats_as_of_accepts_only_iso_dates(school, token_for, as_of):
    """as_of=0 was read as a Unix time, 1970-01-01; only YYYY-MM-DD is a date here."""
    response = get("/stats", token_for(school.centre, school), as_of=as_of)
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "as_of"]
    assert error["type"] == "iso_date"
    assert error["msg"] == "日期须为 YYYY-MM-DD 格式（ISO 8601）的有效日期，例如 2020-07-15。"


@pytest.mark.django_db
def test_stats_as_of_is_within_the_days_a_report_can_be_as_of(school, token_for):
    """9999-12-31 was a 500 (its end is past the largest datetime); 0479-05-27 answered with
    Shanghai's local mean time, +08:05:43, which is no RFC 3339 offset."""
    auth = token_for(school.centre, school)
    for as_of in ("9999-12-31", "2100-01-01", "1949-12-31", "0479-05-27"):
        response = get("/stats", auth, as_of=as_of)
        assert response.status_code == 422, (as_of, response.content)
        (error,) = response.json()["detail"]
        assert (error["type"], error["msg"]) == (
            "date_range",
            "日期须在 1950-01-01 至 2099-12-31 之间。",
        )
    first = get("/stats", auth, as_of="1950-01-01").json()["as_of"]
    last = get("/stats", auth, as_of="2099-12-31").json()["as_of"]
    assert (first, last) == (
        "1950-01-01T23:59:59.999999+08:00",
        "2099-12-31T23:59:59.999999+08:00",
    )


@pytest.mark.django_db
def test_stats_grouping_and_kind_are_enumerations_from_the_reports_tables(school, client_for):
    from qihang.reports import stats

    schema = client_for(school.centre).get(f"{API}/openapi.json").json()
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/stats"]["get"]["parameters"]
    }
    assert parameters["by"]["enum"] == list(stats.GROUPINGS)
    assert parameters["by"]["default"] == "department"
    assert parameters["kind"]["enum"] == list(stats.KINDS)
    assert parameters["kind"]["default"] == "official"
    as_of = next(s for s in parameters["as_of"]["anyOf"] if s.get("type") == "string")
    assert (as_of["type"], as_of["format"]) == ("string", "date")
    # The pattern says which days the server takes: REPORT_DAYS, written YYYY-MM-DD.
    pattern = re.compile(as_of["pattern"])
    first, last = REPORT_DAYS
    for day in (first, last, datetime.date(2020, 7, 15)):
        assert pattern.fullmatch(day.isoformat()), day
    for refused in (first - datetime.timedelta(days=1), last + datetime.timedelta(days=1)):
        assert not pattern.fullmatch(refused.isoformat()), refused
    for refused in ("0", "20200715", "2020/07/15", "2020-7-15", "2020-13-01", "2020-07-32"):
        assert not pattern.fullmatch(refused), refused


@pytest.mark.django_db
def test_bad_tokens_get_401_with_a_json_error(school, token_for):
    good = token_for(school.centre, school)
    for auth in (None, "Bearer nope", "Bearer qh_deadbeef_nope", good + "x", "Token abc"):
        response = get("/graduates", auth)
        assert response.status_code == 401, auth
        assert response["Content-Type"].startswith("application/json")
        assert "API 令牌" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_revoked_tokens_and_ended_memberships_stop_working_at_once(school, token_for):
    auth = token_for(school.centre, school)
    assert get("/graduates", auth).status_code == 200
    token = ApiToken.objects.get(user=school.centre)
    assert token.last_used_at is not None
    Membership.objects.filter(user=school.centre).update(is_active=False)
    assert get("/graduates", auth).status_code == 401
    Membership.objects.filter(user=school.centre).update(is_active=True)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))
    assert get("/graduates", auth).status_code == 401


@pytest.mark.django_db
def test_list_query_count_is_constant(school, token_for, django_assert_num_queries):
    from tests.graduates.test_views_list import add_graduates

    auth = token_for(school.centre, school)
    get("/graduates", auth)  # warm: last_used_at is written once a minute at most
    # token (with user), memberships, their departments, cohorts, count, page.
    with django_assert_num_queries(6):
        assert get("/graduates", auth).status_code == 200
    add_graduates(school, 60)
    with django_assert_num_queries(6):
        assert len(get("/graduates", auth).json()["results"]) == 50


@pytest.mark.django_db
def test_docs_are_for_signed_in_staff(school, client_for, token_for):
    assert Client().get(f"{API}/docs").status_code == 302  # to the login page
    assert client_for(school.graduate_user).get(f"{API}/docs").status_code == 403
    docs = client_for(school.centre).get(f"{API}/docs")
    assert docs.status_code == 200
    assert "swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()
    schema = client_for(school.centre).get(f"{API}/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/graduates", "/api/v1/graduates/{graduate_id}", "/api/v1/stats"} <= set(paths)
    assert Client().get(f"{API}/openapi.json").status_code == 401
    bearer = Client().get(
        f"{API}/openapi.json", headers={"Authorization": token_for(school.leader, school)}
    )
    assert bearer.status_code == 200


@pytest.mark.django_db
def test_stats_end_to_end(school, token_for):
    auth = token_for(school.centre, school)
    response = get("/stats", auth, by="department")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["by"] == "department"
    assert {row["label"] for row in data["rows"]} <= {d.name for d in school.departments}
    assert data["total"]["total"] == 3
    assert get("/stats", auth, by="shoe_size").status_code == 422
    assert get("/stats", auth, kind="guess").status_code == 422
