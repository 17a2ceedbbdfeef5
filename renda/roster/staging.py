"""Temporary staging tables: many keys in, one join out (COPY on PostgreSQL, executemany on
SQLite), so a set-based lookup is one statement whatever the number of keys."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection

# column name → (PostgreSQL type, SQLite type)
TYPES = {
    "int": ("bigint", "integer"),
    "bytes": ("bytea", "blob"),
    "date": ("date", "date"),  # SQLite: the same affinity as the column it is joined to
    "text": ("text", "text"),
}


def _csv_value(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, date):
        return value.isoformat()
    return value


@contextmanager
def staged(
    name: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]
) -> Iterator[str]:
    """A temporary table ``name`` holding ``rows``; yields its quoted name, drops it after.

    ``columns`` are (name, kind) with kind one of ``TYPES``. Call inside a transaction on
    PostgreSQL if the caller also sets planner options with SET LOCAL."""
    quote = connection.ops.quote_name
    table = quote(name)
    postgres = connection.vendor == "postgresql"
    spec = ", ".join(f"{quote(c)} {TYPES[k][0 if postgres else 1]}" for c, k in columns)
    names = ", ".join(quote(c) for c, _ in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({spec})")
        try:
            if postgres:
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerows([_csv_value(v) for v in row] for row in rows)
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as cp:
                    cp.write(buffer.getvalue().encode())
                cursor.execute(f"ANALYZE {table}")
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 — our names
                    [[_csv_value(v) if isinstance(v, date) else v for v in row] for row in rows],
                )
            yield table
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def index_probes() -> Iterator[None]:
    """On PostgreSQL, join a small staging table to a big one by probing the big one's index
    once per key. Expecting every key to match, the planner would rather hash the whole big
    table (see voters.importing.commit). Needs a transaction: SET LOCAL ends with it."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        yield
        cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
        cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
