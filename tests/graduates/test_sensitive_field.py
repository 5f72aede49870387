import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from qihang.audit.models import SensitiveRead
from qihang.audit.services import reveal_sensitive
from qihang.graduates.models import Graduate
from qihang.institutions.scoping import build_actor
from qihang.lib.sensitive import SensitiveValue


@pytest.mark.django_db
def test_id_number_is_encrypted_at_rest_and_masked_by_default(school):
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    plaintext = graduate.id_number.reveal_unlogged()
    assert isinstance(graduate.id_number, SensitiveValue)
    assert str(graduate.id_number) == plaintext[:4] + "*" * 12 + plaintext[-2:]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone FROM graduates_graduate WHERE id = %s", [graduate.pk]
        )
        stored_id, stored_phone = cursor.fetchone()
    assert plaintext not in stored_id
    assert stored_id.startswith("k1$")
    assert "13812345678" not in stored_phone


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_file_holds_no_plaintext(school, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite file byte by byte")
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    raw = copy.read_bytes()
    assert graduate.name.encode() in raw  # the copy is real: plain columns are there
    assert graduate.id_number.reveal_unlogged().encode() not in raw
    assert graduate.phone.reveal_unlogged().encode() not in raw


@pytest.mark.django_db
def test_reveal_needs_permission_and_reason_and_is_logged(school):
    graduate = Graduate.objects.get(pk=school.graduates[0].pk)
    centre = build_actor(school.centre, school.institution.pk)
    dept = build_actor(school.dept_staff, school.institution.pk)
    with pytest.raises(PermissionDenied):
        reveal_sensitive(actor=dept, obj=graduate, field="id_number", reason="核对身份")
    with pytest.raises(ValidationError):
        reveal_sensitive(actor=centre, obj=graduate, field="id_number", reason=" ")
    assert SensitiveRead.objects.count() == 0
    value = reveal_sensitive(actor=centre, obj=graduate, field="id_number", reason="核对就业协议")
    assert value == graduate.id_number.reveal_unlogged()
    read = SensitiveRead.objects.get()
    assert (read.actor_id, read.field, read.reason) == (
        school.centre.pk,
        "id_number",
        "核对就业协议",
    )
    assert read.target_id == str(graduate.pk)
