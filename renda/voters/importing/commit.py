"""Stage 3 of the voter import: the register's verdict on every checked row, then all accepted
rows — or none — in one transaction (docs/decisions/0017-voter-import-pipeline.md).

The verdicts, found by ID hash for the whole file at once (a temporary staging table of
(row, hash) joined to the register in one statement):

    active in this district      → already registered (with ``update``: corrected where the
                                   sheet's name, ethnicity, addresses, phone or group differ)
    active in another district   → a conflict, not inserted; the note names the district
    removed as deceased/deprived → flagged for review, not inserted
    anything else                → inserted, with one change row pointing at the ImportRun

Everything happens inside one transaction, so a failure, a cancel (``progress`` raising
Cancelled) or a killed worker leaves the register as it was. New rows go in by ``COPY`` on
PostgreSQL (a chunk of CSV made by polars) and by ``executemany`` on SQLite; a helper thread
seals the next chunk's ID numbers while the database writes the current one. A file that
changes nothing (imported twice) writes nothing at all, not even an audit row.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core import crypto
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.imports.models import ImportRun
from renda.regions.models import District
from renda.voters import pii, tally
from renda.voters.bulk import _common_region, _constant, _reserve_ids
from renda.voters.importing.contract import (
    BIRTH_FROM_ID,
    DISTRICT,
    EFFECTIVE_DATE,
    ERRORS,
    ETHNICITY,
    ETHNICITY_CODE,
    GROUP,
    HOUSEHOLD_ADDRESS,
    ID_NORMALIZED,
    KIND,
    NAME,
    PHONE,
    RESIDENCE_ADDRESS,
    RESIDENCE_KIND,
    ROW,
    SEX_FROM_ID,
    WARNINGS,
    Checked,
    Outcome,
)
from renda.voters.models import (
    ACTIVE,
    ChangeKind,
    Election,
    RemovalReason,
    ResidenceKind,
    Source,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.names import pinyin_of
from renda.voters.services.common import require, require_covers, require_open
from renda.voters.services.register import REGISTER_KINDS

CHUNK_ROWS = 50_000  # rows per write statement, and between two progress() calls
CHECK_PER_CHUNK = True  # see _foreign_keys_per_chunk
SQLITE_CACHE_MIB = 256
SQLITE_VARIABLES = 900  # codes per IN (...) on SQLite (999 variables a statement)
KEYS_TABLE = "renda_import_keys"
FIXES_TABLE = "renda_import_fixes"
FLAGGED_REASONS = (RemovalReason.DECEASED, RemovalReason.DEPRIVED)

# Internal columns of the candidate frame.
HASH, DISTRICT_ID, CHANGE_KIND, LIVES = "__hash", "__district_id", "__kind", "__residence"
VOTER_ID, HOLDER, FLAG, VERDICT = "__voter_id", "__holder", "__flag", "__verdict"
INSERT, HERE, ELSEWHERE, FLAGGED = "insert", "here", "elsewhere", "flagged"

# Fields a re-import with ``update`` may correct: model field → (candidate column, max length).
UPDATABLE: dict[str, tuple[str, int]] = {
    "name": (NAME, 64),
    "ethnicity": (ETHNICITY_CODE, 0),
    "household_address": (HOUSEHOLD_ADDRESS, 200),
    "residence_address": (RESIDENCE_ADDRESS, 200),
    "phone": (PHONE, 20),
    "group": (GROUP, 64),
}
FIELD_LABELS = {
    "name": "姓名",
    "ethnicity": "民族",
    "household_address": "户籍地址",
    "residence_address": "现住址",
    "phone": "联系电话",
    "group": "村（居）民小组",
}

Progress = Callable[[int], None]
# The checked frame's columns the commit reads (the rest stay with the report).
NEEDED = (
    ROW,
    ID_NORMALIZED,
    SEX_FROM_ID,
    BIRTH_FROM_ID,
    ETHNICITY,
    KIND,
    RESIDENCE_KIND,
    DISTRICT,
    EFFECTIVE_DATE,
)


class ImportRaceError(ServiceError):
    """Someone registered one of the file's people while it was being written; the database's
    one-active-registration rule refused the batch and nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "写入过程中，文件中有人刚刚在其他地方完成登记；为避免重复登记，"
                "本次导入的数据全部未写入。请重新导入，已登记的人员将列为冲突或已登记。"
            ),
            field="id_number",
        )


