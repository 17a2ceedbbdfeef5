"""Benchmark: a voter list of 1,000,000 rows imported into a register of 10,000,000 (issue 4,
item 8), end to end — read (polars for CSV, fastexcel for xlsx) + validate + commit.

    python bench/import_voters.py [--db postgres|sqlite|both] [--rows 1000000]
        [--existing 10000000] [--sqlite-existing 1000000] [--formats csv,xlsx]
        [--overlap 0.01]
    python bench/import_voters.py --province 10000000 [--rows …] [--formats …]

``--province N`` imports into a throwaway copy of the kept province of N voters
(bench/_province.py: real hashes, ciphers, names, counters and roster) instead of a register
filled here; PostgreSQL only.

Setup, not timed: the real divisions and the demo districts and accounts; ``--existing``
voters (``--sqlite-existing`` on SQLite) spread over the demo districts, each with its change
row, written straight into voters_voter by COPY (executemany on SQLite) with the secondary
indexes dropped and rebuilt afterwards — their ID hashes and ciphertexts are random bytes of
the right sizes (32 and 47), since sealing 10M made-up numbers in Python would only slow the
setup. Then, per format, a file of ``--rows`` synthetic people of 江岸区 (real-looking names,
valid ID numbers, addresses, phones, groups, a 选区代码 column over the county's districts, a
title row above the header), imported by the county's staff account with the file's own
district codes; ``--overlap`` of them are already in the register (half in their own
district, half in another) so the lookups find something.

Timed: reader.read_table + validate.validate + commit.commit, the real pipeline, with the
commit's parts broken down. Same-run baseline: reading the same file raw (polars read_csv /
fastexcel load_sheet, every cell as text) + one raw COPY (executemany on SQLite) of exactly
the rows the import inserts — hashed, sealed, pinyin filled in beforehand — into voters_voter
itself, inside a transaction rolled back afterwards (the very table: same 10M rows, same
indexes, same foreign key), run twice before the import; the faster of the two counts. Goals: CSV ≤ 30 s and xlsx ≤ 40 s on PostgreSQL, i.e. ≤ 1.5× the baseline; CSV ≤ 45 s
on SQLite; peak memory ≤ 2 GiB (ru_maxrss, reset before each import).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from _harness import (
    Table,
    load_average,
    parse_args,
    peak_rss_mib,
    reset_peak_rss,
    run,
    stopwatch,
)

COUNTY = 420102  # 江岸区, imported by its county staff (demo account "jiangan")
GOALS = {("postgres", "csv"): 30.0, ("postgres", "xlsx"): 40.0, ("sqlite", "csv"): 45.0}
RATIO_GOAL = 1.5
PEAK_GOAL_MIB = 2048.0
FILL_CHUNK = 500_000
VOTER_ORDER = (
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
)
REGISTERED_AT = "2026-01-01 00:00:00"  # UTC, as Django stores it on both databases
HEADERS = (
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "户籍地址",
    "现住址",
    "联系电话",
    "村（居）民小组",
    "选区代码",
    "变动类型",
)
ADDRESSES = ("420102", "420103", "420106", "420502")  # one per file: no number in two files
# The kept province's voters hold numbers of every Hubei county: its imports come from afar.
PROVINCE_ADDRESSES = ("110101", "310101", "440103", "510104")
CHECK = "10X98765432"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the imported file")
    parser.add_argument("--existing", type=int, default=10_000_000, help="voters already there")
    parser.add_argument("--sqlite-existing", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or both")
    parser.add_argument("--overlap", type=float, default=0.01, help="share already registered")
    parser.add_argument(
        "--province",
        type=int,
        help="import into a copy of the kept province of this many voters (bench/_province.py)"
        " instead of a register filled here",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: see import_in_child
    parser.add_argument("--overlap-counts", help=argparse.SUPPRESS)
    parser.add_argument(
        "--stages",
        choices=["real", "direct"],
        default="real",
        help="direct: raw read and a Checked frame built here, to time the commit alone",
    )


def bench(backend: str, args: argparse.Namespace) -> None:
    from renda.demo.builder import build_demo
    from renda.demo.voters import demo_election, demo_places
    from renda.regions.loaders import load_regions

    with stopwatch() as lap:
        load_regions()
        build_demo()
    election = demo_election()
    places = demo_places()
    county = [p for p in places if p.county == str(COUNTY)]
    existing = args.existing if backend == "postgres" else args.sqlite_existing
    print(f"regions and demo districts: {lap.wall:.1f} s; {len(county)} districts in 江岸区")
    _print_server(backend)
    if args.province:
        from renda.voters.models import Voter

        existing = Voter.objects.count()
        print(f"register: the kept province's {existing:,} voters")
    else:
        with stopwatch() as lap:
            fill_register(existing, places, election.pk, backend)
        print(f"register filled with {existing:,} voters and change rows: {lap.wall:.1f} s")

    results = Table(
        f"voter import on {backend}: {args.rows:,} rows into {existing:,} ({load_average()})",
        [
            "file",
            "read s",
            "validate s",
            "commit s",
            "total s",
            "baseline s",
            "ratio",
            "sorted baseline s",
            "ratio",
            "goal s",
            "peak MiB",
        ],
    )
    parts = Table("inside the commit (seconds)", ["file", "part", "seconds"])
    for seed, fmt in enumerate(f for f in args.formats.split(",") if f):
        addresses = PROVINCE_ADDRESSES if args.province else ADDRESSES
        address = addresses[seed % len(addresses)]
        people = make_people(args.rows, county, election.election_day, seed + 1, address)
        with stopwatch() as lap:
            data = to_csv(people) if fmt == "csv" else to_xlsx(people)
        print(f"\n{fmt}: {len(data) / 2**20:.0f} MiB written in {lap.wall:.1f} s (not timed)")
        overlap = register_overlap(people, round(args.rows * args.overlap), backend)
        rows = baseline_rows(people, sum(overlap))
        del people
        naive = baseline(backend, fmt, data, rows, "file order")
        sorted_ = baseline(backend, fmt, data, rows.sort("name_pinyin", "district_id"), "sorted")
        del rows
        figures, breakdown = import_in_child(backend, fmt, data, args, overlap)
        total = sum(figures[k] for k in ("read", "validate", "commit"))
        goal = GOALS.get((backend, fmt), float("nan"))
        results.add(
            fmt,
            figures["read"],
            figures["validate"],
            figures["commit"],
            total,
            naive,
            total / naive,
            sorted_,
            total / sorted_,
            goal,
            figures["peak"],
        )
        print(
            f"{fmt}: import {total:.1f} s; baseline {naive:.1f} s in file order (ratio"
            f" {total / naive:.2f}, goal ≤ {RATIO_GOAL}), {sorted_:.1f} s sorted as the import"
            f" sorts (ratio {total / sorted_:.2f}); peak {figures['peak']:.0f} MiB"
            f" (+{figures['peak'] - figures['before']:.0f} MiB over the {figures['before']:.0f}"
            " MiB held before reading)"
        )
        for part, seconds in breakdown.items():
            parts.add(fmt, part, seconds)
    results.print()
    parts.print()
    print(f"\nat end: {load_average()}")


# --- the people in the file -----------------------------------------------------------------


def make_people(
    n: int, places: list[Any], election_day: date, seed: int, address: str
) -> pl.DataFrame:
    """``n`` distinct, valid, adult people of ``places``, columns named as on a registrar's
    sheet (HEADERS); every ID number starts with ``address``, so two files never share one.
    Vectorised: a few seconds a million."""
    from renda.demo.people import COMMUNITIES, GIVEN, ROADS, SINGLE_CHAR_SHARE, SURNAMES

    draw = Draw(seed)
    m = n * 11 // 10  # draws: a few numbers come out twice
    latest = date(election_day.year - 18, election_day.month, min(election_day.day, 28))
    male = draw.floats(m) < 0.51
    draws = pl.DataFrame(
        {
            "place": draw.choice(m, range(len(places)), [p.weight for p in places]),
            "born": pl.select(
                pl.lit(latest) - pl.duration(days=pl.lit(draw.ints(m, 0, 72 * 365)))
            ).to_series(),
            "seq": draw.ints(m, 0, 500) * 2 + male.cast(pl.Int64),
            "male": male,
        }
    )
    stem = pl.concat_str(
        pl.lit(address),
        pl.col("born").dt.strftime("%Y%m%d"),
        pl.col("seq").cast(pl.Utf8).str.zfill(3),
    )
    draws = draws.with_columns(stem.alias("first17")).unique("first17", maintain_order=True)
    work = draws.head(n)
    assert work.height == n, "not enough distinct numbers drawn"
    digits = [pl.col("first17").str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(WEIGHTS)]
    check = (pl.sum_horizontal(digits) % 11).replace_strict(dict(enumerate(CHECK)))
    work = work.with_columns(
        (pl.col("first17") + check).alias("id"),
        _names(draw, work, SURNAMES, GIVEN, SINGLE_CHAR_SHARE).alias("name"),
        draw.choice(n, COMMUNITIES).alias("community"),
        draw.choice(n, ROADS).alias("road"),
        draw.ints(n, 1, 999).alias("number"),
        draw.ints(n, 3 * 10**9, 9 * 10**9).alias("phone"),
        (draw.floats(n) < 0.7).alias("has_phone"),
        draw.ints(n, 1, 13).alias("team"),
        draw.floats(n).alias("roll"),
    )
    prefix = pl.Series([f"{p.prefix}{p.township}" for p in places])
    codes = pl.Series([str(p.district_code) for p in places])
    work = work.with_columns(
        prefix.gather(work["place"]).alias("prefix"), codes.gather(work["place"]).alias("code")
    )
    address_text = pl.concat_str(
        "prefix", "community", pl.lit("社区"), "road", pl.col("number").cast(pl.Utf8), pl.lit("号")
    )
    return work.select(
        pl.int_range(1, n + 1).cast(pl.Utf8).alias("序号"),
        pl.col("name").alias("姓名"),
        pl.when("male").then(pl.lit("男")).otherwise(pl.lit("女")).alias("性别"),
        pl.when(pl.col("roll") < 0.006)
        .then(pl.lit("土家族"))
        .when(pl.col("roll") < 0.01)
        .then(pl.lit("回族"))
        .otherwise(pl.lit("汉族"))
        .alias("民族"),
        pl.col("born").dt.strftime("%Y-%m-%d").alias("出生日期"),
        pl.col("id").alias("公民身份号码"),
        address_text.alias("户籍地址"),
        address_text.alias("现住址"),
        pl.when("has_phone")
        .then(pl.concat_str(pl.lit("1"), pl.col("phone").cast(pl.Utf8)))
        .otherwise(pl.lit(""))
        .alias("联系电话"),
        pl.concat_str(
            "community", pl.lit("社区第"), pl.col("team").cast(pl.Utf8), pl.lit("居民小组")
        ).alias("村（居）民小组"),
        pl.col("code").alias("选区代码"),
        pl.when(pl.col("born") > latest - timedelta(days=365))
        .then(pl.lit("新满十八周岁"))
        .otherwise(pl.lit(""))
        .alias("变动类型"),
    )


def _names(
    draw: Draw,
    frame: pl.DataFrame,
    surnames: tuple[tuple[str, float], ...],
    given: dict[tuple[int, bool], str],
    single: dict[int, float],
) -> pl.Series:
    """Surname by frequency, then one or two given-name characters of the person's cohort and
    sex, the commonest far more often (as renda.demo.people draws them)."""
    rng = draw.rng
    family = draw.choice(frame.height, [s for s, _w in surnames], [w for _s, w in surnames])
    names = []
    for surname, year, male in zip(family, frame["born"].dt.year(), frame["male"], strict=True):
        era = 2000 if year >= 2000 else 1980 if year >= 1980 else 1960 if year >= 1960 else 1930
        pool = given[(era, male)]
        count = 1 if rng.random() < single[era] else 2
        names.append(
            surname + "".join(pool[int(len(pool) * rng.random() ** 2)] for _ in range(count))
        )
    return pl.Series(names)


class Draw:
    """Seeded random columns (numpy is not a dependency; random is fast enough for setup)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # reproducible synthetic data, not secrets

    def ints(self, n: int, lo: int, hi: int) -> pl.Series:
        """Uniform in [lo, hi)."""
        return pl.Series([self.rng.randrange(lo, hi) for _ in range(n)], dtype=pl.Int64)

    def floats(self, n: int) -> pl.Series:
        return pl.Series([self.rng.random() for _ in range(n)])

    def choice(
        self, n: int, items: Sequence[Any], weights: Sequence[float] | None = None
    ) -> pl.Series:
        return pl.Series(self.rng.choices(list(items), weights, k=n))

    def blobs(self, n: int, size: int, first: bytes = b"") -> pl.Series:
        data = self.rng.randbytes(size * n)
        return pl.Series(
            [first + data[i : i + size] for i in range(0, size * n, size)], dtype=pl.Binary
        )


