"""The set-based registration path: many voters in one transaction, never one save() per row.

The demo loads through it now; batch imports (issue 4) will too. The caller hands over rows it
has already validated (a normalised 18-character ID number, a cleaned name, sex and birth date
that agree with the number, of age on election day). This module seals the numbers, computes
pinyin once per distinct name, finds who is already registered — anywhere in the province, or
earlier in the same batch — and reports them as conflicts instead of inserting them, then writes
the rest with one change row each and one audit row for the batch, all or nothing.

Work goes in chunks of ``hash_chunk()`` rows: one set-based query finds the chunk's conflicts,
then the chunk is inserted with ``bulk_create``, so memory stays flat for a million rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports.models import ImportRun
from renda.regions.codes import DIGITS, Level
from renda.regions.models import District
from renda.voters import pii, tally
from renda.voters.models import (
    ACTIVE,
    ChangeKind,
    Election,
    ResidenceKind,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.names import pinyin_of
from renda.voters.services.common import require, require_covers, require_open
from renda.voters.services.register import REGISTER_KINDS

# SQLite allows 999 variables a statement: 900 hashes plus the four ACTIVE statuses fit.
SQLITE_HASH_CHUNK = 900
POSTGRES_HASH_CHUNK = 5000
SQLITE_CACHE_KIB = 128 * 1024


@dataclass(frozen=True)
class BulkRow:
    """One already-validated person and where to register them."""

    id_number: str  # normalised: 18 characters, check digit verified
    name: str  # cleaned (renda.voters.names.clean_name)
    sex: str  # "M" / "F", agreeing with the number
    birth_date: date  # agreeing with the number
    district_code: int
    kind: str = ChangeKind.REGISTERED
    ethnicity: int = 1
    household_address: str = ""
    residence_address: str = ""
    phone: str = ""
    group: str = ""
    residence_kind: str = ResidenceKind.HOUSEHOLD
    effective_date: date | None = None  # the court's date for RESTORED


@dataclass(frozen=True)
class Conflict:
    """A row not inserted because the person is already active somewhere."""

    index: int  # position of the row in the batch, from 0
    district_code: int  # where the person is active (or the district of the earlier row)
    where: str  # that district's name, e.g. 大智街道第一选区
    same_district: bool  # already registered in the very district the row asked for
    earlier_index: int | None = None  # set when an earlier row of the batch holds the number

    @property
    def message(self) -> str:
        if self.earlier_index is not None:
            return _("与本批第 %(n)d 行的身份证号码重复（该行登记在“%(where)s”）。") % {
                "n": self.earlier_index + 1,
                "where": self.where,
            }
        if self.same_district:
            return _("该公民已在本选区（%(where)s）登记。") % {"where": self.where}
        return _("该公民已在“%(where)s”登记，不能重复登记。") % {"where": self.where}


@dataclass(frozen=True)
class BulkResult:
    created: int
    conflicts: tuple[Conflict, ...]
    by_district: dict[int, int] = field(default_factory=dict)  # district code → created
    seconds: float = 0.0


class BulkConflictError(ServiceError):
    """Someone registered one of the batch's people while it was being written: nothing was
    written; ``conflicts`` says who, as the register stands now."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        super().__init__(
            _(
                "写入过程中，本批中有 %(n)d 人刚刚已在其他选区登记；为避免重复登记，"
                "本批数据全部未写入，请核对后重新提交。"
            )
            % {"n": len(conflicts)},
            field="id_number",
        )
        self.conflicts = tuple(conflicts)


def hash_chunk() -> int:
    return SQLITE_HASH_CHUNK if connection.vendor == "sqlite" else POSTGRES_HASH_CHUNK


