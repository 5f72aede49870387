"""The reporting API: the centre's states and runs, and a run reported; a department's queue,
its decisions on correction requests; a graduate's confirmation and correction request."""

import json

import pytest
from django.utils import timezone

from qihang.accounts.services import api_token_create
from qihang.audit.models import AuditEvent
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.notifications.models import Notification
from qihang.reporting import services
from qihang.reporting.models import CorrectionRequest, RosterCheck
from tests.reporting.helpers import (
    approve,
    open_registration,
    open_window,
    report,
    walk_reporting,
)

pytestmark = pytest.mark.django_db


def bearer(user, school):
    _token, secret = api_token_create(actor=build_actor(user, school.institution.pk), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_states_runs_and_the_department_queue(school, client):
    open_registration(school)
    approve(school, school.graduates[0])
    report(school)
    walk_reporting(school)
    centre = bearer(school.centre, school)
    states = client.get("/api/v1/reporting/states", {"cohort": 2020}, **centre).json()
    assert states["reported"] == 2 and states["not_approved"] == 1
    runs = client.get("/api/v1/reporting/runs", **centre).json()
    assert [r["rows"] for r in runs] == [2, 1]  # the walk's run of everything, then the first
    queue = client.get("/api/v1/reporting/corrections", **bearer(school.dept_staff, school))
    assert [r["requested_value"] for r in queue.json()] == ["李明明"]
    bad = client.get("/api/v1/reporting/corrections", {"status": "x"}, **centre)
    assert bad.status_code == 422


def test_the_api_status_names_are_the_models():
    from typing import get_args

    from qihang.reporting.api import StatusName
    from qihang.reporting.models import CorrectionStatus

    assert set(get_args(StatusName)) == set(CorrectionStatus.values)


# --- Writes ------------------------------------------------------------------------------------
def _post(client, url, body=None, **headers):
    data = json.dumps(body) if body is not None else ""
    return client.post(url, data, content_type="application/json", **headers)


def test_the_centre_reports_a_run_through_the_api(school, client):
    open_registration(school)
    approve(school, school.graduates[0])
    centre = bearer(school.centre, school)
    body = {"extent": "all", "fmt": "xlsx", "reason": "月度上报"}
    assert (
        _post(
            client, "/api/v1/reporting/runs", body, **bearer(school.dept_staff, school)
        ).status_code
        == 403
    )
    bad = _post(client, "/api/v1/reporting/runs", {**body, "extent": "some"}, **centre)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "extent"
    no_reason = _post(client, "/api/v1/reporting/runs", {**body, "reason": ""}, **centre)
    assert no_reason.status_code == 400 and list(no_reason.json()["errors"]) == ["reason"]
    assert _post(client, "/api/v1/reporting/runs?cohort=1999", body, **centre).status_code == 404
    made = _post(client, "/api/v1/reporting/runs?cohort=2020", body, **centre)
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["rows"] == 1 and run["extent"] == "all" and run["receipt"]
    event = AuditEvent.objects.get(action="reporting.run", target_id=str(run["id"]))
    assert event.data["reason"] == "月度上报" and event.data["rows"] == 1
    assert client.get("/api/v1/reporting/runs", **centre).json()[0]["id"] == run["id"]
    nothing = _post(client, "/api/v1/reporting/runs", {**body, "extent": "changed"}, **centre)
    assert nothing.status_code == 400 and "没有需要上报的记录" in nothing.json()["detail"]


def test_a_graduate_confirms_or_asks_for_a_correction(school, client_for):
    graduate = client_for(school.graduate_user)  # graduates have no tokens: their session
    closed = _post(graduate, "/api/v1/reporting/mine/confirm")
    assert closed.status_code == 400 and "没有开放信息核对" in closed.json()["detail"]
    window = open_window(school)
    staff = bearer(school.centre, school)
    assert _post(graduate, "/api/v1/reporting/mine/confirm", **staff).status_code == 403
    confirmed = _post(graduate, "/api/v1/reporting/mine/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["answer"] == "confirmed" and confirmed.json()["cohort"] == 2020
    assert (
        RosterCheck.objects.get(window=window, graduate=school.graduates[0]).answer == "confirmed"
    )
    assert AuditEvent.objects.filter(action="reporting.check_confirm").exists()
    url = "/api/v1/reporting/mine/corrections"
    ask = {"target": "roster", "field": "ethnicity", "value": "回族", "reason": "录入有误"}
    assert _post(graduate, url, ask, **staff).status_code == 403
    missing = _post(graduate, url, {k: v for k, v in ask.items() if k != "reason"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "reason"
    wrong = _post(graduate, url, {**ask, "field": "diploma"})
    assert wrong.status_code == 400 and list(wrong.json()["errors"]) == ["field"]
    asked = _post(graduate, url, ask)
    assert asked.status_code == 201, asked.content
    # 民族 is sensitive: the request and its audit entry keep the mask; the value is sealed.
    assert asked.json()["status"] == "pending" and asked.json()["requested_value"] == "***"
    event = AuditEvent.objects.get(action="reporting.correction_request")
    assert event.target_id == str(asked.json()["id"]) and event.data["requested"] == "***"
    stored = CorrectionRequest.objects.get(pk=asked.json()["id"])
    assert stored.requested_secret.reveal_unlogged() == "回族"
    assert RosterCheck.objects.get(window=window, graduate=school.graduates[0]).answer == "asked"
    # Pending: confirming is refused until the department has answered.
    assert _post(graduate, "/api/v1/reporting/mine/confirm").status_code == 400


def test_the_department_confirms_or_refuses_a_correction(school, other_school, client):
    open_window(school)
    graduate = build_actor(school.graduate_user, school.institution.pk)
    asks = [
        services.correction_request_create(
            actor=graduate,
            graduate=school.graduates[0],
            target="roster",
            field=field,
            value=value,
            reason="录入有误",
        )
        for field, value in (("name", "李明明"), ("ethnicity", "回族"))
    ]
    department = bearer(school.dept_staff, school)
    confirm = f"/api/v1/reporting/corrections/{asks[0].pk}/confirm"
    refuse = f"/api/v1/reporting/corrections/{asks[1].pk}/refuse"
    teacher = bearer(school.teacher, school)
    assert _post(client, confirm, {}, **teacher).status_code == 403
    assert _post(client, refuse, {"reason": "不符"}, **teacher).status_code == 403
    outsider = bearer(other_school.centre, other_school)
    assert _post(client, confirm, {}, **outsider).status_code == 404
    assert _post(client, refuse, {"reason": "不符"}, **outsider).status_code == 404
    too_long = _post(client, confirm, {"note": "长" * 301}, **department)
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"][-1] == "note"
    done = _post(client, confirm, {"note": "核对户籍材料"}, **department)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "confirmed" and done.json()["name"] == "李明明"
    assert Graduate.objects.get(pk=school.graduates[0].pk).name == "李明明"
    assert AuditEvent.objects.filter(
        action="reporting.correction_confirm", target_id=str(asks[0].pk)
    ).exists()
    assert AuditEvent.objects.filter(action="graduate.roster_correct").exists()
    again = _post(client, confirm, {}, **department)
    assert again.status_code == 400 and "已处理" in again.json()["detail"]
    no_reason = _post(client, refuse, {"reason": " "}, **department)
    assert no_reason.status_code == 400 and list(no_reason.json()["errors"]) == ["reason"]
    refused = _post(client, refuse, {"reason": "与户籍材料不符"}, **department)
    assert refused.status_code == 200, refused.content
    assert refused.json()["status"] == "refused"
    assert refused.json()["decision_reason"] == "与户籍材料不符"
    event = AuditEvent.objects.get(action="reporting.correction_refuse")
    assert event.target_id == str(asks[1].pk) and event.data["reason"] == "与户籍材料不符"
    assert (
        Notification.objects.filter(
            recipient=school.graduate_user, kind="correction_decided"
        ).count()
        == 2
    )
    # Another department's request is not the department's to see.
    hidden = CorrectionRequest.objects.create(
        institution=school.institution,
        graduate=school.graduates[2],
        target="roster",
        field="name",
        current_value=school.graduates[2].name,
        requested_value="赵强强",
        reason="录入有误",
        created_at=timezone.now(),
    )
    url = f"/api/v1/reporting/corrections/{hidden.pk}/refuse"
    assert _post(client, url, {"reason": "不符"}, **department).status_code == 404


# --- The centre's returned list -----------------------------------------------
def test_the_returned_list_through_the_api(school, other_school, client):
    import base64

    open_registration(school)
    approve(school, school.graduates[0])
    report(school)
    centre = bearer(school.centre, school)
    url = "/api/v1/reporting/returned?cohort=2020"
    good = f"XH,退回原因\n{school.graduates[0].student_no},单位信用代码不符\n".encode()
    bad = "XH,退回原因\nnobody,单位信用代码不符\n".encode()

    def body(data: bytes, filename: str = "退回.csv") -> dict:
        return {"filename": filename, "content": base64.b64encode(data).decode()}

    refused = _post(client, url, body(bad), **centre)
    assert refused.status_code == 400 and "第2行" in refused.json()["detail"]
    garbled = _post(client, url, {"filename": "退回.csv", "content": "不是base64"}, **centre)
    assert garbled.status_code == 400 and "content" in garbled.json()["errors"]
    answer = _post(client, url, body(good), **centre)
    assert answer.status_code == 201, answer.content
    assert answer.json()["rows"] == 1 and answer.json()["cohort"] == 2020
    assert AuditEvent.objects.filter(action="reporting.returned_import").count() == 1
    returned = client.get("/api/v1/reporting/returned", **centre).json()
    assert [r["student_no"] for r in returned] == [school.graduates[0].student_no]
    # Department staff may not import; another school's centre imports into its own cohort only.
    staff = _post(client, url, body(good), **bearer(school.dept_staff, school))
    assert staff.status_code == 403
    theirs = _post(client, url, body(good), **bearer(other_school.centre, other_school))
    assert theirs.status_code == 400  # our student number is not on their roster
    assert AuditEvent.objects.filter(action="reporting.returned_import").count() == 1


def test_check_windows_open_and_close_through_the_api(school, other_school, client):
    import datetime as dt

    centre = bearer(school.centre, school)
    url = "/api/v1/reporting/windows?cohort=2020"
    closes = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    opened = _post(client, url, {"closes_on": closes}, **centre)
    assert opened.status_code == 201, opened.content
    window = opened.json()
    assert (window["cohort"], window["closes_on"], window["closed_at"]) == (2020, closes, None)
    assert _post(client, url, {"closes_on": closes}, **centre).status_code == 400  # one at a time
    past = _post(client, url, {"closes_on": "2000-01-01"}, **centre)
    assert past.status_code == 400 and "closes_on" in past.json()["errors"]
    assert (
        _post(client, url, {"closes_on": closes}, **bearer(school.dept_staff, school)).status_code
        == 403
    )
    close = f"/api/v1/reporting/windows/{window['id']}/close"
    assert _post(client, close, **bearer(other_school.centre, other_school)).status_code == 404
    assert _post(client, close, **bearer(school.dept_staff, school)).status_code == 403
    closed = _post(client, close, **centre)
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    assert _post(client, close, **centre).status_code == 400  # already closed
    assert list(
        AuditEvent.objects.filter(action__startswith="reporting.window")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["reporting.window_open", "reporting.window_close"]
