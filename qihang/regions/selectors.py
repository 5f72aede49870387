"""Which strategic regions a division or country is in, and a Q to filter by region.

Reference data, the same for every institution: no actor is needed. The current version is
the region set published last; it is read once per process (three queries) and kept, since
a new version arrives only with a migration (and a restart). ``clear_cache`` is for tests and
for the migration that loads a version.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from qihang.regions.models import Region, RegionMember, RegionSet


@dataclass(frozen=True)
class _Loaded:
    region_set: RegionSet | None
    regions: tuple[Region, ...]  # in sort order
    prefixes: dict[str, tuple[str, ...]]  # region code -> division prefixes ("31", "4403")
    countries: dict[str, frozenset[str]]  # region code -> ISO 3166-1 alpha-2 codes


def _load(region_set: RegionSet | None) -> _Loaded:
    if region_set is None:
        return _Loaded(None, (), {}, {})
    regions = tuple(Region.objects.filter(region_set=region_set).order_by("sort_order", "code"))
    prefixes: dict[str, list[str]] = {r.code: [] for r in regions}
    countries: dict[str, set[str]] = {r.code: set() for r in regions}
    for member in RegionMember.objects.filter(region__region_set=region_set).select_related(
        "region"
    ):
        if member.division:
            prefixes[member.region.code].append(member.prefix)
        else:
            countries[member.region.code].add(member.country.upper())
    return _Loaded(
        region_set,
        regions,
        {code: tuple(sorted(p)) for code, p in prefixes.items()},
        {code: frozenset(c) for code, c in countries.items()},
    )


_loaded: dict[str, _Loaded] = {}  # version -> regions ("" : the current version)


def _version(version: str = "") -> _Loaded:
    found = _loaded.get(version)
    if found is None:
        sets = RegionSet.objects.all()
        region_set = sets.filter(version=version).first() if version else sets.first()
        found = _load(region_set)
        if found.regions:  # an empty table (a flushed test database) is not remembered
            _loaded[version] = found
    return found


def clear_cache() -> None:
    _loaded.clear()


def current_region_set() -> RegionSet | None:
    return _version().region_set


def regions(version: str = "") -> list[Region]:
    """The regions of a version (default: the current one), in their order."""
    return list(_version(version).regions)


def region(code: str, version: str = "") -> Region:
    """A region by code; LookupError if the version has no such region."""
    for found in _version(version).regions:
        if found.code == code:
            return found
    raise LookupError(f"no strategic region {code!r}")


def _by_division(version: str, division: str) -> tuple[str, ...]:
    loaded = _version(version)
    return tuple(
        r.code
        for r in loaded.regions
        if any(division.startswith(p) for p in loaded.prefixes.get(r.code, ()))
    )


def region_codes_of(division: str, country: str = "", version: str = "") -> tuple[str, ...]:
    """Codes of the regions a place is in: by its division code (6 digits; "" for none) and,
    abroad, its country. A place may be in several regions, or none."""
    codes = set(_by_division(version, division)) if division else set()
    if country:
        loaded = _version(version)
        codes |= {code for code, cs in loaded.countries.items() if country.upper() in cs}
    return tuple(r.code for r in _version(version).regions if r.code in codes)


def regions_of(division: str, country: str = "", version: str = "") -> list[Region]:
    """The regions (current version unless ``version``) of a division code and/or a country,
    in the regions' order: ``regions_of("440305")`` → [粤港澳大湾区]."""
    codes = region_codes_of(division, country, version)
    return [r for r in _version(version).regions if r.code in codes]


def region_q(
    region_code: str,
    division_field: str,
    country_field: str | None = None,
    version: str = "",
) -> Q:
    """A filter for any model with a division column (and optionally a country column):
    ``Employer.objects.filter(region_q("yangtze_delta", "division"))``. A country-only region
    matches nothing without ``country_field``. LookupError for an unknown region."""
    loaded = _version(version)
    region(region_code, version)  # raises for an unknown code
    q = Q(pk__in=[])
    for prefix in loaded.prefixes.get(region_code, ()):
        q |= Q(**{f"{division_field}__startswith": prefix})
    countries = loaded.countries.get(region_code, frozenset())
    if country_field and countries:
        q |= Q(**{f"{country_field}__in": sorted(countries)})
    return q
