"""Who holds the guidance permissions (the role table in qihang/institutions/roles.py)."""

from qihang.institutions.roles import (
    EMPLOYER_ROLE_PERMISSIONS,
    PLATFORM_ADMIN_PERMISSIONS,
    ROLE_PERMISSIONS,
    Perm,
    Role,
)

GUIDANCE = {Perm.GUIDANCE_VIEW, Perm.GUIDANCE_MANAGE, Perm.GUIDANCE_ATTEND}


def test_the_guidance_permissions_of_each_role():
    held = {role: ROLE_PERMISSIONS[role] & GUIDANCE for role in Role}
    assert held == {
        Role.CAREER_CENTRE: {Perm.GUIDANCE_VIEW, Perm.GUIDANCE_MANAGE},
        Role.DEPARTMENT_STAFF: {Perm.GUIDANCE_VIEW, Perm.GUIDANCE_MANAGE},
        Role.TEACHER: {Perm.GUIDANCE_VIEW},
        Role.LEADERSHIP: {Perm.GUIDANCE_VIEW},
        Role.GRADUATE: {Perm.GUIDANCE_ATTEND},
        Role.PSYCH_COUNSELLOR: set(),  # wellbeing and nothing else
    }
    assert all(not (perms & GUIDANCE) for perms in EMPLOYER_ROLE_PERMISSIONS.values())
    assert Perm.GUIDANCE_ATTEND not in PLATFORM_ADMIN_PERMISSIONS
