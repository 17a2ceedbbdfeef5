"""Writing the counters (UPSERT, in the caller's transaction) and reading their sums."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection
from django.db.models import F, Sum
from django.utils import timezone

from renda.voters.models import Election, VoterTally, VoterTallyEthnicity
from renda.voters.tally.counting import CHUNK, COUNTERS, Key


def apply(deltas: Mapping[Key, Mapping[str, int]]) -> None:
    """Add ``deltas`` to the counters: INSERT … ON CONFLICT (election, district) DO UPDATE
    SET c = c + excluded.c, rows in key order (a fixed lock order), in the caller's
    transaction."""
    rows = [
        (key, counts)
        for key, counts in sorted(deltas.items())
        if any(counts.get(c, 0) for c in COUNTERS)
    ]
    upsert(rows, COUNTERS, add=True)


def upsert(
    rows: Sequence[tuple[Key, Mapping[str, int]]], columns: Sequence[str], *, add: bool
) -> None:
    """Write ``columns`` of ``rows`` (sorted by key): added to the kept values with ``add``,
    else replacing them; a missing row is inserted, its other columns 0."""
    table = VoterTally._meta.db_table
    quote = connection.ops.quote_name
    sets = [
        f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}"
        if add
        else f"{quote(c)} = excluded.{quote(c)}"
        for c in columns
    ]
    others = [c for c in ("expected", *COUNTERS) if c not in columns]
    _write(
        table,
        ["election_id", "district_id", *columns, *others],
        [
            (e, d, *(counts.get(c, 0) for c in columns), *[0] * len(others))
            for (e, d), counts in rows
        ],
        conflict=("election_id", "district_id"),
        sets=[*sets, "updated_at = excluded.updated_at"],
        stamp="updated_at",
    )


def apply_ethnicity(deltas: Mapping[tuple[int, int, int], int]) -> None:
    """Add ``deltas`` to the ethnicity counts, then drop the rows they brought to zero."""
    rows = sorted((key, n) for key, n in deltas.items() if n)
    if not rows:
        return
    table = VoterTallyEthnicity._meta.db_table
    count = connection.ops.quote_name("count")
    _write(
        table,
        ["election_id", "district_id", "ethnicity", "count"],
        [(*key, n) for key, n in rows],
        conflict=("election_id", "district_id", "ethnicity"),
        sets=[f"{count} = {connection.ops.quote_name(table)}.{count} + excluded.{count}"],
    )
    touched = sorted({(e, d) for (e, d, _x), _n in rows})
    for election_id in sorted({e for e, _d in touched}):
        codes = [d for e, d in touched if e == election_id]
        for start in range(0, len(codes), CHUNK):
            VoterTallyEthnicity.objects.filter(
                election_id=election_id, district_id__in=codes[start : start + CHUNK], count=0
            ).delete()


def _write(
    table: str,
    columns: list[str],
    rows: list[tuple[int, ...]],
    *,
    conflict: tuple[str, ...],
    sets: list[str],
    stamp: str | None = None,
) -> None:
    """INSERT … ON CONFLICT DO UPDATE of integer ``rows``, in their order. PostgreSQL: one
    statement, the columns sent as arrays (unnest); SQLite: batches of VALUES within its 999
    variables a statement."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in (*columns, *([stamp] if stamp else [])))
    tail = f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(sets)}"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(["%s::bigint[]"] * len(columns))
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) "  # noqa: S608 — model names
                f"SELECT *{', %s' if stamp else ''} FROM unnest({arrays}) {tail}",
                [*([now] if stamp else []), *(list(c) for c in zip(*rows, strict=True))],
            )
            return
        width = len(columns) + (1 if stamp else 0)
        marks = "(" + ", ".join(["%s"] * width) + ")"
        size = max(1, 999 // width)
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) "  # noqa: S608 — model names
                f"VALUES {', '.join([marks] * len(batch))} {tail}",
                [v for row in batch for v in (*row, *([now] if stamp else []))],
            )


def set_expected(election: Election, expected: Mapping[int, int]) -> None:
    """应登记 per district (district code → people), as the roster's base data gives it:
    absolute values, in the caller's transaction."""
    rows = [((election.pk, code), {"expected": n}) for code, n in sorted(expected.items())]
    upsert(rows, ("expected",), add=False)


# --- Reading (for dashboards and reports) ---------------------------------------------------


def rate(listed: int, expected: int) -> float | None:
    """登记率 = 已登记 (registered + suspended) / 应登记; None without base data."""
    return listed / expected if expected else None


def totals(election: Election, lo: int, hi: int) -> dict[str, int]:
    """A region's figures: the sum of its districts' rows, no voter read."""
    sums = VoterTally.objects.filter(
        election=election, district_id__gte=lo, district_id__lte=hi
    ).aggregate(**{c: Sum(c) for c in ("expected", *COUNTERS)})
    return {c: n or 0 for c, n in sums.items()}


def by_child(election: Election, lo: int, hi: int, *, span: int) -> dict[int, dict[str, int]]:
    """A region's figures per child region (child code → sums): districts grouped by their
    code rounded down to ``span`` (regions.codes.SPAN of the child level)."""
    rows = (
        VoterTally.objects.filter(election=election, district_id__gte=lo, district_id__lte=hi)
        .annotate(child=F("district_id") / span * span)
        .values("child")
        .annotate(**{c: Sum(c) for c in ("expected", *COUNTERS)})
        .order_by("child")
    )
    return {row.pop("child"): row for row in rows}
