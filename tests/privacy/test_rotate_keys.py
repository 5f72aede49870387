"""Key rotation: `qihang rotate_keys` re-seals every sensitive value and sealed file."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from qihang.employers.models import Employer
from qihang.graduates.models import Graduate
from qihang.imports.storage import seal, unseal
from qihang.lib import crypto
from tests.factories import make_employer

OLD, NEW = "k1:old-secret-for-the-test", "k2:new-secret-for-the-test"


@pytest.fixture
def keys(settings):
    """The test's keys (ask for it before `school`, which it seals); the cache of derived keys
    follows every change."""

    def use(*entries: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(entries)
        crypto.reset_key_cache()

    use(OLD)
    yield use
    crypto.reset_key_cache()


def _raw(pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM graduates_graduate WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_rotation_reseals_values_and_files_under_the_new_key(keys, school, media_root):
    graduate = school.graduates[0]
    graduate.ethnicity = "回族"
    graduate.save(update_fields=["ethnicity", "ethnicity_digest"])
    id_number = Graduate.objects.get(pk=graduate.pk).id_number.reveal_unlogged()
    employer = make_employer("上海交响乐团", serial=1)
    employer.licence_file.save("licence.png.enc", ContentFile(seal(b"licence bytes")))
    for column in ("id_number", "ethnicity", "phone"):
        assert crypto.key_id_of(_raw(graduate.pk, column)) == "k1"

    keys(NEW, OLD)  # the new key first; the old one still opens
    call_command("rotate_keys", "--dry-run", stdout=(out := _Buffer()))
    assert "需重新加密" in out.text
    with pytest.raises(CommandError):
        call_command("rotate_keys", "--check", stdout=_Buffer())
    assert crypto.key_id_of(_raw(graduate.pk, "id_number")) == "k1"  # a dry run changes nothing

    call_command("rotate_keys", stdout=(out := _Buffer()))
    assert "graduates.Graduate.id_number" in out.text
    for column in ("id_number", "ethnicity", "phone"):
        assert crypto.key_id_of(_raw(graduate.pk, column)) == "k2"
    with Employer.objects.get(pk=employer.pk).licence_file.open("rb") as handle:
        blob = handle.read()
    assert crypto.file_key_id_of(blob) == "k2"

    keys(NEW)  # the old key is gone: everything still opens
    again = Graduate.objects.get(pk=graduate.pk)
    assert again.id_number.reveal_unlogged() == id_number
    assert again.ethnicity.reveal_unlogged() == "回族"
    assert unseal(blob) == b"licence bytes"
    call_command("rotate_keys", "--check", stdout=(out := _Buffer()))  # nothing left
    assert "字段值 0 个，文件 0 个" in out.text


def test_without_the_old_key_nothing_opens(keys, school):
    """Why the old key stays until the rotation ran: a value it sealed cannot be read."""
    graduate_id = school.graduates[0].pk
    keys(NEW)
    with pytest.raises(ValueError, match="unknown key id"):
        Graduate.objects.get(pk=graduate_id)


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
