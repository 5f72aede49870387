"""Strategic regions (西部, 一带一路, 长三角, 京津冀, 粤港澳大湾区, 海南自贸港) as versioned
reference data: a RegionSet is one published version (loaded by a data migration from
``data/regionset_<version>.json``), its Regions are defined by members — a division code
(a province "310000", a prefecture "440300" or a county, matched by prefix) or a country
(ISO 3166-1 alpha-2). Nothing else stores a region: employers, jobs and destinations are in a
region because their division (or country) is, computed through ``regions.selectors``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionSet(models.Model):
    """One published version of the strategic regions."""

    version = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    published_on = models.DateField()

    class Meta:
        ordering = ["-published_on", "-version"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    region_set = models.ForeignKey(RegionSet, on_delete=models.CASCADE, related_name="regions")
    code = models.SlugField(max_length=30)  # stable across versions: "west", "yangtze_delta"
    name = models.CharField(_("区域"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(default=0)
    definition = models.TextField(blank=True, default="")  # in words, as the source states it
    source = models.TextField(blank=True, default="")  # the document that defines it

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region_set", "code"], name="region_code_per_set")
        ]

    def __str__(self) -> str:
        return self.name


class RegionMember(models.Model):
    """A division (by code prefix) or a country in a region: exactly one of the two."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="members")
    division = models.CharField(max_length=6, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(division="") & ~models.Q(country=""))
                | (~models.Q(division="") & models.Q(country="")),
                name="region_member_division_or_country",
            ),
            models.UniqueConstraint(
                fields=["region", "division", "country"], name="region_member_once"
            ),
        ]

    def __str__(self) -> str:
        return self.division or self.country

    @property
    def prefix(self) -> str:
        """The division code prefix the member covers: "31" for 310000, "4403" for 440300."""
        if self.division[2:] == "0000":
            return self.division[:2]
        if self.division[4:] == "00":
            return self.division[:4]
        return self.division
