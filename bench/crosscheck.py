"""Benchmark: the province-wide cross-check, fuzzy candidates and the bulk confirmation
(issue 5) on the kept PostgreSQL province of bench/_province.py.

    python bench/crosscheck.py [--voters 10000000] [--repeat 3]
        [--parts crosscheck,fuzzy,confirm] [--fuzzy-service]

Targets: the cross-check over 10,000,000 registrations and 10,000,000 roster records ≤ 60 s;
fuzzy candidates for 10,000 residual records against 10,000,000 ≤ 60 s; confirming a
district's 5,000 expected people ≤ 3 s.

The province (built once, kept) holds ``--voters`` voters and, from its "base records" step,
about as many household roster records with planted differences: 错登 (0.5 %), people the
roster puts in the next district (0.5 %), 1 % not registered (漏登), 10,000 records of
registered people with a mistyped or missing ID number, and 5,000 expected people in a
district of their own. Timed, through the roster module's own functions:

- crosscheck: ``renda.roster.reports.crosscheck`` over the whole province (every figure per
  city), and the ``crosscheck`` command when it exists; its figures are checked against what
  was planted. Same-run baselines: the bare join ``SELECT count(*) FROM voters_voter v JOIN
  roster_baserecord b USING (id_hash)`` and the report's own left join counted raw.
- fuzzy: the 10,000 mistyped records through the fuzzy service's pages and engine
  (``fuzzy.services._residuals`` → ``engine.find_candidates`` → ``services._queue``, exactly
  the loop of ``fuzzy_candidates_run``), in a transaction rolled back afterwards; recall (was
  the voter the record belongs to among its candidates, and first?) by kind of typo.
  Baseline: every one-edit variant of the typed numbers generated and hashed, then one raw
  ``SELECT … WHERE id_hash = ANY(…)``. With ``--fuzzy-service``, ``fuzzy_candidates_run``
  over the whole province too (its default residuals: records without a valid number).
- confirm: ``base_records_confirm`` of the 5,000 (township staff of 大智街道) inside a
  transaction rolled back afterwards, with ``SET CONSTRAINTS ALL IMMEDIATE`` so the deferred
  foreign-key checks a COMMIT would run are paid inside the timing. Baseline: a raw COPY of
  the same 5,000 voter rows (hash, cipher, name, pinyin ready) into voters_voter, the same
  way.

Setup, not timed: the province's voters carry placeholder ciphertexts (see _province.py); the
few voters the fuzzy matcher will reveal (its candidates) get real ones first, rebuilt from
their reproducible ID numbers.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from _harness import SqlClock, Table, load_average, peak_rss_mib, stopwatch
from _province import CONFIRM, CONFIRM_DISTRICT, PROVINCE, options, province, voter_numbers

GOALS = {"crosscheck": 60.0, "fuzzy": 60.0, "confirm": 3.0}
PARTS = ("crosscheck", "fuzzy", "confirm")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    options(parser)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each part")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument(
        "--fuzzy-service", action="store_true", help="also fuzzy_candidates_run province-wide"
    )
    return parser.parse_args()


def main() -> None:
    args = parse()
    with province(args) as meta:
        if "base:planted" not in meta:
            raise SystemExit("the province has no base records (are the roster models there?)")
        planted: dict[str, int] = json.loads(meta["base:planted"])
        print(f"planted: {planted}")
        server()
        summary = Table(
            f"issue 5 on {args.voters:,} voters ({load_average()})",
            ["part", "runs", "best s", "median s", "baseline s", "ratio", "goal s", "verdict"],
        )
        parts = [p for p in args.parts.split(",") if p]
        if "crosscheck" in parts:
            crosscheck(args, planted, summary)
        if "fuzzy" in parts:
            fuzzy(args, planted, summary)
        if "confirm" in parts:
            confirm(args, summary)
        summary.title = f"issue 5 on {args.voters:,} voters (at the end: {load_average()})"
        summary.print()
        print(f"\npeak RSS {peak_rss_mib():.0f} MiB; at end: {load_average()}")


def server() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN"
            " ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit',"
            " 'effective_cache_size')"
        )
        print("server: " + ", ".join(f"{n}={s}" for n, s in cursor.fetchall()))
        cursor.execute(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))"
            " FROM pg_stat_user_tables WHERE relname IN ('voters_voter', 'roster_baserecord')"
        )
        for name, rows, size in cursor.fetchall():
            print(f"table {name}: ~{rows:,} rows, {size} with indexes")


def timed(action: Callable[[], Any], repeat: int, label: str) -> tuple[list[float], Any]:
    laps, result = [], None
    for run in range(repeat):
        with stopwatch() as lap:
            result = action()
        laps.append(lap.wall)
        print(
            f"{label}, run {run + 1}: {lap.wall:.2f} s (CPU here {lap.cpu:.2f} s; {load_average()})"
        )
    return laps, result


def raw_count(sql: str, params: list[Any] | None = None) -> Callable[[], int]:
    from django.db import connection

    def execute() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return int(cursor.fetchone()[0])

    return execute


def verdict(seconds: float, goal: float) -> str:
    return "met" if seconds <= goal else "MISSED"


# --- the cross-check ------------------------------------------------------------------------


def crosscheck(args: argparse.Namespace, planted: dict[str, int], summary: Table) -> None:
    from django.db import connection

    from renda.demo.voters import demo_election
    from renda.regions.codes import Level
    from renda.regions.models import Region
    from renda.roster import reports
    from renda.roster.services.crosscheck import crosscheck_run
    from renda.voters.models import ACTIVE

    lo, hi = PROVINCE, PROVINCE + 10**10 - 1
    active = [str(s) for s in ACTIVE]
    print("\n--- cross-check ---")
    bare, n = timed(
        raw_count("SELECT count(*) FROM voters_voter v JOIN roster_baserecord b USING (id_hash)"),
        args.repeat,
        "baseline: bare join count",
    )
    print(f"  {n:,} pairs")
    left, n = timed(
        raw_count(
            "SELECT count(*) FROM roster_baserecord r LEFT JOIN voters_voter v"
            " ON v.id_hash = r.id_hash AND v.status = ANY(%s)"
            " WHERE r.source = 'household' AND r.district_id BETWEEN %s AND %s",
            [active, lo, hi],
        ),
        args.repeat,
        "baseline: the report's left join, counted raw",
    )
    print(f"  {n:,} rows")
    clock = SqlClock()
    with connection.execute_wrapper(clock):
        laps, report = timed(
            lambda: reports.crosscheck(lo, hi, Level.PROVINCE), args.repeat, "reports.crosscheck"
        )
    clock.table("inside reports.crosscheck, all runs (seconds)").print()
    check_figures(report, planted)
    region, election = Region.objects.get(code=PROVINCE), demo_election()

    def service() -> Any:
        with rolled_back():
            return crosscheck_run(actor=None, region=region, election=election)

    runs, result = timed(service, args.repeat, "crosscheck_run (figures + review items)")
    print(
        f"  review items: 错登 {result.wrong_items:,}, lists {result.reference_items:,} (rolled back)"
    )
    baseline = min(left)
    for label, times, goal in (
        ("crosscheck_run (province, items queued)", runs, GOALS["crosscheck"]),
        ("reports.crosscheck (province, figures)", laps, GOALS["crosscheck"]),
    ):
        best = min(times)
        add(
            summary,
            label,
            len(times),
            best,
            statistics.median(times),
            baseline,
            best / baseline,
            goal,
            verdict(best, goal),
        )
    add(summary, "  baseline: bare join count", len(bare), min(bare), statistics.median(bare))
    add(summary, "  baseline: left join count", len(left), min(left), statistics.median(left))
    if _command("crosscheck"):
        from django.core.management import call_command

        def command() -> None:
            with rolled_back():
                call_command("crosscheck", "--json", stdout=io.StringIO())

        claps, _r = timed(command, 1, "manage.py crosscheck (in-process)")
        add(
            summary,
            "manage.py crosscheck --json",
            1,
            claps[0],
            claps[0],
            baseline,
            claps[0] / baseline,
        )


def check_figures(report: Any, planted: dict[str, int]) -> None:
    total = report.total
    expect = {
        "missing": planted["missing"] + planted["residuals"] + planted["confirm"],
        "wrong": planted["wrong"],
        "elsewhere": planted["elsewhere"],
    }
    got = {"missing": total.missing, "wrong": total.wrong, "elsewhere": total.elsewhere}
    check = "as planted" if got == expect else f"MISMATCH: planted {expect}"
    print(
        f"\nprovince: {total.records:,} records, expected {total.expected:,}, 漏登"
        f" {total.missing:,}, 错登 {total.wrong:,}, elsewhere {total.elsewhere:,}, conflicts"
        f" {total.conflicts:,}, unassigned {total.unassigned:,} — {check}"
    )
    figures = Table(
        "cross-check figures of the first five cities",
        ["city", "records", "漏登", "错登", "elsewhere"],
    )
    for code, row in sorted(report.rows.items())[:5]:
        figures.add(str(code), row.records, row.missing, row.wrong, row.elsewhere)
    figures.print()


def add(table: Table, *cells: object) -> None:
    """A row, blank cells added up to the table's width."""
    table.add(*cells, *[""] * (len(table.headers) - len(cells)))


