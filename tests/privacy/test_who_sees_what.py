"""docs/who-sees-what.md is the specification: every cell of its table is checked here against
the running application (pages, exports, the API), as each role."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Max
from django.utils import timezone
from openpyxl import load_workbook

from qihang.accounts.models import User
from qihang.accounts.services import api_token_create
from qihang.assistance import services as assistance
from qihang.audit.models import SensitiveRead
from qihang.graduates.models import Graduate, KeyGroupKind
from qihang.institutions.scoping import build_actor
from qihang.lib.validators import mask_id_number, mask_phone
from tests.factories import confirm_key_group, make_user
from tests.wellbeing.helpers import ask_for_help, make_psych

SPEC = Path(__file__).resolve().parents[2] / "docs" / "who-sees-what.md"
ROLES = {
    "就业指导中心": "centre",
    "院系工作人员": "dept_staff",
    "导师/辅导员": "teacher",
    "校领导": "leader",
    "毕业生本人": "graduate_user",
    "心理咨询老师": "psych",
    "平台管理员": "admin",
    "用人单位": "employer",
}
HIDDEN, MASKED, REVEALABLE, SHOWN, UNMASK, COUNTS = (
    "不可见",
    "脱敏",
    "脱敏·可申请查看",
    "可见·留痕",
    "脱敏·不脱敏需事由",
    "仅人数",
)


def spec_rows() -> list[tuple[str, str, dict[str, str]]]:
    lines = [line for line in SPEC.read_text().splitlines() if line.startswith("| ")]
    header = next(i for i, line in enumerate(lines) if line.startswith("| 属性"))
    roles = [c.strip() for c in lines[header].strip("|").split("|")][2:]
    rows = []
    for line in lines[header + 1 :]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0], cells[1], dict(zip(roles, cells[2:], strict=True))))
    return rows


@pytest.fixture
def world(school, client_for, media_root):
    graduate = school.graduates[0]
    graduate.ethnicity = "回族"
    graduate.save(update_fields=["ethnicity", "ethnicity_digest"])
    graduate = Graduate.objects.get(pk=graduate.pk)
    confirm_key_group(graduate, KeyGroupKind.objects.get(code="subsistence"))
    centre = build_actor(school.centre, school.institution.pk)
    assistance.file_save(
        actor=centre,
        graduate_id=graduate.pk,
        data={"situation": "父亲长期卧病在床", "goals": "落实去向", "mentor": school.teacher.pk},
    )
    assistance.subsidy_save(
        actor=centre,
        graduate_id=graduate.pk,
        status="paid",
        amount=Decimal("1500"),
        paid_on=timezone.localdate(),
        bank_account="6222021001123456789",
    )
    psych = make_psych(school)
    referral = ask_for_help(school, note="夜里总是惊醒").referral
    admin = make_user("platform-root", email="root@platform.example")
    User.objects.filter(pk=admin.pk).update(is_platform_admin=True)
    users = {
        "centre": school.centre,
        "dept_staff": school.dept_staff,
        "teacher": school.teacher,
        "leader": school.leader,
        "graduate_user": school.graduate_user,
        "psych": psych,
        "admin": User.objects.get(pk=admin.pk),
        "employer": school.fixtures.get("employer_user") or make_user("employer-x"),
    }
    return {
        "school": school,
        "graduate": graduate,
        "referral": referral,
        "users": users,
        "client": {key: client_for(user) for key, user in users.items()},
        "id": graduate.id_number.reveal_unlogged(),
        "phone": graduate.phone.reveal_unlogged(),
    }


def _reads() -> int:
    return SensitiveRead.objects.aggregate(n=Max("pk"))["n"] or 0


def _page(w, role, url, plain, mask, *, reveal_field=""):
    before = _reads()
    response = w["client"][role].get(url)
    if response.status_code in (302, 403, 404):
        return HIDDEN
    assert response.status_code == 200, (url, role, response.status_code)
    html = response.content.decode()
    if plain in html:
        return SHOWN if _reads() > before else "可见（未留痕）"
    if mask and mask in html:
        if reveal_field:
            revealed = w["client"][role].post(
                f"/graduates/{w['graduate'].pk}/reveal/",
                {"field": reveal_field, "reason": "核对信息"},
            )
            if revealed.status_code == 200 and plain in revealed.content.decode():
                return REVEALABLE
        return MASKED
    return HIDDEN


def _cells(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def _export(w, role, plain, mask):
    client = w["client"][role]
    response = client.get("/graduates/export/", {"cohort": "2020"})
    if response.status_code != 200:
        return HIDDEN
    cells = _cells(response.content)
    assert plain not in cells, (role, "a masked export carries the value")
    if mask not in cells:
        return HIDDEN
    unmasked = client.post("/graduates/export/unmasked/", {"cohort": "2020", "reason": "报送"})
    if unmasked.status_code == 200 and plain in _cells(unmasked.content):
        refused = client.post("/graduates/export/unmasked/", {"cohort": "2020"})  # no reason
        assert "spreadsheet" not in refused["Content-Type"]
        return UNMASK
    return MASKED


def _api(w, role, plain, mask):
    user = w["users"][role]
    try:
        _token, secret = api_token_create(
            actor=build_actor(user, w["school"].institution.pk), name="spec"
        )
    except Exception:  # noqa: BLE001 - graduates and others have no API access
        return HIDDEN
    before = _reads()
    response = w["client"][role].get(
        f"/api/v1/graduates/{w['graduate'].pk}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    if response.status_code != 200:
        return HIDDEN
    text = (
        response.content.decode("unicode_escape")
        if "\\u" in response.content.decode()
        else response.content.decode()
    )
    if plain in text:
        return SHOWN if _reads() > before else "可见（未留痕）"
    return MASKED if mask and mask in text else HIDDEN


def _counts(w, role, url, *secrets):
    response = w["client"][role].get(url)
    if response.status_code != 200:
        return HIDDEN
    html = response.content.decode()
    assert all(s not in html for s in secrets), (url, role)
    return COUNTS


def observe(w, attribute: str, surface: str, role: str) -> str:
    g = w["graduate"]
    detail = f"/graduates/{g.pk}/"
    probes = {
        ("身份证号", "名单"): lambda: _page(
            w, role, "/graduates/?cohort=2020", w["id"], mask_id_number(w["id"])
        ),
        ("身份证号", "详情"): lambda: _page(
            w, role, detail, w["id"], mask_id_number(w["id"]), reveal_field="id_number"
        ),
        ("身份证号", "导出"): lambda: _export(w, role, w["id"], mask_id_number(w["id"])),
        ("身份证号", "API"): lambda: _api(w, role, w["id"], mask_id_number(w["id"])),
        ("手机号码", "详情"): lambda: _page(
            w, role, detail, w["phone"], mask_phone(w["phone"]), reveal_field="phone"
        ),
        ("手机号码", "导出"): lambda: _export(w, role, w["phone"], mask_phone(w["phone"])),
        ("手机号码", "API"): lambda: _api(w, role, w["phone"], mask_phone(w["phone"])),
        ("民族", "详情"): lambda: _page(w, role, detail, "回族", "***", reveal_field="ethnicity"),
        ("民族", "导出"): lambda: _export(w, role, "回族", "***"),
        ("民族", "API"): lambda: _api(w, role, "回族", ""),  # not in the API at all
        ("重点群体", "名单"): lambda: _page(w, role, "/assistance/", "城乡低保家庭", ""),
        ("重点群体", "详情"): lambda: _page(w, role, detail, "城乡低保家庭", ""),
        ("重点群体", "导出"): lambda: _export(w, role, "城乡低保家庭", "***"),
        ("重点群体", "API"): lambda: _api(w, role, "城乡低保家庭", ""),
        ("重点群体", "统计"): lambda: _counts(w, role, "/assistance/coverage/?cohort=2020", g.name),
        ("帮扶档案", "详情"): lambda: _page(
            w, role, f"/assistance/{g.pk}/", "父亲长期卧病在床", ""
        ),
        ("补贴银行卡号", "详情"): lambda: _page(
            w, role, f"/assistance/{g.pk}/", "6222021001123456789", "****6789"
        ),
        ("心理自评与记录", "名单"): lambda: _page(w, role, "/wellbeing/referrals/", g.name, ""),
        ("心理自评与记录", "详情"): lambda: _page(
            w, role, f"/wellbeing/referrals/{w['referral'].pk}/", "夜里总是惊醒", ""
        ),
        ("心理自评与记录", "统计"): lambda: _counts(
            w, role, "/wellbeing/overview/?cohort=2020", g.name, "夜里总是惊醒"
        ),
    }
    return probes[attribute, surface]()


@pytest.mark.django_db
def test_the_table_is_what_the_application_does(world):
    rows = spec_rows()
    assert len(rows) >= 20 and all(set(cells) == set(ROLES) for _a, _s, cells in rows)
    mismatches = []
    for attribute, surface, cells in rows:
        for label, expected in cells.items():
            seen = observe(world, attribute, surface, ROLES[label])
            if seen != expected:
                mismatches.append(
                    f"{attribute} · {surface} · {label}: table {expected}, app {seen}"
                )
    assert mismatches == []


def test_the_table_uses_only_the_legend():
    legend = {HIDDEN, MASKED, REVEALABLE, SHOWN, UNMASK, COUNTS}
    assert {v for _a, _s, cells in spec_rows() for v in cells.values()} <= legend
    assert re.search(r"\| 属性 \| 场景 \|", SPEC.read_text())
