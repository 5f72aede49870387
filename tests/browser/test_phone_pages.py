"""Every persona's most used pages at 390 px (a common phone) in Debian's Chromium: nothing makes
the page scroll sideways, and the lists that were squeezed into one character per line are one
card per row. One browser context per persona; screenshots under test-artifacts/phone-pages-*.png.
"""

import pytest
from django.urls import reverse

from qihang.applications.services import application_submit
from qihang.graduates.models import KeyGroupKind
from qihang.institutions.scoping import build_actor
from qihang.jobs.models import JobStatus
from qihang.jobs.services import jobs_recheck
from qihang.search.services import jobs_index
from tests.browser.helpers import no_horizontal_overflow, sign_in
from tests.factories import confirm_key_group, make_employer, make_job, make_user
from tests.guidance.helpers import add_lecture, make_course

WIDTH = 390


def _page_width(page) -> dict:
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )


def _phone(chromium):
    # Not is_mobile: a mobile viewport would widen itself to fit an overflowing page and hide
    # the very overflow this test looks for.
    context = chromium.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _check(page, base: str, path: str, shot, name: str) -> None:
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url, path
    width = _page_width(page)
    assert width["inner"] == WIDTH, (path, width)
    assert width["scroll"] <= width["inner"], (path, width, no_horizontal_overflow(page))
    assert no_horizontal_overflow(page) == [], path
    shot(page, f"phone-pages-{name}")