def _command(name: str) -> str | None:
    from django.core.management import get_commands

    return name if name in get_commands() else None


# --- fuzzy candidates -----------------------------------------------------------------------


@contextmanager
def rolled_back() -> Iterator[None]:
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def wrapped(owner: Any, names: list[str], parts: dict[str, float]) -> Iterator[None]:
    """Time calls of ``owner.<name>`` (module functions) for the duration; bench only."""
    saved = {name: getattr(owner, name) for name in names}

    def timer(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - started

        return timed_call

    for name in names:
        setattr(owner, name, timer(name, saved[name]))
    try:
        yield
    finally:
        for name in names:
            setattr(owner, name, saved[name])


def fuzzy(args: argparse.Namespace, planted: dict[str, int], summary: Table) -> None:
    from django.utils import timezone

    from renda.demo.voters import demo_election
    from renda.roster.fuzzy import engine, services
    from renda.roster.models import BaseRecord

    print("\n--- fuzzy candidates ---")
    election = demo_election()
    today = timezone.localdate()
    records = BaseRecord.objects.filter(batch_id=planted["residual_batch"]).order_by("id")
    residuals = services._residuals(list(records))
    print(f"{len(residuals):,} residual records (batch {planted['residual_batch']})")
    with stopwatch() as lap:
        resealed = real_ciphers(residuals, today)
    print(f"setup: {resealed:,} candidate voters given real ciphertexts in {lap.wall:.1f} s")

    def run() -> tuple[int, int, list[Any]]:
        found_all: list[Any] = []
        created = 0
        with rolled_back():
            for page in services._chunks(records):
                found = engine.find_candidates(services._residuals(page), today=today)
                created += services._queue(found, election)[0]
                found_all += found
        return len(found_all), created, found_all

    parts: dict[str, float] = {}
    with wrapped(engine, ["by_id", "by_name", "_numbers_of"], parts):
        laps, (candidates, created, found) = timed(run, args.repeat, "fuzzy candidates, 10k")
    breakdown = Table(
        f"inside the fuzzy runs, per run ({args.repeat} runs averaged, seconds)",
        ["part", "seconds"],
    )
    for name, seconds in parts.items():
        breakdown.add(name, seconds / args.repeat)
    rest = statistics.mean(laps) - sum(parts.values()) / args.repeat
    breakdown.add("the rest (records read, pairing, review items)", rest)
    breakdown.print()
    print(f"\n{candidates:,} candidates, {created:,} review items (rolled back)")
    recall(residuals, found)
    hashing, lookup, hits = variant_baseline(residuals, today)
    baseline = hashing + lookup
    best = min(laps)
    add(
        summary,
        f"fuzzy candidates, {len(residuals):,} residuals",
        len(laps),
        best,
        statistics.median(laps),
        baseline,
        best / baseline,
        GOALS["fuzzy"],
        verdict(best, GOALS["fuzzy"]),
    )
    add(summary, "  baseline: variants generated and hashed", 1, hashing, hashing)
    add(summary, f"  baseline: raw id_hash = ANY lookup ({hits:,} hits)", 1, lookup, lookup)
    if args.fuzzy_service:
        from renda.regions.models import Region

        region = Region.objects.get(code=PROVINCE)

        def service() -> Any:
            with rolled_back():
                return services.fuzzy_candidates_run(
                    actor=None, region=region, election=election, today=today
                )

        slaps, result = timed(service, 1, "fuzzy_candidates_run, province")
        print(f"  {result.as_dict()}")
        add(
            summary,
            f"fuzzy_candidates_run (province, {result.residuals:,} residuals)",
            1,
            slaps[0],
            slaps[0],
        )


def real_ciphers(residuals: list[Any], today: Any) -> int:
    """Give every voter the matcher can propose a real ciphertext (the province's are
    placeholders): found with the engine's own two lookups, rebuilt from their numbers."""
    from cryptography.exceptions import InvalidTag
    from django.db import connection

    from renda.roster.fuzzy import engine
    from renda.voters import pii
    from renda.voters.models import Voter

    ids: set[int] = set()
    for start in range(0, len(residuals), 5000):
        page = residuals[start : start + 5000]
        ids |= {hit[2].id for hits in engine.by_id(page, today).values() for hit in hits}
        ids |= {hit[1].id for hits in engine.by_name(page).values() for hit in hits}
    broken = []
    for pk, cipher in Voter.objects.filter(pk__in=sorted(ids)).values_list("pk", "id_cipher"):
        try:
            pii.reveal(cipher)
        except (InvalidTag, ValueError):  # a placeholder does not decrypt
            broken.append(pk)
    if broken:
        numbers = voter_numbers(broken)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE voters_voter SET id_cipher = %s WHERE id = %s",
                [(pii.seal(numbers[pk]).cipher, pk) for pk in broken],
            )
    return len(broken)