def voters_register_bulk(
    *,
    actor: User | None,
    election: Election,
    rows: Sequence[BulkRow],
    source: str,
    import_run: ImportRun | None = None,
    evidence: str = "",
    bypass_window: bool = False,
) -> BulkResult:
    """Register ``rows`` in one transaction; people already active are reported, not inserted.

    ``actor`` None is the system itself (the demo); a person needs VOTER_MANAGE on every
    district of the batch. Raises ServiceError before writing anything if a district is
    missing, outside the election's area or outside the actor's scope, and BulkConflictError
    (after rolling back) if a concurrent registration trips the one-active-registration
    constraint.
    """
    started = time.perf_counter()
    _check_kinds(rows)
    _check_districts(actor, election, {r.district_code for r in rows})
    if not bypass_window:
        require_open(election)
    if not rows:
        return BulkResult(created=0, conflicts=())
    hashes = [pii.id_hash(r.id_number) for r in rows]
    try:
        with transaction.atomic(), _large_cache():
            conflicts, by_district = _write(
                actor, election, rows, hashes, source, import_run, evidence
            )
            created = sum(by_district.values())
            audit_record(
                actor=actor,
                action="voter.bulk_register",
                target=import_run,
                region_code=_common_region({r.district_code for r in rows}, election),
                summary={
                    "election": election.code,
                    "source": source,
                    "rows": len(rows),
                    "created": created,
                    "conflicts": len(conflicts),
                    "already_here": sum(1 for c in conflicts if c.same_district),
                    "districts": {str(code): n for code, n in sorted(by_district.items())},
                },
            )
    except IntegrityError:
        # Rolled back. Ask again, outside the failed transaction, who is active now.
        fresh = _all_conflicts(rows, hashes)
        if not fresh:
            raise
        raise BulkConflictError(fresh) from None
    return BulkResult(
        created=created,
        conflicts=tuple(conflicts),
        by_district=by_district,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _large_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the indexes a large batch touches at random
    (id_hash above all): 100,000 voters load in 60% of the CPU time of the 2 MiB default."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def _check_kinds(rows: Sequence[BulkRow]) -> None:
    for row in rows:
        if row.kind not in REGISTER_KINDS:
            raise ValueError(f"not a registration kind: {row.kind}")
        if row.kind == ChangeKind.RESTORED and row.effective_date is None:
            raise ValueError("RESTORED rows need the court's date as effective_date")


def _check_districts(actor: User | None, election: Election, codes: set[int]) -> None:
    ordered = sorted(codes)
    found: dict[int, District] = {}
    for start in range(0, len(ordered), SQLITE_HASH_CHUNK):
        chunk = ordered[start : start + SQLITE_HASH_CHUNK]
        found.update((d.code, d) for d in District.objects.filter(code__in=chunk))
    missing = [code for code in ordered if code not in found]
    if missing:
        raise ServiceError(_("选区代码 %(c)s 不存在。") % {"c": missing[0]}, field="district")
    for district in found.values():
        require_covers(election, district)
        if actor is not None:
            require(
                actor,
                Perm.VOTER_MANAGE,
                district.code,
                _("您无权在“%(d)s”登记选民。") % {"d": district.name},
            )


def _write(
    actor: User | None,
    election: Election,
    rows: Sequence[BulkRow],
    hashes: list[bytes],
    source: str,
    import_run: ImportRun | None,
    evidence: str,
) -> tuple[list[Conflict], dict[int, int]]:
    conflicts: list[Conflict] = []
    by_district: dict[int, int] = {}
    written: list[int] = []  # positions of the rows inserted, for the counters
    first_seen: dict[bytes, int] = {}
    names: dict[int, str] = {}
    # pypinyin costs ~55 µs a name, and registers repeat names (张伟, 王芳) a great deal.
    pinyin: dict[str, tuple[str, str]] = {}
    size = hash_chunk()
    for start in range(0, len(rows), size):
        span = range(start, min(start + size, len(rows)))
        found = list(_find_conflicts(rows, hashes, span, first_seen, names))
        conflicts.extend(found)
        rejected = {c.index for c in found}
        keep = [i for i in span if i not in rejected]
        if not keep:
            continue
        ids = _reserve_ids(Voter, len(keep))
        _insert_rows(
            Voter,
            VOTER_FIELDS,
            [
                _voter_values(voter_id, rows[i], hashes[i], source, pinyin)
                for voter_id, i in zip(ids, keep, strict=True)
            ],
        )
        _insert_rows(
            VoterChange,
            CHANGE_FIELDS,
            [
                (
                    voter_id,
                    election.pk,
                    rows[i].kind,
                    rows[i].district_code,
                    actor.pk if actor is not None else None,
                    evidence[:200],
                    rows[i].effective_date,
                    import_run.pk if import_run is not None else None,
                )
                for voter_id, i in zip(ids, keep, strict=True)
            ],
        )
        for i in keep:
            code = rows[i].district_code
            by_district[code] = by_district.get(code, 0) + 1
        written += keep
    tally.voters_inserted(_counted(rows, written), election_id=election.pk)
    return conflicts, by_district


def _counted(rows: Sequence[BulkRow], written: list[int]) -> pl.DataFrame:
    """The fields of the inserted rows the counters read (tally.voters_inserted)."""
    return pl.DataFrame(
        {
            "district_id": [rows[i].district_code for i in written],
            "sex": [rows[i].sex for i in written],
            "birth_date": [rows[i].birth_date for i in written],
            "ethnicity": [rows[i].ethnicity for i in written],
            "residence_kind": [rows[i].residence_kind for i in written],
            "kind": [rows[i].kind for i in written],
        },
        schema={
            "district_id": pl.Int64,
            "sex": pl.Utf8,
            "birth_date": pl.Date,
            "ethnicity": pl.Int64,
            "residence_kind": pl.Utf8,
            "kind": pl.Utf8,
        },
    )


VOTER_FIELDS = (
    "id",
    "id_hash",
    "id_cipher",
    "name",
    "name_pinyin",
    "name_initials",
    "sex",
    "birth_date",
    "ethnicity",
    "household_address",
    "residence_address",
    "phone",
    "group",
    "district_id",
    "residence_kind",
    "status",
    "source",
)
CHANGE_FIELDS = (
    "voter_id",
    "election_id",
    "kind",
    "district_code",
    "actor_id",
    "evidence",
    "effective_date",
    "import_run_id",
)


def _voter_values(
    voter_id: int, row: BulkRow, id_hash: bytes, source: str, pinyin: dict[str, tuple[str, str]]
) -> tuple[Any, ...]:
    """One Voter row in VOTER_FIELDS order, ready for the driver."""
    names = pinyin.get(row.name)
    if names is None:
        names = pinyin[row.name] = pinyin_of(row.name)
    return (
        voter_id,
        id_hash,
        pii.seal(row.id_number).cipher,
        row.name,
        names[0],
        names[1],
        row.sex,
        row.birth_date,
        row.ethnicity,
        row.household_address[:200],
        row.residence_address[:200],
        row.phone[:20],
        row.group[:64],
        row.district_code,
        row.residence_kind,
        Status.REGISTERED,
        source,
    )


def _reserve_ids(model: type[Model], count: int) -> list[int]:
    """Primary keys for ``count`` new rows, so change rows can point at voters without
    reading them back. PostgreSQL draws them from the table's sequence (safe alongside other
    writers); SQLite counts on from the highest ever used, which is safe because Renda's
    SQLite transactions are IMMEDIATE: this one holds the write lock."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608 — a model's own table
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seen = cursor.fetchone()
        base = max(top, seen[0] if seen else 0)
    return list(range(base + 1, base + 1 + count))


def _insert_rows(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Write ``rows`` (values of the fields ``names``, driver-ready) in one statement stream:
    COPY on PostgreSQL, executemany on SQLite (DESIGN §3).

    Every other field gets its default — auto_now fields the current time — prepared once.
    Django's bulk_create prepares each value of each row through its field and, on SQLite,
    sends at most 999 // columns rows a statement; figures in docs/performance.md.
    """
    now = timezone.now()
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    rest = [
        f
        for f in by_attname.values()
        if f.attname not in names and not (f.primary_key and f.attname == "id")
    ]
    constants = tuple(_constant(f, now) for f in rest)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in [*(by_attname[n] for n in names), *rest])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row + constants)
        else:
            marks = ", ".join(["%s"] * (len(names) + len(rest)))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 — model names
            cursor.executemany(sql, [row + constants for row in rows])