def commit(
    checked: Checked,
    *,
    actor: User,
    election: Election,
    district: District | None,
    run: ImportRun | None,
    dry_run: bool = False,
    update: bool = False,
    progress: Progress | None = None,
    lean: bool = False,
) -> Outcome:
    """Register the checked rows without errors; see the module docstring for the verdicts.

    ``district`` None takes each row's 选区代码 (DISTRICT column). Raises ServiceError before
    writing anything when the actor may not register in ``district``, the district lies
    outside the election or registration is closed; ImportRaceError when a concurrent
    registration of the same person beat this one (rolled back); Cancelled (from
    ``progress``) rolls back too.

    ``lean``: the caller hands ``checked`` over — once the candidates are taken it keeps only
    what the error report reads (``Checked.drop_values``, then ``keep_flagged``): at a million
    rows, about half a gigabyte of validated and original values not held through the writes.
    """
    if district is not None:
        require_covers(election, district)
        require(
            actor,
            Perm.VOTER_MANAGE,
            district.code,
            _("您无权在“%(d)s”登记选民。") % {"d": district.name},
        )
    if not dry_run:
        require_open(election)
    report = progress or (lambda _done: None)
    read = _Read.of(checked.frame)
    candidates, notes = _candidates(checked.frame, actor, election, district)
    if lean:
        checked.drop_values()
    try:
        with _page_cache(), transaction.atomic():
            plan = _plan(candidates, notes, update=update)
            del candidates  # the plan holds what is still needed of them
            if lean:
                checked.keep_flagged(plan.notes)
            report(read.rows - plan.accepted)
            if not dry_run:
                _record_conflicts(plan, actor, election, run)  # transfers: see the helper
            if not dry_run and (plan.accepted or plan.fixes.height):
                _write(plan, actor, election, run, report, base=read.rows - plan.accepted)
                outcome = _outcome(read, plan, dry_run=False)
                _audit(outcome, actor, election, district, run, plan)
                return outcome
    except IntegrityError as exc:
        if "voter_one_active_registration" in str(exc) or "voters_voter.id_hash" in str(exc):
            raise ImportRaceError from exc
        raise
    return _outcome(read, plan, dry_run=dry_run)


@dataclass(frozen=True)
class _Read:
    """What the outcome says of the file as validated, counted before the commit lets go of it."""

    rows: int
    with_errors: int
    with_warnings: int

    @classmethod
    def of(cls, frame: pl.DataFrame) -> _Read:
        counts = frame.select(
            (pl.col(ERRORS).list.len() > 0).sum(), (pl.col(WARNINGS).list.len() > 0).sum()
        ).row(0)
        return cls(frame.height, int(counts[0]), int(counts[1]))


def _record_conflicts(plan: Plan, actor: User, election: Election, run: ImportRun | None) -> None:
    """Transfers (issue 5): keep the rows whose person is active in another district as
    RegistrationConflicts, so each can become a transfer request in one click. Set-based and
    inside this transaction; a file imported twice records nothing new."""
    from renda.voters.services.conflicts import ImportedConflict, conflicts_record_import

    elsewhere = plan.candidates.filter(pl.col(VERDICT) == ELSEWHERE)
    if elsewhere.height == 0:
        return
    rows = [
        ImportedConflict(row=row, district_code=code, name=name, id_hash=key)
        for row, code, name, key in elsewhere.select(ROW, DISTRICT_ID, NAME, HASH).iter_rows()
    ]
    conflicts_record_import(actor=actor, election=election, run=run, rows=rows)


