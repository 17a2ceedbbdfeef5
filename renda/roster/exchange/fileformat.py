"""The voter hash exchange file (docs/voter-hash-exchange.md), version 1. Pure: no database.

Two provinces agree a 32-byte key out of band. Each writes, for its active registrations, the
HMAC-SHA256 of every ID number under a key derived from it, sorted, and sends the file; each
reads the other's and lists the people registered in both. The file carries no ID number, no
name, no district and no order of registration:

    b"RENDA-VHX 1\\n"                                  magic and version
    {"format": …, "province": "42", "key_id": …, …}\\n  header, one line of JSON (UTF-8)
    count × 32 bytes                                   the record hashes, strictly ascending
    32 bytes                                           HMAC-SHA256 under the file key of all
                                                       the bytes before it

Keys, from the shared key K (each HMAC-SHA256(K, label)):

    record key  label b"renda-vhx/1/record"   record = HMAC-SHA256(record key, ID number)
    file key    label b"renda-vhx/1/file"     the trailer
    key id      label b"renda-vhx/1/key-id"   first 8 bytes, hex: both sides see they hold
                                              the same key without showing it

The ID number is the normalised 18-character number in ASCII (digits, upper-case X).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import hmac
import json
import os
import tempfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from renda.core.errors import ServiceError

MAGIC = b"RENDA-VHX 1\n"
FORMAT = "renda-voter-hash-exchange"
VERSION = 1
RECORD_BYTES = 32
MAC_BYTES = 32
KEY_BYTES = 32
_LABEL = b"renda-vhx/1/"
MAX_HEADER = 4096
RUN_RECORDS = 2_000_000  # records sorted in memory before a run is spilled to disk


class ExchangeFileError(ServiceError):
    """A file that is not a valid exchange file for our key; nothing was imported."""


@dataclass(frozen=True)
class ExchangeKey:
    """The shared key and what is derived from it."""

    secret: bytes

    def _derive(self, label: bytes) -> bytes:
        return hmac.new(self.secret, _LABEL + label, hashlib.sha256).digest()

    @property
    def record_key(self) -> bytes:
        return self._derive(b"record")

    @property
    def file_key(self) -> bytes:
        return self._derive(b"file")

    @property
    def key_id(self) -> str:
        return self._derive(b"key-id")[:8].hex()

    def hasher(self) -> RecordHasher:
        return RecordHasher(self.record_key)

    @classmethod
    def from_file(cls, path: Path) -> ExchangeKey:
        """A key file: base64 of 32 random bytes on one line (``#`` lines are comments)."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise ServiceError(_("无法读取密钥文件“%(p)s”。") % {"p": path.name}) from None
        lines = [s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#")]
        try:
            secret = base64.b64decode(lines[0] if len(lines) == 1 else "!", validate=True)
        except (binascii.Error, ValueError):
            secret = b""
        if len(secret) != KEY_BYTES:
            raise ServiceError(
                _("密钥文件“%(p)s”应为一行 Base64 编码的 32 字节随机数。") % {"p": path.name}
            )
        return cls(secret)

    @staticmethod
    def generate() -> str:
        """A new key file's content (for the province that proposes the key)."""
        return base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n"


class RecordHasher:
    """HMAC-SHA256 under the record key with the pads hashed once (a third of hmac.new's
    cost per number, which counts over 48 million)."""

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __call__(self, number: str) -> bytes:
        inner, outer = self._inner.copy(), self._outer.copy()
        inner.update(number.encode("ascii"))
        outer.update(inner.digest())
        return outer.digest()


@dataclass(frozen=True)
class Header:
    province: str  # the two-digit province code of the sender
    key_id: str
    count: int
    created: str  # ISO 8601, the sender's clock

    def as_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "province": self.province,
            "key_id": self.key_id,
            "count": self.count,
            "created": self.created,
            "record": "hmac-sha256",
            "record_bytes": RECORD_BYTES,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode() + b"\n"


# --- sorting more records than memory holds -------------------------------------------------


def _spill(run: list[bytes], directory: str) -> str:
    run.sort()
    fd, name = tempfile.mkstemp(prefix="vhx-run-", dir=directory)
    with os.fdopen(fd, "wb") as f:
        f.write(b"".join(run))
    return name


def _read_run(name: str, size: int) -> Iterator[bytes]:
    with open(name, "rb") as f:  # noqa: PTH123 — a temporary file by name
        while chunk := f.read(size * 65536):
            for i in range(0, len(chunk), size):
                yield chunk[i : i + size]


def sorted_records(
    records: Iterable[bytes], size: int, run_records: int = RUN_RECORDS
) -> Generator[bytes, None, None]:
    """``records`` (each ``size`` bytes) in ascending order: in memory up to ``run_records``,
    beyond that as sorted runs in temporary files merged at the end (memory stays flat for
    48 million records; the runs are deleted as soon as the merge is done)."""
    run: list[bytes] = []
    names: list[str] = []
    with tempfile.TemporaryDirectory(prefix="renda-vhx-") as directory:
        for record in records:
            run.append(record)
            if len(run) >= run_records:
                names.append(_spill(run, directory))
                run = []
        if not names:
            run.sort()
            yield from run
            return
        run.sort()
        yield from heapq.merge(iter(run), *(_read_run(n, size) for n in names))


# --- writing and reading --------------------------------------------------------------------


def write_file(
    out: IO[bytes], key: ExchangeKey, province: str, created: str, hashes: Iterable[bytes]
) -> Header:
    """Write the file from record hashes in ascending order (duplicates dropped). The count
    is known only at the end, so the body goes to a temporary file first."""
    mac = hmac.new(key.file_key, digestmod=hashlib.sha256)
    count = 0
    previous = b""
    with tempfile.TemporaryFile() as body:
        for h in hashes:
            if len(h) != RECORD_BYTES or h < previous:
                raise ValueError("record hashes must be 32 bytes, in ascending order")
            if h == previous:
                continue
            body.write(h)
            previous = h
            count += 1
        header = Header(province=province, key_id=key.key_id, count=count, created=created)
        head = MAGIC + header.as_json()
        out.write(head)
        mac.update(head)
        body.seek(0)
        while chunk := body.read(1 << 20):
            out.write(chunk)
            mac.update(chunk)
    out.write(mac.digest())
    return header


@dataclass(frozen=True)
class ExchangeFile:
    """A verified file on disk: its header and where its records are."""

    path: Path
    header: Header
    body_offset: int

    def records(self) -> Iterator[bytes]:
        with self.path.open("rb") as f:
            f.seek(self.body_offset)
            left = self.header.count * RECORD_BYTES
            while left:
                chunk = f.read(min(left, RECORD_BYTES * 65536))
                left -= len(chunk)
                for i in range(0, len(chunk), RECORD_BYTES):
                    yield chunk[i : i + RECORD_BYTES]


def _bad(message: str) -> ExchangeFileError:
    return ExchangeFileError(_("不是有效的选民比对文件：%(m)s") % {"m": message})


def _header(f: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    if f.read(len(MAGIC)) != MAGIC:
        raise _bad(_("文件头不符（应以 RENDA-VHX 1 开头）。"))
    line = f.readline(MAX_HEADER)
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise _bad(_("文件说明部分无法解析。")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(_("文件说明部分无法解析。"))
    if data.get("version") != VERSION or data.get("record_bytes") != RECORD_BYTES:
        raise _bad(_("文件版本 %(v)s 不受支持。") % {"v": data.get("version")})
    return data, MAGIC + line


def _check_body(f: IO[bytes], count: int, mac: Any) -> None:
    """Feed the records to the MAC and check they are strictly ascending, in chunks."""
    previous = b""
    left = count * RECORD_BYTES
    while left:
        chunk = f.read(min(left, RECORD_BYTES * 65536))
        left -= len(chunk)
        mac.update(chunk)
        for i in range(0, len(chunk), RECORD_BYTES):
            record = chunk[i : i + RECORD_BYTES]
            if record <= previous:
                raise _bad(_("记录未按规定排序（或有重复）。"))
            previous = record


def read_file(path: Path, key: ExchangeKey) -> ExchangeFile:
    """Check everything before a single record is used: the header, that the sender used
    our key (key id), the length, the file MAC, and that the records are strictly
    ascending. Raises ExchangeFileError naming what is wrong."""
    mac = hmac.new(key.file_key, digestmod=hashlib.sha256)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            data, head = _header(f)
            count = data.get("count")
            province = data.get("province")
            if not isinstance(count, int) or count < 0 or not isinstance(province, str):
                raise _bad(_("文件说明部分无法解析。"))
            if data.get("key_id") != key.key_id:
                raise _bad(
                    _("对方使用的密钥与本方密钥不一致（密钥标识 %(k)s）。")
                    % {"k": data.get("key_id")}
                )
            if size != len(head) + count * RECORD_BYTES + MAC_BYTES:
                raise _bad(_("文件长度与记录数 %(n)d 不符，文件可能不完整。") % {"n": count})
            mac.update(head)
            _check_body(f, count, mac)
            if not hmac.compare_digest(mac.digest(), f.read(MAC_BYTES)):
                raise _bad(_("文件校验码不符：文件被改动过，或不是用约定的密钥生成的。"))
    except OSError:
        raise ServiceError(_("无法读取文件“%(p)s”。") % {"p": path.name}) from None
    header = Header(
        province=province, key_id=key.key_id, count=count, created=str(data.get("created", ""))
    )
    return ExchangeFile(path, header, len(head))


def intersect(ours: Iterable[bytes], theirs: Iterable[bytes]) -> Iterator[bytes]:
    """Records of ``ours`` whose first 32 bytes are in ``theirs``; both ascending (a merge
    join: one pass over each, nothing held in memory)."""
    it = iter(theirs)
    current = next(it, None)
    for record in ours:
        h = record[:RECORD_BYTES]
        while current is not None and current < h:
            current = next(it, None)
        if current is None:
            return
        if current == h:
            yield record
