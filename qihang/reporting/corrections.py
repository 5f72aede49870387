"""What a graduate may ask to correct (生源信息核对), declared once: each field's label, how a
requested value is checked, how the current value is shown. The request form, the service and
the department's queue all read this table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Gender, Graduate, Origin
from qihang.institutions.models import Major
from qihang.lib import validators
from qihang.lib.sensitive import mask_all
from qihang.lib.validators import FieldError, mask_id_number, normalize_text


def _text(limit: int) -> Callable[..., str]:
    def clean(value: Any, **_kwargs: Any) -> str:
        text = normalize_text(value)
        if not text:
            raise FieldError(str(_("请填写更正后的内容。")), "required")
        if len(text) > limit:
            raise FieldError(str(_("内容太长（最多%(n)s个字）。") % {"n": limit}), "length")
        return text

    return clean


def _choice(choices: Any) -> Callable[..., str]:
    def clean(value: Any, **_kwargs: Any) -> str:
        text = normalize_text(value)
        for key, label in choices:
            if text in (key, str(label)):
                return key
        raise FieldError(
            str(_("请选择：%(options)s")) % {"options": "、".join(str(lbl) for _k, lbl in choices)},
            "choice",
        )

    return clean


def _id_number(value: Any, **_kwargs: Any) -> str:
    return validators.id_number(value)


def _division(value: Any, **_kwargs: Any) -> str:
    return validators.division_code(value)


def _credit_code(value: Any, **_kwargs: Any) -> str:
    return validators.credit_code(value)


def _major(value: Any, *, graduate: Graduate) -> Major:
    pk = str(value or "")
    major = (
        Major.objects.filter(institution_id=graduate.institution_id, pk=int(pk)).first()
        if pk.isdigit()
        else None
    )
    if major is None:
        raise FieldError(str(_("请选择本校的专业。")), "choice")
    return major


def _major_label(major: Any) -> str:
    if isinstance(major, Major):
        return f"{major.name}（{major.get_degree_level_display()}，{major.department.name}）"
    return str(major or "")


def _date(value: Any, **_kwargs: Any) -> str:
    return validators.date_value(value).isoformat()


@dataclass(frozen=True)
class Spec:
    target: str
    field: str
    label: Any
    clean: Callable[..., Any]
    sensitive: bool = False

    def shown(self, value: Any) -> str:
        if self.sensitive:
            return mask_id_number(str(value)) if self.field == "id_number" else mask_all(str(value))
        if self.field == "major":
            return _major_label(value)
        if self.field == "gender":
            return str(Gender(value).label)
        if self.field == "origin_type":
            return str(Origin(value).label) if value else ""
        return str(value)

    def current(self, graduate: Graduate, destination: Any = None) -> str:
        if self.target == "destination":
            if destination is None:
                return ""
            if self.field == "code":
                return destination.code.code if destination.code_id else ""
            if self.field == "employer_nature":
                return destination.employer_nature.code if destination.employer_nature_id else ""
            value = getattr(destination, self.field)
            return value.isoformat() if hasattr(value, "isoformat") else str(value or "")
        if self.sensitive:
            return getattr(graduate, self.field).masked
        if self.field == "major":
            return _major_label(graduate.major)
        return self.shown(getattr(graduate, self.field)) if getattr(graduate, self.field) else ""


SPECS: tuple[Spec, ...] = (
    Spec("roster", "name", _("姓名"), _text(60)),
    Spec("roster", "gender", _("性别"), _choice(Gender.choices)),
    Spec("roster", "id_number", _("身份证号"), _id_number, sensitive=True),
    Spec("roster", "ethnicity", _("民族"), _text(20), sensitive=True),
    Spec("roster", "political_status", _("政治面貌"), _text(20)),
    Spec("roster", "major", _("专业（学历层次随专业）"), _major),
    Spec("roster", "origin_division", _("生源地（行政区划代码）"), _division),
    Spec("roster", "origin_type", _("城乡生源"), _choice(Origin.choices)),
    Spec("destination", "code", _("毕业去向代码"), _text(4)),
    Spec("destination", "employer_name", _("单位名称"), _text(200)),
    Spec("destination", "employer_credit_code", _("统一社会信用代码"), _credit_code),
    Spec("destination", "employer_nature", _("单位性质代码"), _text(4)),
    Spec("destination", "employer_division", _("单位所在地（行政区划代码）"), _division),
    Spec("destination", "agreement_no", _("协议书编号"), _text(40)),
    Spec("destination", "signed_on", _("签约日期"), _date),
)
_BY_KEY = {(s.target, s.field): s for s in SPECS}


def spec(target: str, field: str) -> Spec | None:
    return _BY_KEY.get((target, field))


def choices() -> list[tuple[str, str]]:
    """For the request form: "target:field" → label."""
    return [(f"{s.target}:{s.field}", str(s.label)) for s in SPECS]