@contextmanager
def _page_cache() -> Iterator[None]:
    """On SQLite, a page cache of SQLITE_CACHE_MIB for the import's transaction: a million
    rows touch 17 indexes, and with the 2 MiB default nearly every insert reads a page back
    (figures in docs/performance.md)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_MIB * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


# --- Which rows are candidates --------------------------------------------------------------


def _candidates(
    frame: pl.DataFrame, actor: User, election: Election, district: District | None
) -> tuple[pl.DataFrame, dict[int, str]]:
    """The rows without errors, normalised for the register, and notes on those the commit
    itself refuses (district, change kind, a number twice in the file)."""
    wanted = [c for c in (*NEEDED, *(c for c, _n in UPDATABLE.values())) if c in frame.columns]
    rows = frame.filter(pl.col(ERRORS).list.len() == 0).select(list(dict.fromkeys(wanted)))
    rows = rows.with_columns(
        *(
            _text(rows, column, length).alias(column)
            for column, length in UPDATABLE.values()
            if length
        ),
        pl.col(ETHNICITY_CODE).cast(pl.Int64).fill_null(1),
        _court_date(rows),
        _mapped(rows, KIND, _kind_names(), default=ChangeKind.REGISTERED).alias(CHANGE_KIND),
        _mapped(rows, RESIDENCE_KIND, _residence_names(), ResidenceKind.HOUSEHOLD).alias(LIVES),
    )
    notes: dict[int, str] = {}
    rows = _refuse(rows, notes, pl.col(CHANGE_KIND).is_null(), _bad_kind_note(rows))
    rows = _refuse(rows, notes, pl.col(LIVES).is_null(), _bad_residence_note(rows))
    undated = (pl.col(CHANGE_KIND) == ChangeKind.RESTORED) & pl.col(EFFECTIVE_DATE).is_null()
    note = pl.lit(_("恢复政治权利须填写法院（或社区矫正机构）文书载明的日期，未导入。"))
    rows = _refuse(rows, notes, undated, note)
    rows = _with_districts(rows, notes, actor, election, district)
    rows = rows.with_columns(_hashes(rows[ID_NORMALIZED]).alias(HASH))
    rows = _refuse_repeats(rows, notes)
    return rows.drop([c for c in (KIND, RESIDENCE_KIND, DISTRICT) if c in rows.columns]), notes


def _refuse_repeats(rows: pl.DataFrame, notes: dict[int, str]) -> pl.DataFrame:
    """A number the file holds twice: the later rows are refused, naming the first (validation
    normally catches this already)."""
    repeated = ~pl.col(HASH).is_first_distinct()
    later = rows.filter(repeated).select(ROW, HASH)
    if later.height == 0:
        return rows
    first = (
        rows.filter(pl.col(HASH).is_in(later[HASH].implode()))
        .group_by(HASH)
        .agg(pl.col(ROW).min().alias("__first"))
    )
    later = later.join(first, on=HASH)
    for row, earlier in later.select(ROW, "__first").iter_rows():
        notes[row] = _("与第 %(n)d 行的身份证号码重复，未导入。") % {"n": earlier}
    return rows.filter(~repeated)


def _text(rows: pl.DataFrame, column: str, length: int) -> pl.Expr:
    if column not in rows.columns:
        return pl.lit("", dtype=pl.Utf8)
    return pl.col(column).cast(pl.Utf8).fill_null("").str.strip_chars().str.slice(0, length)


def _court_date(rows: pl.DataFrame) -> pl.Expr:
    if EFFECTIVE_DATE not in rows.columns:
        return pl.lit(None, dtype=pl.Date).alias(EFFECTIVE_DATE)
    return pl.col(EFFECTIVE_DATE).cast(pl.Date)


def _mapped(rows: pl.DataFrame, column: str, names: dict[str, str], default: str) -> pl.Expr:
    """A label or value of a choice (迁入 / moved_in) as its value; blank gives ``default``,
    anything unknown null."""
    if column not in rows.columns:
        return pl.lit(default, dtype=pl.Utf8)
    text = pl.col(column).cast(pl.Utf8).str.strip_chars()
    known = text.replace_strict(names, default=None, return_dtype=pl.Utf8)
    return pl.when(text.is_null() | (text == "")).then(pl.lit(default)).otherwise(known)


def _kind_names() -> dict[str, str]:
    kinds = {k: k.value for k in REGISTER_KINDS}
    return {**{str(k.label): v for k, v in kinds.items()}, **{v: v for v in kinds.values()}}


def _residence_names() -> dict[str, str]:
    return {
        **{str(k.label): k.value for k in ResidenceKind},
        **{k.value: k.value for k in ResidenceKind},
    }


def _bad_kind_note(rows: pl.DataFrame) -> pl.Expr:
    if KIND not in rows.columns:
        return pl.lit("")
    return pl.format(
        "变动类型“{}”不能通过导入办理（可填：新满十八周岁、迁入、恢复政治权利或留空），未导入。",
        pl.col(KIND),
    )


def _bad_residence_note(rows: pl.DataFrame) -> pl.Expr:
    if RESIDENCE_KIND not in rows.columns:
        return pl.lit("")
    return pl.format("登记类型“{}”无法识别，未导入。", pl.col(RESIDENCE_KIND))


def _refuse(
    rows: pl.DataFrame, notes: dict[int, str], where: pl.Expr, note: pl.Expr
) -> pl.DataFrame:
    """Move the rows matching ``where`` into ``notes`` (row → message) and drop them."""
    refused = rows.filter(where).select(ROW, note.alias("__note"))
    notes.update(zip(refused[ROW].to_list(), refused["__note"].to_list(), strict=True))
    return rows.filter(~where) if refused.height else rows


def _with_districts(
    rows: pl.DataFrame,
    notes: dict[int, str],
    actor: User,
    election: Election,
    district: District | None,
) -> pl.DataFrame:
    """Each row's district: ``district``, or the row's 选区代码 when the actor may register
    there and it belongs to the election."""
    if district is not None:
        return rows.with_columns(pl.lit(district.code, dtype=pl.Int64).alias(DISTRICT_ID))
    if DISTRICT not in rows.columns:
        raise ServiceError(_("请选择选区，或在表中提供“选区代码”列。"), field="district")
    code = pl.col(DISTRICT).cast(pl.Utf8).str.strip_chars()
    rows = rows.with_columns(
        pl.when(code.str.contains(r"^\d{12}$")).then(code.cast(pl.Int64)).alias(DISTRICT_ID)
    )
    bad = pl.col(DISTRICT_ID).is_null()
    rows = _refuse(rows, notes, bad, pl.lit("选区代码为空或格式不正确（应为12位数字），未导入。"))
    refusals = _district_refusals(rows[DISTRICT_ID].unique().to_list(), actor, election)
    if not refusals:
        return rows
    why = pl.DataFrame(
        {DISTRICT_ID: list(refusals), "__why": list(refusals.values())},
        schema={DISTRICT_ID: pl.Int64, "__why": pl.Utf8},
    )
    rows = rows.join(why, on=DISTRICT_ID, how="left")
    return _refuse(rows, notes, pl.col("__why").is_not_null(), pl.col("__why")).drop("__why")


def _district_refusals(codes: list[int], actor: User, election: Election) -> dict[int, str]:
    """Why a district code may not be used (code → message), for the codes that may not."""
    found: dict[int, District] = {}
    for start in range(0, len(codes), SQLITE_VARIABLES):
        chunk = codes[start : start + SQLITE_VARIABLES]
        found.update((d.code, d) for d in District.objects.filter(code__in=chunk))
    scope = access.regions_for(actor, Perm.VOTER_MANAGE)
    lo, hi = election.region.subtree
    refusals: dict[int, str] = {}
    for code in codes:
        place = found.get(code)
        if place is None:
            refusals[code] = _("选区代码 %(c)s 不存在，未导入。") % {"c": code}
        elif not lo <= code <= hi:
            refusals[code] = _("选区“%(d)s”不在本次选举的范围内，未导入。") % {"d": place.name}
        elif not scope.covers(code):
            refusals[code] = _("您无权在“%(d)s”登记选民，未导入。") % {"d": place.name}
    return refusals


# --- Sealing ID numbers ---------------------------------------------------------------------


def _hashes(numbers: pl.Series) -> pl.Series:
    """pii.id_hash of every number, as HMAC-SHA256 with the pads precomputed (a third of the
    cost of hmac.new per number)."""
    key = settings.RENDA_ID_HASH_KEY
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def one(number: str) -> bytes:
        i, o = inner.copy(), outer.copy()
        i.update(number.encode())
        o.update(i.digest())
        return o.digest()

    return pl.Series(HASH, [one(n) for n in numbers.to_list()], dtype=pl.Binary)


def _ciphers(numbers: list[str]) -> pl.Series:
    """pii.seal(...).cipher of every number: one AES-GCM key schedule and one urandom call
    for the whole chunk instead of one per number."""
    aead = AESGCM(settings.RENDA_DATA_KEY)
    nonces = os.urandom(crypto._NONCE * len(numbers))
    out = []
    for i, number in enumerate(numbers):
        nonce = nonces[crypto._NONCE * i : crypto._NONCE * (i + 1)]
        out.append(crypto._VERSION + nonce + aead.encrypt(nonce, number.encode(), pii._CONTEXT))
    return pl.Series("__cipher", out, dtype=pl.Binary)


# --- The register's verdicts ----------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    counts: dict[str, int]  # verdict → candidates
    candidates: pl.DataFrame  # with name_pinyin and name_initials
    order: pl.Series  # positions in ``candidates`` of the rows to register, in write order
    fixes: pl.DataFrame  # registered here, to correct (update mode): VOTER_ID + new values
    notes: dict[int, str]  # row → note, for the report
    refused: int  # candidates the commit itself refused (in ``notes``)
    by_district: dict[int, int]  # district code → rows to insert there

    @property
    def accepted(self) -> int:
        return len(self.order)


def _plan(candidates: pl.DataFrame, notes: dict[int, str], *, update: bool) -> Plan:
    refused = len(notes)
    matches = _lookup(candidates)
    verdicts = _verdicts(candidates, matches)
    notes = {**notes, **_conflict_notes(verdicts)}
    here = verdicts.filter(pl.col(VERDICT) == HERE)
    fixes, fix_notes = _differences(here, matches, update=update)
    notes.update(fix_notes)
    counts = dict(verdicts.group_by(VERDICT).len().iter_rows())
    candidates = _with_pinyin(verdicts.drop(VOTER_ID, HOLDER, FLAG))
    # Positions, not a sorted copy (a million rows weigh ~0.5 GB). In pinyin order: five of
    # the register's indexes lead with the name, its pinyin or its initials, so their new
    # entries land side by side instead of on random pages (a third less time at 10M voters;
    # docs/performance.md).
    inserts = candidates.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("i"), "name_pinyin", DISTRICT_ID, VERDICT
    ).filter(pl.col(VERDICT) == INSERT)
    order = inserts.sort("name_pinyin", DISTRICT_ID)["i"]
    by_district = dict(inserts.group_by(DISTRICT_ID).len().iter_rows())
    return Plan(counts, candidates, order, fixes, notes, refused, by_district)


def _lookup(candidates: pl.DataFrame) -> pl.DataFrame:
    """Every register row holding one of the candidates' numbers that matters here (active, or
    removed as deceased/deprived), by row: one staging table, one join."""
    columns = ["id", "status", "removal_reason", "district_id", *UPDATABLE]
    schema = {
        ROW: pl.Int64,
        VOTER_ID: pl.Int64,
        "status": pl.Utf8,
        "removal_reason": pl.Utf8,
        "district_id": pl.Int64,
        "name": pl.Utf8,
        "ethnicity": pl.Int64,
        "household_address": pl.Utf8,
        "residence_address": pl.Utf8,
        "phone": pl.Utf8,
        "group": pl.Utf8,
    }
    if candidates.height == 0:
        return pl.DataFrame(schema=schema)
    quote = connection.ops.quote_name
    sql = (
        f"SELECT k.row, {', '.join('v.' + quote(c) for c in columns)} "  # noqa: S608 — names
        f"FROM {KEYS_TABLE} k JOIN {quote(Voter._meta.db_table)} v ON v.id_hash = k.id_hash "
        f"WHERE v.status IN ({_marks(ACTIVE)}) OR v.removal_reason IN ({_marks(FLAGGED_REASONS)})"
    )
    with connection.cursor() as cursor:
        # In hash order, so the join walks the register's id_hash index front to back.
        _stage_keys(cursor, candidates.select(ROW, HASH).sort(HASH))
        with _index_probes(cursor):
            cursor.execute(sql, [*ACTIVE, *FLAGGED_REASONS])
            found = cursor.fetchall()
        cursor.execute(f"DROP TABLE {KEYS_TABLE}")
    return pl.DataFrame(found, schema=schema, orient="row")


@contextmanager
def _index_probes(cursor: Any) -> Iterator[None]:
    """On PostgreSQL, join by probing the id_hash index once per key. The planner expects
    every key to match and hashes the whole register instead (12 s at 10M voters for a
    million keys, against 4 s of probes); most keys of a real import match nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET LOCAL enable_hashjoin = off")
    cursor.execute("SET LOCAL enable_mergejoin = off")
    yield  # an error aborts the transaction, and SET LOCAL ends with it
    cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
    cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _stage_keys(cursor: Any, keys: pl.DataFrame) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} (row integer, id_hash bytea)")
        payload = keys.select(ROW, _hex(HASH)).write_csv(include_header=False)
        with cursor.cursor.copy(
            f"COPY {KEYS_TABLE} (row, id_hash) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(payload.encode())
        cursor.execute(f"ANALYZE {KEYS_TABLE}")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} (row integer, id_hash blob)")
        cursor.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (%s, %s)", keys.iter_rows())  # noqa: S608


