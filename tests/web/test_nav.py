"""The main navigation (qihang/web/nav.py): a handful of entries for each person, menus for
groups of two or more pages, only pages the person may open, the current page marked."""

import pytest
from django.urls import reverse

from qihang.institutions.roles import (
    EMPLOYER_ROLE_PERMISSIONS,
    PLATFORM_ADMIN_PERMISSIONS,
    ROLE_PERMISSIONS,
)
from qihang.institutions.scoping import build_actor
from qihang.web.nav import NAV, nav_for

pytestmark = pytest.mark.django_db


def _urls(entries) -> set[str]:
    return {link.url for entry in entries for link in entry.links}


def test_every_entry_names_a_page_and_a_permission_some_role_holds():
    held = frozenset().union(
        *ROLE_PERMISSIONS.values(), *EMPLOYER_ROLE_PERMISSIONS.values(), PLATFORM_ADMIN_PERMISSIONS
    )
    for group in NAV:
        for item in group.items:
            reverse(item.url_name)
            assert set(item.perms) & held, item


def test_the_centre_gets_a_short_bar_of_menus(school):
    entries = nav_for(build_actor(school.centre, school.institution.pk), "/events/12/")
    assert len(entries) <= 8
    assert any(e.is_menu for e in entries)
    [current] = [link for e in entries for link in e.links if link.current]
    assert current.url == reverse("events:list")


def test_a_graduate_sees_only_their_own_pages(school):
    entries = nav_for(build_actor(school.graduate_user, school.institution.pk), "/")
    urls = _urls(entries)
    assert reverse("destinations:mine") in urls and reverse("events:upcoming") in urls
    assert reverse("graduates:list") not in urls and reverse("events:list") not in urls
    assert not any(link.current for e in entries for link in e.links)  # "/" marks nothing


def test_a_page_the_bar_links_to_opens_for_that_person(school, client_for):
    for user in (school.centre, school.dept_staff, school.teacher, school.graduate_user):
        client = client_for(user)
        for url in _urls(nav_for(build_actor(user, school.institution.pk), "/")):
            assert client.get(url).status_code == 200, (user, url)


def test_the_403_page_explains_and_leads_home(school, client_for):
    response = client_for(school.graduate_user).get(reverse("graduates:list"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "没有权限打开这个页面" in body and reverse("web:home") in body
