"""Sensitive attributes as a field type: encrypted at rest, masked by default.

A model declares `id_number = SensitiveField(masker=mask_id_number)`. Reading the attribute
gives a `SensitiveValue` whose `str()` is the masked form, so templates, lists and exports show
the mask unless code deliberately unmasks it. Unmasking for a person goes through
`qihang.audit.services.reveal_sensitive`, which checks the permission, asks for a reason and
records the read; `reveal_unlogged()` is for the system's own checks (uniqueness, matching),
never for showing a value to anyone.
"""

from collections.abc import Callable
from typing import Any

from django.db import models

from qihang.lib import crypto
from qihang.lib.validators import mask_id_number, mask_phone

__all__ = ["SensitiveField", "SensitiveValue", "mask_generic", "mask_id_number", "mask_phone"]


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
        if isinstance(value, SensitiveValue):
            value = value.reveal_unlogged()
        if value is None or value == "":
            return ""
        return crypto.encrypt(str(value))

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
