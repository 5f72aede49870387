"""Entrepreneurship: founders' projects and the cultural-creative parks they may go to.

Parks are platform-wide reference data (Shanghai's districts — 徐汇, 黄浦, 杨浦, 静安 … — and
the partner city Wuhan's for 江城), loaded from data/parks.json by a data migration and editable
afterwards; each edit raises the park's version and keeps the previous values (ParkChange).

A project never becomes a destination by itself: 75 (自主创业) is registered through the
destinations app's own form and review, with evidence (the project page only links there).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope


class Field(models.TextChoices):
    """What a project does, in the parks' terms (a park's `focus` lists these codes)."""

    MUSIC_EDUCATION = "music_education", _("音乐教育")
    PERFORMANCE = "performance", _("演出与表演团体")
    LABEL = "label", _("唱片厂牌与发行")
    RECORDING = "recording", _("录音与制作")
    MUSIC_TECH = "music_tech", _("音乐科技")
    ARTS_MANAGEMENT = "arts_management", _("艺术管理与策划")


class Stage(models.TextChoices):
    IDEA = "idea", _("创意阶段")
    PROTOTYPE = "prototype", _("试运营")
    REGISTERED = "registered", _("已注册")
    OPERATING = "operating", _("稳定经营")


class Park(models.Model):
    """A cultural-creative park (reference data with a version)."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("园区名称"), max_length=100)
    city = models.CharField(_("城市"), max_length=20)
    district = models.CharField(_("区"), max_length=30)
    focus = models.JSONField(_("重点领域"), default=list)  # Field codes
    stages = models.JSONField(_("扶持阶段"), default=list)  # Stage codes
    support = models.TextField(_("扶持政策"), blank=True, default="")
    contact = models.CharField(_("联系方式"), max_length=100, blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("文创园区")
        verbose_name_plural = _("文创园区")
        ordering = ["city", "district", "name"]

    def __str__(self) -> str:
        return self.name

    def focus_labels(self) -> list[str]:
        return [str(Field(f).label) for f in self.focus if f in Field.values]

    def stage_labels(self) -> list[str]:
        return [str(Stage(s).label) for s in self.stages if s in Stage.values]


class ParkChange(models.Model):
    """A park's values before an edit (version `version`), and who changed them."""

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["park", "version"], name="park_change_one_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.park_id} v{self.version}"


class Project(TenantModel):
    name = models.CharField(_("项目名称"), max_length=100)
    field = models.CharField(_("领域"), max_length=20, choices=Field.choices)
    summary = models.TextField(_("项目简介"), blank=True, default="")
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.IDEA)
    # The founder: the graduate who registered it (department staff see their department's).
    lead = models.ForeignKey(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="led_projects"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创业导师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    needs = models.TextField(_("需求"), blank=True, default="")
    funding_sought = models.PositiveIntegerField(_("拟融资（元）"), default=0)
    funding_obtained = models.PositiveIntegerField(_("已获资金（元）"), default=0)
    districts = models.JSONField(_("意向区域"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(department="lead__department", mentor="mentor", own="members__graduate__user")

    class Meta:
        verbose_name = _("创业项目")
        verbose_name_plural = _("创业项目")
        ordering = ["-updated_at", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectMember(TenantModel):
    """A team member: a graduate of the project's institution."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    graduate = models.ForeignKey(
        "graduates.Graduate", on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(_("分工"), max_length=40, blank=True, default="")

    scope = Scope(
        department="project__lead__department",
        mentor="project__mentor",
        own="project__members__graduate__user",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "graduate"], name="project_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.graduate_id}"