def _hex(column: str) -> pl.Expr:
    """A bytea column as PostgreSQL's text input (\\x0a1b…)."""
    return pl.concat_str(pl.lit("\\x"), pl.col(column).bin.encode("hex")).alias(column)


def _verdicts(candidates: pl.DataFrame, matches: pl.DataFrame) -> pl.DataFrame:
    """The candidates with VERDICT, HOLDER (district of the active registration), VOTER_ID
    (that registration) and FLAG (removal reason), added as columns: no copy of the frame."""
    active = matches.filter(pl.col("status").is_in(list(ACTIVE)))
    removed = (
        matches.filter(pl.col("removal_reason").is_in(list(FLAGGED_REASONS)))
        .group_by(ROW)
        .agg(pl.col("removal_reason").sort().first())  # "deceased" before "deprived"
    )

    def by_row(found: pl.DataFrame, column: str, dtype: type[pl.DataType]) -> pl.Expr:
        mapping = dict(zip(found[ROW].to_list(), found[column].to_list(), strict=True))
        return pl.col(ROW).replace_strict(mapping, default=None, return_dtype=dtype)

    marked = candidates.with_columns(
        by_row(active, "district_id", pl.Int64).alias(HOLDER),
        by_row(active, VOTER_ID, pl.Int64).alias(VOTER_ID),
        by_row(removed, "removal_reason", pl.Utf8).alias(FLAG),
    )
    return marked.with_columns(
        pl.when(pl.col(HOLDER) == pl.col(DISTRICT_ID))
        .then(pl.lit(HERE))
        .when(pl.col(HOLDER).is_not_null())
        .then(pl.lit(ELSEWHERE))
        .when(pl.col(FLAG).is_not_null())
        .then(pl.lit(FLAGGED))
        .otherwise(pl.lit(INSERT))
        .alias(VERDICT)
    )


