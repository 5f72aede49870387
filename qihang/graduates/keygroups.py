"""Key-group suggestions: what the roster says (困难生类别) and what the profile implies
(少数民族 from 民族; 三区三州 and the 52 counties from 生源地; 湖北籍 for the 2020 cohort).

Suggestions are never labels: each waits for a person to confirm or dismiss it
(graduates.services.key_group_decide). `suggest` writes them in bulk for the roster importer
and the demo: a kind the graduate already has open (suggested or confirmed) or was dismissed
from is not suggested again, and a pending roster suggestion the new file no longer makes is
withdrawn. A confirmed membership is a person's decision: no file changes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache

from qihang.graduates.models import (
    GraduateKeyGroup,
    KeyGroupKind,
    KeyGroupSource,
    KeyGroupStatus,
    kind_digest,
)
from qihang.imports import bulkwrite
from qihang.lib.places import division_full_name

# Three regions and three prefectures (三区三州): Tibet, southern Xinjiang, the Tibetan areas of
# four provinces, Linxia, Liangshan, Nujiang — by division-code prefix.
THREE_REGIONS = (
    "54 6529 6530 6531 6532 6322 6323 6325 6326 6327 6328 5132 5133 5134 6229 6230 5333 5334 "
    "513422 620623"
).split()
# Counties among the 52 not yet lifted out of poverty in 2020 whose codes are stable.
POVERTY_COUNTIES = tuple(
    (
        "513429 513428 513436 513431 513430 513434 513432 522632 522633 522326 522324 622926 "
        "622921 653126 653125 653129 653222 653223 653224 653225 653226 653123 653022 532523 "
        "533323 533325"
    ).split()
)
MAJORITY = "汉族"

type Suggested = dict[str, str]  # kind code -> basis (why it is suggested; sealed when stored)


def profile_suggestions(*, ethnicity: str, origin: str, cohort_year: int) -> Suggested:
    """The kinds a graduate's profile suggests, each with its basis."""
    found: Suggested = {}
    if ethnicity and ethnicity != MAJORITY:
        found["ethnic_minority"] = f"民族：{ethnicity}"
    if origin:
        place = _place(origin)
        if any(origin.startswith(prefix) for prefix in THREE_REGIONS):
            found["three_regions"] = f"生源地：{place}"
        if origin in POVERTY_COUNTIES:
            found["poverty_county_52"] = f"生源地：{place}"
        if cohort_year == 2020 and origin.startswith("42"):
            found["hubei_2020"] = f"生源地：{place}（2020届）"
    return found


def _place(origin: str) -> str:
    return division_full_name(origin) or origin


@cache
def _codes() -> dict[str, str]:
    """kind code -> digest (reference data; cached for the process)."""
    return {code: kind_digest(code) for code in KeyGroupKind.objects.values_list("code", flat=True)}


def kinds_by_digest() -> dict[str, KeyGroupKind]:
    return {kind.digest: kind for kind in KeyGroupKind.objects.all()}


def suggest(
    *,
    institution_id: int,
    at: dt.datetime,
    roster: Mapping[int, Suggested],
    profile: Mapping[int, Suggested],
) -> int:
    """Write suggestions for graduates (ids): `roster` holds what a roster file's 困难生类别
    says for each graduate it lists (an empty dict: nothing — its pending roster suggestions
    are withdrawn), `profile` what the profile implies. Returns how many were added. Three
    statements per 2,000 graduates."""
    codes = _codes()
    graduate_ids = sorted(set(roster) | set(profile))
    added = 0
    for start in range(0, len(graduate_ids), 2000):
        chunk = graduate_ids[start : start + 2000]
        existing: dict[int, dict[str, tuple[int, str, str]]] = {}
        for pk, graduate_id, digest, status, source in (
            GraduateKeyGroup.objects.filter(graduate_id__in=chunk)
            .exclude(status=KeyGroupStatus.ENDED)
            .values_list("pk", "graduate_id", "kind_digest", "status", "source")
        ):
            existing.setdefault(graduate_id, {})[digest] = (pk, status, source)
        withdrawn: list[int] = []
        rows: list[GraduateKeyGroup] = []
        for graduate_id in chunk:
            held = existing.get(graduate_id, {})
            wanted: dict[str, tuple[str, str]] = {}
            for code, basis in profile.get(graduate_id, {}).items():
                wanted[codes[code]] = (KeyGroupSource.PROFILE, basis)
            if graduate_id in roster:
                file_digests = {codes[code] for code in roster[graduate_id]}
                withdrawn += [
                    pk
                    for digest, (pk, status, source) in held.items()
                    if status == KeyGroupStatus.SUGGESTED
                    and source == KeyGroupSource.ROSTER
                    and digest not in file_digests
                ]
                for code, basis in roster[graduate_id].items():
                    wanted[codes[code]] = (KeyGroupSource.ROSTER, basis)
            for digest, (source, basis) in wanted.items():
                if digest in held:
                    continue
                rows.append(
                    GraduateKeyGroup(
                        institution_id=institution_id,
                        graduate_id=graduate_id,
                        kind_digest=digest,
                        source=source,
                        basis=basis,
                        status=KeyGroupStatus.SUGGESTED,
                        suggested_at=at,
                    )
                )
        if withdrawn:
            bulkwrite.delete_where_in(GraduateKeyGroup, "id", withdrawn)
        GraduateKeyGroup.objects.bulk_create(rows, batch_size=1000)
        added += len(rows)
    return added
