"""The career centre imports a messy roster in the browser: a file with errors writes nothing
and comes back annotated; the corrected file imports."""

from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from qihang.graduates.models import Graduate
from tests.browser.helpers import sign_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bad_roster_is_refused_with_an_annotated_workbook_then_a_good_one_imports(
    live_server, page, shot, axe_violations, school, media_root, tmp_path
):
    base = live_server.url
    sign_in(page, base, school.centre.username)  # with the centre's second factor
    before = Graduate.objects.count()

    def upload(name: str) -> None:
        page.goto(base + reverse("imports:new"))
        page.check("input[name=kind][value=roster]")
        page.fill("input[name=cohort_year]", "2020")
        page.check("input[name=create_missing]")
        page.set_input_files("input[name=file]", str(FIXTURES / name))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("networkidle")

    upload("roster_bad.xlsx")
    assert "未写入任何数据" in page.inner_text("main")
    assert Graduate.objects.count() == before
    shot(page, "10-import-refused")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="下载标注了错误的表格").click()
    annotated = tmp_path / "annotated.xlsx"
    download.value.save_as(annotated)
    sheet = openpyxl.load_workbook(annotated).active
    headers = [c.value for c in sheet[1]]
    assert headers[-1] == "错误"
    assert any(row[-1] for row in sheet.iter_rows(min_row=2, values_only=True))

    upload("roster_messy.xlsx")
    assert "导入成功" in page.inner_text("main")
    assert Graduate.objects.count() > before
    shot(page, "11-import-succeeded")