def typo_kind(typed: str | None, number: str) -> str:
    if typed is None:
        return "missing"
    if len(typed) == 17:
        return "digit dropped"
    if typed[:17] == number[:17]:
        return "check character"
    if sorted(typed) == sorted(number):
        return "adjacent swap"
    return "digit changed"


def recall(residuals: list[Any], found: list[Any]) -> None:
    """Per kind of typo: was the voter the record belongs to (its row number) a candidate,
    and the strongest one?"""
    from renda.roster.models import BaseRecord

    owner = dict(
        BaseRecord.objects.filter(pk__in=[r.key for r in residuals]).values_list("pk", "row")
    )
    numbers = voter_numbers(sorted(set(owner.values())))
    by_record: dict[int, list[Any]] = {}
    for c in found:
        by_record.setdefault(c.residual.key, []).append(c)
    kinds: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    first: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for r in residuals:
        kind = typo_kind(r.number, numbers[owner[r.key]])
        mine = by_record.get(r.key, [])
        kinds[kind] += 1
        pairs[kind] += len(mine)
        hit[kind] += any(c.voter.id == owner[r.key] for c in mine)
        first[kind] += bool(mine) and max(mine, key=lambda c: c.strength).voter.id == owner[r.key]
    table = Table(
        "recall: the voter a record belongs to, among its candidates",
        ["typo", "records", "found", "found %", "strongest", "candidates per record"],
    )
    for kind in [*sorted(kinds), "all"]:
        n = sum(kinds.values()) if kind == "all" else kinds[kind]
        h = sum(hit.values()) if kind == "all" else hit[kind]
        f = sum(first.values()) if kind == "all" else first[kind]
        c = sum(pairs.values()) if kind == "all" else pairs[kind]
        table.add(kind, n, h, 100.0 * h / max(n, 1), f, c / max(n, 1))
    table.print()


