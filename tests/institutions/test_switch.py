import pytest
from django.test import Client

from qihang.institutions.roles import Role
from qihang.institutions.scoping import SESSION_INSTITUTION_KEY
from qihang.institutions.services import membership_grant

PASSWORD = "Qihang-test-2020"


@pytest.mark.django_db
def test_a_person_with_two_institutions_switches_between_them(school, other_school):
    # The pairing: a Wuhan teacher also works with the Shanghai school.
    membership_grant(institution=school.institution, user=other_school.teacher, role=Role.TEACHER)
    client = Client()
    client.post(
        "/accounts/login/", {"username": other_school.teacher.username, "password": PASSWORD}
    )
    first = min(school.institution.pk, other_school.institution.pk)
    assert client.session[SESSION_INSTITUTION_KEY] == first
    page = client.get("/accounts/")
    html = page.content.decode()
    assert 'id="institution-switch"' in html
    assert school.institution.name in html and other_school.institution.name in html
    target = max(school.institution.pk, other_school.institution.pk)
    response = client.post("/institution/switch/", {"institution": target})
    assert response.status_code == 302
    assert client.session[SESSION_INSTITUTION_KEY] == target


@pytest.mark.django_db
def test_nobody_switches_into_an_institution_without_a_membership(school, other_school, client_for):
    client = client_for(school.centre)
    response = client.post("/institution/switch/", {"institution": other_school.institution.pk})
    assert response.status_code == 404
    assert client.post("/institution/switch/", {"institution": "x"}).status_code == 404
    assert client.get("/institution/switch/").status_code == 405
    assert Client().post("/institution/switch/", {"institution": 1}).status_code == 302  # login


@pytest.mark.django_db
def test_single_institution_people_see_no_switcher(school, client_for):
    html = client_for(school.centre).get("/accounts/").content.decode()
    assert 'id="institution-switch"' not in html
    assert school.institution.name in html
