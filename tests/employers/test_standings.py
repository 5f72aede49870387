"""The institution's decisions (STANDING_REVIEW), what the paired school sees of them, and the
organisation's side: one-click requests, and edits that send a verification back to review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qihang.audit.models import AuditEvent
from qihang.employers.models import EmployerStanding
from qihang.employers.services import (
    STANDING_REVIEW,
    employer_update,
    standing_decide,
    standing_request,
)
from qihang.institutions.scoping import build_actor
from qihang.lib.workflow import TransitionConflict
from tests.employers.conftest import centre, standing


def url(employer, tail=""):
    return f"/employers/{employer.pk}/{tail}"


@pytest.mark.django_db
def test_each_transition_with_its_reason_and_audit_row(school, orchestra):
    employer, _user = orchestra
    row = standing(employer, school)
    actor = centre(school)
    assert [a.name for a in STANDING_REVIEW.available(row, actor)] == ["verify", "reject"]
    standing_decide(actor=actor, standing=row, action="verify")
    row.refresh_from_db()
    assert (row.status, row.decided_by_id) == ("verified", school.centre.pk)
    assert row.decided_at is not None
    with pytest.raises(ValidationError):  # a suspension needs its reason
        standing_decide(actor=actor, standing=row, action="suspend", reason="")
    standing_decide(actor=actor, standing=row, action="suspend", reason="收取报名费")
    row.refresh_from_db()
    assert (row.status, row.reason) == ("suspended", "收取报名费")
    standing_decide(actor=actor, standing=row, action="reinstate", reason="已整改")
    row.refresh_from_db()
    assert row.status == "verified"
    actions = list(
        AuditEvent.objects.filter(
            institution=school.institution, target_type="employers.employerstanding"
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["employer.verify", "employer.suspend", "employer.reinstate"]
    suspend = AuditEvent.objects.get(action="employer.suspend")
    assert suspend.data == {"reason": "收取报名费"}


@pytest.mark.django_db
def test_reject_needs_a_reason_and_is_final_until_asked_again(school, orchestra):
    employer, user = orchestra
    row = standing(employer, school)
    with pytest.raises(ValidationError):
        standing_decide(actor=centre(school), standing=row, action="reject", reason=" ")
    standing_decide(actor=centre(school), standing=row, action="reject", reason="执照与名称不符")
    row.refresh_from_db()
    assert row.status == "rejected"
    with pytest.raises(TransitionConflict):
        standing_decide(actor=centre(school), standing=row, action="verify")
    # The organisation asks again with one click: pending once more.
    standing_request(
        actor=build_actor(user, None, employer_id=employer.pk),
        employer=employer,
        institution=school.institution,
    )
    row.refresh_from_db()
    assert row.status == "pending"


@pytest.mark.django_db
def test_two_reviewers_at_once_one_wins(school, orchestra):
    employer, _user = orchestra
    first, second = standing(employer, school), standing(employer, school)
    standing_decide(actor=centre(school), standing=first, action="verify")
    with pytest.raises(TransitionConflict):
        standing_decide(actor=centre(school), standing=second, action="reject", reason="迟到的判断")
    assert standing(employer, school).status == "verified"


@pytest.mark.django_db
def test_decisions_through_the_page(school, orchestra, client_for):
    employer, _user = orchestra
    client = client_for(school.centre)
    page = client.get(url(employer)).content.decode()
    assert "认证通过" in page and "不予通过" in page
    assert client.get(url(employer, "decide/")).status_code == 405
    response = client.post(url(employer, "decide/"), {"action": "reject", "reason": ""})
    assert response.status_code == 302
    assert standing(employer, school).status == "pending"
    client.post(url(employer, "decide/"), {"action": "verify"})
    assert standing(employer, school).status == "verified"
    # Staff decide; nobody takes the organisation's own action through this page.
    client.post(url(employer, "decide/"), {"action": "resubmit"})
    assert standing(employer, school).status == "verified"


@pytest.mark.django_db
def test_only_the_verifying_roles_decide(school, orchestra, client_for):
    employer, _user = orchestra
    for user in (school.dept_staff, school.teacher, school.leader):
        assert (
            client_for(user).post(url(employer, "decide/"), {"action": "verify"}).status_code == 403
        )
    with pytest.raises(PermissionDenied):
        standing_decide(
            actor=build_actor(school.teacher, school.institution.pk),
            standing=standing(employer, school),
            action="verify",
        )
    assert standing(employer, school).status == "pending"


@pytest.mark.django_db
def test_another_institution_without_a_standing_gets_404(
    school, other_school, orchestra, client_for
):
    employer, _user = orchestra
    client = client_for(other_school.centre)
    for tail in ("", "licence/", "contacts/new/", "interactions/new/"):
        assert client.get(url(employer, tail)).status_code == 404
    assert client.post(url(employer, "decide/"), {"action": "verify"}).status_code == 404
    assert "沪上交响乐团" not in client.get("/employers/").content.decode()


@pytest.mark.django_db
def test_the_paired_school_sees_the_first_decision_and_its_evidence(paired, orchestra, client_for):
    school, other = paired
    employer, user = orchestra
    from django.core.files.base import ContentFile

    from tests.conftest import TINY_PNG

    employer_update(
        actor=build_actor(user, None, employer_id=employer.pk),
        employer=employer,
        data={},
        licence=ContentFile(TINY_PNG, name="执照.png"),
    )
    standing_decide(actor=centre(school), standing=standing(employer, school), action="verify")
    # The organisation asks the paired school with one click; nothing re-entered.
    standing_request(
        actor=build_actor(user, None, employer_id=employer.pk),
        employer=employer,
        institution=other.institution,
    )
    theirs = EmployerStanding.objects.get(employer=employer, institution=other.institution)
    assert theirs.status == "pending"
    page = client_for(other.centre).get(url(employer)).content.decode()
    assert "首次审核" in page
    assert school.institution.name in page
    assert str(school.centre) in page  # who decided
    assert "执照.png" in page
    licence = client_for(other.centre).get(url(employer, "licence/"))
    assert licence.status_code == 200
    assert b"".join([licence.content]) == TINY_PNG
    assert licence["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_new_name_sends_verified_standings_back_to_review_the_code_never_changes(
    school, orchestra
):
    employer, user = orchestra
    row = standing(employer, school)
    standing_decide(actor=centre(school), standing=row, action="verify")
    actor = build_actor(user, None, employer_id=employer.pk)
    employer_update(actor=actor, employer=employer, data={"address": "上海市徐汇区1号"})
    assert standing(employer, school).status == "verified"  # an address is not what was checked
    employer_update(
        actor=actor, employer=employer, data={"name": "沪上爱乐乐团", "credit_code": "X"}
    )
    employer.refresh_from_db()
    assert employer.name == "沪上爱乐乐团"
    assert employer.credit_code != "X"
    assert standing(employer, school).status == "pending"
    assert AuditEvent.objects.filter(action="employer.resubmit").count() == 1


@pytest.mark.django_db
def test_share_and_revoke_with_the_paired_school(paired, orchestra, client_for):
    from qihang.institutions.models import Share

    school, other = paired
    employer, _user = orchestra
    client = client_for(school.centre)
    assert "共享给江城音乐学院" in client.get(url(employer)).content.decode()
    client.post(url(employer, "share/"), {"partner": other.institution.pk})
    assert Share.objects.active().filter(object_id=employer.pk).count() == 1
    assert client_for(other.centre).get(url(employer)).status_code == 200
    # The partner reads it but neither decides nor shares it on.
    assert (
        client_for(other.centre).post(url(employer, "decide/"), {"action": "verify"}).status_code
        == 404
    )
    client.post(url(employer, "share/"), {"partner": other.institution.pk, "revoke": "1"})
    assert not Share.objects.active().exists()
    assert client_for(other.centre).get(url(employer)).status_code == 404
    assert (
        client_for(school.teacher)
        .post(url(employer, "share/"), {"partner": other.institution.pk})
        .status_code
        == 403
    )
