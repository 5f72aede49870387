"""The résumé's and the portfolio's repeating sections, declared once: each section's model,
its field list and its title. Forms, the pages, the printable résumé, the API and the demo all
read this table (STYLE.md: one field list per entity)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qihang.resumes.models import (
    Award,
    Education,
    Ensemble,
    Language,
    Masterclass,
    MediaItem,
    Performance,
    Repertoire,
    Skill,
    Teaching,
)

RESUME: Final = "resume"
PORTFOLIO: Final = "portfolio"


@dataclass(frozen=True)
class Section:
    key: str  # in URLs and the API
    model: type[models.Model]
    fields: tuple[str, ...]  # what a person fills in, in order
    title: str | Promise
    part: str  # RESUME or PORTFOLIO

    def values(self, row: models.Model) -> list[tuple[str, object]]:
        """(label, value) of a row's filled-in fields, for the pages and the printable PDF."""
        out = []
        for name in self.fields:
            field = self.model._meta.get_field(name)
            value = getattr(row, name)
            if value in ("", None):
                continue
            if field.choices:
                value = getattr(row, f"get_{name}_display")()
            out.append((str(field.verbose_name), value))
        return out


SECTIONS: Final[tuple[Section, ...]] = (
    Section("education", Education, ("school", "degree", "major", "period"), _("教育经历"), RESUME),
    Section("performances", Performance, ("title", "role", "venue", "date"), _("演出经历"), RESUME),
    Section(
        "teaching",
        Teaching,
        ("organisation", "subject", "period", "description"),
        _("教学经历"),
        RESUME,
    ),
    Section("awards", Award, ("name", "prize", "organiser", "year"), _("比赛与获奖"), RESUME),
    Section("skills", Skill, ("name", "level"), _("技能"), RESUME),
    Section("languages", Language, ("language", "level"), _("语言"), RESUME),
    Section(
        "repertoire", Repertoire, ("composer", "work", "movement", "year"), _("曲目"), PORTFOLIO
    ),
    Section("masterclasses", Masterclass, ("teacher", "occasion", "year"), _("大师课"), PORTFOLIO),
    Section("ensembles", Ensemble, ("name", "role", "period"), _("乐团与组合"), PORTFOLIO),
    # Links are added through the section; uploads through their own form (media.check_media).
    Section("media", MediaItem, ("title", "url"), _("录音与录像"), PORTFOLIO),
)
BY_KEY: Final = {s.key: s for s in SECTIONS}