def to_csv(people: pl.DataFrame) -> bytes:
    title = "江岸区选民登记表（批量导入）\n".encode()
    return title + people.write_csv().encode()


def to_xlsx(people: pl.DataFrame) -> bytes:
    """As Excel/WPS save it: a merged title row, the header, every cell text (the ID column
    formatted as text, as the official template has it)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet("选民登记表")
    text = book.add_format({"num_format": "@"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "江岸区选民登记表（批量导入）")
    sheet.write_row(1, 0, HEADERS)
    for r, row in enumerate(people.iter_rows(), start=2):
        sheet.write_row(r, 0, row, text)
    book.close()
    return buffer.getvalue()


# --- the register before the import ---------------------------------------------------------


def fill_register(n: int, places: list[Any], election_id: int, backend: str) -> None:
    """``n`` voters (2% of them removed) and one change row each, secondary indexes dropped
    while loading and rebuilt after."""
    from django.db import connection

    from renda.demo.people import PeopleMaker
    from renda.voters.importing.commit import _PinyinCache
    from renda.voters.models import Voter, VoterChange

    draw = Draw(0)
    maker = PeopleMaker(places, date(2026, 6, 1))
    pinyin = _PinyinCache()
    pool = [maker.person() for _ in range(20_000)]
    names = pl.DataFrame(
        [(p.name, *pinyin(p.name), p.household_address, p.group) for p in pool],
        schema=["name", "name_pinyin", "name_initials", "household_address", "group"],
        orient="row",
    )
    codes = [p.district_code for p in places]
    weights = [p.weight for p in places]
    tables = [Voter._meta.db_table, VoterChange._meta.db_table]
    with dropped_indexes(tables), connection.cursor() as cursor:
        if backend == "postgres":
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
        for start in range(0, n, FILL_CHUNK):
            k = min(FILL_CHUNK, n - start)
            frame = _voter_rows(draw, k, names, draw.choice(k, codes, weights))
            write_voters(cursor, frame, backend)
        cursor.execute(
            "INSERT INTO voters_voterchange (voter_id, election_id, kind, district_code, at,"
            " reason, evidence, summary) SELECT id, %s, 'registered', district_id,"
            " registered_at, '', '', '{}' FROM voters_voter",
            [election_id],
        )
        if backend == "postgres":
            cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _voter_rows(draw: Draw, k: int, pool: pl.DataFrame, districts: pl.Series) -> pl.DataFrame:
    people = pool[draw.ints(k, 0, pool.height)]
    removed = draw.floats(k) < 0.02
    frame = pl.DataFrame(
        {
            "id_hash": draw.blobs(k, 32),
            "id_cipher": draw.blobs(k, 46, first=b"\x01"),
            "name": people["name"],
            "name_pinyin": people["name_pinyin"],
            "name_initials": people["name_initials"],
            "birth_date": draw.ints(k, 0, 70 * 365),
            "household_address": people["household_address"],
            "residence_address": people["household_address"],
            "phone": draw.ints(k, 13 * 10**9, 19 * 10**9).cast(pl.Utf8),
            "group": people["group"],
            "district_id": districts,
            "removed": removed,
        }
    )
    return frame.select(
        *VOTER_ORDER[:5],
        pl.when(draw.floats(k) < 0.5).then(pl.lit("M")).otherwise(pl.lit("F")).alias("sex"),
        (pl.lit(date(2006, 1, 1)) - pl.duration(days="birth_date")).alias("birth_date"),
        pl.lit(1).alias("ethnicity"),
        *VOTER_ORDER[8:12],
        "district_id",
        pl.when("removed").then(pl.lit("removed")).otherwise(pl.lit("registered")).alias("status"),
        pl.when("removed").then(pl.lit("moved_out")).otherwise(pl.lit("")).alias("removal_reason"),
    ).with_columns(**_constants("base"))


def _constants(source: str) -> dict[str, pl.Expr]:
    """The columns every generated voter row shares."""
    return {
        "residence_kind": pl.lit("household"),
        "status_note": pl.lit(""),
        "mobile_box": pl.lit(False),
        "source": pl.lit(source),
        "registered_at": pl.lit(REGISTERED_AT),
        "updated_at": pl.lit(REGISTERED_AT),
    }


def write_voters(cursor: Any, frame: pl.DataFrame, backend: str) -> None:
    """Raw rows (voters_voter columns, no id) into voters_voter: COPY or executemany."""
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    if backend == "postgres":
        hexed = frame.with_columns(
            pl.concat_str(pl.lit("\\x"), pl.col(c).bin.encode("hex")).alias(c)
            for c, t in frame.schema.items()
            if t == pl.Binary
        )
        with cursor.cursor.copy(f"COPY voters_voter ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(hexed.write_csv(include_header=False).encode())
    else:
        marks = ", ".join(["%s"] * len(frame.columns))
        cursor.executemany(
            f"INSERT INTO voters_voter ({columns}) VALUES ({marks})", frame.iter_rows()
        )


@contextmanager
def dropped_indexes(tables: list[str]) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` and build them again afterwards."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
                " AND indexname NOT LIKE '%%_pkey'",
                [tables],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in indexes:
                cursor.execute(sql)


def register_overlap(people: pl.DataFrame, count: int, backend: str) -> tuple[int, int]:
    """Put the file's first ``count`` people in the register already: the first half in the
    district the file gives them (→ already registered), the rest one district over where
    there is one (→ conflicts). Returns (already registered, conflicts)."""
    from django.db import connection

    from renda.voters.importing.commit import _ciphers, _hashes

    head = people.head(count)
    code = head["选区代码"].cast(pl.Int64)
    other = pl.select(
        pl.when(pl.int_range(count) < count // 2).then(code).otherwise(code + 1)
    ).to_series()
    frame = pl.DataFrame(
        {
            "id_hash": _hashes(head["公民身份号码"]),
            "id_cipher": _ciphers(head["公民身份号码"].to_list()),
            "name": head["姓名"],
            "name_pinyin": head["姓名"],
            "name_initials": head["姓名"],
            "sex": _sex(head["性别"]),
            "birth_date": head["出生日期"].str.to_date(),
            "ethnicity": pl.Series([1] * count),
            "household_address": head["户籍地址"],
            "residence_address": head["现住址"],
            "phone": head["联系电话"],
            "group": head["村（居）民小组"],
            "district_id": _existing_districts(other, code),
        }
    ).with_columns(status=pl.lit("registered"), removal_reason=pl.lit(""), **_constants("base"))
    with connection.cursor() as cursor:
        write_voters(cursor, frame, backend)
    same = int((frame["district_id"] == code).sum())
    return same, count - same


def _sex(column: pl.Series) -> pl.Series:
    return column.replace_strict({"男": "M", "女": "F"})


def _existing_districts(wanted: pl.Series, fallback: pl.Series) -> pl.Series:
    """``wanted`` where such a district exists, else the row's own (the next one over may not
    exist at the end of a township)."""
    from renda.regions.models import District

    known = set(District.objects.values_list("code", flat=True))
    return pl.Series(
        [w if w in known else f for w, f in zip(wanted.to_list(), fallback.to_list(), strict=True)]
    )


# --- the baseline ---------------------------------------------------------------------------


def baseline_rows(people: pl.DataFrame, overlap: int) -> pl.DataFrame:
    """Exactly the voter rows the import will insert, made ready for the driver beforehand."""
    from renda.voters.importing.commit import _ciphers, _hashes, _PinyinCache

    rows = people.slice(overlap)
    convert = _PinyinCache()
    pairs = [convert(n) for n in rows["姓名"].to_list()]
    frame = pl.DataFrame(
        {
            "id_hash": _hashes(rows["公民身份号码"]),
            "id_cipher": _ciphers(rows["公民身份号码"].to_list()),
            "name": rows["姓名"],
            "name_pinyin": pl.Series([p[0] for p in pairs]),
            "name_initials": pl.Series([p[1] for p in pairs]),
            "sex": _sex(rows["性别"]),
            "birth_date": rows["出生日期"].str.to_date(),
            "ethnicity": pl.Series([1] * rows.height),
            "household_address": rows["户籍地址"],
            "residence_address": rows["现住址"],
            "phone": rows["联系电话"],
            "group": rows["村（居）民小组"],
            "district_id": rows["选区代码"].cast(pl.Int64),
        }
    )
    return frame.with_columns(
        status=pl.lit("registered"), removal_reason=pl.lit(""), **_constants("import")
    )


def baseline(backend: str, fmt: str, data: bytes, rows: pl.DataFrame, label: str) -> float:
    """Seconds to read ``data`` raw and write ``rows`` raw into voters_voter (rolled back)."""
    import fastexcel
    from django.db import connection, transaction

    from renda.voters.importing.commit import _page_cache

    with stopwatch() as lap:
        if fmt == "csv":
            pl.read_csv(io.BytesIO(data), skip_rows=1, infer_schema=False)
        else:
            fastexcel.read_excel(data).load_sheet(0, header_row=1, dtypes="string")
        # on SQLite the same page cache as the import
        with _page_cache(), transaction.atomic(), connection.cursor() as cursor:
            if backend == "postgres":  # check the district foreign key now, not at a COMMIT
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # that never comes
            write_voters(cursor, rows, backend)
            transaction.set_rollback(True)
    if backend == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM voters_voter")
    print(f"{fmt}: baseline read + raw write of {rows.height:,} rows ({label}): {lap.wall:.1f} s")
    return lap.wall


# --- the import -----------------------------------------------------------------------------


def import_in_child(
    backend: str, fmt: str, data: bytes, args: argparse.Namespace, overlap: tuple[int, int]
) -> tuple[dict[str, float], dict[str, float]]:
    """Run the import in a fresh process (as a task worker would), so its peak memory is the
    import's own and not this process's generated data. Environment (database, keys) is
    inherited."""
    path = Path(os.environ["RENDA_VAR_DIR"]) / f"江岸区.{fmt}"
    path.write_bytes(data)
    command = [sys.executable, __file__, "--child", str(path), "--db", backend]
    command += ["--rows", str(args.rows), "--stages", args.stages]
    command += ["--overlap-counts", f"{overlap[0]},{overlap[1]}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    lines = done.stdout.splitlines()
    print("\n".join(lines[:-1]))
    if done.returncode:
        raise SystemExit(f"the import process failed:\n{done.stderr}")
    path.unlink()
    result = json.loads(lines[-1])
    return result["figures"], result["parts"]


def child_import(args: argparse.Namespace) -> None:
    """--child PATH: import one file into the benchmark's database and print the figures as
    the last line (JSON)."""
    import django

    django.setup()
    from renda.accounts.models import User
    from renda.demo.voters import demo_election

    before = rss_mib()
    path = Path(args.child)
    already, conflicts = (int(n) for n in args.overlap_counts.split(","))
    figures, parts = import_file(
        path,
        User.objects.get(username="jiangan"),
        demo_election(),
        args.rows,
        (already, conflicts),
        args.stages == "real",
    )
    figures["before"] = before
    print(json.dumps({"figures": figures, "parts": parts}))


def import_file(
    path: Path,
    actor: Any,
    election: Any,
    n: int,
    overlap: tuple[int, int],
    real: bool,
) -> tuple[dict[str, float], dict[str, float]]:
    from renda.imports.models import ImportRun
    from renda.voters.importing import commit as stage
    from renda.voters.importing import reader, validate
    from renda.voters.importing.importer import context_for

    run_row = ImportRun.objects.create(
        kind="voters",
        created_by=actor,
        region_code=COUNTY * 10**6,
        original_name=path.name,
        state="running",
    )
    fmt = path.suffix.lstrip(".")
    context = context_for(election)
    parts: dict[str, float] = {}
    reset_peak_rss()
    with timed_parts(stage, parts), MEMORY.sampling():
        with stopwatch() as read:
            # the file's bytes are not kept: the task worker lets go of them once read
            data = path.read_bytes()
            table = reader.read_table(data, path.name) if real else raw_table(data, fmt)
            del data
        with stopwatch() as check:
            checked = validate.validate(table, context) if real else checked_directly(table)
            del table
        with stopwatch() as write:
            MEMORY.stage = "commit"
            outcome = stage.commit(
                checked,
                actor=actor,
                election=election,
                district=None,
                run=run_row,
                progress=lambda done: None,
                lean=True,
            )
    peak = peak_rss_mib()
    print(MEMORY.summary())
    inside = sum(v for k, v in parts.items() if not k.startswith("read"))
    parts["rest (verdicts, notes, audit, COMMIT with deferred FK checks)"] = write.wall - inside
    expected = (n - sum(overlap), overlap[1], overlap[0])
    got = (outcome.accepted, outcome.conflicts, outcome.already_registered)
    print(
        f"{fmt}: read {read.wall:.1f} s, validate {check.wall:.1f} s, commit {write.wall:.1f} s;"
        f" accepted {outcome.accepted:,}, rejected {outcome.rejected:,}, conflicts"
        f" {outcome.conflicts:,}, already registered {outcome.already_registered:,}"
    )
    if got != expected or outcome.rejected:
        print(f"!! expected accepted/conflicts/already {expected}, got {got}")
        print(f"!! first notes: {list(outcome.row_notes.items())[:3]}")
        errors = checked.rejected.head(3)["__errors"].to_list()
        print(f"!! first errors: {errors}")
    figures = {"read": read.wall, "validate": check.wall, "commit": write.wall, "peak": peak}
    return figures, parts


def raw_table(data: bytes, fmt: str) -> Any:
    """The file read raw (polars / fastexcel), as a contract Table with canonical columns."""
    import fastexcel

    from renda.voters.importing import contract as c

    if fmt == "csv":
        frame = pl.read_csv(io.BytesIO(data), skip_rows=1, infer_schema=False)
    else:
        frame = fastexcel.read_excel(data).load_sheet(0, header_row=1, dtypes="string").to_polars()
    keys = {
        "姓名": c.NAME,
        "性别": c.SEX,
        "民族": c.ETHNICITY,
        "出生日期": c.BIRTH_DATE,
        "公民身份号码": c.ID_NUMBER,
        "户籍地址": c.HOUSEHOLD_ADDRESS,
        "现住址": c.RESIDENCE_ADDRESS,
        "联系电话": c.PHONE,
        "村（居）民小组": c.GROUP,
        "选区代码": c.DISTRICT,
        "变动类型": c.KIND,
    }
    frame = frame.rename(keys).with_columns(
        pl.int_range(3, frame.height + 3).alias(c.ROW), pl.lit(False).alias(c.ID_NUMERIC)
    )
    return c.Table(frame, list(frame.columns), {v: k for k, v in keys.items()}, 2, "")


def checked_directly(table: Any) -> Any:
    """What validate() hands over for this clean file, built directly (--stages direct)."""
    from renda.voters.importing import contract as c

    empty = pl.lit([], dtype=pl.List(pl.Utf8))
    frame = table.frame.with_columns(
        pl.col(c.ID_NUMBER).alias(c.ID_NORMALIZED),
        pl.col(c.BIRTH_DATE).str.to_date().alias(c.BIRTH_FROM_ID),
        pl.col(c.SEX).replace_strict({"男": "M", "女": "F"}).alias(c.SEX_FROM_ID),
        pl.col(c.ETHNICITY)
        .replace_strict({"汉族": 1, "回族": 3, "土家族": 15}, return_dtype=pl.Int64)
        .alias(c.ETHNICITY_CODE),
        pl.col(c.KIND).replace({"新满十八周岁": "newly_18", "": None}),
        pl.lit(None, dtype=pl.Date).alias(c.EFFECTIVE_DATE),
        empty.alias(c.ERRORS),
        empty.alias(c.WARNINGS),
        empty.alias(c.FLAGS),
    )
    return c.Checked(table, frame)


@contextmanager
def timed_parts(stage: Any, parts: dict[str, float]) -> Iterator[None]:
    """Time the commit's parts by wrapping its helpers for the duration (bench only)."""
    from renda.voters.importing import reader, validate

    wrapped = {
        "hash ID numbers": (stage, "_hashes"),
        "lookups (staging table + join)": (stage, "_lookup"),
        "pinyin (distinct names)": (stage, "_with_pinyin"),
        "reserve ids": (stage, "_reserve_ids"),
        "write {table} (sealing the next chunk overlaps)": (stage._Table, "write"),
        # not timed, only named for the memory trace (they hold the parts above)
        "read": (reader, "read_table"),
        "validate": (validate, "validate"),
        "~candidates": (stage, "_candidates"),
        "~plan": (stage, "_plan"),
        "~conflicts": (stage, "_record_conflicts"),
        "~write": (stage, "_write"),
        "~outcome": (stage, "_outcome"),
    }
    saved = {label: getattr(owner, name) for label, (owner, name) in wrapped.items()}
    owner_of = {label: owner for label, (owner, _name) in wrapped.items()}

    def timer(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            model = getattr(args[0], "model", None) if args else None
            key = label.format(table=model._meta.db_table if model else "")
            stage_name = key if owner_of[label] in (reader, validate) else f"commit: {key}"
            outer, MEMORY.stage = MEMORY.stage, stage_name
            high = peak_rss_mib()
            try:
                return fn(*args, **kwargs)
            finally:
                MEMORY.stage = outer
                MEMORY.raised(stage_name, high)
                if owner_of[label] not in (reader, validate) and not label.startswith("~"):
                    parts[key] = parts.get(key, 0.0) + time.perf_counter() - started

        return timed

    for label, (owner, name) in wrapped.items():
        setattr(owner, name, timer(label, saved[label]))
    try:
        yield
    finally:
        for label, (owner, name) in wrapped.items():
            setattr(owner, name, saved[label])


class _Memory:
    """Resident memory sampled every 10 ms in a thread, the highest per stage of the import
    (the stage names are set by import_file and timed_parts): where the peak comes from."""

    def __init__(self) -> None:
        self.stage = ""
        self.peaks: dict[str, float] = {}
        self.raises: list[str] = []

    @contextmanager
    def sampling(self) -> Iterator[None]:
        import threading

        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.01):
                now = rss_mib()
                if now > self.peaks.get(self.stage, 0.0):
                    self.peaks[self.stage] = now

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def raised(self, stage: str, before: float) -> None:
        """Note a stage that raised the process's high-water mark (ru_maxrss: exact, unlike
        the sampler, which cannot run while a call holds the GIL)."""
        after = peak_rss_mib()
        if after > before:
            self.raises.append(f"{stage} {before:,.0f} → {after:,.0f}")

    def summary(self) -> str:
        return (
            "resident memory, highest per stage (MiB): "
            + "; ".join(f"{stage} {mib:,.0f}" for stage, mib in self.peaks.items())
            + "\nhigh-water mark raised by (MiB): "
            + "; ".join(self.raises)
        )


