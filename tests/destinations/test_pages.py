"""The pages: what they show, what they do, and query counts that do not grow with records."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qihang.destinations import services
from qihang.destinations.models import Destination, ReviewStatus
from tests.conftest import TINY_PNG
from tests.destinations.conftest import actor, employment
from tests.factories import make_graduate

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response
    return len(queries), [q["sql"] for q in queries]


def add_graduates(school, count, *, prefix="x"):
    return [
        make_graduate(
            institution=school.institution,
            cohort=school.cohort,
            major=school.majors[i % 2],
            student_no=f"{prefix}{i:05d}",
            name=f"学生{i}",
        )
        for i in range(count)
    ]


def record_all(school, graduates, code="76"):
    centre = actor(school.centre, school)
    return [
        services.destination_record(actor=centre, graduate=g, data={"code": code})
        for g in graduates
    ]


def churn(school, graduate, times):
    """Several versions, returns and files: a long history and many evidence rows."""
    me = actor(school.graduate_user, school)
    dept = actor(school.dept_staff, school)
    destination = None
    for i in range(times):
        destination = services.destination_submit(
            actor=me,
            graduate=graduate,
            data=employment(note=f"第{i}次"),
            evidence_files=[("agreement", ContentFile(TINY_PNG, name=f"{i}.png"))],
        )
        services.destination_return(actor=dept, destination=destination, reason=f"请更正{i}")
    return destination


def test_mine_page_queries_do_not_grow_with_history(school, client_for):
    client = client_for(school.graduate_user)
    url = reverse("destinations:mine")
    churn(school, school.graduates[0], 1)
    few, sql = count_queries(client, url)
    churn(school, school.graduates[0], 4)
    many, _sql = count_queries(client, url)
    # session, user, memberships, their departments (the actor), own graduate, policy, codes,
    # natures, destination, evidence rules (the form says what each code needs), history,
    # evidence, institution (header), unread notifications (nav), the record's audit entries
    assert few == many == 15, "\n".join(sql)


def test_mine_page_shows_status_reason_and_history(school, client_for):
    churn(school, school.graduates[0], 1)
    page = client_for(school.graduate_user).get(reverse("destinations:mine")).content.decode()
    assert "已退回" in page
    assert "请更正0" in page
    assert "变更记录" in page
    assert "上海交响乐团" in page
    assert 'src="/static/destinations/destination_form.js"' in page
    assert "<script>" not in page  # no inline script under the CSP
    assert 'id="destination-code-rules"' in page


def test_mine_page_submit_and_errors(school, client_for):
    client = client_for(school.graduate_user)
    url = reverse("destinations:mine")
    response = client.post(url, {"code": "10", "employer_name": "某乐团"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["agreement_no"] == ["毕业去向为“10 签就业协议形式就业”时必须填写协议书编号。"]
    assert "confirmed_not_internship" in errors
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {"code": "72", "employer_name": "留在表单里的旧值"})
    assert response.status_code == 302
    destination = Destination.objects.get()
    assert destination.code.code == "72" and destination.employer_name == ""


def test_a_failed_submit_keeps_what_was_typed_and_asks_for_the_file_again(school, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(school.graduate_user)
    url = reverse("destinations:mine")
    response = client.post(
        url,
        {
            "code": "10",
            "employer_name": "某乐团",
            "signed_on": "2020-04-14",
            "note": "五月入职",
            "evidence_kind": "agreement",
            "evidence_file": SimpleUploadedFile("协议书.png", TINY_PNG, "image/png"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="employer_name" value="某乐团"' in html
    assert 'name="signed_on" value="2020-04-14"' in html
    assert ">\n五月入职</textarea>" in html
    assert "浏览器不能保留已选择的文件（协议书.png），请重新选择后再提交" in html
    assert not Destination.objects.exists()


def test_review_queue_queries_do_not_grow(school, client_for):
    client = client_for(school.centre)
    url = reverse("destinations:review_queue")
    record_all(school, school.graduates)
    few, sql = count_queries(client, url)
    record_all(school, add_graduates(school, 20))
    many, _sql = count_queries(client, url)
    # session, user, the verified authenticator (accounts.mfa), memberships, their
    # departments, cohorts, departments, policy, top-level codes, count, page of records, their
    # evidence files, the evidence rules (what the rows miss), institution (header), unread
    # notifications (navigation)
    assert few == many == 15, "\n".join(sql)


def test_review_queue_for_department_staff(school, client_for):
    graduates = school.graduates
    me = actor(school.graduate_user, school)
    mine = services.destination_submit(actor=me, graduate=graduates[0], data=employment())
    other = services.destination_record(
        actor=actor(school.teacher, school),
        graduate=graduates[0],
        data=employment(note="x"),
        reason="补充",
    )
    assert other.pk == mine.pk
    voice = services.destination_record(
        actor=actor(school.centre, school), graduate=graduates[2], data={"code": "70"}
    )
    response = client_for(school.dept_staff).get(reverse("destinations:review_queue"))
    rows = response.context["rows"]
    assert [d.pk for d in rows] == [mine.pk]  # submitted, own department only
    assert rows[0].can_review and rows[0].can_return and not rows[0].can_approve
    assert voice.pk not in [d.pk for d in rows]
    # Filters.
    response = client_for(school.dept_staff).get(
        reverse("destinations:review_queue"), {"status": "all", "code": "10"}
    )
    assert [d.pk for d in response.context["rows"]] == [mine.pk]


def test_review_queue_centre_sees_reviewed_and_submitted(school, client_for):
    submitted = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    reviewed = services.destination_record(
        actor=actor(school.dept_staff, school), graduate=school.graduates[1], data={"code": "70"}
    )
    approved = services.destination_record(
        actor=actor(school.centre, school),
        graduate=school.graduates[2],
        data={"code": "85", "employer_country": "DE"},
    )
    services.destination_approve(actor=actor(school.centre, school), destination=approved)
    client = client_for(school.centre)
    rows = client.get(reverse("destinations:review_queue")).context["rows"]
    assert {d.pk for d in rows} == {submitted.pk, reviewed.pk}
    rows = client.get(
        reverse("destinations:review_queue"),
        {"department": school.departments[0].pk, "status": "reviewed"},
    ).context["rows"]
    assert [d.pk for d in rows] == [reviewed.pk]


def test_htmx_review_swaps_the_row(school, client_for):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    client = client_for(school.dept_staff)
    response = client.post(
        reverse("destinations:review", args=[destination.pk]),
        {"version": destination.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="destination-{destination.pk}"')
    assert "待中心审批" in html
    assert "<html" not in html
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.DEPARTMENT_REVIEWED
    # Reviewing again: the row comes back with the reason it cannot.
    response = client.post(
        reverse("destinations:review", args=[destination.pk]), headers={"HX-Request": "true"}
    )
    assert "只有“待院系审核”的记录可以审核" in response.content.decode()


def test_htmx_return_asks_for_a_reason(school, client_for):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    client = client_for(school.centre)
    url = reverse("destinations:return", args=[destination.pk])
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'name="reason"' in form and "确认退回" in form
    response = client.post(url, {"reason": "", "version": 1}, headers={"HX-Request": "true"})
    assert "请填写退回原因" in response.content.decode()
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.SUBMITTED
    response = client.post(
        url, {"reason": "协议书编号有误", "version": 1}, headers={"HX-Request": "true"}
    )
    assert "协议书编号有误" in response.content.decode()
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.RETURNED


def test_htmx_approve_and_plain_post_fallback(school, client_for):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    client = client_for(school.centre)
    response = client.post(
        reverse("destinations:approve", args=[destination.pk]), {"version": destination.version}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("destinations:detail", args=[destination.pk])
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.APPROVED


def test_review_queue_shows_each_record_s_evidence(school, client_for):
    me = actor(school.graduate_user, school)
    with_files = services.destination_submit(
        actor=me,
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[
            ("agreement", ContentFile(TINY_PNG, name="协议书.png")),
            ("offer", ContentFile(b"%PDF-1.4\n%%EOF\n", name="录用.pdf")),
        ],
    )
    without = services.destination_record(
        actor=actor(school.dept_staff, school), graduate=school.graduates[1], data={"code": "70"}
    )
    html = client_for(school.centre).get(reverse("destinations:review_queue")).content.decode()
    row = html[html.index(f'id="destination-{with_files.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "2 份" in row
    png, pdf = with_files.evidence.order_by("pk")
    assert f'href="{reverse("destinations:evidence", args=[png.pk])}?preview=1"' in row
    assert f'href="{reverse("destinations:evidence", args=[pdf.pk])}"' in row
    assert ">就业协议书</a>" in row and ">录用证明</a>" in row
    other = html[html.index(f'id="destination-{without.pk}"') :]
    assert "未上传" in other[: other.index("</tr>")]


def test_an_image_is_previewed_in_the_browser_a_pdf_is_downloaded(school, client_for):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school),
        graduate=school.graduates[0],
        data=employment(),
        evidence_files=[
            ("agreement", ContentFile(TINY_PNG, name="协议书.png")),
            ("offer", ContentFile(b"%PDF-1.4\n%%EOF\n", name="录用.pdf")),
        ],
    )
    png, pdf = destination.evidence.order_by("pk")
    client = client_for(school.centre)
    shown = client.get(reverse("destinations:evidence", args=[png.pk]), {"preview": "1"})
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert shown["X-Content-Type-Options"] == "nosniff"
    plain = client.get(reverse("destinations:evidence", args=[png.pk]))
    assert plain["Content-Disposition"].startswith("attachment")
    pdf_response = client.get(reverse("destinations:evidence", args=[pdf.pk]), {"preview": "1"})
    assert pdf_response["Content-Disposition"].startswith("attachment")


def test_a_common_return_reason_fills_the_reason(school, client_for):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    client = client_for(school.centre)
    url = reverse("destinations:return", args=[destination.pk])
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'name="preset"' in form and "data-return-preset" in form
    assert ">证明材料不清晰或不完整，请重新上传</option>" in form
    assert f'data-target="reason-{destination.pk}"' in form
    # Without JavaScript the choice alone is the reason; an edited reason wins over it.
    client.post(
        url,
        {"preset": "证明材料不清晰或不完整，请重新上传", "reason": "", "version": 1},
        headers={"HX-Request": "true"},
    )
    destination.refresh_from_db()
    assert destination.status == ReviewStatus.RETURNED
    assert destination.return_reason == "证明材料不清晰或不完整，请重新上传"
    detail = client.get(reverse("destinations:detail", args=[destination.pk])).content.decode()
    assert "destinations/return_reasons.js" in detail


def test_an_edited_common_reason_is_kept_as_edited(school, client_for):
    destination = services.destination_submit(
        actor=actor(school.graduate_user, school), graduate=school.graduates[0], data=employment()
    )
    client = client_for(school.dept_staff)
    client.post(
        reverse("destinations:return", args=[destination.pk]),
        {
            "preset": "单位名称与证明材料不一致，请核对",
            "reason": "单位名称与证明材料不一致：协议书上为上海歌剧院",
            "version": 1,
        },
    )
    destination.refresh_from_db()
    assert destination.return_reason == "单位名称与证明材料不一致：协议书上为上海歌剧院"


def test_the_batch_approval_asks_for_confirmation(school, client_for):
    record_all(school, school.graduates)
    html = client_for(school.centre).get(reverse("destinations:review_queue")).content.decode()
    assert 'data-confirm="确定审批通过所选的 {n} 条记录吗？审批通过后计入正式统计。"' in html


def test_bulk_approve_page(school, client_for):
    records = record_all(school, school.graduates)
    response = client_for(school.centre).post(
        reverse("destinations:bulk_approve"),
        {"items": [f"{d.pk}:{d.version}" for d in records[:2]], "next": "/destinations/review/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/destinations/review/"
    statuses = dict(Destination.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in records] == ["approved", "approved", "reviewed"]


def test_detail_page_queries_do_not_grow(school, client_for):
    client = client_for(school.centre)
    destination = churn(school, school.graduates[0], 1)
    url = reverse("destinations:detail", args=[destination.pk])
    few, sql = count_queries(client, url)
    churn(school, school.graduates[0], 4)
    many, _sql = count_queries(client, url)
    # session, user, memberships, their departments, destination (with graduate, codes,
    # people), evidence, history, policy, codes, natures, the evidence rules (what an approval
    # misses), institution (header), unread notifications (navigation), the record's audit
    # entries
    assert few == many == 15, "\n".join(sql)  # + the verified authenticator (accounts.mfa)


def test_detail_page_shows_history_before_and_after(school, client_for):
    destination = churn(school, school.graduates[0], 2)
    page = client_for(school.centre).get(reverse("destinations:detail", args=[destination.pk]))
    html = page.content.decode()
    assert "<del>第0次</del> → 第1次" in html
    assert "<del>已退回</del> → 待院系审核" in html
    assert "请更正1" in html
    assert "0.png" in html and "1.png" in html
    assert html.count("退回") >= 2


def test_record_page_for_a_counsellor(school, client_for):
    graduate = school.graduates[0]
    client = client_for(school.teacher)
    url = reverse("destinations:record", args=[graduate.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": "76", "note": "自由职业"})
    assert response.status_code == 302
    destination = Destination.objects.get(graduate=graduate)
    assert destination.status == ReviewStatus.SUBMITTED  # a teacher does not review
    # Changing it needs a reason.
    response = client.post(url, {"code": "75"})
    assert response.context["form"].errors["reason"] == ["修改已有的去向记录须填写原因。"]
    response = client.post(url, {"code": "75", "reason": "毕业生已注册公司"})
    assert response.status_code == 302
    # Not the teacher's mentee: 404.
    assert (
        client.get(reverse("destinations:record", args=[school.graduates[1].pk])).status_code == 404
    )


def test_record_page_queries_do_not_grow(school, client_for):
    client = client_for(school.centre)
    destination = churn(school, school.graduates[0], 1)
    url = reverse("destinations:record", args=[destination.graduate_id])
    few, sql = count_queries(client, url)
    churn(school, school.graduates[0], 4)
    many, _sql = count_queries(client, url)
    # session, user, memberships, their departments, graduate, policy, codes, natures,
    # destination, evidence rules (the form), history, evidence, institution (header), unread
    # notifications (nav)
    assert few == many == 15, "\n".join(sql)  # + the verified authenticator (accounts.mfa)


def test_record_lookup(school, client_for):
    client = client_for(school.dept_staff)
    url = reverse("destinations:record_lookup")
    response = client.get(url, {"q": school.graduates[1].student_no})
    assert response.status_code == 302
    response = client.get(url, {"q": "a2020"})
    # Department staff of 钢琴系 find only 钢琴系 graduates.
    assert [g.student_no for g in response.context["results"]] == ["a2020001", "a2020002"]


def test_policy_page(school, client_for):
    client = client_for(school.centre)
    url = reverse("destinations:policy", args=[2020])
    page = client.get(url)
    assert page.status_code == 200
    assert "签约率" in page.content.decode()
    response = client.post(
        url, {"signing_codes": ["11", "10", "27"], "registration_deadline": "2020-09-30"}
    )
    assert response.status_code == 302
    from qihang.destinations.policy import policy_for

    policy = policy_for(school.cohort)
    assert policy.signing_codes == ["10", "11", "27"]
    assert str(policy.registration_deadline) == "2020-09-30"
    response = client.post(url, {"signing_codes": ["502"]})
    assert response.status_code == 200
    assert "signing_codes" in response.context["form"].errors
    assert client.get(reverse("destinations:policy", args=[1999])).status_code == 404
    assert client_for(school.dept_staff).get(url).status_code == 403
