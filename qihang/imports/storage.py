"""Where import uploads live: encrypted at rest, private on disk, for a limited time.

An upload may list every graduate's 身份证号 and phone number, so it is sealed with the field
keys (qihang.lib.crypto) before it touches the disk, written 0600 in 0700 directories, and
deleted QIHANG_IMPORT_RETENTION_DAYS after its job finished (the job row keeps its report).
Nothing derived from it (the annotated workbook) is stored: that is made per download.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage

from qihang.lib import crypto


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT (following the setting), but files 0600 and new directories 0700."""

    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    def deconstruct(self) -> tuple[str, tuple, dict]:
        return ("qihang.imports.storage.PrivateStorage", (), {})


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def seal(data: bytes) -> bytes:
    return crypto.encrypt_bytes(data)


def unseal(blob: bytes) -> bytes:
    """The upload's bytes; files stored before encryption was introduced come back as they are."""
    return crypto.decrypt_bytes(blob) if crypto.is_encrypted_bytes(blob) else blob
