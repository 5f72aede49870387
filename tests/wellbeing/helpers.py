from qihang.institutions.roles import Role
from qihang.institutions.scoping import build_actor
from qihang.institutions.services import membership_grant
from qihang.wellbeing.services import checkin_submit
from tests.factories import School, make_user


def make_psych(school: School):
    """The school's psychological counsellor (a role held alone)."""
    user = make_user(
        f"psych-{school.institution.code}", email=f"psych@{school.institution.code}.example"
    )
    membership_grant(institution=school.institution, user=user, role=Role.PSYCH_COUNSELLOR)
    return user


def ask_for_help(school: School, *, note: str = "最近压力很大，想找人聊聊", **answers):
    actor = build_actor(school.graduate_user, school.institution.pk)
    values = {"stress": 5, "sleep": 2, "support": "talk", "contact": True, "anonymous": False}
    values.update(answers)
    return checkin_submit(actor=actor, note=note, **values)


def walk_wellbeing(school: School) -> None:
    school.fixtures["psych_user"] = make_psych(school)
    school.fixtures["referral"] = ask_for_help(school).referral
