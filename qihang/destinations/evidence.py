"""Evidence files: checking uploads by their bytes, storing them privately, and what a reader may
get back.

Uploads must be PDF, JPEG or PNG — decided by the file's first bytes (its "magic number"), with
the extension required to agree, so a renamed executable or HTML page is refused — and at most
settings.QIHANG_MAX_EVIDENCE_BYTES. Files are stored under MEDIA_ROOT with a random name (the
person's file name is kept only as text) and are served only by the permission-checked view
destinations:evidence, never by the web server.

An import's evidence is the imported spreadsheet, stored once under its SHA-256 and shared by
every record the import wrote. The whole file lists every graduate of the import, so only
whole-institution roles download it; everybody else gets an extract with the header and the
graduate's own row.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from qihang.lib.files import clean_name

# (magic bytes, content type, canonical extension, accepted extensions)
SIGNATURES: tuple[tuple[bytes, str, str, frozenset[str]], ...] = (
    (b"%PDF-", "application/pdf", ".pdf", frozenset({".pdf"})),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg", frozenset({".jpg", ".jpeg"})),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png", frozenset({".png"})),
)
ACCEPTED_EXTENSIONS = frozenset().union(*(s[3] for s in SIGNATURES))
IMPORT_CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".csv": "text/csv; charset=utf-8",
}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class EvidenceUpload:
    """One file to attach: its kind (EvidenceKind) and the uploaded file."""

    kind: str
    file: File


@dataclass(frozen=True)
class CheckedFile:
    upload: EvidenceUpload
    content_type: str
    extension: str
    size: int
    original_name: str


def sniff(head: bytes) -> tuple[str, str, frozenset[str]] | None:
    """(content type, canonical extension, accepted extensions) of the bytes, or None."""
    for magic, content_type, extension, accepted in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension, accepted
    return None


def check_upload(upload: EvidenceUpload) -> CheckedFile:
    """Refuse anything but a non-empty PDF/JPEG/PNG within the size limit (ValidationError)."""
    file = upload.file
    name = clean_name(getattr(file, "name", "") or "")
    size = file.size if getattr(file, "size", None) is not None else None
    limit = settings.QIHANG_MAX_EVIDENCE_BYTES
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if size == 0:
        raise ValidationError({"evidence": _("文件“%(name)s”是空文件。") % {"name": name}})
    if size > limit:
        raise ValidationError(
            {
                "evidence": _("文件“%(name)s”过大（%(size)s），不能超过%(limit)s。")
                % {"name": name, "size": _megabytes(size), "limit": _megabytes(limit)}
            }
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    found = sniff(head)
    extension = PurePath(name).suffix.lower()
    if found is None:
        raise ValidationError(
            {
                "evidence": _(
                    "文件“%(name)s”不是PDF、JPEG或PNG文件（按文件内容判断）；请上传扫描件或照片。"
                )
                % {"name": name}
            }
        )
    content_type, canonical, accepted = found
    if extension not in accepted:
        raise ValidationError(
            {
                "evidence": _(
                    "文件“%(name)s”的扩展名与内容不符（内容是%(type)s文件），请检查后重新上传。"
                )
                % {"name": name, "type": canonical.lstrip(".").upper()}
            }
        )
    return CheckedFile(upload, content_type, canonical, size, name)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _hash_and_rewind(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(_CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@contextlib.contextmanager
def stored_files() -> Iterator[list[str]]:
    """Collect the names of files stored inside a transaction; delete them if it fails."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise


def store_upload(
    checked: CheckedFile, *, institution_id: int, graduate_id: int, stored: list[str]
) -> dict[str, Any]:
    """Save a checked upload under a random name; the Evidence fields for it."""
    sha256 = _hash_and_rewind(checked.upload.file)
    name = f"evidence/{institution_id}/{graduate_id}/{uuid.uuid4().hex}{checked.extension}"
    saved = default_storage.save(name, checked.upload.file)
    stored.append(saved)
    return {
        "file": saved,
        "original_name": checked.original_name,
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": sha256,
    }


def store_import_file(
    data: bytes, *, institution_id: int, filename: str, stored: list[str]
) -> dict[str, Any]:
    """Keep an imported file once (content-addressed: re-importing it stores nothing new)."""
    sha256 = hashlib.sha256(data).hexdigest()
    suffix = PurePath(filename).suffix.lower()
    name = f"evidence/{institution_id}/imports/{sha256}{suffix}"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        stored.append(saved)
        name = saved
    return {
        "file": name,
        "original_name": clean_name(filename),
        "content_type": IMPORT_CONTENT_TYPES.get(suffix, "application/octet-stream"),
        "size": len(data),
        "sha256": sha256,
    }


def describe_existing(name: str, *, filename: str) -> dict[str, Any]:
    """Evidence fields for a file already in storage (an import job's upload)."""
    with default_storage.open(name, "rb") as handle:
        digest = hashlib.sha256()
        size = 0
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    suffix = PurePath(filename).suffix.lower()
    return {
        "file": name,
        "original_name": clean_name(filename),
        "content_type": IMPORT_CONTENT_TYPES.get(suffix, "application/octet-stream"),
        "size": size,
        "sha256": digest.hexdigest(),
    }


def import_extract(evidence: Any, *, student_no: str) -> bytes | None:
    """The header and `student_no`'s row of an imported file, as xlsx; None if not found."""
    from qihang.destinations.importing import COLUMN_SPEC
    from qihang.lib.tabular import TableError, read_table, resolve_columns, write_xlsx
    from qihang.lib.validators import normalize_text

    if not evidence.source_row:
        return None
    with default_storage.open(evidence.file.name, "rb") as handle:
        data = handle.read()
    try:
        table = read_table(data, filename=evidence.original_name)
        columns = resolve_columns(table.headers, COLUMN_SPEC, ignore_unknown=True)
    except TableError:
        return None
    at = columns.get("student_no")
    row = next((cells for number, cells in table.rows if number == evidence.source_row), None)
    if at is None or row is None or normalize_text(row[at]).replace(" ", "") != student_no:
        return None
    out = io.BytesIO()
    write_xlsx(out, table.headers, [row])
    return out.getvalue()


def extract_name(original_name: str, row: int) -> str:
    return f"{PurePath(original_name).stem}_第{row}行.xlsx"


def uploads_from(files: Iterable[Any]) -> list[EvidenceUpload]:
    """Accept EvidenceUpload objects or (kind, file) pairs."""
    result = []
    for item in files:
        result.append(item if isinstance(item, EvidenceUpload) else EvidenceUpload(*item))
    return result
