"""The application journey in Debian's Chromium: a graduate applies to a job from its page; the
employer opens it (viewed), invites to an audition, then makes an offer; the graduate follows
every step on the timeline and accepts; the centre sees the employer answered. The graduate's
part on a phone-sized screen."""

import pytest
from django.urls import reverse

from qihang.applications.models import Application
from tests.browser.helpers import no_horizontal_overflow, sign_in
from tests.factories import make_employer, make_job, make_user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_apply_audition_offer_accept(live_server, chromium, page, shot, axe_violations, school):
    base = live_server.url
    admin = make_user("hr-orchestra", email="hr@orchestra.example")
    orchestra = make_employer("东海交响乐团", serial=31, institution=school.institution, user=admin)
    job = make_job(orchestra, school.institution, title="大提琴演奏员", posted_by=school.centre)

    # 1. The graduate, on a phone, applies from the job's page.
    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    graduate = phone.new_page()
    graduate.set_default_timeout(15_000)
    sign_in(graduate, base, school.graduate_user.username)
    graduate.goto(base + reverse("jobs:browse_detail", args=[job.pk]))
    graduate.get_by_role("link", name="投递申请").first.click()
    graduate.fill("textarea[name=note]", "我主修大提琴，曾随乐团巡演。")
    shot(graduate, "application-01-graduate-applies")
    graduate.get_by_role("button", name="确认投递").click()
    graduate.wait_for_load_state("networkidle")
    application = Application.objects.get()
    assert application.status == "submitted"
    assert no_horizontal_overflow(graduate) == []

    # 2. The employer opens it (the page marks it viewed), invites to an audition, then offers.
    sign_in(page, base, "hr@orchestra.example")
    page.goto(base + reverse("employer_applications:list"))
    page.get_by_role("link", name=application.graduate.name).click()
    page.wait_for_load_state("networkidle")
    application.refresh_from_db()
    assert application.status == "viewed"
    assert "我主修大提琴" in page.inner_text("main")
    page.select_option("select[name=kind]", "audition")
    page.fill("input[name=at]", "2027-03-01T14:00")
    page.fill("input[name=place]", "乐团排练厅")
    shot(page, "application-02-employer-invites")
    assert axe_violations(page) == []
    page.get_by_role("button", name="发送邀请").click()
    page.wait_for_load_state("networkidle")
    page.fill("input[name=offer_note]", "7月1日报到")
    page.get_by_role("button", name="发出通知").click()
    page.wait_for_load_state("networkidle")
    application.refresh_from_db()
    assert application.status == "offer"

    # 3. The graduate sees every step and accepts.
    graduate.goto(base + reverse("applications:detail", args=[application.pk]))
    timeline = graduate.inner_text("#timeline")
    for step in ("投递申请", "单位已查看", "面试/试奏", "拟录用"):
        assert step in timeline
    assert "乐团排练厅" in graduate.inner_text("main")
    graduate.get_by_role("button", name="接受录用").click()
    graduate.wait_for_load_state("networkidle")
    assert "登记毕业去向" in graduate.inner_text("main")
    shot(graduate, "application-03-graduate-hired")
    assert no_horizontal_overflow(graduate) == []
    assert Application.objects.get().status == "hired"
    phone.close()

    # 4. The centre sees the employer answered.
    page.context.clear_cookies()
    sign_in(page, base, school.centre.username)
    page.goto(base + reverse("applications:employers"))
    row = page.locator("#response-table tbody tr").first
    assert "东海交响乐团" in row.inner_text() and "100.0%" in row.inner_text()
    shot(page, "application-04-centre-response-times")
