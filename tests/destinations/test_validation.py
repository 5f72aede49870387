"""What a record must look like, per code, with the messages people see."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from qihang.destinations import services
from qihang.destinations.policy import policy_for
from qihang.destinations.rules import DestinationInvalid, Reference, clean_destination
from tests.conftest import TINY_PNG
from tests.destinations.conftest import CREDIT, actor, employment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2020, 7, 1)


@pytest.fixture
def ref(school):
    return Reference.load(policy_for(school.cohort), school.cohort.year)


def errors_of(raw, ref, **kwargs):
    with pytest.raises(DestinationInvalid) as excinfo:
        clean_destination(raw, ref, today=TODAY, **kwargs)
    return excinfo.value.errors


def test_a_complete_agreement_is_clean(ref):
    values = clean_destination(employment(), ref, today=TODAY)
    assert values["code"].code == "10"
    assert values["employer_nature"].code == "29"
    assert values["employer_province"] == "310000"
    assert values["employer_credit_code"] == CREDIT


def test_code_10_needs_every_employer_field_and_an_agreement_number(ref):
    errors = errors_of({"code": "10", "confirmed_not_internship": True}, ref)
    assert set(errors) == {
        "employer_name",
        "employer_credit_code",
        "employer_nature",
        "employer_division",
        "agreement_no",
        "signed_on",
    }
    assert errors["employer_name"] == ["毕业去向为“10 签就业协议形式就业”时必须填写单位名称。"]
    assert errors["agreement_no"] == ["毕业去向为“10 签就业协议形式就业”时必须填写协议书编号。"]


def test_code_11_needs_a_credit_code_but_no_agreement_number(ref):
    values = clean_destination(employment(code="11", agreement_no=""), ref, today=TODAY)
    assert values["code"].code == "11"
    errors = errors_of(employment(code="11", employer_credit_code=""), ref)
    assert list(errors) == ["employer_credit_code"]


@pytest.mark.parametrize("code", ["12", "27"])
def test_codes_12_and_27_need_the_employer_name(ref, code):
    errors = errors_of({"code": code, "confirmed_not_internship": True}, ref)
    assert list(errors) == ["employer_name"]
    values = clean_destination(
        {"code": code, "employer_name": "某某文化传媒有限公司", "confirmed_not_internship": True},
        ref,
        today=TODAY,
    )
    assert values["employer_name"] == "某某文化传媒有限公司"


@pytest.mark.parametrize(
    ("credit", "message"),
    [
        ("91310104MA1FL0000", "统一社会信用代码长度应为18位（当前17位）"),
        (CREDIT[:-1] + ("0" if CREDIT[-1] != "0" else "1"), "统一社会信用代码校验码错误"),
        ("9131010IMA1FL00000", "统一社会信用代码格式错误"),
    ],
)
def test_credit_code_is_checked(ref, credit, message):
    errors = errors_of(employment(employer_credit_code=credit), ref)
    assert errors["employer_credit_code"][0].startswith(message)


def test_credit_code_is_normalised(ref):
    typed = " " + CREDIT[:8] + "-" + CREDIT[8:].lower() + "\u3000"
    assert (
        clean_destination(employment(employer_credit_code=typed), ref, today=TODAY)[
            "employer_credit_code"
        ]
        == CREDIT
    )


def test_employer_nature_by_code_or_name_from_the_code_set(ref):
    assert (
        clean_destination(employment(employer_nature="国有企业"), ref, today=TODAY)[
            "employer_nature"
        ].code
        == "31"
    )
    assert (
        clean_destination(employment(employer_nature="31 国有企业"), ref, today=TODAY)[
            "employer_nature"
        ].code
        == "31"
    )
    errors = errors_of(employment(employer_nature="外企"), ref)
    assert errors["employer_nature"][0].startswith("单位性质“外企”不是有效选项，可选：10 机关")


def test_employer_location_is_a_division_code(ref):
    assert errors_of(employment(employer_division="3101"), ref)["employer_division"] == [
        "行政区划代码应为6位数字"
    ]
    assert errors_of(employment(employer_division="319999"), ref)["employer_division"] == [
        "行政区划代码“319999”不存在"
    ]
    values = clean_destination(employment(employer_division="440304"), ref, today=TODAY)
    assert values["employer_province"] == "440000"


def test_signed_date_not_in_the_future_nor_before_the_year_before_the_cohort(ref):
    assert errors_of(employment(signed_on=dt.date(2020, 7, 2)), ref)["signed_on"] == [
        "签约日期不能晚于今天。"
    ]
    assert errors_of(employment(signed_on=dt.date(2018, 12, 31)), ref)["signed_on"] == [
        "签约日期不能早于2019-01-01（2020届毕业生）。"
    ]
    assert clean_destination(employment(signed_on="2019-01-01"), ref, today=TODAY)[
        "signed_on"
    ] == dt.date(2019, 1, 1)


@pytest.mark.parametrize("code", ["70", "71", "72"])
def test_not_employed_codes_carry_no_employer(ref, code):
    errors = errors_of({"code": code, "employer_name": "某乐团", "signed_on": "2020-05-01"}, ref)
    assert errors == {
        "employer_name": [f"毕业去向为“{code} {ref.codes[code].name}”时不填写单位名称。"],
        "signed_on": [f"毕业去向为“{code} {ref.codes[code].name}”时不填写签约日期。"],
    }
    assert clean_destination({"code": code}, ref, today=TODAY)["employer_name"] == ""


def test_unknown_code(ref):
    assert errors_of({"code": "99"}, ref) == {
        "code": ["毕业去向代码“99”不在教育部毕业去向代码（2020版）中。"]
    }
    assert errors_of({"code": ""}, ref) == {"code": ["请选择毕业去向。"]}


def test_sub_codes_report_under_their_parent(ref):
    values = clean_destination({"code": "502"}, ref, today=TODAY)
    assert values["code"].reporting_code == "50"


def test_employment_needs_the_not_an_internship_statement(ref):
    errors = errors_of(employment(confirmed_not_internship=False), ref)
    assert errors == {
        "confirmed_not_internship": ["请确认该单位已正式录用（实习、见习证明不能作为就业证明）。"]
    }
    # The career centre's import vouches for its file.
    clean_destination(
        employment(confirmed_not_internship=False), ref, today=TODAY, require_confirmation=False
    )


def test_internship_proof_is_refused_for_employment_codes(school):
    me = actor(school.graduate_user, school)
    with pytest.raises(ValidationError) as excinfo:
        services.destination_submit(
            actor=me,
            graduate=school.graduates[0],
            data=employment(),
            evidence_files=[("internship", ContentFile(TINY_PNG, name="实习证明.png"))],
        )
    assert "实习、见习证明不能作为就业证明" in excinfo.value.message_dict["evidence_kind"][0]
    # A graduate still seeking work may document a trainee post.
    services.destination_submit(
        actor=me,
        graduate=school.graduates[0],
        data={"code": "70"},
        evidence_files=[("internship", ContentFile(TINY_PNG, name="见习证明.png"))],
    )


def test_service_errors_are_by_field(school):
    with pytest.raises(ValidationError) as excinfo:
        services.destination_submit(
            actor=actor(school.graduate_user, school),
            graduate=school.graduates[0],
            data=employment(employer_credit_code="123", agreement_no=""),
        )
    assert set(excinfo.value.message_dict) == {"employer_credit_code", "agreement_no"}


def test_one_agreement_number_per_graduate(school):
    centre = actor(school.centre, school)
    services.destination_record(actor=centre, graduate=school.graduates[0], data=employment())
    with pytest.raises(ValidationError) as excinfo:
        services.destination_record(actor=centre, graduate=school.graduates[1], data=employment())
    assert excinfo.value.message_dict["agreement_no"] == [
        "协议书编号2020-310-0001已用于学号为a2020001的毕业生。"
    ]
