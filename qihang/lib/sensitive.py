"""Sensitive attributes as a field type: encrypted at rest, masked by default.

A model declares `id_number = SensitiveField(masker=mask_id_number)`. Reading the attribute
gives a `SensitiveValue` whose `str()` is the masked form, so templates, lists and exports show
the mask unless code deliberately unmasks it. Unmasking for a person goes through
`qihang.audit.services.reveal_sensitive`, which checks the permission, asks for a reason and
records the read; `reveal_unlogged()` is for the system's own checks (uniqueness, matching),
never for showing a value to anyone.

A sensitive attribute that must be unique, looked up or grouped by declares a `BlindIndexField`
beside it: `id_number_digest = BlindIndexField(source="id_number", purpose="graduate.id_number",
normalize="upper")`. The index field owns its value: `save()` and `bulk_create()` compute it
from the source attribute (its `pre_save`), so callers never set it by hand; a lookup computes
the digest of a value with `index_of(Model, "id_number_digest", value)`.
Bulk writers that bypass model instances (the roster importer's COPY) call the fields' own
`seal()` and `digest()`: the same path as `save()`, not a second one.
"""

from collections.abc import Callable
from typing import Any

from django.db import models

from qihang.lib import crypto
from qihang.lib.validators import mask_id_number, mask_phone

__all__ = [
    "BlindIndexField",
    "SensitiveField",
    "SensitiveValue",
    "mask_all",
    "mask_generic",
    "mask_id_number",
    "mask_phone",
    "plaintext_of",
    "sensitive_fields",
]


def mask_all(value: str) -> str:
    """A value of which no part may show (民族, a hardship category): the same mask for all, so
    not even the length tells one value from another."""
    return "***" if value else ""


def mask_generic(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


class SensitiveValue:
    __slots__ = ("_plaintext", "_masker")

    def __init__(self, plaintext: str, masker: Callable[[str], str] = mask_generic) -> None:
        self._plaintext = plaintext
        self._masker = masker

    @property
    def masked(self) -> str:
        return self._masker(self._plaintext) if self._plaintext else ""

    def reveal_unlogged(self) -> str:
        return self._plaintext

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<SensitiveValue {self.masked}>"

    def __bool__(self) -> bool:
        return bool(self._plaintext)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SensitiveValue):
            return self._plaintext == other._plaintext
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._plaintext)


class SensitiveField(models.TextField):
    """A text attribute stored as AES-GCM ciphertext; empty stays empty (no ciphertext)."""

    def __init__(self, *args: Any, masker: Callable[[str], str] = mask_generic, **kwargs: Any):
        self.masker = masker
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        # The masker is presentation, not schema: keep it out of migrations.
        for key, value in (("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if not value:
            return SensitiveValue("", self.masker)
        return SensitiveValue(crypto.decrypt(value), self.masker)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, SensitiveValue) or value is None:
            return value
        return SensitiveValue(str(value), self.masker)

    def get_prep_value(self, value: Any) -> str:
        return self.seal(plaintext_of(value))

    def seal(self, plaintext: str) -> str:
        """The stored form of a plaintext: its ciphertext, or "" for an empty value. The one
        path to the column, for save(), bulk_create() and bulk writers alike."""
        return crypto.encrypt(plaintext) if plaintext else ""

    def open(self, stored: str | None) -> str:
        """The plaintext of a stored value read around the ORM (Cast to text, raw SQL)."""
        return crypto.decrypt(stored) if stored else ""

    def get_db_prep_value(self, value, connection, prepared=False):  # noqa: ANN001, ANN201
        return value if prepared else self.get_prep_value(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext is randomised: only isnull/empty checks mean anything. Use the blind index.
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError("SensitiveField supports no lookups; query its blind index instead")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return value.masked if isinstance(value, SensitiveValue) else ""


def plaintext_of(value: Any) -> str:
    if isinstance(value, SensitiveValue):
        return value.reveal_unlogged()
    return "" if value is None else str(value)


_NORMALIZERS: dict[str, Callable[[str], str]] = {
    "": lambda text: text,
    "upper": str.upper,
    "strip": str.strip,
}


class BlindIndexField(models.CharField):
    """A keyed hash (HMAC-SHA-256) of a sensitive attribute, kept up to date by the field
    itself: uniqueness, exact lookup and GROUP BY without the plaintext in the database.

    `source` names the SensitiveField it indexes, `purpose` keys the hash (two attributes with
    the same value get different digests), `normalize` ("upper", "strip" or "") is applied
    before hashing. An empty source gives an empty digest. A value's digest is the same across
    institutions, so the same 民族 groups together everywhere; it reveals nothing without the
    hash key (settings.FIELD_HASH_KEY), which never sits in the database.
    """

    def __init__(
        self, *args: Any, source: str = "", purpose: str = "", normalize: str = "", **kwargs: Any
    ):
        if normalize not in _NORMALIZERS:
            raise ValueError(f"unknown normalizer {normalize!r}")
        self.source, self.purpose, self.normalize = source, purpose, normalize
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        if self.normalize:
            kwargs["normalize"] = self.normalize
        for key, value in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def digest(self, plaintext: str) -> str:
        if not plaintext:
            return ""
        return crypto.blind_index(_NORMALIZERS[self.normalize](plaintext), self.purpose)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.digest(plaintext_of(getattr(model_instance, self.source)))
        setattr(model_instance, self.attname, value)
        return value


def sensitive_fields(model: type[models.Model]) -> list[SensitiveField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, SensitiveField)]


def index_of(model: type[models.Model], index: str, plaintext: str) -> str:
    """The digest `model.<index>` holds for a plaintext: for lookups (`filter(**{index: …})`)."""
    field = model._meta.get_field(index)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model._meta.label}.{index} is not a BlindIndexField")
    return field.digest(plaintext)


def _check_update_fields(sender: type[models.Model], update_fields: Any, **kwargs: Any) -> None:
    """save(update_fields=[source]) without its index would leave a stale digest: refuse it."""
    if not update_fields:
        return
    for field in sender._meta.concrete_fields:
        if (
            isinstance(field, BlindIndexField)
            and field.source in update_fields
            and field.name not in update_fields
        ):
            raise ValueError(
                f"{sender._meta.label}: saving {field.source} needs {field.name} in update_fields"
            )


models.signals.pre_save.connect(_check_update_fields, dispatch_uid="qihang-blind-index-fields")
