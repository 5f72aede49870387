"""What the public verification page may show of a document: masked, fixed at issue.

The page is reachable by anyone holding the QR code, so it shows a masked name (张*), a masked
student number, the school, the kind and number and the issue date, and for agreements the
employer's name — never an ID number, phone, or anything a stranger could use.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qihang.accounts.links import absolute_url
from qihang.graduates.models import Graduate

# Labels of the keys documents store in IssuedDocument.public, in the order the page shows them.
PUBLIC_LABELS: dict[str, Any] = {
    "name": _("姓名"),
    "student_no": _("学号"),
    "school": _("学校"),
    "department": _("院系"),
    "cohort": _("届别"),
    "employer": _("用人单位"),
}


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name's first character only."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_student_no(number: str) -> str:
    """2016104001 → 2016****01: enough to tell two people apart, not to find one."""
    number = number.strip()
    if len(number) <= 4:
        return "*" * len(number)
    keep_end = 2 if len(number) > 6 else 0
    return number[:4] + "*" * (len(number) - 4 - keep_end) + number[len(number) - keep_end :]


def public_fields(graduate: Graduate, **extra: str) -> dict[str, str]:
    """The masked details of `graduate` for a document's public page, plus `extra` (e.g.
    employer="上海东方乐团"). Reads graduate.institution, .department and .cohort."""
    fields = {
        "name": mask_name(graduate.name),
        "student_no": mask_student_no(graduate.student_no),
        "school": graduate.institution.name,
        "department": graduate.department.name,
        "cohort": str(graduate.cohort.year),
    }
    fields.update({k: v for k, v in extra.items() if v})
    return fields


def public_items(public: dict[str, Any]) -> list[tuple[Any, str]]:
    """(label, value) pairs for the page, known keys first in PUBLIC_LABELS order."""
    known = [(PUBLIC_LABELS[k], str(public[k])) for k in PUBLIC_LABELS if public.get(k)]
    return known + [(k, str(v)) for k, v in public.items() if k not in PUBLIC_LABELS and v]


def verification_url(token: str) -> str:
    """The absolute address the QR code carries (settings.QIHANG_BASE_URL: no request needed,
    the PDF may be made by a task)."""
    return absolute_url(reverse("verify:document", kwargs={"token": token}))
