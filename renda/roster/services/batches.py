"""Loading a checked roster or reference list into BaseRecord, all rows or none.

The rows arrive shaped by ``renda.roster.importers``; here they are sealed (the voter import's
own HMAC and AES-GCM helpers), people a county's roster already holds are skipped (one
staging table joined on the hash), and the rest are written by the voter import's writer
(COPY on PostgreSQL, executemany on SQLite) in chunks. A roster is then assigned to
districts by the townships' mapping rules and the expected counts are refreshed; a reference
list is matched against the register and its matches queued for review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports.models import ImportRun
from renda.regions.codes import SPAN, Level
from renda.regions.models import Region
from renda.roster.models import BaseBatch, BaseRecord, SourceKind
from renda.roster.services.expected import expected_refresh
from renda.roster.services.mapping import mapping_apply
from renda.roster.services.records import link_registered
from renda.roster.services.review import reference_match
from renda.voters.importing.commit import (
    HASH,
    KEYS_TABLE,
    _ciphers,
    _hashes,
    _page_cache,
    _stage_keys,
    _Table,
    _with_pinyin,
)
from renda.voters.importing.contract import ROW
from renda.voters.models import Election
from renda.voters.services.common import require

CHUNK_ROWS = 50_000
COLUMNS = (
    "batch_id",
    "source",
    "row",
    "id_hash",
    "id_cipher",
    "id_valid",
    "name",
    "name_pinyin",
    "sex",
    "birth_date",
    "ethnicity",
    "household_address",
    "village",
    "county_code",
    "township_code",
    "effective_date",
    "until_date",
    "document",
)


@dataclass(frozen=True)
class BatchSpec:
    source: str
    region: Region
    election: Election | None
    reference: str

    @classmethod
    def from_options(cls, run: ImportRun) -> BatchSpec:
        options = run.options
        source = options.get("source")
        if source not in SourceKind.values:
            raise ServiceError(_("导入任务没有指定有效的数据来源。"))
        region = Region.objects.filter(code=options.get("region") or 0).first()
        if region is None:
            raise ServiceError(_("导入任务没有指定有效的区域。"))
        election = None
        if options.get("election"):
            election = (
                Election.objects.select_related("region").filter(pk=options["election"]).first()
            )
            if election is None:
                raise ServiceError(_("导入任务没有指定有效的换届选举。"))
        if source == SourceKind.HOUSEHOLD and election is None:
            raise ServiceError(_("基础数据须指定换届选举（按其选举日核对年满十八周岁）。"))
        return cls(source, region, election, str(options.get("reference") or "")[:200])


@dataclass(frozen=True)
class Loaded:
    batch: BaseBatch
    assigned: int  # roster: records the mapping put in a district
    linked: int  # roster: of those, already registered there (confirmed at once)
    notes: dict[int, str]  # row → why it was skipped


Progress = Callable[[int], None]


def base_batch_load(
    *,
    actor: User,
    spec: BatchSpec,
    run: ImportRun | None,
    records: pl.DataFrame,
    progress: Progress | None = None,
    name: str = "",
) -> Loaded:
    """Write ``records`` (shaped rows, see importers.shape) as one batch, all or nothing.
    ``name`` names a batch that comes without a file (the demo's)."""
    require(
        actor,
        Perm.BASE_DATA_MANAGE,
        spec.region.code,
        _("您无权向“%(r)s”导入基础数据。") % {"r": spec.region.name},
    )
    report = progress or (lambda _done: None)
    records = _sealed_hashes(records)
    with _page_cache(), transaction.atomic():
        records, notes = _skip_known(records, spec.source)
        batch = BaseBatch.objects.create(
            source=spec.source,
            region=spec.region,
            election=spec.election,
            import_run=run,
            name=name or (run.original_name if run is not None else _("（无文件）")),
            reference=spec.reference,
            created_by=actor,
            total=run.total if run is not None else records.height,
            accepted=records.height,
            skipped=len(notes),
            invalid_ids=records.filter(~pl.col("__valid")).height,
        )
        _write(batch, records, report)
        assigned = matched = linked = 0
        if spec.source == SourceKind.HOUSEHOLD:
            townships = sorted({c for c in records["township_code"].to_list() if c is not None})
            assigned = mapping_apply(townships=townships, batch=batch)
            ranges = [(t, t + SPAN[Level.TOWNSHIP] - 1) for t in townships]
            for lo, hi in ranges:
                linked += link_registered(lo=lo, hi=hi, actor=actor)
            expected_refresh(ranges)
        else:
            matched = reference_match(batch)
        BaseBatch.objects.filter(pk=batch.pk).update(matched=matched)
        batch.matched = matched
        audit_record(
            actor=actor,
            action="base_batch.load",
            target=batch,
            region_code=spec.region.code,
            summary={
                "source": spec.source,
                "run": run.pk if run is not None else None,
                "records": batch.accepted,
                "invalid_ids": batch.invalid_ids,
                "skipped": batch.skipped,
                "assigned": assigned,
                "already_registered": linked,
                "matched": matched,
            },
        )
    return Loaded(batch, assigned, linked, notes)


def _sealed_hashes(records: pl.DataFrame) -> pl.DataFrame:
    """The HMAC of every valid number (null for the others): the register's own key."""
    valid = records["__valid"]
    hashes = pl.Series(HASH, [None] * records.height, dtype=pl.Binary)
    if valid.any():
        rows = valid.arg_true()
        hashes = hashes.scatter(rows, _hashes(records["__id_text"].gather(rows)))
    return records.with_columns(hashes)


def _skip_known(records: pl.DataFrame, source: str) -> tuple[pl.DataFrame, dict[int, str]]:
    """A roster row whose person this county's roster already holds is skipped (re-pushing a
    county's file adds only the new people); reference lists keep every row."""
    keyed = records.filter(pl.col(HASH).is_not_null())
    if source != SourceKind.HOUSEHOLD or keyed.height == 0:
        return records, {}
    quote = connection.ops.quote_name
    table = quote(BaseRecord._meta.db_table)
    with connection.cursor() as cursor:
        _stage_keys(cursor, keyed.select(ROW, HASH).sort(HASH))
        cursor.execute(
            f"SELECT k.row, r.county_code FROM {KEYS_TABLE} k "  # noqa: S608 — model names
            f"JOIN {table} r ON r.id_hash = k.id_hash WHERE r.source = %s",
            [SourceKind.HOUSEHOLD.value],
        )
        found = cursor.fetchall()
        cursor.execute(f"DROP TABLE {KEYS_TABLE}")
    if not found:
        return records, {}
    known = pl.DataFrame(found, schema={ROW: pl.Int64, "__known": pl.Int64}, orient="row")
    same = (
        records.select(ROW, "county_code")
        .join(known, on=ROW)
        .filter(pl.col("county_code") == pl.col("__known"))[ROW]
        .unique()
    )
    note = _("该公民已在本县（市、区）基础数据中，未重复导入。")
    notes = dict.fromkeys(same.to_list(), note)
    return records.filter(~pl.col(ROW).is_in(same.implode())), notes


def _write(batch: BaseBatch, records: pl.DataFrame, report: Progress) -> None:
    table = _Table.of(BaseRecord, COLUMNS, timezone.now())
    done = 0
    for start in range(0, records.height, CHUNK_ROWS):
        chunk = _with_pinyin(records.slice(start, CHUNK_ROWS))
        rows = _rows(batch, chunk)
        with connection.cursor() as cursor:
            table.write(cursor, table.encode(rows))
        done += chunk.height
        report(done)


def _rows(batch: BaseBatch, chunk: pl.DataFrame) -> pl.DataFrame:
    texts = chunk["__id_text"]
    present = texts.is_not_null()
    ciphers = pl.Series("id_cipher", [None] * chunk.height, dtype=pl.Binary)
    if present.any():
        rows = present.arg_true()
        ciphers = ciphers.scatter(rows, _ciphers(texts.gather(rows).to_list()))
    return chunk.select(
        pl.lit(batch.pk, dtype=pl.Int64).alias("batch_id"),
        "source",
        pl.col(ROW).alias("row"),
        pl.col(HASH).alias("id_hash"),
        ciphers,
        pl.col("__valid").alias("id_valid"),
        "name",
        "name_pinyin",
        "sex",
        "birth_date",
        "ethnicity",
        "household_address",
        "village",
        "county_code",
        "township_code",
        "effective_date",
        "until_date",
        "document",
    )
