"""Encryption at rest for sensitive attributes, and keyed hashes to look them up.

Ciphertext format: "<key id>$<base64url(nonce || AES-256-GCM ciphertext)>". The key id lets keys
rotate: new values use the first key in settings.FIELD_ENCRYPTION_KEYS, old ones still decrypt.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derive(secret: str, purpose: bytes) -> bytes:
    # Keys in settings are arbitrary strings; derive fixed-size keys bound to their purpose.
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


@cache
def _keys() -> tuple[str, dict[str, AESGCM]]:
    entries = settings.FIELD_ENCRYPTION_KEYS
    if not entries:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    ciphers: dict[str, AESGCM] = {}
    for entry in entries:
        key_id, sep, secret = entry.partition(":")
        if not sep or not key_id or not secret or "$" in key_id:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries look like 'id:secret'")
        ciphers[key_id] = AESGCM(_derive(secret, b"qihang-field-encryption"))
    current = entries[0].partition(":")[0]
    return current, ciphers


@cache
def _hash_key() -> bytes:
    return _derive(settings.FIELD_HASH_KEY, b"qihang-blind-index")


def encrypt(plaintext: str) -> str:
    current, ciphers = _keys()
    nonce = os.urandom(12)
    sealed = ciphers[current].encrypt(nonce, plaintext.encode(), None)
    return f"{current}${base64.urlsafe_b64encode(nonce + sealed).decode()}"


def current_key_id() -> str:
    return _keys()[0]


def key_id_of(token: str) -> str:
    """The id of the key a field ciphertext was sealed with ("" when it is none)."""
    key_id, sep, _body = token.partition("$")
    return key_id if sep else ""


def decrypt(token: str) -> str:
    key_id, sep, body = token.partition("$")
    _current, ciphers = _keys()
    if not sep or key_id not in ciphers:
        raise ValueError("ciphertext has an unknown key id")
    raw = base64.urlsafe_b64decode(body)
    return ciphers[key_id].decrypt(raw[:12], raw[12:], None).decode()


@cache
def _keyed_hash() -> "hmac.HMAC":
    # Keying HMAC costs more than hashing a short value; copy a keyed instance instead.
    return hmac.new(_hash_key(), digestmod=hashlib.sha256)


def blind_index(value: str, purpose: str) -> str:
    """A keyed hash for uniqueness and exact lookup without storing the plaintext."""
    mac = _keyed_hash().copy()
    mac.update(f"{purpose}\x00{value}".encode())
    return mac.hexdigest()


def reset_key_cache() -> None:
    """For tests that change the keys."""
    _keys.cache_clear()
    _hash_key.cache_clear()
    _keyed_hash.cache_clear()


# Files (import uploads) are sealed whole with the same keys: a header naming the key, then
# nonce || AES-256-GCM ciphertext, authenticated as a file so a field's ciphertext cannot pass.
FILE_MAGIC = b"QHENC1:"
_FILE_AAD = b"qihang-file"


def encrypt_bytes(data: bytes) -> bytes:
    current, ciphers = _keys()
    nonce = os.urandom(12)
    sealed = ciphers[current].encrypt(nonce, data, _FILE_AAD)
    return FILE_MAGIC + current.encode() + b"$" + nonce + sealed


def is_encrypted_bytes(blob: bytes) -> bool:
    return blob.startswith(FILE_MAGIC)


def file_key_id_of(blob: bytes) -> str:
    """The id of the key a sealed file was sealed with ("" when it is not sealed)."""
    if not is_encrypted_bytes(blob):
        return ""
    key_id, sep, _body = blob[len(FILE_MAGIC) :].partition(b"$")
    return key_id.decode("ascii", "replace") if sep else ""


def decrypt_bytes(blob: bytes) -> bytes:
    if not is_encrypted_bytes(blob):
        raise ValueError("not an encrypted file")
    key_id, sep, body = blob[len(FILE_MAGIC) :].partition(b"$")
    _current, ciphers = _keys()
    cipher = ciphers.get(key_id.decode("ascii", "replace"))
    if not sep or cipher is None:
        raise ValueError("encrypted file has an unknown key id")
    return cipher.decrypt(body[:12], body[12:], _FILE_AAD)
