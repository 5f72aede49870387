"""The application journey in Debian's Chromium: a graduate builds a portfolio (a work of the
repertoire, a recording on a platform) and applies to a job from its page; the employer opens it
(viewed), reads the portfolio, invites to an audition, then makes an offer; the graduate follows
every step on the timeline and accepts; the centre sees the employer answered. Then a job fair
fills up: a second graduate joins the waiting list, is promoted when the first cancels, and is
checked in by the code on the ticket. The graduates' part on a phone-sized screen."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qihang.applications.models import Application
from qihang.events.models import Registration, Room
from qihang.events.services import event_create
from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import membership_grant
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
    # 0. The portfolio: a work of the repertoire and a recording on an allowed platform.
    graduate.goto(base + reverse("resumes:mine"))
    repertoire = graduate.locator("#section-repertoire")
    repertoire.locator("input[name=repertoire-composer]").fill("德沃夏克")
    repertoire.locator("input[name=repertoire-work]").fill("b小调大提琴协奏曲")
    repertoire.get_by_role("button", name="添加").click()
    repertoire = graduate.locator("#section-repertoire")
    repertoire.get_by_text("b小调大提琴协奏曲").wait_for()
    media = graduate.locator("#section-media")
    media.locator("input[name=media-title]").fill("协奏曲第一乐章（现场）")
    media.locator("input[name=media-url]").fill("https://www.bilibili.com/video/BV1xx411c7mD")
    media.get_by_role("button", name="添加链接").click()
    graduate.locator("#section-media").get_by_text("协奏曲第一乐章（现场）").wait_for()
    shot(graduate, "application-00-graduate-portfolio")
    assert no_horizontal_overflow(graduate) == []
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
    # The application opens the graduate's résumé and portfolio to this employer.
    page.get_by_role("link", name="简历与作品").click()
    page.wait_for_load_state("networkidle")
    assert "b小调大提琴协奏曲" in page.inner_text("main")
    assert "协奏曲第一乐章（现场）" in page.inner_text("main")
    page.go_back()
    page.wait_for_load_state("networkidle")
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fair_fills_up_waitlist_promotion_check_in(live_server, chromium, page, shot, school):
    base = live_server.url
    centre = build_actor(school.centre, school.institution.pk)
    start = dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=10), dt.time(9, 0), tzinfo=dt.UTC
    )
    room = Room.objects.create(institution=school.institution, name="大礼堂", seats=300)
    fair = event_create(
        actor=centre,
        data={
            "kind": "job_fair",
            "title": "春季双选会",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=3),
            "capacity": 1,
        },
        room=room,
    )
    second_user = make_user(f"{school.institution.code}-grad2")
    membership_grant(institution=school.institution, user=second_user, role=Role.GRADUATE)
    second = school.graduates[1]
    second.user = second_user
    second.save(update_fields=["user"])

    def phone_of(username):
        context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        sign_in(tab, base, username)
        tab.goto(base + reverse("events:upcoming"))
        return tab

    # 1. The first graduate takes the only seat; the second joins the waiting list.
    first = phone_of(school.graduate_user.username)
    first.get_by_role("button", name="报名").click()
    first.wait_for_load_state("networkidle")
    assert "ticket-code" in first.content()
    shot(first, "fair-01-first-graduate-seated")
    waiting = phone_of(second_user.username)
    waiting.get_by_role("button", name="加入候补").click()
    waiting.wait_for_load_state("networkidle")
    assert "候补名单第 1 位" in waiting.inner_text("main")
    shot(waiting, "fair-02-second-graduate-waitlisted")
    assert no_horizontal_overflow(waiting) == []
    fair.refresh_from_db()
    assert fair.seats_taken == 1

    # 2. The first cancels: the seat goes to the waiting list at once, with a notice.
    first.get_by_role("button", name="取消报名").click()
    first.wait_for_load_state("networkidle")
    promoted = Registration.objects.get(event=fair, graduate=second)
    assert promoted.status == "seated" and promoted.promoted_at is not None
    waiting.goto(base + reverse("notifications:inbox"))
    assert "春季双选会" in waiting.inner_text("main")
    waiting.goto(base + reverse("events:ticket", args=[promoted.pk]))
    code = waiting.inner_text("#ticket-code").strip()
    assert code == promoted.code
    shot(waiting, "fair-03-promoted-ticket")
    assert no_horizontal_overflow(waiting) == []
    first.context.close()
    waiting.context.close()

    # 3. At the door the centre types the code (lower case: codes are not case-sensitive).
    sign_in(page, base, school.centre.username)
    page.goto(base + reverse("events:attendance", args=[fair.pk]))
    page.locator("#checkin-form input[name=code]").fill(code.lower())
    page.locator("#checkin-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert second.name in page.inner_text("main")
    shot(page, "fair-04-checked-in")
    promoted.refresh_from_db()
    assert promoted.checked_in_at is not None
    fair.refresh_from_db()
    assert fair.seats_taken == 1
