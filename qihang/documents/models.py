"""Documents the school issues on paper and anyone can verify: the recommendation form
(毕业生就业推荐表), the tripartite agreement's PDF; and where a graduate's personnel file
(档案) and household registration (户口) go.

An IssuedDocument is one printed original: its PDF is kept privately with its SHA-256, and it
carries a QR code to /verify/<token>/, which says only whether it is valid and shows masked
details (`public`). A re-issue supersedes the old original (which then verifies as invalid);
nothing is deleted. See docs/documents.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("三方协议")
    RECOMMENDATION = "recommendation", _("毕业生就业推荐表")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已作废")
    SUPERSEDED = "superseded", _("已补发新件（原件作废）")


def document_path(instance: IssuedDocument, filename: str) -> str:
    return filename  # services.document_issue names the file; never from user input


class IssuedDocument(TenantModel):
    kind = models.CharField(_("文件类型"), max_length=20, choices=DocumentKind.choices)
    graduate = models.ForeignKey(Graduate, on_delete=models.PROTECT, related_name="documents")
    number = models.CharField(_("编号"), max_length=60)  # printed on the paper
    # The QR code's secret: random, unguessable (secrets.token_urlsafe), never derived from ids.
    token = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(upload_to=document_path, max_length=300)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True, default="")
    reissue_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues"
    )
    reissue_reason = models.CharField(_("补发原因"), max_length=200, blank=True, default="")
    # What the public verification page may show, masked at issue (documents.public).
    public = models.JSONField(default=dict, blank=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("签发的文件")
        verbose_name_plural = _("签发的文件")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One valid original per number: a re-issue supersedes the old one first.
            models.UniqueConstraint(
                fields=["institution", "kind", "number"],
                condition=models.Q(status="valid"),
                name="document_one_valid_per_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid") | ~models.Q(revoke_reason=""),
                name="document_invalid_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(reissue_of__isnull=True) | ~models.Q(reissue_reason=""),
                name="document_reissue_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["institution", "graduate", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_valid(self) -> bool:
        return self.status == DocumentStatus.VALID
