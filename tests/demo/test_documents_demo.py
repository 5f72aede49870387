import pytest

from qihang.demo import catalogue as cat
from qihang.documents.models import Dossier, DossierChange, IssuedDocument, Recommendation


@pytest.mark.django_db
def test_the_demo_has_issued_forms_a_reissue_and_dossiers(demo):
    issued = IssuedDocument.objects.filter(
        institution__code=cat.DFCM.code, kind="recommendation"
    )  # the agreements demo issues agreements too
    assert issued.filter(status="valid").count() == 4
    old = issued.get(status="superseded")
    assert old.reissues.get().reissue_reason
    assert Recommendation.objects.get(graduate__student_no="2016104001").status == "approved"
    assert set(Recommendation.objects.values_list("status", flat=True)) == {
        "approved",
        "assessed",
        "submitted",
    }
    assert Dossier.objects.filter(report_card_number__gt="").exists()
    assert DossierChange.objects.filter(reason__gt="").exists()
