"""Encryption of personal data at rest (AES-GCM) and keyed hashes for look-ups.

Stored form: ``v1:<key id>:<base64(nonce + ciphertext)>``. The key id lets a
rotation re-encrypt rows written under an older key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class DecryptionError(Exception):
    pass


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=b"bangfu", info=info).derive(material)


def _key_material() -> bytes:
    from django.conf import settings

    if settings.BANGFU_DATA_KEY:
        return base64.b64decode(settings.BANGFU_DATA_KEY)
    return settings.SECRET_KEY.encode()


def _keys() -> tuple[str, bytes, bytes]:
    material = _key_material()
    enc = _derive(material, b"personal-data-encryption")
    mac = _derive(material, b"personal-data-lookup")
    key_id = hashlib.sha256(enc).hexdigest()[:8]
    return key_id, enc, mac


def key_id(*, material: bytes | None = None) -> str:
    """The short id stored in each token: which key sealed it."""
    if material is None:
        return _keys()[0]
    return hashlib.sha256(_derive(material, b"personal-data-encryption")).hexdigest()[:8]


def token_key_id(token: str) -> str:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 else ""


def encrypt(plaintext: str, *, material: bytes | None = None) -> str:
    if not plaintext:
        return ""
    if material is None:
        key_id, enc, _mac = _keys()
    else:
        enc = _derive(material, b"personal-data-encryption")
        key_id = hashlib.sha256(enc).hexdigest()[:8]
    nonce = os.urandom(12)
    sealed = AESGCM(enc).encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"v1:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, material: bytes | None = None) -> str:
    if not token:
        return ""
    try:
        version, key_id, payload = token.split(":", 2)
    except ValueError:
        raise DecryptionError("malformed token") from None
    if version != "v1":
        raise DecryptionError("unknown version")
    enc = _derive(material, b"personal-data-encryption") if material else _keys()[1]
    raw = base64.b64decode(payload)
    try:
        return AESGCM(enc).decrypt(raw[:12], raw[12:], key_id.encode()).decode()
    except Exception as exc:  # InvalidTag: wrong key or altered row
        raise DecryptionError("cannot decrypt") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a record by its ID or phone number without storing it."""
    if not value:
        return ""
    return hmac.new(_keys()[2], value.encode(), hashlib.sha256).hexdigest()
