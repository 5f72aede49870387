"""The tripartite agreement journey in Debian's Chromium: the employer offers an agreement from
an application, the graduate accepts it, the department reviews and the centre approves it —
the graduate is placed under code 10 and the signing rate rises — and the graduate downloads
the PDF, whose QR code leads to the public verification page: valid, masked; then the
graduate applies to cancel, the employer, the department and the centre agree in turn, the
rate drops back and the same page says invalid. (No QR decoder is installed: the journey
follows the URL the PDF links, which is what the code carries.)"""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qihang.agreements.models import Agreement
from qihang.destinations.policy import policy_for
from qihang.institutions.scoping import build_actor
from qihang.reports import selectors as report_selectors
from tests.agreements.helpers import application_for
from tests.browser.helpers import sign_in
from tests.factories import make_employer, make_job, make_user


def signed_count(school) -> int:
    actor = build_actor(school.centre, school.institution.pk)
    stats = report_selectors.cohort_stats(actor=actor, cohort=school.cohort, by="department")
    return stats["total"]["signed"]


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_offer_accept_review_approve_download_cancel(
    live_server, page, chromium, shot, school, media_root
):
    base = live_server.url
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    hr = make_user("hr-agreement", email="hr@agreement.example")
    orchestra = make_employer("东海交响乐团", serial=77, institution=school.institution, user=hr)
    job = make_job(orchestra, school.institution, title="大提琴演奏员")
    application = application_for(school, school.graduates[0], job)
    assert signed_count(school) == 0

    # 1. The employer offers the agreement from the application.
    sign_in(page, base, "hr@agreement.example")
    page.goto(base + reverse("employer_agreements:list"))
    page.get_by_role("link", name="发出三方协议").click()
    page.select_option("select[name=application]", str(application.pk))
    page.fill("input[name=position]", "大提琴演奏员")
    page.select_option("select[name=employer_nature]", "31")
    page.fill("input[name=work_division]", "310104")
    page.fill("input[name=monthly_salary]", "9000")
    shot(page, "agreement-01-employer-offers")
    click(page, "发出")
    agreement = Agreement.objects.get()
    assert agreement.status == "offered"

    # 2. The graduate accepts it.
    graduate = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    gpage = graduate.new_page()
    gpage.set_default_timeout(15_000)
    sign_in(gpage, base, school.graduate_user.username)
    gpage.goto(base + reverse("agreements:mine"))
    gpage.get_by_role("link", name="东海交响乐团").click()
    shot(gpage, "agreement-02-graduate-reads")
    click(gpage, "接受并签署")
    agreement.refresh_from_db()
    assert agreement.status == "accepted"

    # 3. The department reviews, the centre approves: signed, placed, counted.
    staff = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    spage = staff.new_page()
    spage.set_default_timeout(15_000)
    sign_in(spage, base, school.dept_staff.username)
    spage.goto(base + reverse("agreements:staff_list") + "?status=accepted")
    spage.get_by_role("link", name=agreement.number).click()
    click(spage, "院系审核通过")
    staff.clear_cookies()
    sign_in(spage, base, school.centre.username)
    spage.goto(base + reverse("agreements:staff_detail", args=[agreement.pk]))
    shot(spage, "agreement-03-centre-approves")
    click(spage, "中心审批通过（签约）")
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    assert signed_count(school) == 1

    # 4. The graduate downloads the PDF.
    gpage.reload()
    with gpage.expect_download() as download:
        gpage.get_by_role("link", name="下载协议书（PDF）").click()
    data = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert agreement.number in text and "东海交响乐团" in text
    links = [
        str(a.get_object()["/A"]["/URI"])
        for p in PdfReader(io.BytesIO(data)).pages
        for a in p.get("/Annots") or []
        if a.get_object().get("/A")
    ]
    verify = next(link for link in links if "/verify/" in link)
    path = "/verify/" + verify.split("/verify/", 1)[1]
    visitor = chromium.new_context(locale="zh-CN").new_page()
    visitor.goto(base + path)
    assert "有效" in visitor.inner_text("main") and "李明" not in visitor.inner_text("main")
    shot(visitor, "agreement-04-verified")

    # 5. The graduate applies to cancel; the employer, the department and the centre agree.
    gpage.fill("input[name=reason]", "单位岗位调整，双方协商一致")
    click(gpage, "提交解约申请")
    page.goto(base + reverse("employer_agreements:detail", args=[agreement.pk]))
    click(page, "单位同意解约")
    staff.clear_cookies()
    sign_in(spage, base, school.dept_staff.username)
    spage.goto(base + reverse("agreements:staff_detail", args=[agreement.pk]))
    click(spage, "院系同意解约")
    staff.clear_cookies()
    sign_in(spage, base, school.centre.username)
    spage.goto(base + reverse("agreements:cancellations"))
    spage.get_by_role("link", name=agreement.number).click()
    click(spage, "中心批准解约")
    shot(spage, "agreement-05-cancelled")
    agreement.refresh_from_db()
    assert agreement.status == "cancelled"
    assert signed_count(school) == 0
    visitor.goto(base + path)
    assert "无效" in visitor.inner_text("main")
    graduate.close()
    staff.close()
