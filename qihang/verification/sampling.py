"""The draw of a verification round, as pure functions (no database): sizes, then members.

Method (docs/verification.md states it for people):
1. Department size. A department with N placed graduates and percent p draws
   n = max(ceil(p × N / 100), k), capped at N, where k is its number of non-empty strata
   (destination codes held by at least one of its placed graduates).
2. Allocation within the department (strata = codes): every non-empty stratum gets one; the
   remaining r = n − k seats go proportionally to each stratum's remaining members (N_h − 1),
   by largest remainder (Hamilton), ties to the lower code. So 1 ≤ n_h ≤ N_h, the n_h add up
   to n, and each n_h − 1 lies within one of r × (N_h − 1) / (N − k).
3. Members. Each stratum's members are sorted by graduate id and drawn with
   random.Random("<seed>:<department rank>:<code>").sample(members, n_h), the rank being the
   department's position (by id) among those with placed graduates: the same seed and the
   same population give the same sample, a stratum's draw does not depend on the others' sizes,
   and a copy of the data whose ids are all shifted alike (a demo reloaded) draws alike.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple


class Member(NamedTuple):
    graduate_id: int
    department_id: int
    code: str


def department_size(population: int, percent: Decimal, strata: int) -> int:
    """max(ceil(percent × population / 100), strata), never more than the population."""
    if population <= 0:
        return 0
    wanted = math.ceil(Fraction(percent) * population / 100)
    return min(population, max(wanted, strata))


def allocate(sizes: Mapping[str, int], total: int) -> dict[str, int]:
    """Seats per stratum: one each, the rest proportional to (size − 1), largest remainder."""
    strata = sorted((code for code, n in sizes.items() if n > 0), key=lambda c: (len(c), c))
    if not strata or total <= 0:
        return {}
    if total < len(strata):
        raise ValueError("the department size is at least its number of non-empty strata")
    seats = dict.fromkeys(strata, 1)
    remaining = total - len(strata)
    spare = sum(sizes[c] - 1 for c in strata)
    if remaining and spare:
        quotas = {c: Fraction(remaining * (sizes[c] - 1), spare) for c in strata}
        for c in strata:
            seats[c] += math.floor(quotas[c])
        left = total - sum(seats.values())
        by_remainder = sorted(strata, key=lambda c: (-(quotas[c] - math.floor(quotas[c])), c))
        for c in by_remainder[:left]:
            seats[c] += 1
    return seats


def draw(
    members: Iterable[Member],
    *,
    seed: int,
    default_percent: Decimal,
    department_percents: Mapping[int, Decimal],
) -> list[Member]:
    """The sample: for each department its size, allocated to codes, drawn per stratum."""
    strata: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for m in members:
        strata[m.department_id][m.code].append(m.graduate_id)
    sample: list[Member] = []
    for rank, department_id in enumerate(sorted(strata)):
        by_code = strata[department_id]
        population = sum(len(ids) for ids in by_code.values())
        percent = department_percents.get(department_id, default_percent)
        size = department_size(population, percent, len(by_code))
        seats = allocate({code: len(ids) for code, ids in by_code.items()}, size)
        for code, n in seats.items():
            rng = random.Random(f"{seed}:{rank}:{code}")  # noqa: S311 (not secret)
            for graduate_id in sorted(rng.sample(sorted(by_code[code]), n)):
                sample.append(Member(graduate_id, department_id, code))
    return sample


def sizes_by_stratum(sample: Sequence[Member]) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for m in sample:
        counts[(m.department_id, m.code)] += 1
    return dict(counts)
