"""ID numbers at rest: a keyed hash for lookup and uniqueness, AES-GCM for authorised display.

Nothing else in Renda touches a clear ID number after validation: services receive it, call
``seal`` and forget it; pages show ``masked``; ``reveal`` is for the audited reveal action.
"""

from __future__ import annotations

from dataclasses import dataclass

from renda.core.crypto import decrypt, encrypt, keyed_hash
from renda.voters.idnumbers import mask

_CONTEXT = b"voter-id-number"


@dataclass(frozen=True)
class SealedId:
    hash: bytes
    cipher: bytes


def id_hash(number: str) -> bytes:
    """The lookup key of a normalised 18-character ID number."""
    return keyed_hash(number)


def seal(number: str) -> SealedId:
    return SealedId(hash=id_hash(number), cipher=encrypt(number.encode(), context=_CONTEXT))


def reveal(cipher: bytes | memoryview) -> str:
    return decrypt(bytes(cipher), context=_CONTEXT).decode()


def masked(cipher: bytes | memoryview) -> str:
    return mask(reveal(cipher))
