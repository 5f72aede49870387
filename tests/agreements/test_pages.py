"""The pages of the three parties, through the test client: the buttons come from the workflow,
each side sees and does only its part."""

import pytest

from qihang.agreements.models import Agreement, AgreementStatus, CancellationStatus
from qihang.destinations.models import Destination
from tests.agreements.helpers import TERMS, offer, sign

pytestmark = pytest.mark.django_db


def test_the_employer_offers_from_an_application_and_the_school_signs(school, world, client_for):
    employer = client_for(world["employer_user"])
    application = world["applications"][0]
    page = employer.get("/employer/agreements/new/")
    assert page.status_code == 200
    assert application.graduate.name in page.content.decode()
    response = employer.post("/employer/agreements/new/", {"application": application.pk, **TERMS})
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/employer/agreements/{agreement.pk}/"
    graduate = client_for(school.graduate_user)
    detail = graduate.get(f"/agreements/{agreement.pk}/").content.decode()
    assert 'data-action="accept"' in detail and 'data-action="decline"' in detail
    graduate.post(
        f"/agreements/{agreement.pk}/action/", {"action": "accept", "version": agreement.version}
    )
    dept = client_for(school.dept_staff)
    queue = dept.get("/agreements/staff/?status=accepted").content.decode()
    assert agreement.number in queue
    assert 'data-action="review"' in dept.get(f"/agreements/staff/{agreement.pk}/").content.decode()
    dept.post(f"/agreements/staff/{agreement.pk}/action/", {"action": "review"})
    centre = client_for(school.centre)
    page = centre.get(f"/agreements/staff/{agreement.pk}/").content.decode()
    assert 'data-action="approve"' in page
    centre.post(f"/agreements/staff/{agreement.pk}/action/", {"action": "approve"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    pdf = graduate.get(f"/agreements/{agreement.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert Destination.objects.get(graduate=school.graduates[0]).code.code == "10"


def test_the_graduate_cancels_through_every_party(school, world, client_for):
    agreement = sign(school, world)
    graduate = client_for(school.graduate_user)
    graduate.post(
        f"/agreements/{agreement.pk}/action/", {"action": "cancel_request", "reason": "岗位调整"}
    )
    employer = client_for(world["employer_user"])
    page = employer.get(f"/employer/agreements/{agreement.pk}/").content.decode()
    assert 'data-action="employer_approve"' in page
    assert f'action="/employer/agreements/{agreement.pk}/action/"' in page
    employer.post(f"/employer/agreements/{agreement.pk}/action/", {"action": "employer_approve"})
    client_for(school.dept_staff).post(
        f"/agreements/staff/{agreement.pk}/action/", {"action": "department_approve"}
    )
    centre = client_for(school.centre)
    assert agreement.number in centre.get("/agreements/staff/cancellations/").content.decode()
    centre.post(f"/agreements/staff/{agreement.pk}/action/", {"action": "centre_approve"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.CANCELLED
    assert agreement.cancellations.get().status == CancellationStatus.APPROVED
    assert Destination.objects.get(graduate=school.graduates[0]).code.code == "70"


def test_the_employer_edits_and_withdraws_before_acceptance(school, world, client_for):
    agreement = offer(world)
    employer = client_for(world["employer_user"])
    employer.post(f"/employer/agreements/{agreement.pk}/edit/", {**TERMS, "monthly_salary": 12000})
    agreement.refresh_from_db()
    assert (agreement.version, agreement.monthly_salary) == (2, 12000)
    employer.post(f"/employer/agreements/{agreement.pk}/action/", {"action": "withdraw"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.WITHDRAWN


def test_another_employers_agreement_is_404_on_every_portal_page(school, world, client_for):
    """The portal takes an agreement id in the path: one of another employer is not found,
    whether read, edited, acted on or printed, and nothing about it changes."""
    from tests.agreements.helpers import agreement_world

    theirs = offer(agreement_world(school, serial=7103))
    employer = client_for(world["employer_user"])
    base = f"/employer/agreements/{theirs.pk}"
    for path in (f"{base}/", f"{base}/edit/", f"{base}/pdf/"):
        assert employer.get(path).status_code == 404, path
    assert employer.post(f"{base}/action/", {"action": "withdraw"}).status_code == 404
    assert employer.post(f"{base}/edit/", {**TERMS, "monthly_salary": 1}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AgreementStatus.OFFERED and theirs.version == 1


def test_the_cancellation_limit_setting(school, client_for):
    centre = client_for(school.centre)
    assert centre.get("/agreements/staff/settings/").status_code == 200
    centre.post("/agreements/staff/settings/", {"max_cancellations": ""})
    from qihang.agreements.services import max_cancellations

    assert max_cancellations(school.institution.pk) is None


def test_the_staff_list_reads_a_fixed_number_of_queries(
    school, world, client_for, django_assert_max_num_queries
):
    for i in range(3):
        offer(world, i)
    centre = client_for(school.centre)
    centre.get("/agreements/staff/")  # warm the session and the actor
    # session, user, memberships (+ departments), the page's rows and count, the counts by
    # status, the navigation: a constant, whatever the number of agreements.
    with django_assert_max_num_queries(14):
        response = centre.get("/agreements/staff/")
    assert response.status_code == 200
