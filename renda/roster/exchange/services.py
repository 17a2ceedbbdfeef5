"""Cross-province check (跨省比对): export our keyed hashes, import another province's file.

Export reads every active registration of the province once, in keyset pages: the ID number is
decrypted in memory, hashed under the exchange key and dropped (processing, never stored or
logged); the hashes are sorted (on disk beyond two million) and written as the exchange file.
Import verifies the other province's file completely, computes the same hashes for our
registrations, joins the two sorted streams and queues one review item (kind
``cross_province``) per person registered in both, for the district holding them. Nothing in
the register changes.

Registrations whose holder was issued a certificate to register elsewhere (certified_out) are
left out on both sides: a migrant who registered in another province with our certificate is
where the law puts them, not a double registration.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.regions.codes import DIGITS, Level
from renda.regions.models import Region
from renda.roster.exchange.fileformat import (
    RECORD_BYTES,
    ExchangeKey,
    intersect,
    read_file,
    sorted_records,
    write_file,
)
from renda.roster.models import ReviewItem, ReviewKind, ReviewStatus, SuggestedAction
from renda.voters import pii
from renda.voters.idnumbers import mask
from renda.voters.models import ACTIVE, Election, Status, Voter
from renda.voters.services.common import require

EXCHANGED = tuple(s for s in ACTIVE if s != Status.CERTIFIED_OUT)
PAGE = 20_000
ID_BYTES = 8  # a voter's primary key next to its hash while our side is sorted


def province_code(province: Region) -> str:
    return f"{province.code:012d}"[: DIGITS[Level.PROVINCE]]


def _check_province(actor: User | None, province: Region) -> None:
    if province.level != Level.PROVINCE:
        raise ServiceError(_("跨省比对须以省级行政区为单位。"))
    if actor is not None:
        require(
            actor,
            Perm.BASE_DATA_MANAGE,
            province.code,
            _("您无权进行%(p)s的跨省比对。") % {"p": province.name},
        )


def registrations(province: Region) -> Iterator[tuple[int, bytes | memoryview]]:
    """(voter id, id_cipher) of every exchanged registration of the province, in keyset
    pages of ``PAGE``."""
    lo, hi = province.subtree
    last = 0
    while True:
        page = list(
            Voter.objects.filter(
                pk__gt=last, status__in=EXCHANGED, district_id__gte=lo, district_id__lte=hi
            )
            .order_by("pk")
            .values_list("pk", "id_cipher")[:PAGE]
        )
        if not page:
            return
        yield from page
        last = page[-1][0]


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def through(self, records: Iterator[bytes]) -> Iterator[bytes]:
        for r in records:
            self.n += 1
            yield r


def _our_hashes(province: Region, key: ExchangeKey, *, with_ids: bool) -> Iterator[bytes]:
    hasher: Callable[[str], bytes] = key.hasher()
    for pk, cipher in registrations(province):
        h = hasher(pii.reveal(cipher))
        yield h + pk.to_bytes(ID_BYTES, "big") if with_ids else h


@dataclass(frozen=True)
class ExportResult:
    province: str
    key_id: str
    count: int
    path: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 2)}


def exchange_export(
    *, actor: User | None, key: ExchangeKey, out: Path, province: Region
) -> ExportResult:
    """Write the exchange file of ``province`` to ``out`` (owner-only permissions; written
    beside it under a temporary name and renamed, so a half-written file never exists)."""
    _check_province(actor, province)
    started = time.perf_counter()
    created = timezone.now().isoformat(timespec="seconds")
    code = province_code(province)
    out = out.resolve()
    fd, temporary = tempfile.mkstemp(prefix=".vhx-", dir=out.parent)
    try:
        hashes = sorted_records(_our_hashes(province, key, with_ids=False), RECORD_BYTES)
        with os.fdopen(fd, "wb") as f, contextlib.closing(hashes):
            header = write_file(f, key, code, created, hashes)
        Path(temporary).chmod(0o600)
        Path(temporary).replace(out)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise
    result = ExportResult(code, key.key_id, header.count, str(out), time.perf_counter() - started)
    audit_record(
        actor=actor,
        action="roster.exchange_export",
        target=province,
        region_code=province.code,
        summary={"key_id": key.key_id, "count": header.count, "file": out.name},
    )
    return result


@dataclass(frozen=True)
class ImportResult:
    other_province: str
    other_count: int
    our_count: int
    in_both: int
    created: int
    already_queued: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 2)}


def _province_name(code: str) -> str:
    region = Region.objects.filter(code=int(code.ljust(12, "0")), level=Level.PROVINCE).first()
    return region.name if region is not None else code


def _queue(
    voter_ids: list[int], other: str, file_created: str, election: Election | None
) -> tuple[int, int]:
    """One open item per voter found in both, unless one was made before for the same
    other province (whatever became of it)."""
    queued = set(
        ReviewItem.objects.filter(
            kind=ReviewKind.CROSS_PROVINCE,
            voter_id__in=voter_ids,
            details__other_province=other,
        ).values_list("voter_id", flat=True)
    )
    fresh = [pk for pk in voter_ids if pk not in queued]
    name = _province_name(other)
    voters = Voter.objects.filter(pk__in=fresh).select_related("district__township")
    items = [
        ReviewItem(
            election=election,
            district_id=v.district_id,
            kind=ReviewKind.CROSS_PROVINCE,
            voter=v,
            suggested_action=SuggestedAction.CHECK,
            strength=1.0,
            details={
                "other_province": other,
                "other_province_name": name,
                "file_created": file_created,
                "explanation": _(
                    "该公民在%(p)s也有有效登记（对方比对文件生成于 %(t)s）。请与对方核实其在何处"
                    "参加选举：另一处应除名，或由原选区开具选民资格证明。"
                )
                % {"p": name, "t": file_created[:10]},
                "voter": {
                    "name": v.name,
                    "id_masked": mask(pii.reveal(v.id_cipher)),
                    "birth_date": v.birth_date.isoformat(),
                    "sex": v.sex,
                    "status": v.status,
                    "district": v.district_id,
                    "district_name": f"{v.district.township.name}{v.district.name}",
                },
            },
            status=ReviewStatus.OPEN,
        )
        for v in voters
    ]
    ReviewItem.objects.bulk_create(items, batch_size=1000)
    return len(items), len(voter_ids) - len(fresh)


def exchange_import(
    *,
    actor: User | None,
    key: ExchangeKey,
    path: Path,
    province: Region,
    election: Election | None = None,
) -> ImportResult:
    """Verify another province's file, then queue the people registered in both."""
    _check_province(actor, province)
    started = time.perf_counter()
    theirs = read_file(path, key)
    other = theirs.header.province
    if other == province_code(province):
        raise ServiceError(_("这是本省自己导出的比对文件，请导入对方省份的文件。"))
    counter = _Counter()
    ours = sorted_records(
        counter.through(_our_hashes(province, key, with_ids=True)), RECORD_BYTES + ID_BYTES
    )
    with contextlib.closing(ours):  # sorting reads all of ours before the first record
        both = [int.from_bytes(r[RECORD_BYTES:], "big") for r in intersect(ours, theirs.records())]
    with transaction.atomic():
        created, queued = _queue(both, other, theirs.header.created, election)
        result = ImportResult(
            other_province=other,
            other_count=theirs.header.count,
            our_count=counter.n,
            in_both=len(both),
            created=created,
            already_queued=queued,
            seconds=time.perf_counter() - started,
        )
        audit_record(
            actor=actor,
            action="roster.exchange_import",
            target=province,
            region_code=province.code,
            summary={**result.as_dict(), "key_id": key.key_id, "file": path.name},
        )
    return result
