"""Loading the reference divisions shipped in renda/regions/data/ (see docs/data-sources.md).

Idempotent: a second load changes nothing; a division missing from a newer edition is kept
(things refer to it) and marked with ``valid_to``.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from renda.regions.codes import Level
from renda.regions.models import AddressCode, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVELS = {"province": Level.PROVINCE, "city": Level.CITY, "county": Level.COUNTY}
BATCH = 2000


@dataclass(frozen=True)
class LoadResult:
    regions: int
    retired: int
    address_codes: int
    seconds: float


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


def _code12(code: str) -> int:
    return int(code.ljust(12, "0"))


def read_regions(data_dir: Path = DATA_DIR) -> list[Region]:
    """Divisions then townships, parents before children."""
    first_seen: dict[tuple[str, str], int] = {}
    for row in _rows(data_dir / "address_codes.tsv"):
        first_seen[(row["code"], row["name"])] = int(row["first_year"])
    regions: list[Region] = []
    for row in _rows(data_dir / "divisions.tsv"):
        year = first_seen.get((row["code"], row["name"]))
        regions.append(
            Region(
                code=_code12(row["code"]),
                name=row["name"],
                level=LEVELS[row["level"]],
                parent_id=_code12(row["parent"]) if row["parent"] else None,
                valid_from=date(year, 1, 1) if year else None,
            )
        )
    for row in _rows(data_dir / "townships.tsv"):
        regions.append(
            Region(
                code=int(row["code"]),
                name=row["name"],
                level=Level.TOWNSHIP,
                parent_id=_code12(row["parent"]),
            )
        )
    regions.sort(key=lambda r: (r.level, r.code))
    return regions


def read_address_codes(data_dir: Path = DATA_DIR) -> list[AddressCode]:
    return [
        AddressCode(
            code=row["code"],
            name=row["name"],
            first_year=int(row["first_year"]),
            last_year=int(row["last_year"]),
        )
        for row in _rows(data_dir / "address_codes.tsv")
    ]


@transaction.atomic
def load_regions(data_dir: Path = DATA_DIR) -> LoadResult:
    started = time.perf_counter()
    regions = read_regions(data_dir)
    Region.objects.bulk_create(
        regions,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "valid_from", "valid_to"],
    )
    current = {r.code for r in regions}
    stale = [
        code
        for code in Region.objects.filter(valid_to__isnull=True).values_list("code", flat=True)
        if code not in current
    ]
    for start in range(0, len(stale), 500):
        Region.objects.filter(code__in=stale[start : start + 500]).update(
            valid_to=timezone.localdate()
        )
    codes = read_address_codes(data_dir)
    AddressCode.objects.bulk_create(
        codes,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["code", "name"],
        update_fields=["first_year", "last_year"],
    )
    from renda.regions.selectors import forget_address_codes

    forget_address_codes()
    return LoadResult(
        regions=len(regions),
        retired=len(stale),
        address_codes=len(codes),
        seconds=time.perf_counter() - started,
    )
