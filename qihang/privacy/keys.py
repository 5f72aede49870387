"""Key rotation: every sensitive value and every sealed file re-sealed under the current key.

Rotating a key is two steps for the operator: put the new key first in QIHANG_FIELD_KEYS
(the old one stays after it, so everything still opens), run `qihang rotate_keys`, then drop
the old key. The command finds what was sealed with any other key than the current one:

- values: every SensitiveField of every model (found through the app registry, so a new
  sensitive attribute is covered without being listed here), read as ciphertext, opened and
  sealed again in batches, each batch in its own transaction;
- files: every FileField's files that carry the sealed-file header (qihang.lib.crypto), opened
  and written back under the same name (atomically on the file system).

It is idempotent (a second run finds nothing) and resumable (a run stopped half-way leaves
every value readable: each one is under the old or the new key). Blind indexes are not
touched: they are keyed by FIELD_HASH_KEY, which this does not rotate (see docs/privacy.md).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from qihang.lib import crypto
from qihang.lib.sensitive import SensitiveField

BATCH = 1000


@dataclass
class Rotation:
    """What a run re-sealed (or, dry, would re-seal): counts by "app.Model.field"."""

    key: str
    values: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.values.values()) + sum(self.files.values())


def sealed_columns() -> Iterator[tuple[type[models.Model], SensitiveField]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, SensitiveField):
                yield model, f


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                yield model, f


def rotate(*, dry_run: bool = False, progress: Callable[[str], None] | None = None) -> Rotation:
    current = crypto.current_key_id()
    result = Rotation(key=current)
    for model, f in sealed_columns():
        n = _rotate_column(model, f, current, dry_run=dry_run)
        if n:
            result.values[f"{model._meta.label}.{f.name}"] = n
            if progress:
                progress(f"{model._meta.label}.{f.name}: {n}")
    for model, f in file_fields():
        n = _rotate_files(model, f, current, dry_run=dry_run)
        if n:
            result.files[f"{model._meta.label}.{f.name}"] = n
            if progress:
                progress(f"{model._meta.label}.{f.name} (files): {n}")
    return result


def _rotate_column(
    model: type[models.Model], f: SensitiveField, current: str, *, dry_run: bool
) -> int:
    stale = (
        model._base_manager.annotate(_sealed=Cast(f.name, models.TextField()))
        .exclude(_sealed="")
        .exclude(_sealed__startswith=f"{current}$")
        .order_by("pk")
    )
    if dry_run:
        return stale.count()
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {qn(f.column)} = %s "  # noqa: S608 - quoted names
        f"WHERE {qn(model._meta.pk.column)} = %s"
    )
    done, last = 0, None
    while True:
        page = stale if last is None else stale.filter(pk__gt=last)
        rows = list(page.values_list("pk", "_sealed")[:BATCH])
        if not rows:
            return done
        # The value is written as the field stores it, bypassing its own sealing: it is sealed.
        params = [(crypto.encrypt(crypto.decrypt(token)), pk) for pk, token in rows]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
        done += len(rows)
        last = rows[-1][0]


def _rotate_files(
    model: type[models.Model], f: models.FileField, current: str, *, dry_run: bool
) -> int:
    storage = f.storage
    names = set(
        model._base_manager.exclude(**{f.attname: ""})
        .exclude(**{f"{f.attname}__isnull": True})
        .values_list(f.attname, flat=True)
    )
    done = 0
    for name in sorted(names):  # content-addressed files are shared: each once
        if not storage.exists(name):
            continue  # purged by its retention task; the row keeps its name
        with storage.open(name, "rb") as handle:
            blob = handle.read()
        key_id = crypto.file_key_id_of(blob)
        if not key_id or key_id == current:
            continue
        done += 1
        if not dry_run:
            _overwrite(storage, name, crypto.encrypt_bytes(crypto.decrypt_bytes(blob)))
    return done


def _overwrite(storage: object, name: str, data: bytes) -> None:
    """Write `data` under `name` in place of the old bytes."""
    try:
        path = storage.path(name)  # type: ignore[attr-defined]
    except NotImplementedError:
        path = None
    if path is None:  # object storage: a PUT replaces the object
        storage.delete(name)  # type: ignore[attr-defined]
        saved = storage.save(name, ContentFile(data))  # type: ignore[attr-defined]
        if saved != name:
            raise RuntimeError(f"{name} was saved as {saved}")
        return
    directory = os.path.dirname(path)
    mode = os.stat(path).st_mode & 0o777
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".rotate-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
