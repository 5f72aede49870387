"""The pages a graduate and a counsellor use on a phone, at 390 px in Debian's Chromium: the
graduate's own record, its change history, and the review queue. Screenshots under
test-artifacts/phone-*.png."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from qihang.destinations.models import ReviewStatus
from qihang.destinations.policy import policy_for
from qihang.destinations.services import (
    destination_approve,
    destination_return,
    destination_review,
    destination_submit,
)
from qihang.institutions.scoping import build_actor
from tests.browser.helpers import no_horizontal_overflow, sign_in
from tests.conftest import TINY_PNG
from tests.destinations.conftest import employment

WIDTH = 390


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        locale="zh-CN",
        viewport={"width": WIDTH, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _history(school):
    """A record with a long history: reported with a file, returned, corrected, reviewed,
    approved; and a second graduate's record waiting in the department's queue."""
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    me = build_actor(school.graduate_user, school.institution.pk)
    dept = build_actor(school.dept_staff, school.institution.pk)
    centre = build_actor(school.centre, school.institution.pk)
    graduate = school.graduates[0]
    destination = destination_submit(
        actor=me,
        graduate=graduate,
        data=employment(employer_name="上海歌剧院"),
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="三方协议书.png"))],
    )
    destination_return(actor=dept, destination=destination, reason="单位名称与协议书不一致，请核对")
    destination = destination_submit(
        actor=me, graduate=graduate, data=employment(employer_name="上海歌剧院有限公司")
    )
    destination_review(actor=dept, destination=destination)
    destination_approve(actor=centre, destination=destination)
    waiting = destination_submit(
        actor=me,
        graduate=graduate,
        data=employment(employer_name="上海歌剧院有限公司", note="补充备注"),
        reason="补充备注",
    )
    return waiting


def _narrowest_cell(page, selector: str) -> float:
    return page.evaluate(
        "sel => Math.min(...[...document.querySelectorAll(sel + ' td, ' + sel + ' tbody th')]"
        ".filter(c => c.offsetParent !== null).map(c => c.getBoundingClientRect().width))",
        selector,
    )


def _outside(page, selector: str) -> list[str]:
    return page.evaluate(
        "([sel, w]) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)"
        ".filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > w; })"
        ".map(e => e.textContent.trim())",
        [selector, WIDTH],
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_own_record_history_and_queue_read_well_at_390px(
    live_server, phone, shot, axe_violations, school, media_root
):
    destination = _history(school)
    base = live_server.url

    sign_in(phone, base, school.graduates[0].student_no)
    phone.goto(base + reverse("destinations:mine"))
    assert no_horizontal_overflow(phone) == []
    # The history is one card per change: every cell as wide as the card, not one character.
    assert _narrowest_cell(phone, "table.history-table") > WIDTH * 0.6
    assert phone.locator("table.history-table tbody tr").count() == 6
    # So is the record's audit trail below it.
    assert _narrowest_cell(phone, "table.audit-trail") > WIDTH * 0.6
    shot(phone, "phone-01-graduate-own-record")
    phone.locator("#history-heading").scroll_into_view_if_needed()
    phone.screenshot(path=str(_artifact("phone-02-history")))
    assert axe_violations(phone) == []
    phone.context.clear_cookies()

    sign_in(phone, base, school.dept_staff.username)
    phone.goto(base + reverse("destinations:detail", args=[destination.pk]))
    assert no_horizontal_overflow(phone) == []
    assert _narrowest_cell(phone, "table.history-table") > WIDTH * 0.6
    shot(phone, "phone-03-counsellor-record-history")
    assert axe_violations(phone) == []

    phone.goto(base + reverse("destinations:review_queue"))
    assert no_horizontal_overflow(phone) == []
    row = phone.locator(f"#destination-{destination.pk}")
    assert row.get_by_role("button", name="审核通过").is_visible()
    assert _outside(phone, "#queue-table button, #queue-table a") == []
    assert _narrowest_cell(phone, "#queue-table") > WIDTH * 0.6
    shot(phone, "phone-04-review-queue")
    assert axe_violations(phone) == []

    row.get_by_role("button", name="退回").click()
    phone.wait_for_selector(f"#reason-{destination.pk}")
    assert no_horizontal_overflow(phone) == []
    assert _outside(phone, "#queue-table button, #queue-table input, #queue-table select") == []
    shot(phone, "phone-05-review-queue-return")
    row = phone.locator(f"#destination-{destination.pk}")
    row.get_by_role("button", name="取消").click()
    phone.wait_for_selector(f"#destination-{destination.pk} button:has-text('审核通过')")
    row = phone.locator(f"#destination-{destination.pk}")
    row.get_by_role("button", name="审核通过").click()
    phone.wait_for_function(
        "id => !document.querySelector('#' + id + ' button[hx-post$=\"/review/\"]')",
        arg=f"destination-{destination.pk}",
    )
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.DEPARTMENT_REVIEWED


def _artifact(name: str):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