def _narrowest_cell(page, selector: str) -> float:
    widths = page.evaluate(
        "sel => [...document.querySelectorAll(sel + ' td, ' + sel + ' tbody th')]"
        ".filter(c => c.offsetParent !== null && c.innerText.trim())"
        ".map(c => c.getBoundingClientRect().width)",
        selector,
    )
    assert widths, f"no cells in {selector}"
    return min(widths)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_personas_pages_fit_a_390px_phone(live_server, chromium, shot, school, media_root):
    base = live_server.url
    recruiter = make_user("dongfang-hr", email="hr@dongfang.example")
    employer = make_employer(
        "东方交响乐团", serial=301, institution=school.institution, user=recruiter
    )
    published = make_job(
        employer,
        school.institution,
        title="钢琴伴奏（艺术指导）",
        majors="音乐表演",
        description="为声乐及器乐考级、比赛提供钢琴艺术指导与伴奏。",
    )
    held = make_job(
        employer,
        school.institution,
        title="乐团招聘大提琴首席",
        status=JobStatus.PENDING,
        description="招聘大提琴首席一名，限男性，35岁以下，需交押金500元。",
    )
    jobs_recheck(job_ids=[held.pk])
    jobs_index([published.pk, held.pk])
    held.refresh_from_db()
    assert held.flags
    # The graduate has applied to the published posting (the applications lists have a row).
    application = application_submit(
        actor=build_actor(school.graduate_user, school.institution.pk),
        job=published,
        note="我主修钢琴艺术指导。",
    )

    # guidance: a course with a lecture on a platform, and a long title that must wrap.
    course = make_course(school, title="2020届毕业生就业指导课：职业生涯规划与乐团院团招考面试准备")
    lecture = add_lecture(
        school, course, video_url="https://www.bilibili.com/video/BV1xx411c7mD?p=1&t=30"
    )

    # issue 10: graduates[0] in a confirmed key group, so the caseload has a row.
    confirm_key_group(school.graduates[0], KeyGroupKind.objects.get(code="subsistence"))

    # The career centre.
    page = _phone(chromium)
    sign_in(page, base, school.centre.username)
    for path, name in [
        (reverse("reports:dashboard"), "centre-dashboard"),
        (reverse("jobs:list"), "centre-jobs"),
        (reverse("jobs:review_queue"), "centre-job-review"),
        (reverse("jobs:detail", args=[held.pk]), "centre-held-job"),
        (reverse("search:jobs") + "?q=钢琴", "centre-search"),
        (reverse("employers:list"), "centre-employers"),
        (reverse("employers:detail", args=[employer.pk]), "centre-employer"),
        (reverse("employers:channels"), "centre-channels"),
        (reverse("graduates:list"), "centre-graduates"),
        (reverse("notifications:inbox"), "centre-inbox"),
        # issue 8's staff pages
        (reverse("applications:staff_list"), "centre-applications"),
        (reverse("applications:staff_detail", args=[application.pk]), "centre-application"),
        (reverse("applications:employers"), "centre-response-times"),
        (reverse("resumes:staff_list"), "centre-resumes"),
        (reverse("events:list"), "centre-events"),
        (reverse("events:funnel"), "centre-funnel"),
        (reverse("appointments:overview"), "centre-appointments"),
        (reverse("ventures:staff_list"), "centre-ventures"),
        (reverse("guidance:list"), "centre-guidance"),
        (reverse("guidance:detail", args=[course.pk]), "centre-course"),
        (reverse("guidance:attendance", args=[course.pk, lecture.pk]), "centre-attendance"),
        # issue 9's staff pages
        (reverse("agreements:staff_list"), "centre-agreements"),
        (reverse("agreements:cancellations"), "centre-cancellations"),
        (reverse("agreements:policy"), "centre-agreement-settings"),
        (reverse("documents:list"), "centre-documents"),
        (reverse("documents:recommendation_list"), "centre-recommendations"),
        (reverse("destinations:evidence_policy"), "centre-evidence-rules"),
        (reverse("verification:rounds"), "centre-verification"),
        (reverse("verification:anomalies"), "centre-anomalies"),
        (reverse("verification:report", args=[school.cohort.year]), "centre-verification-report"),
        (reverse("reporting:home"), "centre-reporting"),
        (reverse("reporting:returned"), "centre-returned"),
        # issue 10's staff pages
        (reverse("assistance:caseload"), "centre-assistance"),
        (reverse("assistance:detail", args=[school.graduates[0].pk]), "centre-assistance-file"),
        (reverse("assistance:coverage"), "centre-assistance-coverage"),
        (reverse("wellbeing:overview"), "centre-wellbeing-overview"),
    ]:
        _check(page, base, path, shot, name)
    page.goto(base + reverse("jobs:list"))
    assert _narrowest_cell(page, "#job-table") > WIDTH * 0.5
    page.goto(base + reverse("guidance:list"))
    assert _narrowest_cell(page, "#course-table") > WIDTH * 0.5
    for name, table in (
        ("applications:staff_list", "#application-table"),
        ("applications:employers", "#response-table"),
    ):
        page.goto(base + reverse(name))
        assert _narrowest_cell(page, table) > WIDTH * 0.5, name
    page.goto(base + reverse("jobs:detail", args=[held.pk]))
    # The guard's findings: one card each, the ground as its heading, not one character wide.
    assert _narrowest_cell(page, "table.flag-table") > WIDTH * 0.5
    # The navbar collapses behind its toggler and opens within the screen.
    assert not page.locator("#mainnav").is_visible()
    page.locator(".navbar-toggler").click()
    # Its pages are grouped into menus (qihang/web/nav.py); a menu opens inside the screen.
    page.locator("#mainnav").get_by_role("button", name="招聘与求职").click()
    page.locator("#mainnav").get_by_role("link", name="用人单位").wait_for()
    assert no_horizontal_overflow(page) == []
    page.context.close()

    # A department counsellor.
    page = _phone(chromium)
    sign_in(page, base, school.dept_staff.username)
    for path, name in [
        (reverse("reports:dashboard"), "counsellor-dashboard"),
        (reverse("graduates:list"), "counsellor-graduates"),
        (reverse("destinations:review_queue"), "counsellor-review"),
        (reverse("reporting:corrections"), "counsellor-corrections"),
        (reverse("documents:recommendation_list"), "counsellor-recommendations"),
        (reverse("search:jobs") + "?q=钢琴", "counsellor-search"),
    ]:
        _check(page, base, path, shot, name)
    page.context.close()

    # A graduate.
    page = _phone(chromium)
    sign_in(page, base, school.graduate_user.username)
    for path, name in [
        (reverse("destinations:mine"), "graduate-destination"),
        (reverse("jobs:browse"), "graduate-jobs"),
        (reverse("jobs:browse_detail", args=[published.pk]), "graduate-job"),
        (reverse("search:jobs") + "?q=钢琴", "graduate-search"),
        (reverse("search:recommendations"), "graduate-recommendations"),
        (reverse("notifications:inbox"), "graduate-inbox"),
        # issue 8's graduate pages
        (reverse("applications:mine"), "graduate-applications"),
        (reverse("applications:detail", args=[application.pk]), "graduate-application"),
        (reverse("resumes:mine"), "graduate-resume"),
        (reverse("events:upcoming"), "graduate-events"),
        (reverse("events:tickets"), "graduate-tickets"),
        (reverse("appointments:book"), "graduate-appointments"),
        (reverse("ventures:mine"), "graduate-ventures"),
        (reverse("guidance:catalogue"), "graduate-guidance"),
        (reverse("guidance:course", args=[course.pk]), "graduate-course"),
        # issue 9's graduate pages
        (reverse("agreements:mine"), "graduate-agreements"),
        (reverse("documents:recommendation_mine"), "graduate-recommendation"),
        (reverse("documents:dossier_mine"), "graduate-dossier"),
        (reverse("reporting:my_check"), "graduate-check"),
        # issue 10's graduate pages
        (reverse("wellbeing:checkin"), "graduate-wellbeing"),
        (reverse("privacy:mine"), "graduate-privacy"),
    ]:
        _check(page, base, path, shot, name)
    # A recommendation's and a search hit's title open the job.
    detail = reverse("jobs:browse_detail", args=[published.pk])
    page.goto(base + reverse("search:recommendations"))
    page.get_by_role("link", name="钢琴伴奏（艺术指导）").click()
    page.wait_for_url(f"**{detail}")
    page.goto(base + reverse("search:jobs") + "?q=钢琴")
    page.locator("#results").get_by_role("link", name="钢琴伴奏（艺术指导）").click()
    page.wait_for_url(f"**{detail}")
    page.context.close()

    # The employer.
    page = _phone(chromium)
    sign_in(page, base, "hr@dongfang.example")
    for path, name in [
        (reverse("employer_portal:home"), "employer-home"),
        (reverse("employer_jobs:list"), "employer-postings"),
        (reverse("employer_jobs:detail", args=[held.pk]), "employer-held-posting"),
        (reverse("employer_jobs:create"), "employer-posting-form"),
        (reverse("employer_portal:members"), "employer-members"),
        (reverse("notifications:inbox"), "employer-inbox"),
        # issue 8's employer pages
        (reverse("employer_applications:list"), "employer-applications"),
        (reverse("employer_applications:detail", args=[application.pk]), "employer-application"),
        (reverse("events:portal_list"), "employer-events"),
        (reverse("resumes:employer_list"), "employer-resumes"),
        # issue 9's employer pages
        (reverse("employer_agreements:list"), "employer-agreements"),
        (reverse("employer_agreements:new"), "employer-agreement-form"),
    ]:
        _check(page, base, path, shot, name)
    page.goto(base + reverse("employer_jobs:list"))
    assert _narrowest_cell(page, "#posting-table") > WIDTH * 0.5
    # The portal's tabs stay one line (an administrator's eight scroll sideways inside their
    # row, not the page); the main bar links the portal once, not its pages again.
    tabs = page.locator(".portal-tabs .nav-link")
    assert tabs.count() == 8
    assert len({round(box["y"]) for box in (t.bounding_box() for t in tabs.all())}) == 1
    assert page.locator(".portal-tabs .nav-link.active").inner_text() == "本单位岗位"
    page.locator(".navbar-toggler").click()
    page.locator("#mainnav").get_by_role("button", name="单位服务").click()
    page.locator("#mainnav").get_by_role("link", name="单位服务").wait_for()
    assert page.locator("#mainnav").get_by_role("link", name="本单位岗位").count() == 0
    # The brand leads an employer to its portal, not to a staff page it may not see.
    page.locator(".navbar-brand").click()
    page.wait_for_url(f"**{reverse('employer_portal:home')}")
    page.goto(base + reverse("employer_applications:list"))
    assert _narrowest_cell(page, "#application-table") > WIDTH * 0.5
    page.context.close()
