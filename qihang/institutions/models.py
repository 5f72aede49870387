"""The tenant (Institution) and its structure: departments, majors, cohorts, memberships.

Every tenant-owned table in Qihang carries `institution` directly (not only through a parent),
so queries are scoped with one filter and the schema can later be distributed by institution.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.institutions.roles import Role
from qihang.institutions.scoping import ALL, Scope
from qihang.lib.constraints import CompositeForeignKey


class Institution(models.Model):
    code = models.CharField(_("学校代码"), max_length=10, unique=True)
    name = models.CharField(_("学校名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base for every table that belongs to one institution."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class DegreeLevel(models.TextChoices):
    ASSOCIATE = "associate", _("专科")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class Department(TenantModel):
    code = models.CharField(_("院系代码"), max_length=20, blank=True, default="")
    name = models.CharField(_("院系名称"), max_length=60)
    sort_order = models.PositiveIntegerField(default=0)

    scope = Scope(department="pk", mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("院系")
        verbose_name_plural = _("院系")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="department_unique_name"),
            # The target of tenant-consistent composite keys (see qihang.lib.constraints).
            models.UniqueConstraint(fields=["institution", "id"], name="department_tenant_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Major(TenantModel):
    """A major within one department and degree level (音乐表演 exists in several)."""

    # Checked by the composite key below, which also requires the same institution.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="majors", db_constraint=False
    )
    degree_level = models.CharField(_("学历层次"), max_length=10, choices=DegreeLevel.choices)
    name = models.CharField(_("专业名称"), max_length=60)
    code = models.CharField(_("专业代码"), max_length=20, blank=True, default="")

    scope = Scope(department="department", mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["department__sort_order", "degree_level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "department", "degree_level", "name"],
                name="major_unique_per_department_level",
            ),
            # What a graduate's composite key refers to (graduates.models.Graduate).
            models.UniqueConstraint(
                fields=["institution", "department", "degree_level", "id"],
                name="major_tenant_key",
            ),
            CompositeForeignKey(
                fields=["institution", "department"],
                to_fields=["institution", "id"],
                name="major_department_same_institution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_degree_level_display()}）"


class Cohort(TenantModel):
    """Graduates of one graduation year (届别) at one institution."""

    year = models.PositiveSmallIntegerField(_("届别"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(department=ALL, mentor=ALL, own=ALL)

    class Meta:
        verbose_name = _("届别")
        verbose_name_plural = _("届别")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="cohort_unique_year"),
            models.UniqueConstraint(fields=["institution", "id"], name="cohort_tenant_key"),
        ]

    def __str__(self) -> str:
        return _("%(year)s届") % {"year": self.year}


class MembershipInvitation(models.TextChoices):
    """Whether the person agreed to a membership.

    An institution may not give roles to an account that another institution (or the platform)
    also holds: it invites, and the membership stays inactive until the person accepts it after
    signing in. Only accepted memberships ("") make an institution one of the account's holders.
    """

    ACCEPTED = "", _("已接受")
    PENDING = "pending", _("待接受")
    DECLINED = "declined", _("已谢绝或撤回")


class Membership(TenantModel):
    """A user's role at one institution. A user may hold several roles (a counsellor is often
    department staff and mentor); department staff are limited to `departments`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    departments = models.ManyToManyField(Department, blank=True, related_name="+")
    title = models.CharField(_("职务"), max_length=60, blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    invitation = models.CharField(
        _("邀请"),
        max_length=10,
        choices=MembershipInvitation.choices,
        blank=True,
        default=MembershipInvitation.ACCEPTED,
    )
    # The name the inviting institution typed: what it sees until the person accepts, so that
    # inviting an address never tells it the name the account holder uses elsewhere.
    invited_name = models.CharField(_("邀请时填写的姓名"), max_length=100, blank=True, default="")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)

    scope = Scope(own="user")

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "user", "role"], name="membership_unique_role"
            ),
            # A membership nobody accepted grants nothing.
            models.CheckConstraint(
                condition=models.Q(invitation="") | models.Q(is_active=False),
                name="membership_unaccepted_is_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_pending(self) -> bool:
        return self.invitation == MembershipInvitation.PENDING


class Pairing(models.Model):
    """Two institutions paired in the 一帮一 action (DOMAIN.md §5) for a period.

    Paired institutions share jobs, events and employers on purpose (Share) and see each
    other's decisions on an employer. The pairing's goals, contacts and supervision come with
    the accountability work (issue 11); this is the relation itself.
    """

    first = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=100, blank=True, default="")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        constraints = [
            # One row per pair, written in one order.
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="pairing_ordered"
            ),
            models.UniqueConstraint(
                fields=["first", "second", "starts_on"], name="pairing_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.first} · {self.second}"


class ShareQuerySet(models.QuerySet):
    def active(self) -> "ShareQuerySet":
        return self.filter(revoked_at__isnull=True)


class Share(TenantModel):
    """Institution `institution` shares one object (a job, an event, an employer) with
    `partner`: until revoked, scoping (`Scope.shared`) treats it as the partner's too.

    `kind` is the shared model's label ("jobs.job"); `object_id` its primary key. Visible to both
    sides; created and revoked through institutions.services with an audit row on each side.
    """

    partner = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=60)
    object_id = models.BigIntegerField()
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("共享时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    # Both sides see the share; only whole-institution roles manage it.
    scope = Scope(tenant=("institution", "partner"))

    class Meta:
        verbose_name = _("共享")
        verbose_name_plural = _("共享")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "partner", "kind", "object_id"],
                condition=models.Q(revoked_at__isnull=True),
                name="share_unique_active",
            ),
            models.CheckConstraint(
                condition=~models.Q(institution=models.F("partner")), name="share_not_to_self"
            ),
        ]
        indexes = [models.Index(fields=["partner", "kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id} → {self.partner_id}"
