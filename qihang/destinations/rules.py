"""What a destination record must look like: the checks shared by the pages, the services and the
import, so a record is valid or not the same way wherever it comes from.

`clean_destination()` takes raw values (a form's cleaned data, or spreadsheet cells) and the
cohort's reference data (`Reference`, loaded once: two queries) and returns the values to store,
or raises `DestinationInvalid` listing every problem by field. It runs no query, so the import
calls it for every row.

Rules (DOMAIN.md §2, §3):
- the code must be in the cohort's code set; its `required_fields` must be filled
  (10: employer, credit code, nature, location, agreement number, signing date; 11: the same
  without the agreement number; 12 and 27: the employer's name);
- 70–72 (category not_employed) carry no employer, agreement or signing date at all;
- 统一社会信用代码: 18 characters with a valid check character (python-stdnum, lib.validators);
- 单位性质: a code or name of the code set's employer natures;
- 单位所在地: a 6-digit GB/T 2260 division code; the province is derived from it;
- 国家/地区: an ISO 3166-1 country as a Chinese or English name, alpha-2 or alpha-3 code; a
  division implies it (CN, or HK, MO, TW for 810000, 820000, 710000: regions.countries), and
  中国香港, 中国澳门, 中国台湾 imply their division when none is given; any other country has no
  division, so a record gives one or the other; a code that is abroad (85 出国、出境) needs a
  country outside mainland China;
- 签约日期: not in the future and not before 1 January of the year before the cohort's;
- an employment code with an employer needs the reporter's statement that this is a hire, not an
  internship or trainee post ("四不准": no internship proof as employment proof), except for the
  career centre's import, which vouches for its file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qihang.destinations.models import (
    CohortPolicy,
    DestinationCategory,
    DestinationCode,
    EmployerNature,
    EvidenceKind,
)
from qihang.lib import validators as v
from qihang.regions import countries

# The fields of a record's data, in the order forms and history show them.
DATA_FIELDS = (
    "code",
    "employer_name",
    "employer_credit_code",
    "employer_nature",
    "employer_division",
    "employer_country",
    "agreement_no",
    "signed_on",
    "note",
)
EMPLOYER_FIELDS = (
    "employer_name",
    "employer_credit_code",
    "employer_nature",
    "employer_division",
    "employer_country",
    "agreement_no",
    "signed_on",
)
LABELS: dict[str, Any] = {
    "code": gettext_lazy("毕业去向"),
    "employer_name": gettext_lazy("单位名称"),
    "employer_credit_code": gettext_lazy("统一社会信用代码"),
    "employer_nature": gettext_lazy("单位性质"),
    "employer_division": gettext_lazy("单位所在地"),
    "employer_country": gettext_lazy("国家/地区"),
    "agreement_no": gettext_lazy("协议书编号"),
    "signed_on": gettext_lazy("签约日期"),
    "note": gettext_lazy("备注"),
    "status": gettext_lazy("审核状态"),
    "confirmed_not_internship": gettext_lazy("确认非实习、见习"),
    "evidence": gettext_lazy("证明材料"),
    "evidence_kind": gettext_lazy("材料类型"),
    "reason": gettext_lazy("原因"),
}
MAX_LENGTHS = {"employer_name": 200, "agreement_no": 40, "note": 300}
AGREEMENT_NO = re.compile(r"[0-9A-Za-z][0-9A-Za-z_/-]{0,39}")
# Evidence kinds that can stand behind an employment code: never an internship proof.
NOT_FOR_EMPLOYMENT = frozenset({EvidenceKind.INTERNSHIP})
# Kinds a person may choose when uploading (the import's own kind is the import's).
UPLOAD_KINDS = tuple(k for k in EvidenceKind if k != EvidenceKind.IMPORT_FILE)


class DestinationInvalid(ValueError):
    """Every problem of a record's data, by field (forms and imports show them per field)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(m)}" for k, m in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Reference:
    """A cohort's policy with its code set's codes and employer natures, loaded once."""

    policy: CohortPolicy
    cohort_year: int
    codes: dict[str, DestinationCode]  # by code ("10", "502")
    natures: dict[str, EmployerNature]  # by code and by name

    @classmethod
    def load(cls, policy: CohortPolicy, cohort_year: int) -> Reference:
        codes = {
            c.code: c
            for c in DestinationCode.objects.filter(code_set_id=policy.code_set_id)
            .select_related("parent")
            .order_by("sort_order")
        }
        natures: dict[str, EmployerNature] = {}
        for nature in EmployerNature.objects.filter(code_set_id=policy.code_set_id).order_by(
            "code"
        ):
            natures[nature.code] = nature
            natures.setdefault(nature.name, nature)
        return cls(policy=policy, cohort_year=cohort_year, codes=codes, natures=natures)

    def code_by_id(self, pk: int | None) -> DestinationCode | None:
        return next((c for c in self.codes.values() if c.pk == pk), None) if pk else None

    def nature_by_id(self, pk: int | None) -> EmployerNature | None:
        return next((n for n in self.natures.values() if n.pk == pk), None) if pk else None

    def find_code(self, text: str) -> DestinationCode | None:
        """A code as typed: "10", "10 签就业协议形式就业", "10.0" or its name."""
        return _find(text, self.codes, {c.name: c for c in self.codes.values()})

    def find_nature(self, text: str) -> EmployerNature | None:
        """An employer nature as typed: "31", "31 国有企业" or "国有企业"."""
        return _find(text, self.natures, self.natures)

    def code_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Codes grouped by category for a select: sub-codes under their parent, indented."""
        groups: dict[str, list[tuple[str, str]]] = {c: [] for c in DestinationCategory.values}
        for code in sorted(self.codes.values(), key=lambda c: c.sort_order):
            indent = "\u3000" if code.parent_id else ""
            groups[code.category].append((code.code, f"{indent}{code.code} {code.name}"))
        return [
            (str(DestinationCategory(category).label), options)
            for category, options in groups.items()
            if options
        ]

    def nature_choices(self) -> list[tuple[str, str]]:
        seen = sorted({n.pk: n for n in self.natures.values()}.values(), key=lambda n: n.code)
        return [(n.code, f"{n.code} {n.name}") for n in seen]

    def code_rules(self) -> dict[str, dict[str, Any]]:
        """What the form's script needs to show the right fields for each code."""
        return {
            c.code: {
                "employer": c.carries_employer,
                "required": list(c.required_fields or []),
                "employment": c.category == DestinationCategory.EMPLOYED and c.carries_employer,
                "needs_confirmation": needs_confirmation(c),
            }
            for c in self.codes.values()
        }

    def code_label(self, code: str) -> str:
        found = self.codes.get(code)
        return f"{code} {found.name}" if found else code

    def nature_label(self, code: str) -> str:
        found = self.natures.get(code)
        return f"{code} {found.name}" if found else code


