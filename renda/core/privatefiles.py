"""Files that hold personal data (uploads, generated password sheets, error reports).

They are written encrypted under MEDIA_ROOT, never served by the web server, and read back
only through views that check who is asking and audit the download.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings

from renda.core.crypto import decrypt, encrypt


def _root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _path(name: str) -> Path:
    path = (_root() / name).resolve()
    if _root().resolve() not in path.parents:
        raise ValueError(f"not a private file name: {name!r}")
    return path


def store(data: bytes, *, folder: str) -> str:
    """Encrypt ``data`` into a new file; returns its name relative to MEDIA_ROOT."""
    name = f"{folder}/{uuid.uuid4().hex}.bin"
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt(data, context=name.encode()))
    path.chmod(0o600)
    return name


def load(name: str) -> bytes:
    return decrypt(_path(name).read_bytes(), context=name.encode())


def remove(name: str) -> None:
    if name:
        _path(name).unlink(missing_ok=True)


def exists(name: str) -> bool:
    return bool(name) and _path(name).exists()