MEMORY = _Memory()


def rss_mib() -> float:
    """Resident memory now (peak_rss_mib gives the high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _print_server(backend: str) -> None:
    from django.db import connection

    if backend != "postgres":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN"
            " ('shared_buffers', 'max_wal_size', 'synchronous_commit', 'work_mem')"
        )
        print("server: " + ", ".join(f"{n}={s}" for n, s in cursor.fetchall()))


@contextmanager
def province_copy(voters: int) -> Iterator[None]:
    """A throwaway copy of the kept province ``renda_bench_province_<voters>`` (CREATE
    DATABASE … TEMPLATE: a file copy, a minute or two for 10 M voters) with a copy of its keys,
    so that the import meets a real register — real hashes, ciphers, names and counters."""
    import shutil
    import tempfile

    from _harness import PG_SERVER, _pg_admin

    kept = f"renda_bench_province_{voters}"
    keys = Path(__file__).resolve().parent.parent / "var" / "bench" / f"province_{voters}" / "keys"
    if not keys.is_dir():
        raise SystemExit(f"no kept province of {voters:,} voters: run bench/_province.py first")
    name = f"renda_bench_{os.getpid()}"
    var_dir = Path(tempfile.mkdtemp(prefix="renda-bench-province-"))
    shutil.copytree(keys, var_dir / "keys")
    with stopwatch() as lap:
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{kept}"')
    print(f"copy of {kept}: {lap.wall:.1f} s")
    os.environ.update(RENDA_VAR_DIR=str(var_dir), DATABASE_URL=f"{PG_SERVER}/{name}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        yield
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def province_bench(args: argparse.Namespace) -> None:
    import django
    from _harness import print_machine
    from django.core.management import call_command

    with province_copy(args.province):
        django.setup()
        print_machine("postgres")
        call_command("migrate", verbosity=0)
        bench("postgres", args)


if __name__ == "__main__":
    arguments = parse_args(__doc__.splitlines()[0] if __doc__ else "", options)
    if arguments.child:
        child_import(arguments)
    elif arguments.province:
        province_bench(arguments)
    else:
        run(bench, arguments)
