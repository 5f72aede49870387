"""The journey the issue names, in Debian's Chromium: a graduate reports a destination, the
department counsellor reviews it, the career centre approves it and sees the department's rate
change. Screenshots of each step are saved under test-artifacts/."""

import re

import pytest
from django.urls import reverse

from qihang.destinations.models import Destination, ReviewStatus
from qihang.destinations.policy import policy_for
from tests.browser.helpers import second_factor
from tests.conftest import TINY_PNG

PASSWORD = "Qihang-test-2020"
CREDIT_CODE = "91310104MA1FL5XX1F"  # valid check character (GB 32100)


def sign_in(page, base: str, identifier: str) -> None:
    page.goto(base + reverse("accounts:logout").replace("logout/", "login/"))
    page.fill("input[name=username]", identifier)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url, page.inner_text("main")
    second_factor(page, identifier)


def sign_out(page) -> None:
    page.click("nav form button[type=submit]")
    page.wait_for_load_state("networkidle")


def piano_placement(page, base: str) -> str:
    page.goto(f"{base}{reverse('reports:dashboard')}?by=department")
    row = page.locator("table.rates-table tbody tr", has=page.locator("th", has_text="钢琴系"))
    return row.locator("td").nth(4).inner_text().strip()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.evidence_rules  # the national rules: code 10 is approved on its agreement's scan
def test_report_review_approve_and_the_rate_moves(
    live_server, page, shot, axe_violations, school, media_root
):
    base = live_server.url
    graduate = school.graduates[0]  # 钢琴系, one of its two graduates
    # The test cohort is 2020; keep its registration window open so the graduate may report.
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])

    # The career centre sees 钢琴系 at 0% before anything is approved.
    sign_in(page, base, school.centre.username)
    assert piano_placement(page, base) == "0.00%"
    shot(page, "01-dashboard-before")
    assert axe_violations(page) == []
    sign_out(page)

    # The graduate signs in with their 学号 and reports a tripartite agreement (code 10).
    sign_in(page, base, graduate.student_no)
    page.goto(base + reverse("destinations:mine"))
    page.select_option("select[name=code]", "10")
    page.fill("input[name=employer_name]", "东方交响乐团")
    page.fill("input[name=employer_credit_code]", CREDIT_CODE)
    page.select_option("select[name=employer_nature]", "29")
    page.fill("input[name=employer_division]", "310104")
    page.fill("input[name=agreement_no]", "2020-0001")
    page.fill("input[name=signed_on]", "2020-05-20")
    page.check("input[name=confirmed_not_internship]")
    # What the code needs is said under the form; the scan goes with the report.
    assert "就业协议书" in page.locator("#evidence-hint").inner_text()
    page.select_option("select[name=evidence_kind]", "agreement")
    page.set_input_files(
        "input[name=evidence_file]",
        files=[{"name": "就业协议书.png", "mimeType": "image/png", "buffer": TINY_PNG}],
    )
    shot(page, "02-graduate-reports")
    page.click("form.destination-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    destination = Destination.objects.get(graduate=graduate)
    assert destination.status == ReviewStatus.SUBMITTED
    assert list(destination.evidence.values_list("kind", flat=True)) == ["agreement"]
    assert page.get_by_text("东方交响乐团").first.is_visible()
    shot(page, "03-graduate-submitted")
    assert axe_violations(page) == []
    sign_out(page)

    # The department counsellor reviews it from the queue (htmx swaps the row).
    sign_in(page, base, school.dept_staff.username)
    page.goto(base + reverse("destinations:review_queue"))
    row = page.locator(f"#destination-{destination.pk}")
    row.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "id => !document.querySelector('#' + id + ' button[hx-post$=\"/review/\"]')",
        arg=f"destination-{destination.pk}",
    )
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.DEPARTMENT_REVIEWED
    shot(page, "04-counsellor-reviewed")
    sign_out(page)

    # The career centre approves it and sees the department's placement rate move to 50%.
    sign_in(page, base, school.centre.username)
    page.goto(base + reverse("destinations:review_queue"))
    page.locator(f"#destination-{destination.pk}").get_by_role("button", name="审批通过").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "id => !document.querySelector('#' + id + ' button[hx-post$=\"/approve/\"]')",
        arg=f"destination-{destination.pk}",
    )
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.APPROVED
    shot(page, "05-centre-approved")
    assert piano_placement(page, base) == "50.00%"
    assert re.search(r"签约率", page.inner_text("main"))
    shot(page, "06-dashboard-after")
    assert not [e for e in page.console_errors if "favicon" not in e]