def variant_baseline(residuals: list[Any], today: Any) -> tuple[float, float, int]:
    """The raw variant-hash lookup: every valid one-edit neighbour of each typed number,
    hashed, then one query for the hashes the register holds."""
    from django.db import connection

    from renda.roster.fuzzy import variants
    from renda.voters import pii

    with stopwatch() as generate:
        hashes = [
            pii.id_hash(x.number)
            for r in residuals
            if r.number
            for x in variants.one_edit_variants(r.number, today=today)
            if variants.agrees(x.number, r.birth_date, r.sex)
        ]
    print(f"baseline: {len(hashes):,} variants generated and hashed in {generate.wall:.2f} s")
    with stopwatch() as lookup, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM voters_voter WHERE id_hash = ANY(%s)", [sorted(hashes)]
        )
        hits = int(cursor.fetchone()[0])
    print(f"baseline: raw lookup, {hits:,} hits, in {lookup.wall:.2f} s")
    return generate.wall, lookup.wall, hits


# --- the bulk confirmation ------------------------------------------------------------------


def confirm(args: argparse.Namespace, summary: Table) -> None:
    from django.db import connection

    from renda.accounts.models import User
    from renda.demo.voters import demo_election
    from renda.regions.models import District
    from renda.roster.services.records import base_records_confirm

    print("\n--- confirming a district's expected people ---")
    election = demo_election()
    actor = User.objects.get(username="dazhi")
    district = District.objects.get(code=CONFIRM_DISTRICT)
    baselines = [raw_copy(district.code) for _ in range(args.repeat)]
    print("baseline: raw COPY of 5,000 voter rows: " + ", ".join(f"{b:.2f} s" for b in baselines))
    clock = SqlClock()

    def run() -> Any:
        with rolled_back(), connection.execute_wrapper(clock):
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            return base_records_confirm(actor=actor, election=election, district=district)

    laps, result = timed(run, args.repeat, "base_records_confirm, 5,000")
    print(
        f"registered {result.registered:,}, already here {result.already_here:,}, conflicts"
        f" {len(result.conflicts):,}, skipped {len(result.skipped):,} (rolled back)"
    )
    if result.registered != CONFIRM:
        print(f"!! expected {CONFIRM:,} registrations")
    clock.table(f"inside base_records_confirm, {args.repeat} runs (seconds)").print()
    best, baseline = min(laps), min(baselines)
    add(
        summary,
        f"base_records_confirm ({CONFIRM:,} people)",
        len(laps),
        best,
        statistics.median(laps),
        baseline,
        best / baseline,
        GOALS["confirm"],
        verdict(best, GOALS["confirm"]),
    )


