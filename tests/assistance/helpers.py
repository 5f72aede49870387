from django.utils import timezone

from qihang.assistance import services
from qihang.graduates.models import KeyGroupKind
from qihang.institutions.scoping import build_actor
from tests.factories import School, confirm_key_group


def walk_assistance(school: School) -> None:
    """graduates[0] and graduates[2] (two departments) in a key group, each with a file and a
    plan step."""
    centre = build_actor(school.centre, school.institution.pk)
    kind = KeyGroupKind.objects.get(code="disability")  # walk_fixtures suggests subsistence
    for key, graduate in (
        ("plan_step", school.graduates[0]),
        ("other_department_plan_step", school.graduates[2]),
    ):
        confirm_key_group(graduate, kind)
        services.file_save(actor=centre, graduate_id=graduate.pk, data={"goals": "落实去向"})
        school.fixtures[key] = services.step_add(
            actor=centre, graduate_id=graduate.pk, text="模拟面试", due_on=timezone.localdate()
        )