def _find[T](text: str, by_code: Mapping[str, T], by_name: Mapping[str, T]) -> T | None:
    text = text.strip()
    if not text:
        return None
    found = by_code.get(text) or by_name.get(text)
    if found is not None:
        return found
    head, _sep, rest = text.replace("\u3000", " ").partition(" ")
    head = head.removesuffix(".0")
    found = by_code.get(head)
    if found is not None and (not rest.strip() or by_name.get(rest.strip()) in (found, None)):
        return found
    return by_name.get("".join(text.split()))


def needs_confirmation(code: DestinationCode) -> bool:
    """Codes whose record names an employer that hired the graduate (10, 11, 12, 27)."""
    return "employer_name" in (code.required_fields or [])


def _text(value: object) -> str:
    return " ".join(v.normalize_text(value).split()) if value is not None else ""


def clean_destination(
    raw: Mapping[str, Any],
    ref: Reference,
    *,
    today: dt.date,
    require_confirmation: bool = True,
) -> dict[str, Any]:
    """The values to store (model field names) or DestinationInvalid with every problem.

    `raw` keys: DATA_FIELDS plus "confirmed_not_internship". Values may be spreadsheet cells
    or form values; blanks are "" or None.
    """
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    code_text = _text(raw.get("code"))
    code = ref.find_code(code_text)
    if not code_text:
        fail("code", _("请选择毕业去向。"))
    elif code is None:
        fail(
            "code",
            _("毕业去向代码“%(code)s”不在%(set)s中。")
            % {"code": code_text, "set": ref.policy.code_set.name},
        )

    values: dict[str, Any] = {
        "code": code,
        "employer_name": _text(raw.get("employer_name")),
        "employer_credit_code": "",
        "employer_nature": None,
        "employer_division": "",
        "employer_province": "",
        "employer_country": "",
        "agreement_no": "",
        "signed_on": None,
        "note": _text(raw.get("note")),
        "confirmed_not_internship": bool(raw.get("confirmed_not_internship")),
    }
    for field, limit in MAX_LENGTHS.items():
        text = values.get(field) if field != "agreement_no" else _text(raw.get(field))
        if text and len(text) > limit:
            fail(
                field,
                _("%(label)s过长（最多%(limit)s个字符）。")
                % {"label": LABELS[field], "limit": limit},
            )

    credit_raw = raw.get("employer_credit_code")
    if not v.is_blank(credit_raw):
        try:
            values["employer_credit_code"] = v.credit_code(credit_raw)
        except v.FieldError as exc:
            fail("employer_credit_code", exc.message)

    nature_raw = raw.get("employer_nature")
    if not v.is_blank(nature_raw):
        key = _text(nature_raw)
        nature = ref.find_nature(key)
        if nature is None:
            fail(
                "employer_nature",
                _("单位性质“%(value)s”不是有效选项，可选：%(allowed)s")
                % {
                    "value": key,
                    "allowed": "、".join(label for _c, label in ref.nature_choices()),
                },
            )
        values["employer_nature"] = nature

    division_raw = raw.get("employer_division")
    if not v.is_blank(division_raw):
        try:
            division = v.division_code(division_raw)
        except v.FieldError as exc:
            fail("employer_division", exc.message)
        else:
            values["employer_division"] = division
            values["employer_province"] = division[:2] + "0000"

    country_raw = raw.get("employer_country")
    if not v.is_blank(country_raw):
        country = countries.find_country(country_raw)
        if not country:
            fail(
                "employer_country",
                _("国家/地区“%(value)s”无法识别，请填写中文名称或国家代码，如 俄罗斯、RU、RUS。")
                % {"value": _text(country_raw)},
            )
        else:
            values["employer_country"] = country
    _place(values, errors, fail)

    agreement_raw = raw.get("agreement_no")
    if not v.is_blank(agreement_raw):
        agreement = v.normalize_text(agreement_raw).replace(" ", "")
        if not AGREEMENT_NO.fullmatch(agreement):
            fail(
                "agreement_no",
                _("协议书编号只能包含字母、数字和 - _ /，最长40位。"),
            )
        values["agreement_no"] = agreement

    signed_raw = raw.get("signed_on")
    if not v.is_blank(signed_raw):
        try:
            signed_on = v.date_value(signed_raw)
        except v.FieldError as exc:
            fail("signed_on", exc.message)
        else:
            earliest = dt.date(ref.cohort_year - 1, 1, 1)
            if signed_on > today:
                fail("signed_on", _("签约日期不能晚于今天。"))
            elif signed_on < earliest:
                fail(
                    "signed_on",
                    _("签约日期不能早于%(date)s（%(year)s届毕业生）。")
                    % {"date": earliest.isoformat(), "year": ref.cohort_year},
                )
            values["signed_on"] = signed_on

    if code is not None:
        if not code.carries_employer:
            given = [f for f in EMPLOYER_FIELDS if not v.is_blank(raw.get(f)) and f not in errors]
            for field in given:
                fail(
                    field,
                    _("毕业去向为“%(code)s”时不填写%(label)s。")
                    % {"code": f"{code.code} {code.name}", "label": LABELS[field]},
                )
            values["confirmed_not_internship"] = False
        for field in code.required_fields or []:
            if field not in errors and not values.get(field):
                fail(
                    field,
                    _("毕业去向为“%(code)s”时必须填写%(label)s。")
                    % {"code": f"{code.code} {code.name}", "label": LABELS[field]},
                )
        country = values["employer_country"] if "employer_country" not in errors else ""
        if code.abroad and country == countries.CHINA:
            fail(
                "employer_country",
                _("毕业去向为“%(code)s”时国家/地区应在中国境外，不能是中国（内地）。")
                % {"code": f"{code.code} {code.name}"},
            )
        elif not code.abroad and country and country != countries.CHINA:
            # Work or study outside the mainland (Hong Kong, Macao and Taiwan included) is
            # 出国、出境 by the national codes, whatever the kind of employer.
            fail(
                "employer_country",
                _("国家/地区为%(country)s的去向应登记为“出国、出境”，不能是“%(code)s”。")
                % {"country": countries.country_name(country), "code": f"{code.code} {code.name}"},
            )
        if needs_confirmation(code):
            if require_confirmation and not values["confirmed_not_internship"]:
                fail(
                    "confirmed_not_internship",
                    _("请确认该单位已正式录用（实习、见习证明不能作为就业证明）。"),
                )
        else:
            values["confirmed_not_internship"] = False

    if errors:
        raise DestinationInvalid(errors)
    return values


