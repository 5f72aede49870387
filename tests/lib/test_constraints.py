"""Composite foreign keys: the database keeps a graduate inside its own institution."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from qihang.graduates.models import Graduate
from qihang.institutions.models import Major
from qihang.lib.constraints import CompositeForeignKey
from tests.factories import make_graduate

pytestmark = pytest.mark.django_db


def _save_checked(obj) -> None:
    """Save and check the deferred constraints at once, as COMMIT would."""
    with transaction.atomic():
        obj.save()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:  # SQLite: what Django runs before committing a test's fixtures
            connection.check_constraints(table_names=[obj._meta.db_table])


def _graduate(school) -> Graduate:
    return make_graduate(
        institution=school.institution,
        cohort=school.cohort,
        major=school.majors[0],
        student_no="a-1",
    )


def test_another_institutions_cohort_is_refused_by_the_database(school, other_school):
    graduate = _graduate(school)
    graduate.cohort_id = other_school.cohort.pk
    with pytest.raises(IntegrityError):
        _save_checked(graduate)


def test_a_major_of_another_department_is_refused_by_the_database(school):
    graduate = _graduate(school)
    other = next(m for m in school.majors if m.department_id != graduate.department_id)
    graduate.major_id = other.pk
    with pytest.raises(IntegrityError):
        _save_checked(graduate)


def test_a_degree_level_other_than_the_majors_is_refused_by_the_database(school):
    graduate = _graduate(school)
    graduate.degree_level = "master"  # the major is a bachelor's programme
    with pytest.raises(IntegrityError):
        _save_checked(graduate)


def test_another_institutions_major_is_refused_by_the_database(school, other_school):
    graduate = _graduate(school)
    foreign = other_school.majors[0]
    graduate.department_id, graduate.major_id = foreign.department_id, foreign.pk
    with pytest.raises(IntegrityError):
        _save_checked(graduate)


def test_a_major_cannot_sit_in_another_institutions_department(school, other_school):
    major = school.majors[0]
    major.department_id = other_school.departments[0].pk
    with pytest.raises(IntegrityError):
        _save_checked(major)


def test_a_consistent_graduate_is_accepted(school):
    graduate = _graduate(school)
    graduate.major = next(m for m in school.majors if m.department_id == graduate.department_id)
    _save_checked(graduate)  # no error
    assert type(graduate).objects.get(pk=graduate.pk).major_id == graduate.major_id


def test_full_clean_reports_the_same_rule(school, other_school):
    graduate = _graduate(school)
    graduate.cohort_id = other_school.cohort.pk
    with pytest.raises(ValidationError) as caught:
        graduate.validate_constraints()
    assert "graduate_cohort_same_institution" in str(caught.value)
    graduate.cohort_id = school.cohort.pk
    graduate.validate_constraints()  # consistent again: no error
    graduate.validate_constraints(exclude={"cohort"})


def test_the_migrations_match_the_models():
    out = io.StringIO()
    call_command("makemigrations", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "No changes detected"


def test_deconstruct_round_trips():
    constraint = next(c for c in Major._meta.constraints if isinstance(c, CompositeForeignKey))
    path, args, kwargs = constraint.deconstruct()
    assert path == "qihang.lib.constraints.CompositeForeignKey"
    assert CompositeForeignKey(*args, **kwargs) == constraint
    with pytest.raises(ValueError):
        CompositeForeignKey(fields=["a"], to_fields=["b"], name="x")
