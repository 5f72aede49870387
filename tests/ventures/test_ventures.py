"""Ventures: projects and their team, the parks directory as versioned reference data, matching
with reasons, the 75 link, and the pages' access and query counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from qihang.audit.models import AuditEvent
from qihang.destinations.models import Destination
from qihang.institutions.scoping import build_actor
from qihang.ventures import selectors, services
from qihang.ventures.models import Park, ParkChange, Project
from tests.api.conftest import token_for  # noqa: F401  (the API tests' token fixture)
from tests.ventures.helpers import MUSIC_SCHOOL, make_project

pytestmark = pytest.mark.django_db


def test_the_parks_are_loaded_from_the_reference_file():
    districts = set(Park.objects.values_list("district", flat=True))
    assert {"徐汇区", "黄浦区", "杨浦区", "静安区"} <= districts
    assert Park.objects.filter(city="武汉").count() >= 3
    assert set(Park.objects.values_list("version", flat=True)) == {1}


def test_a_founder_registers_a_project_with_teammates(school):
    project = make_project(school, members=[school.graduates[1].student_no])
    assert project.lead == school.graduates[0]
    assert {m.graduate for m in project.members.all()} == set(school.graduates[:2])
    assert AuditEvent.objects.filter(action="project.create", target_id=str(project.pk)).exists()


def test_teammates_must_be_graduates_of_the_institution(school, other_school):
    with pytest.raises(ValidationError, match=other_school.graduates[0].student_no):
        make_project(school, members=[other_school.graduates[0].student_no])
    assert not Project.objects.exists()


def test_matches_give_their_reasons_in_words(school):
    project = make_project(school)
    found = selectors.matches(project)
    best = found[0]
    assert best.park.name == "西岸文化艺术示范区"
    text = " ".join(best.reasons)
    assert "音乐教育" in text and "试运营" in text and "徐汇区" in text
    assert all(m.reasons for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_editing_a_park_keeps_the_old_version(school):
    park = Park.objects.get(code="sh-yp-bay-valley")
    centre = build_actor(school.centre, school.institution.pk)
    services.park_update(actor=centre, park=park, data={"support": "新政策：免租一年。"})
    park.refresh_from_db()
    assert park.version == 2 and park.support == "新政策：免租一年。"
    old = ParkChange.objects.get(park=park)
    assert old.version == 1 and "高校毕业生创业孵化" in old.data["support"]


def test_the_project_page_links_to_the_destination_form_only(school, client_for):
    project = make_project(school)
    page = client_for(school.graduate_user).get(f"/ventures/{project.pk}/").content.decode()
    assert "/destinations/mine/?code=75&amp;employer_name=" in page
    # Staff see the project, not the graduate's link; nothing became a destination.
    staff_page = client_for(school.centre).get(f"/ventures/{project.pk}/").content.decode()
    assert "code=75" not in staff_page
    assert not Destination.objects.filter(graduate=school.graduates[0], code__code="75").exists()


def test_endpoints_404_403_405(school, other_school, client_for):
    theirs = make_project(other_school)
    assert client_for(school.centre).get(f"/ventures/{theirs.pk}/").status_code == 404
    assert client_for(school.graduate_user).get("/ventures/all/").status_code == 403
    assert client_for(school.teacher).post("/ventures/new/", dict(MUSIC_SCHOOL)).status_code == 403
    assert client_for(school.graduate_user).get("/ventures/new/").status_code == 405
    assert client_for(school.teacher).get("/ventures/parks/1/edit/").status_code == 403


def test_creating_through_the_page_says_what_is_wrong(school, client_for):
    client = client_for(school.graduate_user)
    response = client.post("/ventures/new/", {**MUSIC_SCHOOL, "members": "NOSUCH01"})
    assert response.status_code == 400
    assert "NOSUCH01" in response.content.decode()
    ok = client.post("/ventures/new/", {**MUSIC_SCHOOL, "districts": ["徐汇区"]})
    assert ok.status_code == 302 and Project.objects.count() == 1


def test_query_counts(school, client_for, django_assert_num_queries):
    for i in range(4):
        make_project(school, data={**MUSIC_SCHOOL, "name": f"项目{i}"})
    graduate, centre = client_for(school.graduate_user), client_for(school.centre)
    graduate.get("/ventures/")
    centre.get("/ventures/all/")
    # session, user, memberships (+ departments), graduate scoping's projects, members (+ graduate),
    # staff for the mentor choices, districts, institution, unread count.
    with django_assert_num_queries(10):
        assert graduate.get("/ventures/").status_code == 200
    # session, user, memberships (+ departments), projects with lead and mentor, their members,
    # the upcoming founders' events, institution, unread count.
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        assert centre.get("/ventures/all/").status_code == 200
    # session, user, memberships (+ departments), parks, their upcoming founders' events,
    # districts, institution, unread count.
    with django_assert_num_queries(10):  # + the session's OTP device (accounts.mfa)
        assert centre.get("/ventures/parks/").status_code == 200


def test_the_api_gives_a_graduate_their_projects_and_parks(school, client_for):
    project = make_project(school)
    client = client_for(school.graduate_user)
    mine = client.get("/api/v1/ventures/projects").json()
    assert [p["name"] for p in mine] == ["小音符音乐教育工作室"]
    parks = client.get(f"/api/v1/ventures/projects/{project.pk}/parks").json()
    assert parks[0]["park"] == "西岸文化艺术示范区" and parks[0]["reasons"]


def test_the_api_gives_the_parks_directory_and_staff_the_projects_they_see(
    school,
    client_for,
    token_for,  # noqa: F811
):
    from django.test import Client

    from tests.ventures.helpers import walk_ventures

    walk_ventures(school)  # graduates[0]'s project (钢琴系) and graduates[2]'s (声乐歌剧系)
    graduate = client_for(school.graduate_user)
    directory = graduate.get("/api/v1/ventures/parks").json()
    assert len(directory) == Park.objects.filter(is_active=True).count()
    shanghai = graduate.get("/api/v1/ventures/parks?city=上海").json()
    assert shanghai and {p["city"] for p in shanghai} == {"上海"}
    assert all(p["focus"] and p["support"] for p in shanghai)

    centre = {"Authorization": token_for(school.centre, school)}
    everything = Client().get("/api/v1/staff/ventures/projects", headers=centre).json()
    assert {p["name"] for p in everything} == {"小音符音乐教育工作室", "声乐工作坊"}
    ideas = Client().get("/api/v1/staff/ventures/projects?stage=idea", headers=centre).json()
    assert [p["name"] for p in ideas] == ["声乐工作坊"]
    assert ideas[0]["lead_department"] == school.graduates[2].department.name
    # Department staff see their department's founders only.
    dept = {"Authorization": token_for(school.dept_staff, school)}
    theirs = Client().get("/api/v1/staff/ventures/projects", headers=dept).json()
    assert [p["name"] for p in theirs] == ["小音符音乐教育工作室"]
    # A graduate has no staff operation, and staff no graduate one.
    assert graduate.get("/api/v1/staff/ventures/projects").status_code == 403
    assert Client().get("/api/v1/ventures/parks", headers=centre).status_code == 403
