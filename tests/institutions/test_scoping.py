import pytest
from django.http import Http404

from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor, get_scoped_or_404, scoped


@pytest.mark.django_db
def test_each_role_sees_what_it_should(school, other_school):
    inst = school.institution.pk
    ids = [g.pk for g in school.graduates]

    def visible(user):
        return sorted(scoped(Graduate, build_actor(user, inst)).values_list("pk", flat=True))

    assert visible(school.centre) == sorted(ids)
    assert visible(school.leader) == sorted(ids)
    assert visible(school.dept_staff) == sorted(ids[:2])  # piano department only
    assert visible(school.teacher) == [ids[0]]  # assigned graduate
    assert visible(school.graduate_user) == [ids[0]]  # self


@pytest.mark.django_db
def test_other_institution_is_invisible(school, other_school):
    actor = build_actor(school.centre, school.institution.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(Graduate, actor, pk=other_school.graduates[0].pk)
    # A user cannot act in an institution where they have no membership.
    assert build_actor(school.centre, other_school.institution.pk) is None
