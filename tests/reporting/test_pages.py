"""The reporting pages, through the browser's requests: the centre reports, imports and opens
a check; a graduate asks; the department decides."""

import pytest
from django.urls import reverse

from qihang.audit.models import SensitiveRead
from qihang.graduates.models import Graduate
from qihang.reporting.models import CorrectionRequest, ReportRun, ReturnedList
from tests.reporting.helpers import approve, open_registration, open_window

pytestmark = pytest.mark.django_db


def test_the_centre_reports_from_the_page(school, client_for):
    open_registration(school)
    approve(school, school.graduates[0])
    client = client_for(school.centre)
    page = client.get(reverse("reporting:home"), {"cohort": school.cohort.year})
    assert page.status_code == 200
    assert "上报状态" in page.content.decode()
    preview = client.get(
        reverse("reporting:export"), {"cohort": school.cohort.year, "extent": "all", "fmt": "csv"}
    )
    assert preview.status_code == 200 and preview["Content-Type"].startswith("text/csv")
    stored = Graduate.objects.get(pk=school.graduates[0].pk).id_number
    assert stored.reveal_unlogged() not in preview.content.decode("utf-8-sig")
    response = client.post(
        reverse("reporting:run_create"),
        {"cohort": school.cohort.year, "extent": "changed", "fmt": "xlsx", "reason": "月度上报"},
    )
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:run_detail", args=[run.pk])
    assert SensitiveRead.objects.count() == 1
    detail = client.get(response["Location"])
    assert school.graduates[0].student_no in detail.content.decode()


def test_a_bad_returned_list_comes_back_with_its_errors(school, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(school.centre)
    upload = SimpleUploadedFile("退回.csv", "学号,退回原因\nnobody,查无此人\n".encode())
    response = client.post(
        reverse("reporting:returned_import"), {"cohort": school.cohort.year, "file": upload}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "本届没有这个学号" in text and "nobody" in text
    assert not ReturnedList.objects.exists()


def test_a_graduate_asks_and_the_department_confirms(school, client_for):
    open_window(school)
    graduate_client = client_for(school.graduate_user)
    page = graduate_client.get(reverse("reporting:my_check"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "不影响毕业证书和学位证书" in body
    stored = Graduate.objects.get(pk=school.graduates[0].pk).id_number
    assert stored.reveal_unlogged() not in body and stored.masked in body
    graduate_client.post(
        reverse("reporting:my_request"),
        {"what": "roster:name", "value": "李明明", "reason": "录入有误"},
    )
    request = CorrectionRequest.objects.get()
    queue = client_for(school.dept_staff).get(reverse("reporting:corrections"))
    assert "李明明" in queue.content.decode()
    client_for(school.dept_staff).post(reverse("reporting:correction_confirm", args=[request.pk]))
    assert Graduate.objects.get(pk=school.graduates[0].pk).name == "李明明"
    mine = graduate_client.get(reverse("reporting:my_check")).content.decode()
    assert "已更正" in mine


def test_the_window_is_opened_and_closed_on_the_page(school, client_for):
    import datetime as dt

    from django.utils import timezone

    client = client_for(school.centre)
    day = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    client.post(reverse("reporting:window_open"), {"cohort": school.cohort.year, "closes_on": day})
    page = client.get(reverse("reporting:home")).content.decode()
    assert "尚未核对" in page
    client.post(reverse("reporting:window_close"), {"cohort": school.cohort.year})
    page = client.get(reverse("reporting:home")).content.decode()
    assert "开放核对" in page
