"""Editing a record with a signing date in Chinese (zh-hans), in Debian's Chromium.

Chromium drops a date input's value unless it is YYYY-MM-DD; in zh-hans Django wrote
2020/04/14, the field showed empty, and saving failed with "必须填写签约日期"."""

import datetime as dt

import pytest
from django.urls import reverse

from qihang.destinations.models import Destination, ReviewStatus
from qihang.destinations.policy import policy_for
from qihang.destinations.services import destination_approve, destination_submit
from qihang.institutions.scoping import build_actor
from tests.browser.helpers import sign_in
from tests.destinations.conftest import employment


def _approved_with_signing_date(school) -> Destination:
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    graduate = school.graduates[0]
    destination = destination_submit(
        actor=build_actor(school.graduate_user, school.institution.pk),
        graduate=graduate,
        data=employment(signed_on=dt.date(2020, 4, 14)),
    )
    return destination_approve(
        actor=build_actor(school.centre, school.institution.pk), destination=destination
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_graduate_edits_a_record_with_a_signing_date_in_chinese(
    live_server, page, shot, axe_violations, school, media_root
):
    destination = _approved_with_signing_date(school)
    base = live_server.url
    sign_in(page, base, school.graduates[0].student_no)
    page.goto(base + reverse("destinations:mine"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.input_value("form.destination-form input[name=signed_on]") == "2020-04-14"
    page.fill("form.destination-form input[name=employer_name]", "上海交响乐团（更名后）")
    page.fill("form.destination-form input[name=reason]", "单位已更名")
    page.click("form.destination-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    shot(page, "dates-01-graduate-edited")
    destination.refresh_from_db()
    assert destination.version == 2, page.inner_text("main")
    assert destination.status == ReviewStatus.SUBMITTED
    assert destination.employer_name == "上海交响乐团（更名后）"
    assert destination.signed_on == dt.date(2020, 4, 14)
    shot(page, "dates-01-graduate-edited")
    assert axe_violations(page) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_edit_that_fails_keeps_everything_typed_then_succeeds(
    live_server, page, shot, axe_violations, school, media_root
):
    destination = _approved_with_signing_date(school)
    base = live_server.url
    sign_in(page, base, school.dept_staff.username)
    page.goto(base + reverse("destinations:record", args=[destination.graduate_id]))
    assert page.input_value("form.destination-form input[name=signed_on]") == "2020-04-14"
    # The employer's name is required for code 10: the service refuses the version.
    page.fill("form.destination-form input[name=employer_name]", "")
    page.fill("form.destination-form input[name=agreement_no]", "2020-310-0099")
    page.fill("form.destination-form input[name=reason]", "协议书编号录入有误")
    page.click("form.destination-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_employer_name-errors").is_visible()
    assert page.input_value("form.destination-form input[name=reason]") == "协议书编号录入有误"
    assert page.input_value("form.destination-form input[name=agreement_no]") == "2020-310-0099"
    assert page.input_value("form.destination-form input[name=signed_on]") == "2020-04-14"
    assert page.input_value("form.destination-form select[name=code]") == "10"
    shot(page, "dates-02-failed-edit-keeps-input")
    assert axe_violations(page) == []
    destination.refresh_from_db()
    assert destination.version == 1

    page.fill("form.destination-form input[name=employer_name]", "上海交响乐团")
    page.click("form.destination-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    destination.refresh_from_db()
    assert destination.version == 2
    assert destination.agreement_no == "2020-310-0099"
    assert destination.signed_on == dt.date(2020, 4, 14)
    assert destination.status == ReviewStatus.DEPARTMENT_REVIEWED
