"""People who sign in. What a user may see and do comes from memberships (institutions app)."""

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
