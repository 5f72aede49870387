"""The channels journey in Debian's Chromium: an employer registers and is verified, posts a job
with a discriminatory phrase and sees why it is held, fixes it; the centre approves it and
shares it with the paired school; a graduate finds it by a Chinese query and sees why it is
recommended; the paired school's graduate sees the shared job."""

import datetime as dt

import pytest
from django.urls import reverse

from qihang.employers.models import Employer
from qihang.institutions.models import Pairing
from qihang.jobs.models import Job
from tests.browser.helpers import PASSWORD, sign_in
from tests.factories import make_credit_code

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EMAIL = "zhoumin@sucheng.example"


def sign_out(page, base: str) -> None:
    page.context.clear_cookies()
    page.goto(base + reverse("accounts:login"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_employer_to_graduate_journey(
    live_server, page, shot, axe_violations, school, other_school, media_root, tmp_path
):
    first, second = sorted([school.institution, other_school.institution], key=lambda i: i.pk)
    Pairing.objects.create(first=first, second=second, starts_on=dt.date(2020, 4, 1))
    base = live_server.url

    # 1. The employer registers, with its business licence, applying to the school.
    page.goto(base + reverse("employer_portal:register"))
    page.fill("#id_name", "苏城民族管弦乐团")
    page.fill("#id_credit_code", make_credit_code(700))
    page.select_option("#id_nature_code", "29")
    page.fill("#id_division", "江苏省苏州市姑苏区")
    page.fill("#id_contact_name", "周经理")
    page.fill("#id_contact_phone", "0512-6588 1234")
    page.fill("#id_contact_email", "hr@sucheng.example")
    page.select_option("#id_institution", str(school.institution.pk))
    page.fill("#id_account_name", "周敏")
    page.fill("#id_account_email", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)
    page.set_input_files("#id_licence", str(licence))
    shot(page, "channels-01-register")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    employer = Employer.objects.get(credit_code=make_credit_code(700))
    assert employer.division == "320508"

    # 2. The career centre verifies it.
    sign_in(page, base, school.centre.username)
    page.goto(base + reverse("employers:detail", args=[employer.pk]))
    shot(page, "channels-02-centre-sees-pending-employer")
    page.get_by_role("button", name="认证通过").click()
    page.wait_for_load_state("networkidle")
    assert "已认证" in page.inner_text("main")
    sign_out(page, base)

    # 3. The employer posts a job with a phrase the law forbids, and sees why it is held.
    sign_in(page, base, EMAIL)
    page.goto(base + reverse("employer_jobs:create"))
    page.select_option("#id_institution", str(school.institution.pk))
    page.fill("#id_title", "乐团招聘大提琴首席")
    page.select_option("#id_kind", "full_time")
    page.fill("#id_division", "苏州市")
    page.fill("#id_description", "招聘大提琴首席一名，限男性，35岁以下，硕士及以上学历。")
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_load_state("networkidle")
    shot(page, "channels-03-employer-posted")
    assert Job.objects.filter(title="乐团招聘大提琴首席").exists(), page.inner_text("main")
    job = Job.objects.get(title="乐团招聘大提琴首席")
    held = page.inner_text("main")
    assert "限男性" in held and job.flags, held
    shot(page, "channels-03-employer-sees-why-held")
    assert axe_violations(page) == []

    # It fixes the description; the flags go away on saving.
    page.goto(base + reverse("employer_jobs:edit", args=[job.pk]))
    page.fill("#id_description", "招聘大提琴首席一名，硕士及以上学历，有职业乐团经历者优先。")
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_load_state("networkidle")
    job.refresh_from_db()
    assert job.flags == []
    shot(page, "channels-04-employer-fixed")
    sign_out(page, base)

    # 4. The centre approves it in the review queue and shares it with the paired school.
    sign_in(page, base, school.centre.username)
    page.goto(base + reverse("jobs:detail", args=[job.pk]))
    if page.get_by_role("button", name="通过").count():
        page.get_by_role("button", name="通过").first.click()
        page.wait_for_load_state("networkidle")
    job.refresh_from_db()
    assert job.status == "published", page.inner_text("main")
    page.get_by_role("button", name=f"共享给{other_school.institution.name}").click()
    page.wait_for_load_state("networkidle")
    shot(page, "channels-05-centre-approved-and-shared")
    sign_out(page, base)

    # 5. The paired school's graduate sees the shared job, marked as shared.
    sign_in(page, base, other_school.graduate_user.username)
    page.goto(base + reverse("jobs:browse"))
    listing = page.inner_text("main")
    assert "乐团招聘大提琴首席" in listing and "共享" in listing, listing
    shot(page, "channels-06-partner-graduate-sees-shared-job")
    sign_out(page, base)

    # 6. A graduate of the school who plays the cello finds it by a Chinese query, and sees
    # why it is recommended.
    graduate = school.graduates[0]
    graduate.specialization = "大提琴"
    graduate.save(update_fields=["specialization"])
    sign_in(page, base, school.graduate_user.username)
    page.goto(base + reverse("search:jobs") + "?q=大提琴")
    results = page.inner_text("main")
    assert "乐团招聘大提琴首席" in results, results
    shot(page, "channels-07-graduate-finds-by-chinese-query")
    assert axe_violations(page) == []
    page.goto(base + reverse("search:recommendations"))
    recommended = page.inner_text("main")
    assert "乐团招聘大提琴首席" in recommended and "大提琴" in recommended, recommended
    assert "专业方向" in recommended, recommended
    shot(page, "channels-08-graduate-sees-why-recommended")
    assert page.console_errors == []
