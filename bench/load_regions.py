"""Benchmark: loading the divisions of the whole of China with ``load_regions()``.

    python bench/load_regions.py [--db sqlite|postgres|both] [--repeat 3]

Measures a first load into empty tables and a second, idempotent load (every row is upserted
again and nothing changes). Baselines from the same run: reading the same TSV files alone, the
loader's own parse into model instances, and a raw ``executemany`` (and on PostgreSQL a
``COPY``) of exactly the same rows into bare tables with no keys, indexes or constraints.
Every step runs ``--repeat`` times; the fastest run (least disturbed by other work on the
machine) is reported, with the median beside it.
Target (issue): the whole of China in under 60 s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections.abc import Callable
from datetime import date
from typing import Any

from _harness import (
    Lap,
    SqlClock,
    Table,
    load_average,
    parse_args,
    peak_rss_mib,
    run,
    stopwatch,
)

TARGET_SECONDS = 60.0
FILES = ("divisions.tsv", "townships.tsv", "address_codes.tsv")
BARE_TABLES = {
    "bench_region": "code bigint, name varchar(64), level smallint, parent_id bigint, "
    "valid_from date, valid_to date",
    "bench_address_code": "code varchar(6), name varchar(64), first_year smallint, "
    "last_year smallint",
}

Rows = dict[str, list[tuple[Any, ...]]]


def read_tsv_alone() -> int:
    """The floor for parsing: the same csv.DictReader over the same files, nothing built."""
    from renda.regions.loaders import DATA_DIR

    count = 0
    for name in FILES:
        with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
            count += sum(1 for _row in csv.DictReader(handle, delimiter="\t"))
    return count


def same_rows(backend: str) -> Rows:
    """The rows load_regions() writes, as plain tuples for the raw baselines."""
    from renda.regions.loaders import read_address_codes, read_regions

    def day(value: date | None) -> object:
        # SQLite stores dates as ISO text; psycopg adapts date objects itself.
        return value.isoformat() if value is not None and backend == "sqlite" else value

    return {
        "bench_region": [
            (r.code, r.name, r.level, r.parent_id, day(r.valid_from), day(r.valid_to))
            for r in read_regions()
        ],
        "bench_address_code": [
            (a.code, a.name, a.first_year, a.last_year) for a in read_address_codes()
        ],
    }


def columns(table: str) -> list[str]:
    return [c.split()[0] for c in BARE_TABLES[table].split(", ")]


def raw_insert(rows: Rows, *, copy: bool) -> Lap:
    """Fresh bare tables, then every row in one transaction (commit included)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        for table, ddl in BARE_TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} ({ddl})")
    with stopwatch() as lap, transaction.atomic(), connection.cursor() as cursor:
        for table, values in rows.items():
            names = ", ".join(columns(table))
            if copy:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as pipe:
                    for row in values:
                        pipe.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns(table)))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    return lap


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE regions_region, regions_addresscode CASCADE")  # all empty
        else:
            cursor.execute("DELETE FROM regions_region")
            cursor.execute("DELETE FROM regions_addresscode")


def counts() -> tuple[int, int]:
    from renda.regions.models import AddressCode, Region

    return Region.objects.count(), AddressCode.objects.count()


def timed_load(expected: tuple[int, int]) -> tuple[Lap, SqlClock]:
    from django.db import connection

    from renda.regions.loaders import load_regions

    clock = SqlClock()
    with connection.execute_wrapper(clock), stopwatch() as lap:
        result = load_regions()
    loaded = (result.regions, result.address_codes)
    assert result.retired == 0 and loaded == expected == counts(), (result, counts(), expected)
    return lap, clock


def best(laps: list[Lap]) -> tuple[Lap, float]:
    """The fastest run (least disturbed by other work) and the median wall time."""
    return min(laps, key=lambda lap: lap.wall), statistics.median(lap.wall for lap in laps)


def bench(backend: str, args: argparse.Namespace) -> None:
    repeat: int = args.repeat
    figures = Table(
        f"load_regions on {backend}, best of {repeat}",
        ["step", "rows", "seconds", "median s", "CPU s", "rows/s"],
    )

    def add(step: str, rows: int, laps: list[Lap]) -> None:
        lap, median = best(laps)
        figures.add(step, rows, lap.wall, median, lap.cpu, round(rows / lap.wall))

    def measure(step: str, rows: int, action: Callable[[], Lap]) -> Lap:
        laps = [action() for _ in range(repeat)]
        add(step, rows, laps)
        return best(laps)[0]

    def read() -> Lap:
        with stopwatch() as lap:
            read_tsv_alone()
        return lap

    def parse() -> Lap:
        with stopwatch() as lap:
            same_rows(backend)
        return lap

    rows = same_rows(backend)
    total = sum(len(v) for v in rows.values())
    expected = (len(rows["bench_region"]), len(rows["bench_address_code"]))
    measure("baseline: read the TSV files alone (csv.DictReader)", read_tsv_alone(), read)
    measure("  the loader's parse into model instances", total, parse)
    measure(
        "baseline: raw executemany into bare tables", total, lambda: raw_insert(rows, copy=False)
    )
    if backend == "postgres":
        measure("baseline: raw COPY into bare tables", total, lambda: raw_insert(rows, copy=True))

    firsts: list[tuple[Lap, SqlClock]] = []
    seconds: list[tuple[Lap, SqlClock]] = []
    for _ in range(repeat):
        empty_tables()
        firsts.append(timed_load(expected))
        seconds.append(timed_load(expected))
    add("load_regions(), first load into empty tables", total, [lap for lap, _ in firsts])
    add("load_regions(), second load (idempotent)", total, [lap for lap, _ in seconds])

    figures.print()
    min(firsts, key=lambda pair: pair[0].wall)[1].table("SQL time in the best first load").print()
    min(seconds, key=lambda pair: pair[0].wall)[1].table("SQL time in the best second load").print()
    first_load = best([lap for lap, _ in firsts])[0].wall
    print(f"\n{expected[0]:,} regions + {expected[1]:,} historical codes loaded and counted.")
    if backend == "sqlite":
        verdict = "met" if first_load < TARGET_SECONDS else "MISSED"
        print(
            f"target: first load < {TARGET_SECONDS:.0f} s on SQLite: {verdict} ({first_load:.1f} s)"
        )
    print(f"peak RSS: {peak_rss_mib():.0f} MiB; at end: {load_average()}\n")


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (best is kept)")


if __name__ == "__main__":
    run(bench, parse_args(__doc__.splitlines()[0], options))
