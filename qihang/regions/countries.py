"""Countries and regions (国家/地区) as ISO 3166-1 alpha-2 codes, named in Chinese official usage.

The list and its names come from django-countries; settings.COUNTRIES_OVERRIDE gives 中国香港,
中国澳门, 中国台湾 (and 北马其顿). Hong Kong, Macao and Taiwan are both an ISO code and a GB/T
2260 province-level division (810000, 820000, 710000): a record in Hong Kong carries both, so
by-province figures and 粤港澳大湾区 (defined by divisions) count it as they always did, while
a division anywhere else in China means the country is CN.
"""

from __future__ import annotations

from functools import cache

from django.utils import translation
from django_countries import countries
from django_countries.data import COUNTRIES as ISO_NAMES

from qihang.lib import validators as v

CHINA = "CN"
# The divisions (by their first two digits) that are a country or region of their own in ISO
# 3166-1, and the province-level division each such code stands for.
_DIVISION_COUNTRIES = {"71": "TW", "81": "HK", "82": "MO"}
_COUNTRY_DIVISIONS = {country: f"{prefix}0000" for prefix, country in _DIVISION_COUNTRIES.items()}
# Names people write that are neither django-countries' Chinese nor English name.
_ALIASES = {
    "中华人民共和国": CHINA,
    "中国大陆": CHINA,
    "中国内地": CHINA,
    "香港": "HK",
    "香港特别行政区": "HK",
    "中国香港特别行政区": "HK",
    "澳门": "MO",
    "澳门特别行政区": "MO",
    "中国澳门特别行政区": "MO",
    "台湾": "TW",
    "台湾省": "TW",
    "俄罗斯联邦": "RU",
    "美利坚合众国": "US",
    "大不列颠及北爱尔兰联合王国": "GB",
    "阿联酋": "AE",
    "马其顿": "MK",
    "捷克共和国": "CZ",
    "大韩民国": "KR",
    "TAIWAN": "TW",
    "MACAU": "MO",
    "UK": "GB",
    "USA": "US",
    "UNITED STATES": "US",
    "RUSSIAN FEDERATION": "RU",
    "CZECH REPUBLIC": "CZ",
    "KOREA": "KR",
}


def country_of_division(division: str) -> str:
    """The country a GB/T 2260 division is in: 310104 → CN, 810000 → HK; "" for no division."""
    if not division:
        return ""
    return _DIVISION_COUNTRIES.get(division[:2], CHINA)


def division_of_country(country: str) -> str:
    """The province-level division a country code also is (HK → 810000), or ""."""
    return _COUNTRY_DIVISIONS.get(country, "")


# The countries whose places have GB/T 2260 division codes.
DIVISION_COUNTRIES = (CHINA, *_COUNTRY_DIVISIONS)


def country_name(code: str) -> str:
    """The country's name in the active language (中国香港, 俄罗斯); the code if unknown."""
    return (str(countries.name(code)) or code) if code else ""


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for a select, in the active language; COUNTRIES_FIRST come first."""
    return [(str(code), str(name)) for code, name in countries]


@cache
def _index() -> dict[str, str]:
    """Every accepted spelling, upper-cased → alpha-2: codes, alpha-3, Chinese and English
    names whatever the active language (ours and django-countries' own), and the aliases."""
    index: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names = [(code, str(name)) for code, name in countries]
            names += [(code, str(name)) for code, name in ISO_NAMES.items()]
            for code, name in names:
                index.setdefault(name.upper(), code)
    for alias, code in _ALIASES.items():
        index.setdefault(alias.upper(), code)
    for code in countries:
        index[code.code] = code.code
        alpha3 = countries.alpha3(code.code)
        if alpha3:
            index.setdefault(alpha3, code.code)
    return index


def find_country(value: object) -> str | None:
    """A country as written: 俄罗斯, RU, RUS, Russia, 中国香港 → its alpha-2 code; None when
    nothing matches ("" for a blank value)."""
    text = " ".join(v.normalize_text(value).split())
    if not text:
        return ""
    found = _index().get(text.upper())
    if found is None and not text.isascii():
        found = _index().get("".join(text.split()))
    return found