def _conflict_notes(verdicts: pl.DataFrame) -> dict[int, str]:
    elsewhere = verdicts.filter(pl.col(VERDICT) == ELSEWHERE).select(ROW, HOLDER)
    names = _district_names(elsewhere[HOLDER].unique().to_list())
    notes = {
        row: _("已在%(where)s登记，本次未导入。") % {"where": names[code]}
        for row, code in elsewhere.iter_rows()
    }
    flagged = verdicts.filter(pl.col(VERDICT) == FLAGGED).select(ROW, FLAG)
    for row, reason in flagged.iter_rows():
        notes[row] = _("曾因%(why)s除名，请核实；本次未导入。") % {
            "why": RemovalReason(reason).label
        }
        if reason == RemovalReason.DEPRIVED:
            notes[row] += _("如已恢复政治权利，请在该选民的页面办理“恢复”。")
    return notes


def _district_names(codes: list[int]) -> dict[int, str]:
    """'江岸区大智街道第一选区' for each code: county, township and district."""
    names: dict[int, str] = {}
    for start in range(0, len(codes), SQLITE_VARIABLES):
        chunk = codes[start : start + SQLITE_VARIABLES]
        for place in District.objects.select_related("township__parent").filter(code__in=chunk):
            county = place.township.parent.name if place.township.parent else ""
            names[place.code] = f"{county}{place.township.name}{place.name}"
    return {code: names.get(code, str(code)) for code in codes}


def _differences(
    here: pl.DataFrame, matches: pl.DataFrame, *, update: bool
) -> tuple[pl.DataFrame, dict[int, str]]:
    """Rows registered here whose sheet values differ from the register: with ``update`` the
    corrections to make (VOTER_ID, the merged new values, what changed), else only notes.

    Only columns the sheet has are compared, and a blank cell never erases a value."""
    if here.height == 0:
        return pl.DataFrame(), {}
    present = {
        field: column
        for field, (column, _length) in UPDATABLE.items()
        if column in here.columns and (field != "ethnicity" or ETHNICITY in here.columns)
    }
    current = matches.filter(pl.col("status").is_in(list(ACTIVE))).drop(ROW, "status")
    both = here.select(VOTER_ID, ROW, *(pl.col(c).alias(f"__new_{f}") for f, c in present.items()))
    both = both.join(current, on=VOTER_ID, how="left")
    differs = {
        f: (pl.col(f"__new_{f}") != pl.col(f)) & (pl.col(f"__new_{f}").cast(pl.Utf8) != "")
        for f in present
    }
    changed = pl.concat_list(
        [pl.when(d).then(pl.lit(f)).otherwise(None) for f, d in differs.items()]
    ).list.drop_nulls()
    both = both.with_columns(changed.alias("__changed")).filter(pl.col("__changed").list.len() > 0)
    notes = {
        row: _note_for(fields, update=update)
        for row, fields in both.select(ROW, "__changed").iter_rows()
    }
    if not update:
        return pl.DataFrame(), notes
    merged = [
        pl.when(differs[f]).then(pl.col(f"__new_{f}")).otherwise(pl.col(f)).alias(f)
        if f in differs
        else pl.col(f)
        for f in UPDATABLE
    ]
    return both.select(VOTER_ID, ROW, "district_id", *merged, "__changed", *_olds(present)), notes


