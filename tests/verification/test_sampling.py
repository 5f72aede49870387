"""The draw: reproducible from its seed, stored once, sized as docs/verification.md says."""

import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qihang.verification import sampling
from qihang.verification.models import VerificationSample
from tests.verification.helpers import draw, more_graduates, place


@pytest.fixture
def placed(school, media_root):
    piano = more_graduates(school, 8, department=0)
    voice = more_graduates(school, 3, department=1, start=200)
    for i, g in enumerate(piano):
        place(school, g, "12" if i % 3 == 0 else "10", agreement_no=f"A-{i}")
    for g in voice:
        place(school, g, "76")
    return piano + voice


def members(round_):
    return set(VerificationSample.objects.filter(round=round_).values_list("graduate_id", "code"))


def test_same_seed_same_population_same_sample(school, placed):
    first = draw(school, percent="40", seed=12345)
    again = draw(school, percent="40", seed=12345, name="复现")
    assert members(first) == members(again)
    assert first.population == 11
    # 40% of 8 = 3.2 -> 4 in piano (codes 10 and 12 both present); 40% of 3 -> 2 in voice.
    assert len(members(first)) == 6
    assert {code for _g, code in members(first)} == {"10", "12", "76"}


def test_the_stored_sample_never_changes(school, placed):
    round_ = draw(school, percent="40", seed=99)
    before = members(round_)
    graduate_id, code = sorted(before)[0]
    graduate = next(g for g in placed if g.pk == graduate_id)
    place(school, graduate, "80" if code != "80" else "10")
    assert members(round_) == before


def test_department_percent_overrides_the_default(school, placed):
    round_ = draw(
        school, percent="10", seed=3, department_percents={school.departments[1].pk: "100"}
    )
    voice = VerificationSample.objects.filter(round=round_, department=school.departments[1])
    assert voice.count() == 3


def test_a_future_as_of_is_refused(school, placed):
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    with pytest.raises(ValidationError):
        draw(school, as_of=timezone.localdate() + dt.timedelta(days=1))


strata = st.dictionaries(
    st.integers(1, 4),  # department
    st.dictionaries(
        st.sampled_from(["10", "11", "12", "76", "80"]), st.integers(1, 40), min_size=1
    ),
    min_size=1,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(strata, st.decimals("0.01", "100", places=2), st.integers(0, 2**62 - 1))
def test_sizes_per_stratum_are_as_documented(population, percent, seed):
    members, serial = [], 0
    for department, codes in population.items():
        for code, n in codes.items():
            for _ in range(n):
                serial += 1
                members.append(sampling.Member(serial, department, code))
    sample = sampling.draw(members, seed=seed, default_percent=percent, department_percents={})
    assert sample == sampling.draw(
        list(reversed(members)), seed=seed, default_percent=percent, department_percents={}
    )
    sizes = sampling.sizes_by_stratum(sample)
    for department, codes in population.items():
        total = sum(codes.values())
        k = len(codes)
        expected = min(total, max(math.ceil(percent * total / 100), k))
        assert sum(sizes[(department, c)] for c in codes) == expected
        remaining = expected - k
        for code, n in codes.items():
            got = sizes[(department, code)]
            assert 1 <= got <= n
            if total > k:
                quota = Decimal(remaining * (n - 1)) / (total - k)
                assert abs(got - 1 - quota) < 1
    assert len({m.graduate_id for m in sample}) == len(sample)
