"""Reviewing in Debian's Chromium: the queue shows each record's files, a batch approval asks
first, and a common return reason fills the reason, which stays editable."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from qihang.destinations.models import Destination, ReviewStatus
from qihang.destinations.policy import policy_for
from qihang.destinations.services import destination_record, destination_submit
from qihang.institutions.scoping import build_actor
from tests.browser.helpers import sign_in
from tests.conftest import TINY_PNG
from tests.destinations.conftest import employment


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_batch_approval_asks_first_and_a_common_reason_fills_the_reason(
    live_server, page, shot, axe_violations, school, media_root
):
    policy = policy_for(school.cohort)
    policy.registration_deadline = None
    policy.save(update_fields=["registration_deadline"])
    centre = build_actor(school.centre, school.institution.pk)
    with_file = destination_submit(
        actor=build_actor(school.graduate_user, school.institution.pk),
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[("agreement", ContentFile(TINY_PNG, name="三方协议书.png"))],
    )
    others = [
        destination_record(actor=centre, graduate=g, data={"code": "80"})
        for g in school.graduates[1:]
    ]
    base = live_server.url
    sign_in(page, base, school.centre.username)
    page.goto(base + reverse("destinations:review_queue"))

    # The evidence: its count and kind, the image opening in the browser.
    row = page.locator(f"#destination-{with_file.pk}")
    assert "1 份" in row.inner_text()
    link = row.get_by_role("link", name="就业协议书")
    assert link.get_attribute("href").endswith("?preview=1")
    with page.context.expect_page() as preview:
        link.click()
    preview.value.wait_for_load_state()
    assert preview.value.locator("img").count() == 1
    preview.value.close()
    shot(page, "review-01-queue-with-evidence")
    assert axe_violations(page) == []

    # A batch approval asks first; dismissing it approves nothing.
    for d in others:
        page.check(f"#destination-{d.pk} input.row-select")
    messages: list[str] = []

    def answer(dialog, accept: bool) -> None:
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("#bulk-form button[type=submit]")
    assert messages == ["确定审批通过所选的 2 条记录吗？审批通过后计入正式统计。"]
    statuses = dict(Destination.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in others] == [ReviewStatus.DEPARTMENT_REVIEWED] * 2
    page.once("dialog", lambda d: answer(d, True))
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已审批通过2条记录" in page.inner_text("main")
    statuses = dict(Destination.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in others] == [ReviewStatus.APPROVED] * 2

    # A common reason fills the reason; the reviewer adds to it before returning.
    row = page.locator(f"#destination-{with_file.pk}")
    row.get_by_role("button", name="退回").click()
    page.wait_for_selector(f"#reason-{with_file.pk}")
    page.select_option(f"#preset-{with_file.pk}", label="单位名称与证明材料不一致，请核对")
    reason = page.locator(f"#reason-{with_file.pk}")
    assert reason.input_value() == "单位名称与证明材料不一致，请核对"
    reason.press("End")
    reason.type("（协议书上为上海歌剧院）")
    shot(page, "review-02-return-with-a-common-reason")
    assert axe_violations(page) == []
    page.locator(f"#destination-{with_file.pk}").get_by_role("button", name="确认退回").click()
    page.wait_for_function(
        "id => !document.querySelector('#' + id + ' input[name=reason]')",
        arg=f"reason-{with_file.pk}".replace("reason-", "destination-"),
    )
    with_file.refresh_from_db()
    assert with_file.status == ReviewStatus.RETURNED
    assert with_file.return_reason == "单位名称与证明材料不一致，请核对（协议书上为上海歌剧院）"
    assert not [e for e in page.console_errors if "favicon" not in e]
