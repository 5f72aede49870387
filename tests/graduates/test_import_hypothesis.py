"""Random mixes of valid and invalid rows never leave a partial write."""

import csv
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qihang.graduates.importing import HEADERS, import_roster
from qihang.graduates.models import Graduate, GraduateKeyGroup
from qihang.imports.samples import roster_rows
from qihang.institutions.models import Cohort, Department, Major

POOL = [r.values() for r in roster_rows(40, seed=99)]


def _bad_checksum(row: list[str]) -> None:
    row[3] = row[3][:-1] + ("0" if row[3][-1] != "0" else "1")


# Each mutation makes a row invalid, except "rename" and "hardship" (valid changes: updates).
MUTATIONS = {
    "checksum": _bad_checksum,
    "phone": lambda row: row.__setitem__(14, "12345"),
    "no_name": lambda row: row.__setitem__(1, ""),
    "no_department": lambda row: row.__setitem__(7, "　"),
    "division": lambda row: row.__setitem__(11, "999999"),
    "cohort": lambda row: row.__setitem__(10, "2019"),
    "hardship_unknown": lambda row: row.__setitem__(13, "单亲家庭"),
    "rename": lambda row: row.__setitem__(1, row[1] + "二"),
    "hardship": lambda row: row.__setitem__(13, "残疾、零就业家庭"),
}
VALID = {None, "rename", "hardship"}

rows_strategy = st.lists(
    st.tuples(st.integers(0, len(POOL) - 1), st.sampled_from([None, None, *MUTATIONS])),
    min_size=1,
    max_size=15,
    unique_by=lambda t: t[0],
)
counter = itertools.count()


def snapshot(school) -> tuple:
    graduates = sorted(
        Graduate.objects.filter(institution=school.institution).values_list(
            "student_no", "name", "department_id", "major_id", "updated_at"
        )
    )
    return (
        graduates,
        sorted(
            GraduateKeyGroup.objects.filter(institution=school.institution).values_list(
                "graduate_id", "kind_digest", "status"
            )
        ),
        Department.objects.filter(institution=school.institution).count(),
        Major.objects.filter(institution=school.institution).count(),
        Cohort.objects.filter(institution=school.institution).count(),
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(choice=rows_strategy, duplicate=st.booleans())
def test_all_rows_or_none(school, tmp_path, choice, duplicate):
    rows = []
    for index, mutation in choice:
        row = list(POOL[index])
        if mutation is not None:
            MUTATIONS[mutation](row)
        rows.append(row)
    if duplicate and len(rows) > 1:
        rows[-1][0] = rows[0][0]  # a 学号 twice in the file
    path = Path(tmp_path) / f"mix{next(counter)}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    expect_ok = all(m in VALID for _i, m in choice) and not (duplicate and len(rows) > 1)

    before = snapshot(school)
    result = import_roster(
        path,
        filename=path.name,
        institution=school.institution,
        cohort_year=2020,
        create_missing=True,
    )
    assert result.ok == expect_ok, result.as_text()
    if not result.ok:
        assert snapshot(school) == before  # the table is unchanged
        return
    stored = dict(
        Graduate.objects.filter(institution=school.institution).values_list("student_no", "name")
    )
    for row in rows:  # every row is there, as the file says
        assert stored[row[0]] == row[1]
    assert result.created + result.updated + result.unchanged == len(rows)
