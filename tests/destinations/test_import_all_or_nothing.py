"""Random mixes of valid and invalid rows: an import writes every row or none of them."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qihang.destinations.importing import HEADERS, import_destinations
from qihang.destinations.models import (
    Destination,
    DestinationChange,
    DestinationPeriod,
    Evidence,
)
from tests.destinations.conftest import CREDIT

pytestmark = pytest.mark.django_db

ROW = st.tuples(
    st.sampled_from(["a2020001", "a2020002", "a2020003", "a9999999", ""]),
    st.sampled_from(["10", "11", "12", "70", "76", "801", "502", "99", ""]),
    st.sampled_from(["", "上海交响乐团", "某文化传媒有限公司"]),
    st.sampled_from(["", CREDIT, "91310104MA1FL00000", "bad"]),
    st.sampled_from(["", "29", "国有企业", "外企"]),
    st.sampled_from(["", "310104", "440304", "999999"]),
    st.sampled_from(["", "CN", "俄罗斯", "火星"]),
    st.sampled_from(["", "A-1", "A-2", "协议#1"]),
    st.sampled_from(["", "2020-05-01", "2020/6/30", "2099-01-01", "昨天"]),
)

STUDENTS = ["a2020001", "a2020002", "a2020003"]
VALID = st.one_of(
    st.tuples(st.sampled_from(["70", "71", "76", "801", "502", "85"])).map(
        lambda t: [t[0], "", "", "", "", "RU" if t[0] == "85" else "", "", ""]
    ),
    st.sampled_from(["11", "10"]).map(
        lambda code: [
            code,
            "上海交响乐团",
            CREDIT,
            "29",
            "310104",
            "CN" if code == "10" else "",
            "A-9" if code == "10" else "",
            "2020-05-01",
        ]
    ),
)


@st.composite
def files(draw):
    """Mostly valid rows (one per graduate), sometimes with one random row mixed in."""
    students = draw(st.lists(st.sampled_from(STUDENTS), min_size=1, max_size=3, unique=True))
    rows = [[student, *draw(VALID)] for student in students]
    # One agreement number per graduate: only the first code-10 row keeps it.
    if sum(1 for r in rows if r[1] == "10") > 1:
        return draw(st.just(rows[:1]))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), list(draw(ROW)))
    return rows


def as_csv(rows) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def state():
    return (
        sorted(
            Destination.objects.values_list(
                "graduate__student_no",
                "code__code",
                "employer_name",
                "employer_credit_code",
                "agreement_no",
                "status",
                "version",
            )
        ),
        DestinationChange.objects.count(),
        DestinationPeriod.objects.count(),
        Evidence.objects.count(),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=files())
def test_all_rows_or_none(school, rows):
    before = state()
    result = import_destinations(
        as_csv(rows),
        filename="random.csv",
        institution=school.institution,
        cohort_year=2020,
        actor_id=school.centre.pk,
    )
    after = state()
    if not result.ok:
        assert after == before, result.as_text()
        assert result.errors
        return
    written = {row[0]: row for row in after[0]}
    for row in rows:
        student_no, code = row[0], row[1]
        assert written[student_no][1] == code
        assert written[student_no][5] == "approved"
    assert result.created + result.updated + result.unchanged == len(rows)
