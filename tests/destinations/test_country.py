"""The country (国家/地区) of a destination: the rules, the import, history and as-of periods."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from qihang.destinations import services
from qihang.destinations.importing import import_destinations
from qihang.destinations.models import Destination, DestinationPeriod, PeriodKind
from qihang.destinations.policy import policy_for
from qihang.destinations.rules import DestinationInvalid, Reference, clean_destination
from qihang.regions import countries
from qihang.reports.selectors import cohort_stats
from tests.destinations.conftest import actor, employment
from tests.destinations.test_periods import clock, moment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2020, 7, 1)


@pytest.fixture
def ref(school):
    return Reference.load(policy_for(school.cohort), school.cohort.year)


def clean(raw, ref):
    return clean_destination(raw, ref, today=TODAY)


def errors_of(raw, ref):
    with pytest.raises(DestinationInvalid) as excinfo:
        clean(raw, ref)
    return excinfo.value.errors


# --- rules ---------------------------------------------------------------------------------------
def test_a_domestic_division_implies_china(ref):
    values = clean(employment(), ref)  # 310104 上海市徐汇区
    assert values["employer_country"] == "CN"
    assert clean(employment(employer_country="中国"), ref)["employer_country"] == "CN"


def test_hong_kong_macao_and_taiwan_are_their_own_country_and_division(ref):
    values = clean({"code": "85", "employer_country": "中国香港"}, ref)
    assert (values["employer_country"], values["employer_division"]) == ("HK", "810000")
    assert values["employer_province"] == "810000"  # by province and 粤港澳大湾区 still count it
    values = clean({"code": "85", "employer_division": "820000"}, ref)
    assert values["employer_country"] == "MO"
    errors = errors_of({"code": "76", "employer_division": "810000", "employer_country": "CN"}, ref)
    assert errors == {"employer_country": ["单位所在地810000属于中国香港，国家/地区应为中国香港。"]}


@pytest.mark.parametrize("written", ["俄罗斯", "RU", "ru", "RUS", "Russia", "俄罗斯联邦"])
def test_abroad_needs_a_country_outside_mainland_china(ref, written):
    values = clean({"code": "85", "employer_country": written}, ref)
    assert values["employer_country"] == "RU"
    assert values["employer_division"] == ""


def test_code_85_without_a_country_or_in_china_is_refused(ref):
    assert errors_of({"code": "85"}, ref) == {
        "employer_country": ["毕业去向为“85 出国、出境”时必须填写国家/地区。"]
    }
    message = ["毕业去向为“85 出国、出境”时国家/地区应在中国境外，不能是中国（内地）。"]
    assert errors_of({"code": "85", "employer_country": "CN"}, ref) == {"employer_country": message}
    # A domestic division makes the country China: refused for the same reason.
    assert errors_of({"code": "85", "employer_division": "310104"}, ref) == {
        "employer_country": message
    }


def test_a_foreign_country_forbids_a_division(ref):
    abroad = employment(code="85", employer_country="DE")
    errors = errors_of(abroad, ref)
    assert errors == {
        "employer_division": ["国家/地区为德国时不填写单位所在地（行政区划代码只用于中国境内）。"]
    }
    errors = errors_of({"code": "85", "employer_country": "HK", "employer_division": "440305"}, ref)
    assert errors == {"employer_division": ["国家/地区为中国香港时，单位所在地应为810000或不填。"]}


@pytest.mark.parametrize("code", ["10", "80"])
def test_outside_the_mainland_is_abroad_whatever_the_code(ref, code):
    """Work or further study outside the mainland — Hong Kong included — is 85 出国、出境."""
    for country, name in (("DE", "德国"), ("HK", "中国香港")):
        values = employment(code=code, employer_country=country, employer_division="")
        errors = errors_of(values, ref)
        assert errors["employer_country"] == [
            f"国家/地区为{name}的去向应登记为“出国、出境”，不能是“{code} "
            + {"10": "签就业协议形式就业", "80": "升学"}[code]
            + "”。"
        ]


def test_an_unknown_country_is_named_in_the_error(ref):
    errors = errors_of({"code": "85", "employer_country": "火星"}, ref)
    assert errors == {
        "employer_country": [
            "国家/地区“火星”无法识别，请填写中文名称或国家代码，如 俄罗斯、RU、RUS。"
        ]
    }


def test_not_employed_codes_carry_no_country(ref):
    errors = errors_of({"code": "70", "employer_country": "RU"}, ref)
    assert errors == {"employer_country": ["毕业去向为“70 待就业”时不填写国家/地区。"]}


def test_chinese_names_follow_official_usage():
    assert [countries.country_name(c) for c in ("CN", "HK", "MO", "TW", "RU")] == [
        "中国",
        "中国香港",
        "中国澳门",
        "中国台湾",
        "俄罗斯",
    ]
    assert countries.country_choices()[:4] == [
        ("CN", "中国"),
        ("HK", "中国香港"),
        ("MO", "中国澳门"),
        ("TW", "中国台湾"),
    ]


# --- services: history and as-of periods ---------------------------------------------------------
def test_history_and_periods_carry_the_country(school):
    centre = actor(school.centre, school)
    graduate = school.graduates[0]
    with clock(moment(1)):
        record = services.destination_record(
            actor=centre, graduate=graduate, data={"code": "85", "employer_country": "RU"}
        )
        services.destination_approve(actor=centre, destination=record)
    assert record.employer_country == "RU"
    first = record.changes.order_by("at", "pk").first()
    assert first.after["employer_country"] == "RU"
    june_5 = moment(5).date()
    assert belt_and_road(school, june_5) == 1
    # Later the country is corrected (Germany): a new version, a new period; the earlier
    # period keeps Russia, so figures as of that day do not change.
    with clock(moment(9)):
        record = services.destination_record(
            actor=centre,
            graduate=graduate,
            data={"code": "85", "employer_country": "Germany"},
            reason="国家填写有误",
        )
        services.destination_approve(actor=centre, destination=record)
    last = record.changes.filter(action="record").order_by("-at", "-pk").first()
    assert last.before == {"employer_country": "RU", "status": "approved"}
    assert last.after["employer_country"] == "DE"
    official = DestinationPeriod.objects.filter(
        graduate=graduate, kind=PeriodKind.OFFICIAL
    ).order_by("valid_from")
    assert [(p.employer_country, p.valid_to is None) for p in official] == [
        ("RU", False),
        ("DE", True),
    ]
    assert belt_and_road(school, june_5) == 1
    assert belt_and_road(school, moment(10).date()) == 0


def belt_and_road(school, day):
    result = cohort_stats(
        actor=actor(school.centre, school), cohort=school.cohort, by="region", as_of=day
    )
    return next(r["total"] for r in result["rows"] if r["key"] == "belt_and_road")


def test_the_record_page_shows_the_country(school, client_for):
    centre = actor(school.centre, school)
    graduate = school.graduates[0]
    record = services.destination_record(
        actor=centre, graduate=graduate, data={"code": "85", "employer_country": "AT"}
    )
    page = client_for(school.centre).get(reverse("destinations:detail", args=[record.pk]))
    assert page.status_code == 200
    assert "国家/地区</dt><dd" in page.content.decode().replace('" >', '">')
    assert "奥地利" in page.content.decode()
    form = client_for(school.centre).get(reverse("destinations:record", args=[graduate.pk]))
    html = form.content.decode()
    assert '<option value="HK">中国香港</option>' in html
    assert '<option value="AT" selected>奥地利</option>' in html


def test_the_form_posts_a_country(school, client_for):
    graduate = school.graduates[0]
    response = client_for(school.centre).post(
        reverse("destinations:record", args=[graduate.pk]),
        {"code": "85", "employer_country": "SG", "employer_name": "新加坡国立大学"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Destination.objects.get(graduate=graduate).employer_country == "SG"
    response = client_for(school.centre).post(
        reverse("destinations:record", args=[school.graduates[1].pk]),
        {"code": "85", "employer_country": ""},
    )
    assert response.status_code == 200
    assert "时必须填写国家/地区" in response.content.decode()


def test_service_errors_name_the_country_field(school):
    with pytest.raises(ValidationError) as excinfo:
        services.destination_record(
            actor=actor(school.centre, school), graduate=school.graduates[0], data={"code": "85"}
        )
    assert list(excinfo.value.message_dict) == ["employer_country"]


# --- the import ------------------------------------------------------------------------------------
def sheet(rows, headers=("学号", "毕业去向代码", "单位名称", "国家/地区")):
    workbook = Workbook()
    workbook.active.append(list(headers))
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(school, data):
    return import_destinations(
        data,
        filename="countries.xlsx",
        institution=school.institution,
        cohort_year=2020,
        actor_id=school.centre.pk,
    )


def test_import_accepts_chinese_names_codes_and_english_names(school, media_root):
    rows = [
        ["a2020001", "85", "莫斯科柴可夫斯基音乐学院", "俄罗斯"],
        ["a2020002", "85", "圣彼得堡音乐学院", "RUS"],
        ["a2020003", "85", "格涅辛音乐学院", "Russia"],
    ]
    result = run(school, sheet(rows))
    assert result.ok, result.as_text()
    assert set(Destination.objects.values_list("employer_country", flat=True)) == {"RU"}
    periods = DestinationPeriod.objects.values_list("employer_country", flat=True)
    assert set(periods) == {"RU"} and len(periods) == 6  # official and reported
    rows[0][3] = "RU"
    assert run(school, sheet(rows)).unchanged == 3  # the same country, however written


def test_import_refuses_a_nonsense_country_with_row_and_column(school):
    rows = [
        ["a2020001", "85", "莫斯科柴可夫斯基音乐学院", "俄罗斯"],
        ["a2020002", "85", "某某音乐学院", "Atlantis"],
    ]
    result = run(school, sheet(rows, headers=("学号", "毕业去向代码", "单位名称", "Country")))
    assert not result.ok
    assert not Destination.objects.exists()
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "Country", "Atlantis")
    assert "国家/地区“Atlantis”无法识别" in error.message


# --- the export ------------------------------------------------------------------------------------
def test_the_destination_export_has_the_country(school):
    from qihang.graduates.exporting import DESTINATION_HEADERS, export_destinations
    from tests.graduates.test_export_roster import sheet_rows

    centre = actor(school.centre, school)
    services.destination_record(
        actor=centre, graduate=school.graduates[0], data={"code": "85", "employer_country": "RU"}
    )
    services.destination_record(actor=centre, graduate=school.graduates[1], data=employment())
    rows = sheet_rows(export_destinations(centre, school.cohort))
    by_student = {
        r["学号"]: r for r in (dict(zip(DESTINATION_HEADERS, row, strict=True)) for row in rows[1:])
    }
    abroad, shanghai = (by_student[g.student_no] for g in school.graduates[:2])
    assert (abroad["国家/地区"], abroad["单位所在地"]) == ("俄罗斯", None)
    assert (shanghai["国家/地区"], shanghai["单位所在地"]) == ("中国", "310104")
