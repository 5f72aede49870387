import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qihang.accounts.models import User
from qihang.employers.models import Employer, EmployerMember, EmployerStanding, JoinRequest
from qihang.employers.services import licence_bytes
from tests.conftest import TINY_PNG
from tests.factories import make_credit_code

URL = "/employer/register/"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form(school, **overrides):
    data = {
        "name": "苏城民族管弦乐团",
        "credit_code": make_credit_code(700),
        "nature_code": "29",
        "industry_code": "R",
        "division": "320508",
        "address": "苏州市姑苏区人民路1号",
        "contact_name": "周经理",
        "contact_phone": "0512-6588 1234",
        "contact_email": "hr@sucheng.example",
        "institution": school.institution.pk,
        "account_name": "周敏",
        "title": "人事主管",
        "account_email": "zhoumin@sucheng.example",
        "password": "Yangtze-Delta-2020",
        "password2": "Yangtze-Delta-2020",
        "licence": SimpleUploadedFile("执照.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_registration_creates_the_organisation_its_admin_and_a_pending_standing(school):
    response = Client().post(URL, form(school))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    employer = Employer.objects.get(credit_code=make_credit_code(700))
    assert employer.name == "苏城民族管弦乐团"
    assert employer.contact_phone == "051265881234"  # normalised: conflicts compare digits
    member = EmployerMember.objects.get(employer=employer)
    assert (member.role, member.is_active, member.user.email) == (
        "admin",
        True,
        "zhoumin@sucheng.example",
    )
    standing = EmployerStanding.objects.get(employer=employer)
    assert (standing.institution_id, standing.status) == (school.institution.pk, "pending")
    # The licence is sealed on disk and comes back as it was uploaded.
    with employer.licence_file.open("rb") as handle:
        assert PDF not in handle.read()
    assert licence_bytes(employer) == PDF
    assert (employer.licence_content_type, employer.licence_name) == ("application/pdf", "执照.pdf")


@pytest.mark.django_db
def test_the_new_account_signs_in_and_lands_in_the_portal(school):
    Client().post(URL, form(school))
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "zhoumin@sucheng.example", "password": "Yangtze-Delta-2020"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/employer/"
    page = client.get("/employer/")
    assert page.status_code == 200
    assert "苏城民族管弦乐团" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "message"),
    [("91310000MA0000070X", "校验码错误"), ("123", "长度应为18位"), ("", "必填")],
)
def test_an_invalid_credit_code_is_refused(school, code, message):
    response = Client().post(URL, form(school, credit_code=code))
    assert response.status_code == 200
    assert message in response.content.decode() or "这个字段是必填项" in response.content.decode()
    assert not Employer.objects.exists()
    assert not User.objects.filter(email="zhoumin@sucheng.example").exists()


@pytest.mark.django_db
def test_a_licence_is_checked_by_its_bytes(school):
    fake = SimpleUploadedFile("执照.png", b"<html>not an image</html>", content_type="image/png")
    response = Client().post(URL, form(school, licence=fake))
    assert response.status_code == 200
    assert "不是PDF、JPEG或PNG文件" in response.content.decode()
    renamed = SimpleUploadedFile("执照.pdf", TINY_PNG, content_type="application/pdf")
    response = Client().post(URL, form(school, licence=renamed))
    assert "扩展名与内容不符" in response.content.decode()
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_a_licence_over_the_size_limit_is_refused(school, settings):
    settings.QIHANG_MAX_EVIDENCE_BYTES = 100
    big = SimpleUploadedFile("执照.pdf", PDF + b"0" * 200, content_type="application/pdf")
    response = Client().post(URL, form(school, licence=big))
    assert "过大" in response.content.decode()
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_the_same_code_asks_to_join_and_learns_nothing_of_the_organisation(school):
    Client().post(URL, form(school))
    response = Client().post(
        URL,
        form(
            school,
            name="另一个名字",
            contact_email="x@other.example",
            account_email="newcomer@other.example",
            account_name="新人",
            licence="",
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "加入申请已提交" in page
    assert "苏城民族管弦乐团" not in page and "周敏" not in page
    assert Employer.objects.count() == 1
    employer = Employer.objects.get()
    assert employer.name == "苏城民族管弦乐团"  # untouched
    member = EmployerMember.objects.get(user__email="newcomer@other.example")
    assert (member.employer_id, member.is_active, member.join_request, member.role) == (
        employer.pk,
        False,
        JoinRequest.PENDING,
        "recruiter",
    )
    assert EmployerStanding.objects.count() == 1
    # Signing in, the account waits and sees nothing of the organisation.
    client = Client()
    login = client.post(
        "/accounts/login/",
        {"username": "newcomer@other.example", "password": "Yangtze-Delta-2020"},
    )
    assert login["Location"] == "/employer/waiting/"
    assert client.get("/employer/").status_code == 403
    waiting = client.get("/employer/waiting/").content.decode()
    assert "待该单位管理员确认" in waiting and "苏城" not in waiting


@pytest.mark.django_db
def test_an_address_with_an_account_and_weak_passwords_are_refused(school):
    school.centre.email = "centre@dfcm.example"
    school.centre.save(update_fields=["email"])
    page = Client().post(URL, form(school, account_email="Centre@dfcm.example"))
    assert "该邮箱已注册账号" in page.content.decode()
    weak = Client().post(URL, form(school, password="12345678", password2="12345678"))
    assert weak.status_code == 200
    assert not Employer.objects.exists()


@pytest.mark.django_db
def test_registration_is_rate_limited_per_address(school, settings, monkeypatch):
    from qihang.employers import portal

    monkeypatch.setattr(portal, "REGISTRATIONS_PER_HOUR", 1)
    assert Client().post(URL, form(school)).status_code == 302
    second = Client().post(
        URL, form(school, credit_code=make_credit_code(701), account_email="b@b.example")
    )
    assert second.status_code == 429
    assert Employer.objects.count() == 1


@pytest.mark.django_db
def test_registration_needs_csrf(school):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, form(school)).status_code == 403
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_an_institution_records_an_employer_once_per_credit_code(school, other_school):
    from qihang.employers.services import employer_record
    from qihang.institutions.scoping import build_actor

    code = make_credit_code(77)
    first = employer_record(
        actor=build_actor(school.teacher, school.institution.pk), name="沪剧院", credit_code=code
    )
    assert first.created and first.standing.status == "pending"
    assert first.employer.registered_by_id == school.teacher.pk
    again = employer_record(
        actor=build_actor(other_school.centre, other_school.institution.pk),
        name="上海沪剧院（另一写法）",
        credit_code=code.lower(),
    )
    assert (again.created, again.employer.pk, again.employer.name) == (
        False,
        first.employer.pk,
        "沪剧院",
    )
    assert again.standing.institution_id == other_school.institution.pk
    # Recording it again here changes nothing.
    assert (
        employer_record(
            actor=build_actor(school.centre, school.institution.pk), name="x", credit_code=code
        ).standing
        == first.standing
    )
    with pytest.raises(PermissionDenied):
        employer_record(
            actor=build_actor(school.leader, school.institution.pk), name="x", credit_code=code
        )
    with pytest.raises(ValidationError):
        employer_record(
            actor=build_actor(school.centre, school.institution.pk), name="x", credit_code="123"
        )
