"""Roles and what each may do. The one place that maps roles to permissions."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CAREER_CENTRE = "career_centre", _("就业指导中心")
    DEPARTMENT_STAFF = "department", _("院系就业工作人员")
    TEACHER = "teacher", _("导师/辅导员")
    GRADUATE = "graduate", _("毕业生")
    LEADERSHIP = "leadership", _("校领导")


class Perm(StrEnum):
    ROSTER_VIEW = "roster.view"
    ROSTER_IMPORT = "roster.import"
    ROSTER_EXPORT = "roster.export"
    # Export 身份证号 and 手机号码 in full (a file a provincial system needs); each graduate in it
    # is logged as an unmasked read. Only the career centre by default.
    ROSTER_EXPORT_UNMASKED = "roster.export_unmasked"
    SENSITIVE_REVEAL = "sensitive.reveal"
    DESTINATION_VIEW = "destination.view"
    DESTINATION_REPORT_OWN = "destination.report_own"
    DESTINATION_RECORD = "destination.record"  # a counsellor records on a graduate's behalf
    DESTINATION_REVIEW = "destination.review"
    DESTINATION_APPROVE = "destination.approve"
    DESTINATION_IMPORT = "destination.import"
    STATS_VIEW = "stats.view"
    STAFF_MANAGE = "staff.manage"
    MENTOR_ASSIGN = "mentor.assign"  # name a teacher as mentor of graduates
    SETTINGS_MANAGE = "settings.manage"
    AUDIT_VIEW = "audit.view"


# Whole-institution roles see every object of the institution; the others are narrowed by
# institutions.scoping (department staff: their departments; teacher: assigned graduates;
# graduate: themselves).
WHOLE_INSTITUTION_ROLES = frozenset({Role.CAREER_CENTRE, Role.LEADERSHIP})

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CAREER_CENTRE: frozenset(Perm) - {Perm.DESTINATION_REPORT_OWN},
    Role.DEPARTMENT_STAFF: frozenset(
        {
            Perm.ROSTER_VIEW,
            Perm.ROSTER_EXPORT,
            Perm.DESTINATION_VIEW,
            Perm.DESTINATION_RECORD,
            Perm.DESTINATION_REVIEW,
            Perm.STATS_VIEW,
            Perm.MENTOR_ASSIGN,
        }
    ),
    Role.TEACHER: frozenset({Perm.ROSTER_VIEW, Perm.DESTINATION_VIEW, Perm.DESTINATION_RECORD}),
    Role.GRADUATE: frozenset({Perm.DESTINATION_REPORT_OWN}),
    # Leadership reads everything and changes nothing.
    Role.LEADERSHIP: frozenset(
        {Perm.ROSTER_VIEW, Perm.ROSTER_EXPORT, Perm.DESTINATION_VIEW, Perm.STATS_VIEW}
    ),
}

# A platform administrator acting inside an institution has the career centre's permissions.
PLATFORM_ADMIN_PERMISSIONS = ROLE_PERMISSIONS[Role.CAREER_CENTRE]
