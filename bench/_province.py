"""A whole province for the benchmarks of the cross-check and statistics issues, built once and
kept, because ten million voters take minutes to make and several benchmarks read them.

    python bench/<script>.py --voters 10000000 [--rebuild]

``province(args)`` opens (creating on first use) the PostgreSQL database
``renda_bench_province_<voters>`` and its own var directory ``var/bench/province_<voters>``
(its keys: the ID hashes must stay valid between runs), migrates it (``_migrate`` repairs one
hazard of a database kept while apps are written: an app migrated before a dependency it
gained later, when that app's tables are still empty), and brings it up to:

- the real divisions of China and the demo accounts, districts and election (``hubei-demo``);
- ``PER_TOWNSHIP`` districts in every township of 湖北省 that has none (about 50,000 in all —
  a real province's count, which is what the per-district counters and dashboards scale with);
- ``--voters`` voters spread over those districts, with real-looking names and pinyin and real
  ID numbers (valid check digits; each unique; hashed with the database's key so lookups by
  hash, one-edit variants and the roster join all work; ``id_numbers`` and ``voter_numbers``
  give any of them back), written with placeholder ciphertexts; 2 % removed (deceased or moved
  out), 0.3 % suspended, 0.2 % not listed, 1 % with the mobile box, 4 % minority ethnicities;
  one change row each (registered, plus the removal's kind);
- real ciphertexts in place of the placeholders (step "ciphers": pages decrypt what they mask);
- the registration counters rebuilt from that register, when the counters exist;
- the household roster with planted differences (step "base records", when the roster models
  exist; see ``_base_records``), what was planted kept as JSON under ``base:planted``.

What has been built is recorded in ``bench_province`` (key, value), so a second run only
migrates and checks. Indexes are dropped while loading and rebuilt after, as in
``import_voters.fill_register``. Rows are written with COPY (the roster's copies of the
voters with INSERT … SELECT); nothing here is timed as a result — each benchmark times its own
work on top. ``collect_static`` collects the static files for the benchmarks that render pages.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from _harness import PG_SERVER, ROOT, _pg_admin, print_machine, stopwatch
from import_voters import CHECK, WEIGHTS, Draw, dropped_indexes, write_voters

PROVINCE = 420000000000  # 湖北省
PER_TOWNSHIP = 40
CHUNK = 500_000
DAYS = 70 * 365  # birth dates spread over seventy years before BORN_BEFORE
BORN_BEFORE = date(2008, 1, 1)
MAX_VOTERS = DAYS * 1000  # (birth date, sequence) pairs: every number is unique below this
MINORITIES = (15, 3, 8, 4, 5, 2)  # 土家族 回族 苗族 藏族 维吾尔族 蒙古族 (renda.voters.ethnicity)
# The base data (roster): planted differences, by a hash of the voter id into 1,000 buckets.
WRONG_NAME, WRONG_SEX, WRONG_BIRTH = (0, 1), (2,), (3, 4)  # 错登: 0.5 % in all
ELSEWHERE = (5, 6, 7, 8, 9)  # the roster puts them in the next district: 0.5 %
MISSING_SHARE = 0.01  # people on the roster and not in the register (漏登)
RESIDUALS = 10_000  # records with a typed, invalid or missing ID number
CONFIRM_DISTRICT = 420102002099  # a district of 大智街道 with CONFIRM expected people
CONFIRM = 5_000


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--voters", type=int, default=10_000_000, help="voters in the province")
    parser.add_argument("--rebuild", action="store_true", help="drop the kept database first")


@contextmanager
def province(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """Django set up on the kept province database; yields what it holds (bench_province)."""
    if args.voters > MAX_VOTERS:
        raise SystemExit(f"--voters at most {MAX_VOTERS:,} (unique ID numbers)")
    tag = f"province_{args.voters}"
    name = f"renda_bench_{tag}"
    var_dir = ROOT / "var" / "bench" / tag
    if args.rebuild:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for key in (var_dir / "keys").glob("*"):
            key.unlink()
    if not _database_exists(name):
        _pg_admin(f'CREATE DATABASE "{name}"')
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["RENDA_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    print_machine("postgres")
    with stopwatch() as lap:
        _migrate(call_command)
    print(f"migrate: {lap.wall:.1f} s")
    try:
        yield build(args.voters)
    finally:
        connections.close_all()


def _migrate(call_command: Callable[..., Any]) -> None:
    """Migrate, repairing one hazard of a database kept while apps are being written: an
    app's migration applied before a dependency that was added to it afterwards. If every
    table of that app is empty, its tables are dropped and its history forgotten, so it is
    migrated again after its new dependency; otherwise the run stops and says so."""
    import re

    from django.db import connection
    from django.db.migrations.exceptions import InconsistentMigrationHistory

    for _attempt in range(5):
        try:
            call_command("migrate", verbosity=0)
            return
        except InconsistentMigrationHistory as error:
            found = re.match(r"Migration (\w+)\.", str(error))
            if found is None:
                raise
            app = found.group(1)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname LIKE %s",
                    [f"{app}\\_%"],
                )
                tables = cursor.fetchall()
                for table, _rows in tables:
                    cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
                    if cursor.fetchone()[0]:
                        raise SystemExit(f"{error}; {table} holds rows: repair by hand") from None
                print(f"migrate: {error} — dropping the empty tables of {app} and its history")
                for table, _rows in tables:
                    cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
                cursor.execute("DELETE FROM django_migrations WHERE app = %s", [app])
    raise SystemExit("migrate: the history could not be repaired")


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def build(voters: int) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_province (key text PRIMARY KEY, value text NOT NULL)"
        )
    done = _meta()
    steps: tuple[tuple[str, Callable[[], str | None]], ...] = (
        ("divisions", _divisions),
        ("districts", _districts),
        (f"voters:{voters}", lambda: _voters(voters)),
        ("ciphers", _real_ciphers),
        ("counters", _counters),
        ("base records", lambda: _base_records(voters)),
    )
    for key, step in steps:
        if key in done:
            continue
        with stopwatch() as lap:
            note = step()
        if note is None:  # nothing to build in this version: try again next time
            continue
        _record(key, f"{note} ({lap.wall:.0f} s)")
        print(f"province: {key} — {note} in {lap.wall:.1f} s")
    return _meta()


def _meta() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value FROM bench_province")
        return dict(cursor.fetchall())


def _record(key: str, value: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_province VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def _divisions() -> str:
    from renda.demo.builder import build_demo
    from renda.demo.voters import demo_election
    from renda.regions.loaders import load_regions

    load_regions()
    build_demo()
    election = demo_election()
    return f"regions, demo accounts, election {election.code} on {election.election_day}"


def _districts() -> str:
    """``PER_TOWNSHIP`` districts in each current township of the province that has none."""
    from django.db import connection

    from renda.regions.codes import Level
    from renda.regions.models import District, Region

    lo, hi = PROVINCE, PROVINCE + 10**10 - 1
    have = set(District.objects.filter(code__range=(lo, hi)).values_list("township_id", flat=True))
    townships = Region.objects.filter(
        level=Level.TOWNSHIP, code__range=(lo, hi), valid_to__isnull=True
    ).exclude(code__in=have)
    draw = Draw(1)
    new = []
    for township in townships.iterator():
        for seq in range(1, PER_TOWNSHIP + 1):
            roll = draw.rng.randrange(1000)
            new.append(
                District(
                    code=township.code + seq,
                    township=township,
                    name=f"第{seq}选区",
                    seats=1 + roll % 3,
                    population=2000 + roll * 3,
                )
            )
    District.objects.bulk_create(new, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE regions_district")  # as autovacuum would, before anyone reads
    total = District.objects.filter(code__range=(lo, hi)).count()
    return f"{len(new):,} districts added, {total:,} in the province"


def _voters(n: int) -> str:
    """``n`` voters over all the province's districts, numbered from those already there."""
    from django.db import connection

    from renda.demo.voters import demo_election
    from renda.voters.models import Voter, VoterChange

    election = demo_election()
    codes = _district_codes()
    start = Voter.objects.count()
    if start >= n:
        return f"{start:,} voters already there"
    names = _name_pool(election.election_day)
    draw = Draw(2)
    tables = [Voter._meta.db_table, VoterChange._meta.db_table]
    with dropped_indexes(tables), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cursor.execute("SELECT coalesce(max(id), 0) FROM voters_voter")
        (first_new_id,) = cursor.fetchone()
        for lo in range(start, n, CHUNK):
            k = min(CHUNK, n - lo)
            write_voters(cursor, _rows(draw, lo, k, names, codes), "postgres")
        cursor.execute(
            "INSERT INTO voters_voterchange (voter_id, election_id, kind, district_code, at,"
            " reason, evidence, summary) SELECT id, %s, 'registered', district_id,"
            " registered_at, '', '', '{}' FROM voters_voter WHERE id > %s",
            [election.pk, first_new_id],
        )
        cursor.execute(
            "INSERT INTO voters_voterchange (voter_id, election_id, kind, district_code, at,"
            " reason, evidence, summary) SELECT id, %s, removal_reason, district_id,"
            " updated_at, '', '', '{}' FROM voters_voter WHERE id > %s AND status = 'removed'",
            [election.pk, first_new_id],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE voters_voter")
        cursor.execute("ANALYZE voters_voterchange")
    return f"{n - start:,} voters added, {n:,} in all"


def _district_codes() -> pl.Series:
    from renda.regions.models import District

    return pl.Series(
        "district_id",
        list(
            District.objects.filter(code__range=(PROVINCE, PROVINCE + 10**10 - 1))
            .exclude(code=CONFIRM_DISTRICT)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        dtype=pl.Int64,
    )


def _name_pool(election_day: date) -> pl.DataFrame:
    """20,000 people of the demo province (names, pinyin, groups) to draw names from."""
    from renda.demo.people import PeopleMaker
    from renda.demo.voters import demo_places
    from renda.voters.importing.commit import _PinyinCache

    maker = PeopleMaker(demo_places(), election_day)
    pinyin = _PinyinCache()
    pool = [maker.person() for _ in range(20_000)]
    return pl.DataFrame(
        [(p.name, *pinyin(p.name), p.group) for p in pool],
        schema=["name", "name_pinyin", "name_initials", "group"],
        orient="row",
    )


def _rows(draw: Draw, lo: int, k: int, names: pl.DataFrame, codes: pl.Series) -> pl.DataFrame:
    """Voters number ``lo`` … ``lo + k - 1``: number i is born ``i % DAYS`` days before
    BORN_BEFORE with sequence ``i // DAYS`` (its parity the sex), so no two are the same."""
    from renda.core.crypto import keyed_hash

    i = pl.int_range(lo, lo + k, eager=True, dtype=pl.Int64)
    district = codes.gather(draw.ints(k, 0, codes.len()))
    roll = draw.floats(k)
    frame = pl.DataFrame({"i": i, "district_id": district, "roll": roll}).with_columns(
        _born(pl.col("i")).alias("birth_date"), (pl.col("i") // DAYS).alias("seq")
    )
    numbers = frame.select(_number()).to_series()
    hashes = pl.Series([keyed_hash(number) for number in numbers], dtype=pl.Binary)
    people = names[draw.ints(k, 0, names.height)]
    status = (
        pl.when(pl.col("roll") < 0.01)
        .then(pl.lit("removed"))  # deceased
        .when(pl.col("roll") < 0.02)
        .then(pl.lit("removed"))  # moved out
        .when(pl.col("roll") < 0.023)
        .then(pl.lit("suspended"))
        .when(pl.col("roll") < 0.025)
        .then(pl.lit("not_listed"))
        .otherwise(pl.lit("registered"))
    )
    reason = (
        pl.when(pl.col("roll") < 0.01)
        .then(pl.lit("deceased"))
        .when(pl.col("roll") < 0.02)
        .then(pl.lit("moved_out"))
        .otherwise(pl.lit(""))
    )
    minority = (pl.col("i") % len(MINORITIES)).replace_strict(dict(enumerate(MINORITIES)))
    return frame.select(
        hashes.alias("id_hash"),
        draw.blobs(k, 46, first=b"\x01").alias("id_cipher"),
        people["name"],
        people["name_pinyin"],
        people["name_initials"],
        pl.when(pl.col("seq") % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F")).alias("sex"),
        "birth_date",
        pl.when((pl.col("roll") * 1000 % 1) < 0.04).then(minority).otherwise(1).alias("ethnicity"),
        pl.lit("").alias("household_address"),
        pl.lit("").alias("residence_address"),
        pl.lit("").alias("phone"),
        people["group"],
        "district_id",
        status.alias("status"),
        reason.alias("removal_reason"),
        pl.lit("household").alias("residence_kind"),
        pl.lit("").alias("status_note"),
        ((pl.col("roll") * 100 % 1) < 0.01).alias("mobile_box"),
        pl.lit("base").alias("source"),
        pl.lit("2026-06-01 00:00:00").alias("registered_at"),
        pl.lit("2026-06-01 00:00:00").alias("updated_at"),
    )


def _real_ciphers() -> str:
    """Real AES-GCM ciphertexts for the voters ``_rows`` gave placeholders (the list pages
    decrypt what they show, to mask it; so does the fuzzy matcher): each number rebuilt by
    ``id_numbers`` and sealed, its hash checked against the stored one. One UPDATE from a
    staging table with the secondary indexes dropped, then VACUUM FULL (an UPDATE of every
    row would leave the table twice its size, and a sequential scan — the benchmarks'
    GROUP BY baseline — slower for it). Roster records copied from voters follow."""
    import json

    from django.db import connection, transaction

    from renda.voters import pii

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM voters_voter WHERE source = 'base'")
        first, total = cursor.fetchone()
    if not total:
        return "no voters"
    with dropped_indexes(["voters_voter"]):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_cipher (id bigint, c bytea) ON COMMIT DROP"
            )
            last = 0
            while True:
                cursor.execute(
                    "SELECT id, district_id, id_hash FROM voters_voter WHERE id > %s"
                    " AND source = 'base' ORDER BY id LIMIT %s",
                    [last, CHUNK],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                frame = pl.DataFrame(rows, schema=["id", "district_id", "id_hash"], orient="row")
                numbers = id_numbers(frame["id"] - first, frame["district_id"])
                lines = []
                for pk, number, stored in zip(frame["id"], numbers, frame["id_hash"], strict=True):
                    sealed = pii.seal(number)
                    if sealed.hash != bytes(stored):
                        raise SystemExit(f"voter {pk}: its ID number cannot be rebuilt")
                    lines.append(f"{pk},\\x{sealed.cipher.hex()}\n")
                with cursor.cursor.copy("COPY bench_cipher FROM STDIN (FORMAT csv)") as copy:
                    copy.write("".join(lines).encode())
                last = rows[-1][0]
            cursor.execute(
                "UPDATE voters_voter v SET id_cipher = c.c FROM bench_cipher c WHERE c.id = v.id"
            )
            updated = cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL voters_voter")
    note = f"{updated:,} voters sealed"
    planted = _meta().get("base:planted")
    if planted:
        batch = json.loads(planted)["roster_batch"]
        with dropped_indexes(["roster_baserecord"]):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE roster_baserecord r SET id_cipher = v.id_cipher FROM voters_voter v"
                    " WHERE v.id = r.row AND v.id_hash = r.id_hash AND r.batch_id = %s",
                    [batch],
                )
                note += f", {cursor.rowcount:,} roster records following"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM FULL roster_baserecord")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE voters_voter")
    return note


def _born(i: pl.Expr) -> pl.Expr:
    return pl.lit(BORN_BEFORE) - pl.duration(days=i % DAYS)


def _number() -> pl.Expr:
    """The ID number of person ``i`` living in ``district_id`` (columns of the frame): the
    county's code, the birth date of ``i``, the sequence ``i // DAYS``, the check character."""
    first17 = pl.concat_str(
        (pl.col("district_id") // 10**6).cast(pl.Utf8),
        _born(pl.col("i")).dt.strftime("%Y%m%d"),
        (pl.col("i") // DAYS).cast(pl.Utf8).str.zfill(3),
    )
    digits = [first17.str.slice(p, 1).cast(pl.Int64) * w for p, w in enumerate(WEIGHTS)]
    check = (pl.sum_horizontal(digits) % 11).replace_strict(dict(enumerate(CHECK)))
    return (first17 + check).alias("number")


def id_numbers(i: pl.Series, districts: pl.Series) -> pl.Series:
    """The clear ID numbers of people number ``i`` living in ``districts`` — what ``_rows``
    gave voter ``i`` (voter ``i`` is the (i+1)-th row written, see ``voter_numbers``); numbers
    from ``--voters`` on belong to nobody in the register."""
    frame = pl.DataFrame({"i": i.cast(pl.Int64), "district_id": districts.cast(pl.Int64)})
    return frame.select(_number()).to_series()


def voter_numbers(ids: list[int]) -> dict[int, str]:
    """Voter id → its clear ID number, for voters written by ``_voters`` (their ids follow
    ``i`` in order from the first one written); each checked against the stored hash."""
    from django.db import connection

    from renda.core.crypto import keyed_hash

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM voters_voter WHERE source = 'base'")
        (first,) = cursor.fetchone()
        cursor.execute(
            "SELECT id, district_id, id_hash FROM voters_voter WHERE id = ANY(%s) ORDER BY id",
            [ids],
        )
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=["id", "district_id", "id_hash"], orient="row")
    numbers = id_numbers(frame["id"] - first, frame["district_id"])
    found = {}
    for pk, number, stored in zip(frame["id"], numbers, frame["id_hash"], strict=True):
        if keyed_hash(number) != bytes(stored):
            raise SystemExit(f"voter {pk}: its ID number cannot be rebuilt (not a kept voter?)")
        found[pk] = number
    return found


def _counters() -> str | None:
    """The registration counters of the demo election, rebuilt from the register."""
    try:
        from renda.voters import tally
    except ImportError:
        return None
    from renda.demo.voters import demo_election

    rebuild: Any = getattr(tally, "rebuild", None)
    if rebuild is None:
        return None
    started = time.perf_counter()
    rebuild(demo_election())
    return f"rebuilt in {time.perf_counter() - started:.1f} s"


def _base_records(n: int) -> str | None:
    """The household roster (基础数据) of the province, about as many records as voters:

    - every active voter's record, in the voter's district, copied by one INSERT … SELECT —
      except in buckets ``WRONG_*`` (another name, sex or birth date: 错登) and ``ELSEWHERE``
      (the roster's district is the next one of the township);
    - ``MISSING_SHARE`` × n people who are not registered (漏登), numbers ``n``, ``n + 1``, …
      of ``id_numbers``, in random districts;
    - ``RESIDUALS`` records of registered voters (their own records left out of the copy)
      whose ID number was mistyped — one digit changed, two adjacent digits swapped, a digit
      dropped, the check character wrong — or is missing: the fuzzy matcher's work;
    - ``CONFIRM`` people expected in a district of their own, ``CONFIRM_DISTRICT``, none
      registered: the bulk confirmation's work.

    New records are sealed (hash and cipher) as the roster import seals them and written by
    COPY; all are ``expected``, already assigned to their district. Then 应登记 is set on the
    counters (roster services' ``expected_refresh``). What was planted is kept as JSON under
    ``base:planted``."""
    try:
        from renda.roster.models import BaseBatch, BaseRecord, SourceKind
        from renda.roster.services.expected import expected_refresh
    except ImportError:
        return None
    import json

    from django.db import connection, transaction
    from django.utils import timezone

    from renda.accounts.models import User
    from renda.demo.voters import demo_election
    from renda.regions.models import District, Region
    from renda.voters.importing.commit import _Table

    if BaseRecord.objects.exists():
        return "base records already there"
    election = demo_election()
    actor = User.objects.get(username="hubei")
    province = Region.objects.get(code=PROVINCE)
    township = Region.objects.get(code=CONFIRM_DISTRICT // 1000 * 1000)
    District.objects.get_or_create(
        code=CONFIRM_DISTRICT,
        defaults={"township": township, "name": "基础数据确认测试选区", "seats": 3},
    )

    def batch(name: str, region: Region) -> int:
        made = BaseBatch.objects.create(
            source=SourceKind.HOUSEHOLD,
            region=region,
            election=election,
            name=name,
            created_by=actor,
        )
        return made.pk

    roster = batch("湖北省户籍基础数据（基准测试）", province)
    typed = batch("录入有误的户籍记录（基准测试）", province)
    confirm = batch("大智街道待确认人员（基准测试）", township)
    draw = Draw(3)
    residual_ids = _residual_voters(draw, RESIDUALS)
    numbers = voter_numbers(residual_ids)
    columns = (
        "batch_id", "source", "row", "id_hash", "id_cipher", "id_valid", "name",
        "name_pinyin", "sex", "birth_date", "ethnicity", "county_code", "township_code",
        "district_id",
    )  # fmt: skip
    table = _Table.of(BaseRecord, columns, timezone.now())
    names = _name_pool(election.election_day)
    missing = round(n * MISSING_SHARE)
    planted: dict[str, int] = {}
    with (
        transaction.atomic(),
        dropped_indexes([BaseRecord._meta.db_table]),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
        planted.update(_copy_register(cursor, roster, residual_ids))
        codes = _district_codes()
        for lo in range(0, missing, CHUNK):
            k = min(CHUNK, missing - lo)
            people = _new_people(draw, n + lo, codes.gather(draw.ints(k, 0, codes.len())))
            table.write(cursor, table.encode(_records(people, roster, names, draw)))
        people = _new_people(
            draw, n + missing, pl.Series([CONFIRM_DISTRICT] * CONFIRM, dtype=pl.Int64)
        )
        table.write(cursor, table.encode(_records(people, confirm, names, draw)))
        typos = _typed_records(draw, residual_ids, numbers, typed)
        table.write(cursor, table.encode(typos))
    planted.update(missing=missing, residuals=typos.height, confirm=CONFIRM)
    planted.update(roster_batch=roster, residual_batch=typed, confirm_batch=confirm)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE roster_baserecord")
    with transaction.atomic():
        expected_refresh([(PROVINCE, PROVINCE + 10**10 - 1)])
    _record("base:planted", json.dumps(planted))
    total = BaseRecord.objects.count()
    return (
        f"{total:,} records: {planted['copied']:,} of registered voters (错登"
        f" {planted['wrong']:,}, elsewhere {planted['elsewhere']:,}), 漏登 {missing:,},"
        f" {typos.height:,} with typed IDs, {CONFIRM:,} to confirm in {CONFIRM_DISTRICT}"
    )


def _bucket(column: str) -> str:
    return f"(({column} * 7919) %% 1000)"


def _copy_register(cursor: Any, batch: int, skip: list[int]) -> dict[str, int]:
    """Every active voter's roster record but ``skip``, planted differences included."""
    from renda.voters.models import ACTIVE

    bucket = _bucket("v.id")

    def among(buckets: tuple[int, ...]) -> str:
        return f"{bucket} IN ({', '.join(str(b) for b in buckets)})"

    cursor.execute("CREATE TEMPORARY TABLE bench_skip (id bigint PRIMARY KEY) ON COMMIT DROP")
    with cursor.cursor.copy("COPY bench_skip (id) FROM STDIN") as copy:
        copy.write("".join(f"{pk}\n" for pk in skip).encode())
    other = "CASE WHEN right(v.name, 1) = '华' THEN '明' ELSE '华' END"
    cursor.execute(
        "INSERT INTO roster_baserecord (batch_id, source, row, id_hash, id_cipher, id_valid,"
        " name, name_pinyin, sex, birth_date, ethnicity, household_address, village,"
        " county_code, township_code, district_id, status, voter_id, exception_reason, note,"
        " effective_date, until_date, document, decided_by_id, decided_at)"
        f" SELECT %s, 'household', v.id, v.id_hash, v.id_cipher, true,"
        f" CASE WHEN {among(WRONG_NAME)} THEN left(v.name, -1) || {other} ELSE v.name END,"
        " v.name_pinyin,"
        f" CASE WHEN {among(WRONG_SEX)} THEN (CASE v.sex WHEN 'M' THEN 'F' ELSE 'M' END)"
        " ELSE v.sex END,"
        f" CASE WHEN {among(WRONG_BIRTH)} THEN v.birth_date + 1 ELSE v.birth_date END,"
        " v.ethnicity, '', '', v.district_id / 1000000 * 1000000, v.district_id / 1000 * 1000,"
        f" CASE WHEN {among(ELSEWHERE)} THEN coalesce(n.code, v.district_id)"
        " ELSE v.district_id END,"
        " 'expected', NULL, '', '', NULL, NULL, '', NULL, NULL"
        " FROM voters_voter v LEFT JOIN regions_district n ON n.code = v.district_id + 1"
        " AND n.code / 1000 = v.district_id / 1000"
        " WHERE v.status = ANY(%s) AND NOT EXISTS (SELECT 1 FROM bench_skip s WHERE s.id = v.id)",
        [batch, [str(s) for s in ACTIVE]],
    )
    copied = cursor.rowcount
    cursor.execute(  # what was planted, from the same rules (every changed field differs)
        f"SELECT count(*) FILTER (WHERE {among(WRONG_NAME + WRONG_SEX + WRONG_BIRTH)}),"
        f" count(*) FILTER (WHERE {among(ELSEWHERE)} AND n.code IS NOT NULL)"
        " FROM voters_voter v LEFT JOIN regions_district n ON n.code = v.district_id + 1"
        " AND n.code / 1000 = v.district_id / 1000"
        " WHERE v.status = ANY(%s) AND NOT EXISTS (SELECT 1 FROM bench_skip s WHERE s.id = v.id)",
        [[str(s) for s in ACTIVE]],
    )
    wrong, elsewhere = cursor.fetchone()
    return {"copied": copied, "wrong": wrong, "elsewhere": elsewhere}


def _residual_voters(draw: Draw, k: int) -> list[int]:
    """``k`` active voters, drawn at random, whose records will carry a typed ID number."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM voters_voter WHERE source = 'base'")
        lo, hi = cursor.fetchone()
        picked = sorted(draw.rng.sample(range(lo, hi + 1), min(2 * k, hi - lo + 1)))
        cursor.execute(
            "SELECT id FROM voters_voter WHERE id = ANY(%s) AND status = 'registered'"
            f" AND {_bucket('id')} NOT IN (0, 1, 2, 3, 4, 5, 6, 7, 8, 9) ORDER BY id",
            [picked],
        )
        found = [pk for (pk,) in cursor.fetchall()]
    return sorted(draw.rng.sample(found, min(k, len(found))))


def _new_people(draw: Draw, first: int, districts: pl.Series) -> pl.DataFrame:
    """People number ``first`` … living in ``districts``: numbers nobody in the register has."""
    k = districts.len()
    i = pl.int_range(first, first + k, eager=True, dtype=pl.Int64)
    frame = pl.DataFrame({"i": i, "district_id": districts})
    return frame.with_columns(
        id_numbers(i, districts).alias("number"),
        _born(pl.col("i")).alias("birth_date"),
        pl.when((pl.col("i") // DAYS) % 2 == 1)
        .then(pl.lit("M"))
        .otherwise(pl.lit("F"))
        .alias("sex"),
    )


def _records(people: pl.DataFrame, batch: int, names: pl.DataFrame, draw: Draw) -> pl.DataFrame:
    """Roster rows (``columns`` of ``_base_records``) for ``people``, sealed."""
    from renda.voters import pii

    sealed = [pii.seal(number) for number in people["number"]]
    named = names[draw.ints(people.height, 0, names.height)]
    return _shape(
        people.with_columns(
            pl.Series("id_hash", [x.hash for x in sealed], dtype=pl.Binary),
            pl.Series("id_cipher", [x.cipher for x in sealed], dtype=pl.Binary),
            pl.lit(True).alias("id_valid"),
            named["name"],
            named["name_pinyin"],
            pl.lit(1, dtype=pl.Int64).alias("ethnicity"),
        ),
        batch,
    )


def _shape(frame: pl.DataFrame, batch: int, row: pl.Expr | None = None) -> pl.DataFrame:
    """The roster columns; ``row`` the row number (default 1, 2, …)."""
    return frame.select(
        pl.lit(batch, dtype=pl.Int64).alias("batch_id"),
        pl.lit("household").alias("source"),
        (pl.int_range(1, frame.height + 1) if row is None else row).alias("row"),
        "id_hash",
        "id_cipher",
        "id_valid",
        "name",
        "name_pinyin",
        "sex",
        "birth_date",
        "ethnicity",
        (pl.col("district_id") // 10**6 * 10**6).alias("county_code"),
        (pl.col("district_id") // 1000 * 1000).alias("township_code"),
        "district_id",
    )


TYPOS = ("substitution", "swap", "dropped", "check", "missing")


def _typo(number: str, kind: str, draw: Draw) -> str | None:
    """``number`` as a clerk might have typed it (always invalid: MOD 11-2 catches one
    changed digit and one adjacent swap), or None for a missing number."""
    rng = draw.rng
    if kind == "missing":
        return None
    if kind == "check":
        return number[:17] + rng.choice([c for c in CHECK if c != number[17]])
    if kind == "dropped":
        at = rng.randrange(17)
        return number[:at] + number[at + 1 :]
    if kind == "swap":
        spots = [p for p in range(16) if number[p] != number[p + 1]]
        at = rng.choice(spots)
        return number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    at = rng.randrange(17)
    return number[:at] + rng.choice([d for d in "0123456789" if d != number[at]]) + number[at + 1 :]


def _typed_records(
    draw: Draw, voter_ids: list[int], numbers: dict[int, str], batch: int
) -> pl.DataFrame:
    """The roster records of ``voter_ids`` with their numbers mistyped (``TYPOS`` in turn:
    40 % one digit changed, 15 % swapped, 15 % dropped, 10 % a wrong check character, 20 %
    missing); name, sex, birth date and district are the voter's, and the row number is
    the voter's id (so a benchmark can tell whether the right voter was found)."""
    from renda.voters import pii
    from renda.voters.models import Voter

    weights = (40, 15, 15, 10, 20)
    kinds = draw.rng.choices(TYPOS, weights, k=len(voter_ids))
    texts = [_typo(numbers[pk], kind, draw) for pk, kind in zip(voter_ids, kinds, strict=True)]
    voters = {
        v["id"]: v
        for v in Voter.objects.filter(id__in=voter_ids).values(
            "id", "name", "name_pinyin", "sex", "birth_date", "ethnicity", "district_id"
        )
    }
    rows = [voters[pk] for pk in voter_ids]
    frame = pl.DataFrame(rows).with_columns(
        pl.Series("id_hash", [None] * len(rows), dtype=pl.Binary),
        pl.Series(
            "id_cipher",
            [None if t is None else pii.seal(t).cipher for t in texts],
            dtype=pl.Binary,
        ),
        pl.lit(False).alias("id_valid"),
        pl.col("ethnicity").cast(pl.Int64),
    )
    return _shape(frame, batch, pl.col("id"))  # the row number says whose record it is


def collect_static() -> None:
    """The pages need the static files' manifest (DEBUG off, as in production): collected
    into the province's var directory."""
    from django.core.management import call_command

    with stopwatch() as lap:
        call_command("collectstatic", interactive=False, verbosity=0)
    print(f"collectstatic: {lap.wall:.1f} s")


def kept_path() -> Path:
    return ROOT / "var" / "bench"
