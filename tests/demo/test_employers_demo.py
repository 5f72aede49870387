"""The demo's employers (qihang/demo/employers_demo.py): what each page has to show."""

import pytest
from django.test import Client
from stdnum.cn import uscc

from qihang.demo import catalogue
from qihang.demo.employers_demo import ALUMNI_ENTERPRISES, EMPLOYERS, SHARED_WITH_JCCM
from qihang.employers.models import Alumnus, Employer, EmployerStanding, Interaction
from qihang.employers.selectors import channel_report, contact_conflicts
from qihang.institutions.models import Institution, Share
from qihang.institutions.scoping import build_actor, scoped

pytestmark = pytest.mark.django_db


def test_employers_standings_and_their_mix(demo):
    from qihang.demo.verification_demo import NEW_EMPLOYER

    # The catalogue's employers, and the one the verification demo registers late (the
    # "many graduates placed with a newly registered employer" flag).
    employers = Employer.objects.exclude(name=NEW_EMPLOYER[0])
    assert employers.count() == len(EMPLOYERS) >= 40
    assert all(uscc.is_valid(e.credit_code) for e in employers)
    dfcm = EmployerStanding.objects.filter(institution__code=catalogue.DFCM.code).exclude(
        employer__name=NEW_EMPLOYER[0]
    )
    statuses = list(dfcm.values_list("status", flat=True))
    assert statuses.count("rejected") == 1 and statuses.count("suspended") == 1
    assert statuses.count("pending") == 3
    assert statuses.count("verified") == len(EMPLOYERS) - 5
    assert EmployerStanding.objects.filter(institution__code=catalogue.JCCM.code).count() > 20
    assert dfcm.filter(credited_to__isnull=False).exists()
    assert Interaction.objects.exists()


def test_alumni_enterprises_and_the_share_with_jccm(demo):
    flagged = set(Employer.objects.filter(is_alumni_enterprise=True).values_list("name", flat=True))
    assert flagged == set(ALUMNI_ENTERPRISES)
    assert Alumnus.objects.filter(leads_employer=True, employer__name__in=flagged).count() == 2
    jccm = Institution.objects.get(code=catalogue.JCCM.code)
    centre = build_actor(jccm_centre(jccm), jccm.pk)
    shared = Employer.objects.get(name=SHARED_WITH_JCCM)
    assert Share.objects.active().filter(object_id=shared.pk, partner=jccm).exists()
    assert scoped(Employer, centre).filter(pk=shared.pk).exists()
    assert not EmployerStanding.objects.filter(employer=shared, institution=jccm).exists()


def jccm_centre(jccm):
    from qihang.accounts.models import User

    return User.objects.get(email=f"centre@{catalogue.JCCM.domain}")


def test_the_channel_report_has_hires_and_the_guard_an_example(demo):
    from qihang.accounts.models import User

    dfcm = Institution.objects.get(code=catalogue.DFCM.code)
    report = channel_report(
        actor=build_actor(User.objects.get(email="centre@dfcm.example"), dfcm.pk)
    )
    assert report.hires > 0
    twin = Employer.objects.get(name="和声音乐教育有限公司")
    assert [e.name for e in contact_conflicts(twin)] == ["申江音乐剧团有限公司"]


def test_the_employer_login_lands_in_the_portal(demo, production_hashers):
    login = next(x for x in demo if x.username.endswith("@employer.example"))
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": login.username, "password": login.password}
    )
    assert response["Location"] == "/employer/"
    page = client.get("/employer/").content.decode()
    assert catalogue.DFCM.name in page and "东方交响乐团" in page
