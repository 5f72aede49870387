"""The dashboard's filters, read from the query string (GET), so every view is a link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import Cohort
from qihang.reports.stats import GROUPINGS

KIND_CHOICES = [("official", _("已审批（正式口径）")), ("reported", _("已填报（含待审核）"))]
# Columns the table can be sorted by (besides "code:<code>").
SORTABLE = (
    "label",
    "total",
    "known",
    "placed",
    "signed",
    "placement_rate",
    "signing_rate",
    "knowledge_rate",
    "change_placement_rate",
    "change_signing_rate",
)


@dataclass(frozen=True)
class StatsQuery:
    cohort: Cohort
    by: str
    as_of: dt.date | None
    kind: str
    sort: str
    order: str

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this view, with some values changed (for links)."""
        values = {
            "cohort": str(self.cohort.year),
            "by": self.by,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "kind": self.kind,
            "sort": self.sort,
            "order": self.order,
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


class StatsFilterForm(forms.Form):
    cohort = forms.TypedChoiceField(label=_("届别"), coerce=int, required=False)
    by = forms.ChoiceField(label=_("分组"), choices=list(GROUPINGS.items()), required=False)
    as_of = forms.DateField(
        label=_("截至日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("留空为当前时刻；选定日期按当日 24:00 统计。"),
    )
    kind = forms.ChoiceField(label=_("统计口径"), choices=KIND_CHOICES, required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        choices=[("asc", "asc"), ("desc", "desc")], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, cohorts: list[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohorts = cohorts
        self.fields["cohort"].choices = [(c.year, str(c)) for c in cohorts]
        for name in ("cohort", "by", "kind"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["as_of"].widget.attrs["class"] = "form-control"

    def clean_as_of(self) -> dt.date | None:
        value = self.cleaned_data.get("as_of")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("截至日期不能晚于今天。"))
        return value

    def clean_sort(self) -> str:
        value = self.cleaned_data.get("sort") or ""
        if value in SORTABLE or (value.startswith("code:") and value[5:].isdigit()):
            return value
        return ""

    def query(self) -> StatsQuery | None:
        """The chosen view; invalid or missing values fall back to the defaults."""
        if not self.cohorts:
            return None
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        by_year = {c.year: c for c in self.cohorts}
        return StatsQuery(
            cohort=by_year.get(data.get("cohort") or 0, self.cohorts[0]),
            by=data.get("by") or "department",
            as_of=data.get("as_of"),
            kind=data.get("kind") or "official",
            sort=data.get("sort") or "",
            order=data.get("order") or "desc",
        )
