"""Import jobs: an uploaded file, its progress while a worker validates and writes it, and the
report of what happened (all-or-nothing: either every row is written or none is)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.imports.storage import private_storage
from qihang.institutions.models import Cohort, TenantModel
from qihang.institutions.scoping import Scope


class ImportKind(models.TextChoices):
    ROSTER = "roster", _("生源信息")
    DESTINATIONS = "destinations", _("毕业去向")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    SUCCEEDED = "succeeded", _("已导入")
    FAILED = "failed", _("有错误，未导入")
    CHECKED = "checked", _("校验通过（未写入）")


def import_path(instance: "ImportJob", filename: str) -> str:
    return f"imports/{instance.institution_id}/{instance.kind}/{filename}"


class ImportJob(TenantModel):
    kind = models.CharField(_("类型"), max_length=20, choices=ImportKind.choices)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    # Encrypted (imports.storage); emptied when the retention period ends (file_purged_at).
    file = models.FileField(
        upload_to=import_path, storage=private_storage, max_length=300, blank=True
    )
    file_purged_at = models.DateTimeField(null=True, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    options = models.JSONField(default=dict, blank=True)  # create_missing, dry_run
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row","column","value","message"}]
    # [{"row","column","value","message","action"}]: reported, never blocking (framework.py)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope = Scope()  # the career centre's tool

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