def _constant(field: Field[Any, Any], now: datetime) -> object:
    """What a field not supplied by the bulk path holds: now for auto_now fields, else its
    default ("" for a blank CharField, None for a nullable one)."""
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return field.get_db_prep_save(now if auto else field.get_default(), connection)


def _all_conflicts(rows: Sequence[BulkRow], hashes: list[bytes]) -> list[Conflict]:
    first_seen: dict[bytes, int] = {}
    names: dict[int, str] = {}
    size = hash_chunk()
    return [
        conflict
        for start in range(0, len(rows), size)
        for conflict in _find_conflicts(
            rows, hashes, range(start, min(start + size, len(rows))), first_seen, names
        )
    ]


def _find_conflicts(
    rows: Sequence[BulkRow],
    hashes: list[bytes],
    span: range,
    first_seen: dict[bytes, int],
    names: dict[int, str],
) -> Iterator[Conflict]:
    """Rows of ``span`` whose number is active in the register or earlier in the batch.

    One query for the whole span; ``first_seen`` carries the batch's numbers across spans and
    ``names`` the district names already looked up.
    """
    active = {
        bytes(key): code
        for key, code in Voter.objects.filter(
            id_hash__in=[hashes[i] for i in span], status__in=ACTIVE
        ).values_list("id_hash", "district_id")
    }
    _name_districts(set(active.values()) - set(names), names)
    for i in span:
        key, wanted = hashes[i], rows[i].district_code
        holder = active.get(key)
        if key in first_seen:  # checked first: an earlier chunk's row is in the register now
            earlier = first_seen[key]
            code = rows[earlier].district_code
            _name_districts({code} - set(names), names)
            yield Conflict(
                i, code, names[code], same_district=code == wanted, earlier_index=earlier
            )
        elif holder is not None:
            yield Conflict(i, holder, names[holder], same_district=holder == wanted)
        else:
            first_seen[key] = i


def _name_districts(codes: set[int], names: dict[int, str]) -> None:
    """Add '大智街道第一选区' for each of ``codes`` to ``names``, in one query."""
    if not codes:
        return
    for district in District.objects.select_related("township").filter(code__in=codes):
        names[district.code] = f"{district.township.name}{district.name}"
    for code in codes - set(names):
        names[code] = str(code)


def _common_region(codes: set[int], election: Election) -> int:
    """The deepest region (or the district itself) holding every district of the batch."""
    padded = {f"{code:012d}" for code in codes}
    for level in (Level.DISTRICT, Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE):
        prefixes = {c[: DIGITS[level]] for c in padded}
        if len(prefixes) == 1:
            return int(prefixes.pop().ljust(12, "0"))
    return election.region_id