def _olds(present: dict[str, str]) -> list[pl.Expr]:
    return [pl.col(f).alias(f"__old_{f}") for f in present]


def _note_for(fields: Sequence[str], *, update: bool) -> str:
    labels = "、".join(FIELD_LABELS[f] for f in fields)
    if update:
        return _("已在本选区登记，已按本表更正：%(f)s。") % {"f": labels}
    return _("已在本选区登记；%(f)s与名册不一致，未选择“更新”，名册未改动。") % {"f": labels}


# --- Writing --------------------------------------------------------------------------------


def _write(
    plan: Plan,
    actor: User,
    election: Election,
    run: ImportRun | None,
    report: Progress,
    *,
    base: int,
) -> None:
    context = _ChangeContext(
        election=election.pk,
        actor=actor.pk,
        run=run.pk if run is not None else None,
        evidence=(_("批量导入：%(f)s") % {"f": run.original_name} if run else _("批量导入"))[:200],
    )
    ids = pl.Series(
        VOTER_ID, _reserve_ids(Voter, plan.accepted) if plan.accepted else [], dtype=pl.Int64
    )
    writer = _Writer.for_connection()
    done = base
    with tally.collecting():  # the counters, in one statement at the end, same transaction
        with _foreign_keys_per_chunk():
            for chunk in _prefetched(_prepared(plan, ids, context, writer)):
                writer.insert(chunk)
                done += chunk.size
                report(done)
        tally.voters_inserted(_counted(plan), election_id=election.pk)
        if plan.fixes.height:
            _watch_counted_fixes(plan.fixes)
            _apply_fixes(_with_pinyin(plan.fixes), context)


def _counted(plan: Plan) -> pl.DataFrame:
    """The inserted rows' fields the counters read, aggregated by tally with one group_by:
    the very values just written, so no read of the register."""
    return plan.candidates.filter(pl.col(VERDICT) == INSERT).select(
        pl.col(DISTRICT_ID).alias("district_id"),
        pl.col(SEX_FROM_ID).alias("sex"),
        pl.col(BIRTH_FROM_ID).alias("birth_date"),
        pl.col(ETHNICITY_CODE).alias("ethnicity"),
        pl.col(LIVES).alias("residence_kind"),
        pl.col(CHANGE_KIND).alias("kind"),
    )


def _watch_counted_fixes(fixes: pl.DataFrame) -> None:
    """Of the corrections, only a new ethnicity moves a counter (minority, the ethnicity
    table): those voters are locked and counted before and after (tally.watch_ids)."""
    assert set(UPDATABLE) & tally.COUNTED_FIELDS == {"ethnicity"}
    ids = fixes.filter(pl.col("__changed").list.contains("ethnicity"))[VOTER_ID].to_list()
    if ids:
        tally.watch_ids(ids)


@contextmanager
def _foreign_keys_per_chunk() -> Iterator[None]:
    """On PostgreSQL, check the new rows' foreign keys (Django makes them DEFERRABLE INITIALLY
    DEFERRED) at the end of each COPY rather than all five million at COMMIT, while the rows
    they point at are still in shared buffers. Same checks, same all-or-nothing."""
    if connection.vendor != "postgresql" or not CHECK_PER_CHUNK:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield  # an error aborts the transaction, and SET CONSTRAINTS ends with it
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@dataclass(frozen=True)
class _ChangeContext:
    election: int
    actor: int
    run: int | None
    evidence: str


@dataclass
class _Chunk:
    size: int
    voters: Any  # CSV bytes (PostgreSQL) or a list of tuples (SQLite)
    changes: Any


def _with_pinyin(rows: pl.DataFrame) -> pl.DataFrame:
    """Add name_pinyin and name_initials, computed once per distinct name."""
    names = rows[NAME].unique().to_list()
    convert = _PinyinCache()
    pairs = [convert(n) for n in names]
    full = dict(zip(names, (p[0] for p in pairs), strict=True))
    initials = dict(zip(names, (p[1] for p in pairs), strict=True))
    return rows.with_columns(
        pl.col(NAME).replace_strict(full, return_dtype=pl.Utf8).alias("name_pinyin"),
        pl.col(NAME).replace_strict(initials, return_dtype=pl.Utf8).alias("name_initials"),
    )


