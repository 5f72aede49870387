"""Nobody left behind, in Debian's Chromium: a counsellor confirms a key group the roster
suggested, writes the plan and logs a follow-up; a graduate asks for help in a check-in; the psychological counsellor sees it and
works it; the career centre does not see it, only counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from qihang.assistance.models import AssistanceFile, FollowUp
from qihang.graduates import keygroups
from qihang.graduates.models import GraduateKeyGroup
from qihang.wellbeing.models import Referral
from tests.browser.helpers import sign_in
from tests.wellbeing.helpers import make_psych


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_key_group_confirmed_help_asked_and_seen_by_the_counsellor_only(
    live_server, page, shot, axe_violations, school
):
    graduate = school.graduates[0]
    keygroups.suggest(
        institution_id=school.institution.pk,
        at=timezone.now(),
        roster={graduate.pk: {"subsistence": "生源名单“困难生类别”：城乡低保家庭"}},
        profile={},
    )
    psych = make_psych(school)
    base = live_server.url

    # The mentor confirms the suggestion on the graduate's page.
    sign_in(page, base, school.teacher.username)
    page.goto(base + reverse("graduates:detail", args=[graduate.pk]))
    card = page.locator("section[aria-labelledby=key-groups-heading]")
    assert "城乡低保家庭" in card.inner_text() and "待确认" in card.inner_text()
    shot(page, "wellbeing-01-key-group-suggested")
    assert axe_violations(page) == []
    card.get_by_role("button", name="确认").click()
    page.wait_for_load_state("networkidle")
    assert "已确认" in page.locator("section[aria-labelledby=key-groups-heading]").inner_text()
    assert GraduateKeyGroup.objects.get(graduate=graduate).status == "confirmed"

    # ... writes the plan (一人一档、一人一策) and logs a follow-up.
    page.goto(base + reverse("assistance:caseload"))
    page.get_by_role("link", name=graduate.name).click()
    page.wait_for_load_state("networkidle")
    page.fill("textarea[name=situation]", "家庭领取城乡低保，母亲身体不好")
    page.fill("textarea[name=goals]", "六月底前落实去向")
    page.fill("textarea[name=measures]", "每两周模拟面试，优先推送院团岗位")
    page.get_by_role("button", name="保存档案").click()
    page.wait_for_load_state("networkidle")
    assert "帮扶档案已保存" in page.inner_text("main")
    follow_up = page.locator("#follow-ups")
    follow_up.locator("select[name=mode]").select_option("phone")
    follow_up.locator("textarea[name=discussed]").fill("电话沟通面试准备情况")
    follow_up.get_by_role("button", name="记录跟进").click()
    page.wait_for_load_state("networkidle")
    assert "电话沟通面试准备情况" in page.locator("#follow-ups").inner_text()
    shot(page, "wellbeing-01b-assistance-file")
    assert axe_violations(page) == []
    file = AssistanceFile.objects.get(graduate=graduate)
    assert file.has_plan and file.mentor_id == school.teacher.pk
    assert FollowUp.objects.filter(graduate=graduate, mode="phone").exists()
    page.context.clear_cookies()

    # The graduate asks for help.
    sign_in(page, base, school.graduate_user.username)
    page.goto(base + reverse("wellbeing:checkin"))
    assert "只有学校的心理咨询老师能看到" in page.inner_text("main")
    page.check("input[name=stress][value='5']")
    page.check("input[name=sleep][value='2']")
    page.select_option("select[name=support]", "talk")
    page.fill("textarea[name=note]", "面试接连失败，晚上睡不着")
    page.check("input[name=contact]")
    shot(page, "wellbeing-02-check-in")
    assert axe_violations(page) == []
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "心理老师会尽快与你联系" in page.inner_text("main")
    referral = Referral.objects.get(graduate=graduate)
    page.context.clear_cookies()

    # The psychological counsellor sees it and notes the call.
    sign_in(page, base, psych.username)
    page.goto(base + reverse("wellbeing:referrals"))
    assert graduate.name in page.inner_text("main")
    page.get_by_role("link", name=str(referral.pk), exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "面试接连失败" in page.inner_text("main")
    page.get_by_role("button", name="已联系").click()
    page.wait_for_load_state("networkidle")
    page.fill("textarea[name=text]", "已电话联系，约面谈")
    page.get_by_role("button", name="添加记录").click()
    page.wait_for_load_state("networkidle")
    assert "已电话联系" in page.inner_text("main")
    shot(page, "wellbeing-03-counsellor-referral")
    assert axe_violations(page) == []
    assert Referral.objects.get(pk=referral.pk).status == "contacted"
    page.context.clear_cookies()

    # The career centre: no referral, no check-in; only counts, and no count below five.
    sign_in(page, base, school.centre.username)
    response = page.goto(base + reverse("wellbeing:referral", args=[referral.pk]))
    assert response.status == 403
    page.goto(base + reverse("wellbeing:overview"))
    text = page.inner_text("main")
    assert graduate.name not in text and "面试" not in text and "<5" in text
    shot(page, "wellbeing-04-centre-overview")
    assert axe_violations(page) == []