def _place(
    values: dict[str, Any], errors: dict[str, list[str]], fail: Callable[[str, str], None]
) -> None:
    """The division and the country together: one implies the other where it can, and a
    country without divisions (anywhere but China) forbids one."""
    if "employer_division" in errors or "employer_country" in errors:
        return
    division, country = values["employer_division"], values["employer_country"]
    implied = countries.country_of_division(division)
    if not country:
        values["employer_country"] = implied
    elif not division:
        own = countries.division_of_country(country)
        values["employer_division"], values["employer_province"] = own, own
    elif implied != country:
        name = countries.country_name(country)
        own = countries.division_of_country(country)
        if own:
            fail(
                "employer_division",
                _("国家/地区为%(country)s时，单位所在地应为%(division)s或不填。")
                % {"country": name, "division": own},
            )
        elif country == countries.CHINA:
            fail(
                "employer_country",
                _("单位所在地%(division)s属于%(place)s，国家/地区应为%(place)s。")
                % {"division": division, "place": countries.country_name(implied)},
            )
        else:
            fail(
                "employer_division",
                _("国家/地区为%(country)s时不填写单位所在地（行政区划代码只用于中国境内）。")
                % {"country": name},
            )


def check_evidence_kind(kind: str, code: DestinationCode | None) -> str | None:
    """Why `kind` cannot be evidence for a record with `code`, or None if it can."""
    if kind not in UPLOAD_KINDS:
        return _("请选择材料类型。")
    if (
        code is not None
        and kind in NOT_FOR_EMPLOYMENT
        and code.category == DestinationCategory.EMPLOYED
    ):
        return _(
            "实习、见习证明不能作为就业证明（“%(code)s”），请上传就业协议书、劳动合同或录用证明。"
        ) % {"code": f"{code.code} {code.name}"}
    return None


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """A record's data as plain JSON values (codes as strings, dates ISO) for history and
    comparison; `values` is clean_destination()'s result or a Destination's attributes."""
    code = values.get("code")
    nature = values.get("employer_nature")
    signed_on = values.get("signed_on")
    return {
        "code": code.code if isinstance(code, DestinationCode) else (code or ""),
        "employer_name": values.get("employer_name") or "",
        "employer_credit_code": values.get("employer_credit_code") or "",
        "employer_nature": nature.code if isinstance(nature, EmployerNature) else (nature or ""),
        "employer_division": values.get("employer_division") or "",
        "employer_country": str(values.get("employer_country") or ""),
        "agreement_no": values.get("agreement_no") or "",
        "signed_on": signed_on.isoformat() if isinstance(signed_on, dt.date) else "",
        "note": values.get("note") or "",
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ: (before, after); a key absent on one side (a new
    record has no "before") is left out of that side."""
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k, "") != after.get(k, "")]
    return {k: before[k] for k in keys if k in before}, {k: after[k] for k in keys if k in after}