class _PinyinCache:
    """pinyin_of, but names made of characters that form no word in pypinyin's phrase
    dictionary (most names) are assembled from a per-character cache: pypinyin would segment
    them into single characters anyway, so the result is the same at a fraction of the cost
    (~120 µs a name in pypinyin). Tested against pinyin_of."""

    def __init__(self) -> None:
        from pypinyin.constants import PHRASES_DICT, RE_HANS

        self.phrases = PHRASES_DICT
        self.hans = RE_HANS
        self.chars: dict[str, str] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        plain = name.replace("·", "")
        if not self.hans.fullmatch(plain) or self._has_phrase(plain):
            return pinyin_of(name)
        syllables = [self._char(c) for c in plain]
        return "".join(syllables)[:200], "".join(s[0] for s in syllables if s)[:64]

    def _has_phrase(self, text: str) -> bool:
        return any(
            text[i:j] in self.phrases
            for i in range(len(text) - 1)
            for j in range(i + 2, len(text) + 1)
        )

    def _char(self, char: str) -> str:
        syllable = self.chars.get(char)
        if syllable is None:
            syllable = self.chars[char] = pinyin_of(char)[0]
        return syllable


def _prepared(
    plan: Plan, ids: pl.Series, context: _ChangeContext, writer: _Writer
) -> Iterator[_Chunk]:
    for start in range(0, plan.accepted, CHUNK_ROWS):
        chunk = plan.candidates[plan.order.slice(start, CHUNK_ROWS)]
        chunk = chunk.with_columns(ids.slice(start, CHUNK_ROWS))
        chunk = chunk.with_columns(_ciphers(chunk[ID_NORMALIZED].to_list()))
        voters = chunk.select(
            pl.col(VOTER_ID).alias("id"),
            pl.col(HASH).alias("id_hash"),
            pl.col("__cipher").alias("id_cipher"),
            pl.col(NAME).alias("name"),
            "name_pinyin",
            "name_initials",
            pl.col(SEX_FROM_ID).alias("sex"),
            pl.col(BIRTH_FROM_ID).alias("birth_date"),
            pl.col(ETHNICITY_CODE).alias("ethnicity"),
            pl.col(HOUSEHOLD_ADDRESS).alias("household_address"),
            pl.col(RESIDENCE_ADDRESS).alias("residence_address"),
            pl.col(PHONE).alias("phone"),
            pl.col(GROUP).alias("group"),
            pl.col(DISTRICT_ID).alias("district_id"),
            pl.col(LIVES).alias("residence_kind"),
            pl.lit(Status.REGISTERED.value).alias("status"),
            pl.lit(Source.IMPORT.value).alias("source"),
        )
        changes = chunk.select(
            pl.col(VOTER_ID).alias("voter_id"),
            pl.lit(context.election, dtype=pl.Int64).alias("election_id"),
            pl.col(CHANGE_KIND).alias("kind"),
            pl.col(DISTRICT_ID).alias("district_code"),
            pl.lit(context.actor, dtype=pl.Int64).alias("actor_id"),
            pl.lit(context.evidence).alias("evidence"),
            pl.col(EFFECTIVE_DATE).alias("effective_date"),
            pl.lit(context.run, dtype=pl.Int64).alias("import_run_id"),
        )
        yield _Chunk(chunk.height, writer.voters.encode(voters), writer.changes.encode(changes))


