import pytest

from qihang.demo import catalogue as cat
from qihang.institutions.models import Institution
from qihang.reporting.models import (
    CheckWindow,
    CorrectionRequest,
    ReportingRecord,
    ReportRun,
    ReturnedList,
)


@pytest.mark.django_db
def test_the_demo_has_a_report_run_a_returned_list_and_correction_requests(demo):
    school = Institution.objects.get(code=cat.DFCM.code)
    run = ReportRun.objects.get(institution=school)
    assert run.rows > 100 and run.items.count() == run.rows
    returned = ReturnedList.objects.get(institution=school)
    assert returned.items.count() == 2
    assert (
        ReportingRecord.objects.filter(institution=school, returned_at__isnull=False).count() == 2
    )
    assert CheckWindow.objects.filter(institution=school, closed_at__isnull=True).exists()
    statuses = sorted(
        CorrectionRequest.objects.filter(institution=school).values_list("status", flat=True)
    )
    assert statuses == ["confirmed", "pending", "refused"]
