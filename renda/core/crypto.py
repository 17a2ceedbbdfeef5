"""Encryption at rest (AES-256-GCM) and keyed hashes, with keys from the settings only."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_NONCE = 12
_VERSION = b"\x01"


def encrypt(plaintext: bytes, *, context: bytes = b"") -> bytes:
    """Version byte + random nonce + ciphertext; ``context`` binds it to its purpose."""
    nonce = os.urandom(_NONCE)
    return _VERSION + nonce + AESGCM(settings.RENDA_DATA_KEY).encrypt(nonce, plaintext, context)


def decrypt(blob: bytes, *, context: bytes = b"") -> bytes:
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    nonce, body = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
    return AESGCM(settings.RENDA_DATA_KEY).decrypt(nonce, body, context)


def keyed_hash(value: str) -> bytes:
    """HMAC-SHA256 under the ID hash key: for lookups and uniqueness, never reversible."""
    return hmac.new(settings.RENDA_ID_HASH_KEY, value.encode(), hashlib.sha256).digest()