def raw_copy(code: int) -> float:
    """Seconds to COPY the district's expected people into voters_voter as plain rows
    (prepared beforehand), constraints checked at once, rolled back."""
    from django.db import connection
    from import_voters import write_voters

    from renda.roster.models import BaseRecord

    rows = list(
        BaseRecord.objects.filter(district_id=code, status="expected").values_list(
            "id_hash", "id_cipher", "name", "name_pinyin", "sex", "birth_date", "ethnicity"
        )
    )
    frame = pl.DataFrame(
        [(bytes(h or b""), bytes(c or b""), n, p, s, b, e) for h, c, n, p, s, b, e in rows],
        schema=["id_hash", "id_cipher", "name", "name_pinyin", "sex", "birth_date", "ethnicity"],
        orient="row",
    ).with_columns(
        pl.col("name_pinyin").str.slice(0, 1).alias("name_initials"),
        pl.lit("").alias("household_address"),
        pl.lit("").alias("residence_address"),
        pl.lit("").alias("phone"),
        pl.lit("").alias("group"),
        pl.lit(code).alias("district_id"),
        pl.lit("registered").alias("status"),
        pl.lit("").alias("removal_reason"),
        pl.lit("household").alias("residence_kind"),
        pl.lit("").alias("status_note"),
        pl.lit(False).alias("mobile_box"),
        pl.lit("base").alias("source"),
        pl.lit("2026-06-01 00:00:00").alias("registered_at"),
        pl.lit("2026-06-01 00:00:00").alias("updated_at"),
    )
    with stopwatch() as lap, rolled_back(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        write_voters(cursor, frame, "postgres")
    return lap.wall


if __name__ == "__main__":
    main()
