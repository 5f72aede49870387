"""People who sign in. What a user may see and do comes from memberships (institutions app)."""

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # `username` is an internal handle ("<institution>:<学号>" for graduates); people sign in with
    # their 学号 or e-mail through accounts.backends.IdentifierBackend.
    email = models.EmailField(_("电子邮箱"), blank=True, default="")
    display_name = models.CharField(_("姓名"), max_length=100, blank=True, default="")
    is_platform_admin = models.BooleanField(_("平台管理员"), default=False)
    # When the last set-password link was sent; "invited" until a password is set.
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique_ci",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def account_status(self) -> str:
        """ "active" once a password is set, "invited" after a link was sent, else "created"."""
        if self.has_usable_password():
            return "active"
        return "invited" if self.invited_at else "created"


class ApiToken(models.Model):
    """A personal API token: acts as its user within one institution, or, for an employer
    account, for one employer organisation (exactly one of the two, a database constraint).

    The token is "qh_<prefix>_<secret>"; only the prefix (to find the row) and a SHA-256 hash of
    the secret are stored, so the token is shown once, when it is created. The secret is 256
    random bits, so a fast hash is enough (no password-style stretching needed).
    Tokens are personal: they are read by their owner through accounts.selectors, never listed
    across users, so they declare no `scope`.
    """

    # Same column as institutions.TenantModel; spelled out because importing institutions.models
    # here would be circular (scoping imports django.contrib.auth before accounts is ready).
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Set instead of the institution when the owner acts for an employer (scoping's employer
    # actor); employers.Employer is named by label for the same reason as above.
    employer = models.ForeignKey(
        "employers.Employer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False, employer__isnull=True)
                | models.Q(institution__isnull=True, employer__isnull=False),
                name="api_token_institution_or_employer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (qh_{self.prefix}_…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