def _prefetched(chunks: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """``chunks``, made by a helper thread up to ``depth`` ahead: sealing and CSV encoding
    (Python and polars) overlap with the database writing the previous chunk. The thread
    never touches the database connection."""
    box: queue.Queue[_Chunk | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: _Chunk | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)

    worker = threading.Thread(target=produce, name="voter-import-seal", daemon=True)
    worker.start()
    try:
        while (item := box.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


@dataclass(frozen=True)
class _Table:
    """How rows reach one table: the columns sent, and constants for every other column."""

    model: type[Model]
    columns: tuple[str, ...]  # attnames sent by the import
    rest: tuple[str, ...]  # attnames filled with constants
    constants: tuple[Any, ...]
    postgres: bool

    @classmethod
    def of(cls, model: type[Model], columns: tuple[str, ...], now: datetime) -> _Table:
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in columns and not (f.primary_key and f.attname == "id")
        ]
        values = tuple(_constant(f, now) for f in fields)
        postgres = connection.vendor == "postgresql"
        if postgres:
            values = tuple(_csv_literal(v) for v in values)
        return cls(model, columns, tuple(f.attname for f in fields), values, postgres)

    @property
    def sql_columns(self) -> str:
        by_attname = {f.attname: f.column for f in self.model._meta.concrete_fields}
        quote = connection.ops.quote_name
        return ", ".join(quote(by_attname[a]) for a in (*self.columns, *self.rest))

    @property
    def name(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def encode(self, rows: pl.DataFrame) -> Any:
        if self.postgres:
            rows = rows.with_columns(
                *(_hex(c) for c, t in rows.schema.items() if t == pl.Binary),
                *(
                    pl.lit(v, dtype=pl.Utf8).alias(f"__{a}")
                    for a, v in zip(self.rest, self.constants, strict=True)
                ),
            )
            return rows.write_csv(include_header=False).encode()
        # Dates as Django stores them on SQLite (ISO text), without an adapter per value.
        rows = rows.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
        return [row + self.constants for row in rows.iter_rows()]

    def write(self, cursor: Any, payload: Any) -> None:
        if self.postgres:
            sql = f"COPY {self.name} ({self.sql_columns}) FROM STDIN (FORMAT csv)"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                copy.write(payload)
        else:
            marks = ", ".join(["%s"] * (len(self.columns) + len(self.rest)))
            cursor.executemany(
                f"INSERT INTO {self.name} ({self.sql_columns}) VALUES ({marks})",  # noqa: S608
                payload,
            )


def _csv_literal(value: Any) -> str | None:
    """A constant as PostgreSQL reads it from CSV (None is NULL)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    obj = getattr(value, "obj", value)  # psycopg's Jsonb wrapper
    if isinstance(obj, dict | list):
        return json.dumps(obj)
    return str(value)


VOTER_COLUMNS = (
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
CHANGE_COLUMNS = (
    "voter_id",
    "election_id",
    "kind",
    "district_code",
    "actor_id",
    "evidence",
    "effective_date",
    "import_run_id",
)


@dataclass(frozen=True)
class _Writer:
    voters: _Table
    changes: _Table

    @classmethod
    def for_connection(cls) -> _Writer:
        now = timezone.now()
        return cls(
            _Table.of(Voter, VOTER_COLUMNS, now), _Table.of(VoterChange, CHANGE_COLUMNS, now)
        )

    def insert(self, chunk: _Chunk) -> None:
        with connection.cursor() as cursor:
            self.voters.write(cursor, chunk.voters)
            self.changes.write(cursor, chunk.changes)


def _apply_fixes(fixes: pl.DataFrame, context: _ChangeContext) -> None:
    """Correct the registered voters of ``fixes`` (set-based) and record one CORRECTED change
    each, with what changed."""
    fields = (*UPDATABLE, "name_pinyin", "name_initials")
    values = fixes.select(VOTER_ID, *fields)
    quote = connection.ops.quote_name
    table = quote(Voter._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE {FIXES_TABLE} (id bigint, "
                + ", ".join(
                    f"{quote(f)} {'integer' if f == 'ethnicity' else 'text'}" for f in fields
                )
                + ")"
            )
            with cursor.cursor.copy(f"COPY {FIXES_TABLE} FROM STDIN (FORMAT csv)") as copy:
                copy.write(values.write_csv(include_header=False).encode())
            sets = ", ".join(f"{quote(f)} = f.{quote(f)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} v SET {sets}, updated_at = %s "  # noqa: S608 — names
                f"FROM {FIXES_TABLE} f WHERE v.id = f.id",
                [now],
            )
            cursor.execute(f"DROP TABLE {FIXES_TABLE}")
        else:
            sets = ", ".join(f"{quote(f)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {sets}, updated_at = %s WHERE id = %s",  # noqa: S608
                [(*row[1:], now.isoformat(), row[0]) for row in values.iter_rows()],
            )
    _record_corrections(fixes, context)


def _record_corrections(fixes: pl.DataFrame, context: _ChangeContext) -> None:
    summaries = [
        json.dumps(
            {"changed": {f: [row[f"__old_{f}"], row[f]] for f in row["__changed"]}},
            ensure_ascii=False,
        )
        for row in fixes.iter_rows(named=True)
    ]
    table = _Table.of(VoterChange, (*CHANGE_COLUMNS, "reason", "summary"), timezone.now())
    rows = fixes.select(
        pl.col(VOTER_ID).alias("voter_id"),
        pl.lit(context.election, dtype=pl.Int64).alias("election_id"),
        pl.lit(ChangeKind.CORRECTED.value).alias("kind"),
        pl.col("district_id").alias("district_code"),
        pl.lit(context.actor, dtype=pl.Int64).alias("actor_id"),
        pl.lit(context.evidence).alias("evidence"),
        pl.lit(None, dtype=pl.Date).alias("effective_date"),
        pl.lit(context.run, dtype=pl.Int64).alias("import_run_id"),
        pl.lit(_("批量导入更正")).alias("reason"),
        pl.Series("summary", summaries, dtype=pl.Utf8),
    )
    with connection.cursor() as cursor:
        table.write(cursor, table.encode(rows))


# --- Outcome and audit ----------------------------------------------------------------------


def _outcome(read: _Read, plan: Plan, *, dry_run: bool) -> Outcome:
    counts = plan.counts
    return Outcome(
        read=read.rows,
        accepted=counts.get(INSERT, 0),
        rejected=read.with_errors + plan.refused,
        warnings=read.with_warnings,
        conflicts=counts.get(ELSEWHERE, 0),
        already_registered=counts.get(HERE, 0),
        updated=plan.fixes.height,
        flagged_removed=counts.get(FLAGGED, 0),
        dry_run=dry_run,
        row_notes=plan.notes,
    )


def _audit(
    outcome: Outcome,
    actor: User,
    election: Election,
    district: District | None,
    run: ImportRun | None,
    plan: Plan,
) -> None:
    by_district = plan.by_district
    audit_record(
        actor=actor,
        action="voter.import",
        target=run,
        region_code=district.code
        if district is not None
        else _common_region(set(by_district) or {election.region_id}, election),
        summary={
            "run": run.pk if run is not None else None,
            "election": election.code,
            "rows": outcome.read,
            "accepted": outcome.accepted,
            "rejected": outcome.rejected,
            "warnings": outcome.warnings,
            "conflicts": outcome.conflicts,
            "already_registered": outcome.already_registered,
            "updated": outcome.updated,
            "flagged_removed": outcome.flagged_removed,
            "districts": {str(code): n for code, n in sorted(by_district.items())},
        },
    )
